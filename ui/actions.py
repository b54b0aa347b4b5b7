"""The main window's actions, one factory per action (Picard's registry).

Each ``MainAction`` has exactly one factory that builds its ``QAction``: text
with a mnemonic, an icon, a standard shortcut where the platform has one, a
status tip, and the slot on the window. Menus, the toolbar and the
Help ▸ Keyboard shortcuts list (``ui.shortcuts_dialog``) are built from them,
so a shortcut is defined once and the list a clerk reads cannot disagree
with the keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.resources import icon

StandardKey = QKeySequence.StandardKey


class MainAction(StrEnum):
    NEW_WORKSPACE = "new_workspace"
    OPEN_WORKSPACE = "open_workspace"
    CLOSE_WORKSPACE = "close_workspace"
    IMPORT_FILE = "import_file"
    QUIT = "quit"
    LARGER_FONT = "larger_font"
    HIGH_CONTRAST = "high_contrast"
    HIDE_MODEL_SCORE = "hide_model_score"
    GO_START = "go_start"
    GO_SOURCES = "go_sources"
    GO_RUN = "go_run"
    GO_REVIEW = "go_review"
    GO_IDENTITIES = "go_identities"
    GO_SEARCH = "go_search"
    GO_ELIGIBILITY = "go_eligibility"
    GO_LEDGER = "go_ledger"
    GO_QUALITY = "go_quality"
    OPEN_AUDIT = "open_audit"
    AUDIT_REPORT = "audit_report"
    SHORTCUTS = "shortcuts"
    ABOUT = "about"


class ActionTarget(Protocol):
    """What the factories connect to: the main window's slots."""

    def new_workspace_dialog(self) -> None: ...
    def open_workspace_dialog(self) -> None: ...
    def open_audit_dialog(self) -> None: ...
    def audit_report_dialog(self) -> None: ...
    def close_workspace(self) -> bool: ...
    def import_files_dialog(self) -> None: ...
    def close(self) -> bool: ...
    def set_larger_font(self, on: bool) -> None: ...
    def set_high_contrast(self, on: bool) -> None: ...
    def set_hide_model_score(self, on: bool) -> None: ...
    def go_to(self, page: str) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...


Factory = Callable[[ActionTarget, QWidget], QAction]
_FACTORIES: dict[MainAction, Factory] = {}


def add_action(key: MainAction) -> Callable[[Factory], Factory]:
    def register(factory: Factory) -> Factory:
        if key in _FACTORIES:
            raise ValueError(f"two factories for {key}")
        _FACTORIES[key] = factory
        return factory

    return register


def make_action(
    owner: QWidget,
    text: str,
    *,
    icon_name: str | None = None,
    shortcuts: Sequence[QKeySequence | StandardKey | str] = (),
    tip: str = "",
    checkable: bool = False,
) -> QAction:
    """A QAction with our conventions; pages may use it for their own actions.

    ``icon_name`` is kept as a property so the window can repaint icons when
    the colours change (high contrast).
    """
    action = QAction(text, owner)
    if icon_name:
        action.setIcon(icon(icon_name))
        action.setProperty("icon_name", icon_name)
    keys: list[QKeySequence] = []
    for key in shortcuts:
        if isinstance(key, StandardKey):
            found = [s for s in QKeySequence.keyBindings(key) if _typable(s)]
        else:
            found = [QKeySequence(key)]
        keys += [s for s in found if not s.isEmpty() and s not in keys]
    action.setShortcuts(keys)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(
            plain_text(text) + (f" ({shortcut_text(action)})" if keys else "")
        )
    action.setCheckable(checkable)
    return action


def page_action(
    owner: QWidget, text: str, keys: list[str], slot: Callable[[], object], tip: str
) -> QAction:
    """A page's own action: text, keys, what it does, and why (the tooltip)."""
    action = make_action(owner, text, shortcuts=keys, tip=tip)
    action.triggered.connect(slot)
    return action


def _typable(seq: QKeySequence) -> bool:
    """Drop the multimedia-keyboard keys (XF86 "Open", "New") some platforms add.

    A clerk reading "Ctrl+O, Open" in the shortcuts list looks for an Open key.
    """
    if seq.isEmpty():
        return False
    combo = seq[0]
    key = combo.key()
    has_modifier = combo.keyboardModifiers() != Qt.KeyboardModifier.NoModifier
    function_key = Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F35.value
    return has_modifier or function_key or key in _PLAIN_KEYS


_PLAIN_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape})


def create_actions(
    target: ActionTarget, owner: QWidget
) -> Iterator[tuple[MainAction, QAction]]:
    """Every registered action, built for ``target`` (``dict(...)`` it)."""
    for key in MainAction:
        action = _FACTORIES[key](target, owner)
        action.setObjectName(f"action_{key}")
        yield key, action


@add_action(MainAction.NEW_WORKSPACE)
def _new(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&New workspace…",
        icon_name="new",
        shortcuts=[StandardKey.New],
        tip="Create an empty workspace file to import agency exports into",
    )
    a.triggered.connect(target.new_workspace_dialog)
    return a


@add_action(MainAction.OPEN_WORKSPACE)
def _open(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&Open workspace…",
        icon_name="open",
        shortcuts=[StandardKey.Open],
        tip="Open a workspace file",
    )
    a.triggered.connect(target.open_workspace_dialog)
    return a


@add_action(MainAction.OPEN_AUDIT)
def _open_audit(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "Open for &audit (read-only)…",
        icon_name="ledger",
        tip="Open a workspace read-only, to examine its ledger and quality",
    )
    a.triggered.connect(target.open_audit_dialog)
    return a


@add_action(MainAction.AUDIT_REPORT)
def _audit_report(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "Audi&t report…",
        icon_name="ledger",
        tip="Write the audit report as PDF and CSV: sources, model, decisions, "
        "reversals, quality, ledger verification and link rates per subgroup",
    )
    a.triggered.connect(target.audit_report_dialog)
    return a


@add_action(MainAction.CLOSE_WORKSPACE)
def _close(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&Close workspace",
        icon_name="close",
        shortcuts=[StandardKey.Close],
        tip="Close the workspace; every decision is already saved",
    )
    a.triggered.connect(target.close_workspace)
    return a


@add_action(MainAction.IMPORT_FILE)
def _import(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&Import agency file…",
        icon_name="import",
        shortcuts=["Ctrl+I"],
        tip="Import a CSV or XLSX export from the clerk, the police or the court",
    )
    a.triggered.connect(target.import_files_dialog)
    return a


@add_action(MainAction.QUIT)
def _quit(target: ActionTarget, owner: QWidget) -> QAction:
    # StandardKey.Quit is empty on Windows; Ctrl+Q is what people try there.
    a = make_action(
        owner,
        "&Quit",
        icon_name="quit",
        shortcuts=[StandardKey.Quit, "Ctrl+Q"],
        tip="Quit Recordmatch",
    )
    a.setMenuRole(QAction.MenuRole.QuitRole)
    a.triggered.connect(target.close)
    return a


@add_action(MainAction.LARGER_FONT)
def _larger(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&Larger text",
        icon_name="font",
        shortcuts=["Ctrl+Shift+="],
        tip="Show all text larger",
        checkable=True,
    )
    a.toggled.connect(target.set_larger_font)
    return a


@add_action(MainAction.HIGH_CONTRAST)
def _contrast(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&High contrast",
        icon_name="contrast",
        shortcuts=["Ctrl+Shift+H"],
        tip="White on black with yellow focus and selection",
        checkable=True,
    )
    a.toggled.connect(target.set_high_contrast)
    return a


@add_action(MainAction.HIDE_MODEL_SCORE)
def _hide_score(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "Hide model &score while reviewing",
        icon_name="score",
        tip="Judge each pair on its evidence without seeing the model's probability",
        checkable=True,
    )
    a.toggled.connect(target.set_hide_model_score)
    return a


PAGE_KEYS: dict[MainAction, tuple[str, str, str]] = {
    # action: (page key, menu text, icon)
    MainAction.GO_START: ("start", "&Start", "start"),
    MainAction.GO_SOURCES: ("sources", "S&ources", "sources"),
    MainAction.GO_RUN: ("run", "&Run", "run"),
    MainAction.GO_REVIEW: ("review", "Re&view", "review"),
    MainAction.GO_IDENTITIES: ("identities", "&Identities", "identities"),
    MainAction.GO_SEARCH: ("search", "S&earch", "search"),
    MainAction.GO_ELIGIBILITY: ("eligibility", "E&ligibility", "eligibility"),
    MainAction.GO_LEDGER: ("ledger", "Led&ger", "ledger"),
    MainAction.GO_QUALITY: ("quality", "&Quality", "quality"),
}


def _register_go(key: MainAction, number: int) -> None:
    page, text, icon_name = PAGE_KEYS[key]

    @add_action(key)
    def _go(target: ActionTarget, owner: QWidget) -> QAction:
        a = make_action(
            owner,
            text,
            icon_name=icon_name,
            shortcuts=[f"Ctrl+{number}"],
            tip=f"Show the {plain_text(text)} page",
        )
        a.triggered.connect(lambda: target.go_to(page))
        return a


for _number, _key in enumerate(PAGE_KEYS, start=1):
    _register_go(_key, _number)


@add_action(MainAction.SHORTCUTS)
def _shortcuts(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner,
        "&Keyboard shortcuts",
        icon_name="keyboard",
        shortcuts=[StandardKey.HelpContents, "Ctrl+/"],
        tip="List every action and its keys",
    )
    a.triggered.connect(target.show_shortcuts)
    return a


@add_action(MainAction.ABOUT)
def _about(target: ActionTarget, owner: QWidget) -> QAction:
    a = make_action(
        owner, "&About Recordmatch", icon_name="about", tip="Version and licence"
    )
    a.setMenuRole(QAction.MenuRole.AboutRole)
    a.triggered.connect(target.show_about)
    return a


def plain_text(text: str) -> str:
    """Action text without its mnemonic marker ("&Open" -> "Open")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_text(action: QAction) -> str:
    """The action's keys as the platform writes them ("Ctrl+O, F1")."""
    fmt = QKeySequence.SequenceFormat.NativeText
    return ", ".join(s.toString(fmt) for s in action.shortcuts())

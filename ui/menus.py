"""The menu bar and toolbar, laid out from the action registry, and page menus.

Layout is data (which action goes where), the actions come from
``ui.actions``; a page's actions get their own menu, named after the page,
enabled only while the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from ui.actions import MainAction
from ui.resources import icon

A = MainAction
RECENT = "recent"  # where File ▸ Open recent goes
MENUS: tuple[tuple[str, tuple[MainAction | str | None, ...]], ...] = (
    ("&File", (A.NEW_WORKSPACE, A.OPEN_WORKSPACE, RECENT, A.OPEN_AUDIT,
               A.CLOSE_WORKSPACE, A.IMPORT_FILE, None, A.AUDIT_REPORT, None,
               A.QUIT)),
    ("&View", (A.LARGER_FONT, A.HIGH_CONTRAST, A.HIDE_MODEL_SCORE)),
    ("&Go", (A.GO_START, A.GO_SOURCES, A.GO_RUN, A.GO_REVIEW, A.GO_IDENTITIES,
             A.GO_SEARCH, A.GO_ELIGIBILITY, A.GO_LEDGER, A.GO_QUALITY)),
    ("&Help", (A.SHORTCUTS, A.ABOUT)),
)  # fmt: skip
TOOLBAR = (A.NEW_WORKSPACE, A.OPEN_WORKSPACE, A.IMPORT_FILE, None, A.SHORTCUTS)
# Page menus' mnemonics avoid File, View, Go and Help's letters.
PAGE_MENU_TITLES = {
    "sources": "&Sources",
    "run": "R&un",
    "review": "&Review",
    "identities": "I&dentities",
    "search": "Sear&ch",
    "eligibility": "Eligi&bility",
    "ledger": "&Ledger",
    "quality": "&Quality",
}


def build_menus(
    window: QMainWindow,
    actions: Mapping[MainAction, QAction],
    *,
    fill_recent: Callable[[QMenu], None],
) -> dict[str, QMenu]:
    """The fixed menus, by their plain title ("File", "View", "Go", "Help")."""
    menus: dict[str, QMenu] = {}
    for title, entries in MENUS:
        menu = window.menuBar().addMenu(title)
        menu.setObjectName(f"menu_{title.strip('&').lower()}")
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            elif entry == RECENT:
                recent = menu.addMenu(icon("recent"), "Open &recent")
                recent.setObjectName("menu_recent")
                recent.aboutToShow.connect(lambda r=recent: fill_recent(r))
                menus["Recent"] = recent
            else:
                menu.addAction(actions[MainAction(entry)])
        menus[title.replace("&", "")] = menu
    return menus


def build_toolbar(
    window: QMainWindow, actions: Mapping[MainAction, QAction]
) -> QToolBar:
    bar = window.addToolBar("Main")
    bar.setObjectName("main_toolbar")  # saveState needs a name
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for entry in TOOLBAR:
        if entry is None:
            bar.addSeparator()
        else:
            bar.addAction(actions[entry])
    return bar


def fill_recent_menu(
    menu: QMenu, paths: Sequence[str], open_path: Callable[[str], object]
) -> None:
    menu.clear()
    for number, path in enumerate(paths, start=1):
        action = menu.addAction(f"&{number % 10} {Path(path).name}")
        action.setStatusTip(path)
        action.triggered.connect(lambda _=False, p=path: open_path(p))
    if menu.isEmpty():
        menu.addAction("(none yet)").setEnabled(False)


class PageMenus(QObject):
    """One menu per page with actions, enabled only while that page shows.

    Enabling goes through a QActionGroup per page: a disabled group disables
    its actions, and re-enabling it restores each action's own state, so an
    Undo the page greyed out stays greyed out.
    """

    def __init__(self, window: QMainWindow, before: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.before = before
        self.menus: list[QMenu] = []
        self.groups: dict[str, list[QActionGroup]] = {}

    def build(self, pages: Mapping[str, QWidget]) -> None:
        for menu in self.menus:
            self.window.menuBar().removeAction(menu.menuAction())
            menu.deleteLater()
        for groups in self.groups.values():
            groups[0].deleteLater()
        self.menus, self.groups = [], {}
        for key, page in pages.items():
            actions: list[QAction] = page.page_actions()  # type: ignore[attr-defined]
            if not actions:
                continue
            menu = QMenu(PAGE_MENU_TITLES.get(key, page.title), self.window)  # type: ignore[attr-defined]
            menu.setObjectName(f"menu_{key}")
            menu.addActions(actions)
            self.window.menuBar().insertMenu(self.before.menuAction(), menu)
            self.menus.append(menu)
            own = QActionGroup(self)
            own.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
            groups = [own]
            for action in actions:
                group = action.actionGroup()
                if group is None:
                    own.addAction(action)
                elif group not in groups:
                    groups.append(group)  # the page's own group: toggle it whole
            self.groups[key] = groups

    def set_current(self, key: str) -> None:
        for page_key, groups in self.groups.items():
            for group in groups:
                group.setEnabled(page_key == key)


def menu_groups(window: QMainWindow) -> list[tuple[str, list[QAction]]]:
    """(menu title, its actions) in menu-bar order, for the shortcuts list."""
    menus = {m.menuAction(): m for m in window.findChildren(QMenu)}
    return [
        (menus[a].title(), menus[a].actions())
        for a in window.menuBar().actions()
        if a in menus
    ]

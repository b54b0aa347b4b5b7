"""The left navigation and the pages it switches between.

The page contract: a page is a ``QWidget`` built as ``Page(session,
settings, parent=None)``, with a ``title: str`` and ``page_actions() ->
list[QAction]``; it connects itself to ``session.data_changed``. It may
also offer ``is_busy() -> bool`` and ``cancel_work()`` (a running job) and
``save_state()`` (called when the window closes), and ``initial_focus() ->
QWidget`` (where the keyboard goes when the page is shown). Pages are built when a
workspace opens and deleted when it closes, so no page ever outlives its
session. The review, identity and search pages are imported by name: until
one exists the window shows a plain placeholder instead of failing.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.resources import icon
from ui.session import Session
from ui.settings import Settings

log = logging.getLogger(__name__)
KEY_ROLE = Qt.ItemDataRole.UserRole


def nav_icon(name: str) -> QIcon:
    """White on the dark navigation column; black on high contrast's yellow."""
    app = QApplication.instance()
    contrast = isinstance(app, QApplication) and "10_contrast" in app.styleSheet()
    return icon(name, "#ffffff", selected="#000000" if contrast else "#ffffff")


class PageSpec(NamedTuple):
    key: str
    text: str
    icon: str
    factory: str  # "module.Class"; "" for the start page, which the window builds


PAGES: tuple[PageSpec, ...] = (
    PageSpec("start", "Start", "start", ""),
    PageSpec("sources", "Sources", "sources", "ui.sources_page.SourcesPage"),
    PageSpec("run", "Run", "run", "ui.run_page.RunPage"),
    PageSpec("review", "Review", "review", "ui.review_page.ReviewPage"),
    PageSpec("identities", "Identities", "identities", "ui.identity_page.IdentityPage"),
    PageSpec("search", "Search", "search", "ui.search_page.SearchPage"),
    PageSpec(
        "eligibility",
        "Eligibility",
        "eligibility",
        "ui.eligibility_page.EligibilityPage",
    ),
    PageSpec("ledger", "Ledger", "ledger", "ui.ledger_page.LedgerPage"),
    PageSpec("quality", "Quality", "quality", "ui.quality_page.QualityPage"),
)


class PlaceholderPage(QWidget):
    """Stands in for a page that is not there (yet), saying so plainly."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setObjectName("placeholder")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    def page_actions(self) -> list[QAction]:
        return []


def load_page(
    spec: PageSpec, session: Session, settings: Settings, parent: QWidget
) -> QWidget:
    """Build the page named by ``spec.factory``, or a placeholder."""
    module_name, _, class_name = spec.factory.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the page exists but something it imports is missing: a bug
        return PlaceholderPage(
            spec.text, f"The {spec.text} page is not available in this build.", parent
        )
    try:
        page: QWidget = getattr(module, class_name)(session, settings, parent)
    except Exception as exc:  # one broken page must not stop the workspace opening
        log.exception("could not build the %s page", spec.text)
        return PlaceholderPage(
            spec.text,
            f"The {spec.text} page could not be shown: {type(exc).__name__}: {exc}",
            parent,
        )
    return page


class PageStack(QWidget):
    """Navigation list on the left, the current page on the right."""

    page_changed = Signal(str)

    def __init__(self, start_page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget(self)
        for spec in PAGES:
            item = QListWidgetItem(nav_icon(spec.icon), spec.text)
            item.setData(KEY_ROLE, spec.key)
            item.setToolTip(f"{spec.text} (Ctrl+{PAGES.index(spec) + 1})")
            self.nav.addItem(item)
        self._start = start_page
        self._pages: dict[str, QWidget] = {"start": start_page}
        self.stack.addWidget(start_page)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._enable_items()
        self._fit_nav()
        self.nav.setCurrentRow(0)

    def set_session(self, session: Session | None, settings: Settings) -> None:
        """Drop the old workspace's pages and build the new one's."""
        self.nav.setCurrentRow(0)
        for key, page in list(self._pages.items()):
            if key != "start":
                self.stack.removeWidget(page)
                page.deleteLater()
        self._pages = {"start": self._start}
        if session is not None:
            for spec in PAGES[1:]:
                page = load_page(spec, session, settings, self.stack)
                self._pages[spec.key] = page
                self.stack.addWidget(page)
        self._enable_items()

    def pages(self) -> dict[str, QWidget]:
        """key -> page, in navigation order, for the pages that exist now."""
        return dict(self._pages)

    def page(self, key: str) -> Any:
        return self._pages.get(key)

    def current_key(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(KEY_ROLE)) if item is not None else "start"

    def show_page(self, key: str) -> bool:
        """Switch to ``key``; False when that page does not exist now."""
        if key not in self._pages:
            return False
        row = next(i for i, spec in enumerate(PAGES) if spec.key == key)
        self.nav.setCurrentRow(row)
        return True

    def refresh_icons(self) -> None:
        """After a style change: new icon colours, and a width for the new font."""
        for row, spec in enumerate(PAGES):
            self.nav.item(row).setIcon(nav_icon(spec.icon))
        self._fit_nav()

    def _fit_nav(self) -> None:
        # As wide as the longest name needs, no wider: the pages need the room.
        metrics = self.nav.fontMetrics()
        text = max(metrics.horizontalAdvance(spec.text) for spec in PAGES)
        self.nav.setFixedWidth(text + self.nav.iconSize().width() + 76)

    def _enable_items(self) -> None:
        for row, spec in enumerate(PAGES):
            item = self.nav.item(row)
            flags = item.flags()
            if spec.key in self._pages:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        page = self._pages.get(PAGES[row].key)
        if page is None:
            self.nav.setCurrentRow(0)
            return
        self.stack.setCurrentWidget(page)
        self.page_changed.emit(PAGES[row].key)


def focus_first_child(page: QWidget) -> None:
    """Put the keyboard focus where the page wants it (its ``initial_focus()``),
    else on its first control that takes it."""
    chosen = getattr(page, "initial_focus", None)
    if callable(chosen):
        widget = chosen()
        if isinstance(widget, QWidget) and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
    widget = page.nextInFocusChain()
    while widget is not None and widget is not page:
        if (
            page.isAncestorOf(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = widget.nextInFocusChain()

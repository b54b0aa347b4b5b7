"""Start: who is reviewing, and which workspace to work in.

The reviewer's name goes beside every decision in the ledger, so it is asked
for once (prefilled with the OS login, which the ledger records anyway) and
stays editable here. Recent workspaces open with Enter: most days a clerk
opens the same file, and should not have to browse for it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import overview
from app.actor import check_reviewer_name, os_user
from app.errors import UserError
from ui.error_dialog import show_error
from ui.session import Session
from ui.settings import Settings

PATH_ROLE = Qt.ItemDataRole.UserRole
ASK_NAME = (
    "Your name is written beside every decision you make in a workspace. "
    "Check it, then press Keep this name."
)


class StartPage(QWidget):
    """The reviewer's name, New/Open, and the recent workspaces."""

    title = "Start"
    recent_chosen = Signal(str)  # a path from the recent list
    reviewer_changed = Signal(str)  # the saved name

    def __init__(
        self,
        settings: Settings,
        *,
        new_action: QAction,
        open_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session: Session | None = None
        heading = QLabel("Recordmatch", self)
        heading.setProperty("role", "heading")
        intro = QLabel(
            "Link the same person across the clerk's cases, police arrests and "
            "court dispositions, and keep the confirmed identities in one "
            "workspace file.",
            self,
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")

        self.ask = QLabel(ASK_NAME, self)
        self.ask.setWordWrap(True)
        self.ask.setProperty("role", "notice")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("reviewer_name")
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setMaxLength(80)
        self.name_edit.setText(settings.reviewer_name or os_user())
        self.keep_button = QPushButton("&Keep this name", self)
        self.keep_button.clicked.connect(self.save_name)
        self.name_edit.returnPressed.connect(self.save_name)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_edit, 1)
        name_row.addWidget(self.keep_button)
        name_label = QLabel("&Your name:", self)
        name_label.setBuddy(self.name_edit)
        form = QFormLayout()
        form.addRow(name_label, name_row)

        self.new_button = QPushButton(new_action.icon(), "&New workspace…", self)
        self.new_button.setAccessibleName("New workspace")
        self.new_button.clicked.connect(new_action.trigger)
        # Follows the action: absent in an audit window, greyed with no reason.
        new_action.visibleChanged.connect(
            lambda: self.new_button.setVisible(new_action.isVisible())
        )
        new_action.enabledChanged.connect(self.new_button.setEnabled)
        self.open_button = QPushButton(open_action.icon(), "&Open workspace…", self)
        self.open_button.setAccessibleName("Open workspace")
        self.open_button.clicked.connect(open_action.trigger)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)

        self.recent = QListWidget(self)
        self.recent.setObjectName("recent_workspaces")
        self.recent.setAccessibleName("Recent workspaces")
        self.recent.itemActivated.connect(self._on_recent_item_activated)
        recent_label = QLabel("Recent &workspaces (Enter opens):", self)
        recent_label.setBuddy(self.recent)
        self.remove_button = QPushButton("Remove from &list", self)
        self.remove_button.setAccessibleName(
            "Remove the selected workspace from the list"
        )
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.recent.currentRowChanged.connect(
            lambda row: self.remove_button.setEnabled(row >= 0)
        )
        self.current = QLabel(self)
        self.current.setObjectName("current_workspace")
        self.current.setWordWrap(True)
        self.current.setTextFormat(Qt.TextFormat.RichText)

        column = QVBoxLayout()
        column.addWidget(heading)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addWidget(self.ask)
        column.addLayout(form)
        column.addSpacing(8)
        column.addLayout(buttons)
        column.addWidget(self.current)
        column.addSpacing(8)
        column.addWidget(recent_label)
        column.addWidget(self.recent, 1)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        column.addLayout(remove_row)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(820)  # long lines are hard to read on wide screens
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.addWidget(holder, 1)
        outer.addStretch(0)
        for first, second in (
            (self.name_edit, self.keep_button),
            (self.keep_button, self.new_button),
            (self.new_button, self.open_button),
            (self.open_button, self.recent),
            (self.recent, self.remove_button),
        ):
            QWidget.setTabOrder(first, second)
        self._delete = QAction("Remove from list", self.recent)
        self._delete.setShortcut(QKeySequence.StandardKey.Delete)
        self._delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._delete.triggered.connect(self._on_remove_clicked)
        self.recent.addAction(self._delete)
        settings.changed.connect(self._on_settings_changed)
        self.ask.setVisible(not settings.reviewer_name)
        self.refresh_recent()
        self.set_session(None)

    def page_actions(self) -> list[QAction]:
        return []

    def showEvent(self, event: QShowEvent) -> None:
        """Put the cursor where the next step is, so no key is wasted on
        reaching it: the name on a first start, else the recent list (Enter
        opens the top one), else New workspace."""
        super().showEvent(event)
        if self.session is not None:
            return
        if self.ask.isVisibleTo(self):
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.name_edit.selectAll()
        elif self.recent.count():
            self.recent.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.new_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_name(self) -> None:
        """Keep the typed name (the login if left empty) for every workspace."""
        name = self.name_edit.text().strip() or os_user()
        try:
            check_reviewer_name(name)
        except UserError as exc:
            show_error(self, exc)
            self.name_edit.setFocus()
            self.name_edit.selectAll()
            return
        self.name_edit.setText(name)
        changed = name != self.settings.reviewer_name
        self.settings.reviewer_name = name
        self.ask.hide()
        if changed:
            self.reviewer_changed.emit(name)

    def refresh_recent(self) -> None:
        self.recent.clear()
        for path in self.settings.recent_workspaces():
            p = Path(path)
            item = QListWidgetItem(f"{p.name}    —    {p.parent}")
            item.setData(PATH_ROLE, path)
            item.setToolTip(path)
            if not p.exists():
                item.setText(f"{p.name}    —    {p.parent}    (not found)")
                item.setForeground(self.palette().placeholderText())
            self.recent.addItem(item)
        if self.recent.count():
            self.recent.setCurrentRow(0)
        self.remove_button.setEnabled(self.recent.currentRow() >= 0)

    def set_session(self, session: Session | None) -> None:
        """Show what is open now; follows the session's changes."""
        if self.session is not None:
            self.session.data_changed.disconnect(self._on_session_data_changed)
        self.session = session
        if session is not None:
            session.data_changed.connect(self._on_session_data_changed)
        self._show_current()

    def _show_current(self) -> None:
        if self.session is None:
            self.current.setText("No workspace is open.")
            return
        imports = overview.imports_overview(self.session.read)
        sources = len({i.source for i in imports})
        records = overview.record_count(self.session.read)
        mode = " (read-only, audit mode)" if self.session.readonly else ""
        self.current.setText(
            f"Open now: <b>{self.session.path.name}</b>{mode}: {sources} "
            f"source{'s' if sources != 1 else ''}, {len(imports)} "
            f"file{'s' if len(imports) != 1 else ''} imported, {records:,} records."
        )

    def _on_session_data_changed(self, what: str) -> None:
        if what == "import":  # decisions change no count shown here
            self._show_current()

    def _on_settings_changed(self, name: str) -> None:
        if name == "recent_workspaces":
            self.refresh_recent()
        elif name == "reviewer_name" and not self.name_edit.hasFocus():
            self.name_edit.setText(self.settings.reviewer())

    def _on_recent_item_activated(self, item: QListWidgetItem) -> None:
        self.recent_chosen.emit(str(item.data(PATH_ROLE)))

    def _on_remove_clicked(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self.settings.remove_recent(str(item.data(PATH_ROLE)))

"""The eligibility screen: people by category, filtered, and what leaves the office.

Everyone with a cannabis case is listed once, in the category all their
cases together put them in, with the count per category beside each
category's check box; the list narrows by category, by offence date and by
whether a person confirmed every link of the identity. A row opens the
identity, where the clerk judges who the person is and what each charge is.
Verdicts are computed off the GUI thread with progress (a county has tens
of thousands of people); both exports ("Export eligible…", "Evidence
packet…") are disseminations, so they are logged, and are off in read-only
(audit) mode, where no log entry could be written.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.actor import Actor
from app.eligibility_people import (
    EligibilityFilter,
    EligiblePerson,
    category_counts,
    eligible_people,
)
from app.errors import UserError
from app.workspace import open_workspace
from matching.eligibility import CLEARABLE
from matching.progress import CancelFn, Cancelled, ProgressFn
from ui.actions import page_action
from ui.dissemination_dialog import READ_ONLY_WHY, PacketExporter
from ui.eligibility_export_dialog import ListExporter
from ui.eligibility_filters import EligibilityFilters
from ui.eligibility_model import WIDTHS, EligibilityModel
from ui.error_dialog import show_error
from ui.tasks import Task, run_in_background


def people_job(
    path: Path, actor: Actor, *, on_progress: ProgressFn, cancel: CancelFn
) -> list[EligiblePerson]:
    """Off the GUI thread, on its own read-only connection: everyone's verdict."""
    conn = open_workspace(path, readonly=True, actor=actor)
    try:
        return eligible_people(conn, on_progress=on_progress, cancel=cancel)
    finally:
        conn.close()


class EligibilityPage(QWidget):
    """People by category; opens identities; exports the list and packets."""

    title = "Eligibility"
    people_loaded = Signal(int)  # people found
    export_finished = Signal(object)  # EligibleExport, or the exception

    def __init__(
        self, session: Any, settings: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.settings = session, settings
        self._task: Task | None = None
        self._stale = True
        self.model = EligibilityModel(self)
        self.packets = PacketExporter(session, self)
        self.packets.message.connect(self._say)
        self.exports = ListExporter(session, self)
        self.exports.message.connect(self._say)
        self.exports.progress_changed.connect(self._on_task_progress)
        self.exports.finished.connect(self._on_exports_finished)
        self.header = QLabel("<b>Eligibility</b> · people with cannabis cases, by "
                             "category under the office's rule file")  # fmt: skip
        self.filters = EligibilityFilters(self)
        self.filters.changed.connect(self._apply_filter)
        # The controls, by name, for tests and for the keyboard.
        self.boxes, self.date_box = self.filters.boxes, self.filters.date_box
        self.start_edit, self.end_edit = self.filters.start_edit, self.filters.end_edit
        self.links_box = self.filters.links_box
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(WIDTHS):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel_button = QPushButton("Ca&ncel")
        self.cancel_button.clicked.connect(self.cancel_work)
        self.cancel_button.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self._actions = self._make_actions()
        buttons = QHBoxLayout()
        for action in self._actions:
            button = QPushButton(action.text().replace("&", ""))
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            action.enabledChanged.connect(button.setEnabled)
            button.setEnabled(action.isEnabled())
            button.setVisible(action.isVisible())  # audit mode: exports absent
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        if session.readonly:
            self.status.setText(READ_ONLY_WHY)
        session.data_changed.connect(self._on_session_data_changed)

    def _make_actions(self) -> list[QAction]:
        act = partial(page_action, self)

        actions = [
            act("&Recompute", ["F5"], self.refresh,
                "Classify everyone again with the rule file"),
            act("&Open identity", ["Ctrl+Return"], self.open_selected,
                "Show the selected person's records and charges"),
            act("Evidence &packet…", ["Ctrl+Shift+P"], self.packet_selected,
                "Write the selected person's evidence packet (PDF), logged"),
            act("&Export eligible…", ["Ctrl+Shift+E"], self.export_dialog,
                "Write the list as CSV or XLSX for an agency, logged"),
        ]  # fmt: skip
        if self.session.readonly:
            for action in actions[2:]:
                action.setEnabled(False)
                action.setVisible(False)
                action.setToolTip(READ_ONLY_WHY)
        return actions

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    # -- computing ---------------------------------------------------------------

    def refresh(self) -> None:
        """Classify everyone in the background; the table fills when done."""
        if self._task is not None:
            self._stale = True  # runs again once this one reports
            return
        self._stale = False
        self._busy(True, "Classifying everyone's cannabis charges…")
        self._task = task = run_in_background(
            partial(people_job, self.session.path, self.session.actor),
            on_done=self._on_people_done,
            on_error=self._on_task_failed,
            on_progress=self._on_task_progress,
        )
        # A closed workspace deletes the page: stop reading for nobody.
        self.destroyed.connect(lambda *_: task.cancel())

    def is_busy(self) -> bool:
        """Only an export holds the workspace open: it must finish its log entry.

        Classifying only reads, on its own connection, so closing the
        workspace need not wait for it (it is cancelled with the page).
        """
        return self.exports.task is not None or self.packets.task is not None

    def _tasks(self) -> list[Task | None]:
        return [self._task, self.exports.task, self.packets.task]

    def cancel_work(self) -> None:
        for task in self._tasks():
            if task is not None:
                task.cancel()

    def _busy(self, on: bool, text: str = "") -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.progress.setRange(0, 0)
        if text:
            self.status.setText(text)

    def _on_task_progress(self, _stage: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _on_people_done(self, people: list[EligiblePerson]) -> None:
        self._task = None
        self._busy(False)
        self.model.set_people(people)
        self.filters.set_counts(category_counts(people))
        self._show_counts()
        self.people_loaded.emit(len(people))
        if self._stale and self.isVisible():
            self.refresh()

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self._task = None
        self._busy(False)
        if isinstance(exc, Cancelled):
            self.status.setText("Stopped. Press Recompute to classify again.")
        elif isinstance(exc, UserError):
            self.status.setText(str(exc))
        else:
            self.status.setText("Classifying stopped on an unexpected problem.")
            show_error(self, exc, tb)

    # -- filtering and opening ---------------------------------------------------

    def current_filter(self) -> EligibilityFilter:
        return self.filters.current()

    def _apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self._show_counts()

    def _show_counts(self) -> None:
        shown, total = self.model.rowCount(), len(self.model.people())
        waiting = sum(
            1
            for p in self.model.shown()
            if not p.confirmed and p.if_confirmed in CLEARABLE
        )
        self.status.setText(
            f"Showing {shown:,} of {total:,} people with cannabis cases; {waiting:,} "
            "of them would clear once a person confirms their links (in review). "
            "Double-click a person to open their records and charges."
            + (f" {READ_ONLY_WHY}" if self.session.readonly else "")
        )

    def selected_identity(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        person = self.model.person_at(rows[0].row()) if rows else None
        return None if person is None else person.identity_id

    def open_selected(self) -> None:
        identity = self.selected_identity()
        if identity is not None:
            self.session.identity_requested.emit(identity)

    def packet_selected(self) -> None:
        identity = self.selected_identity()
        if identity is None:
            self.status.setText("Select a person first.")
            return
        self.packets.start(identity)

    def _say(self, text: str) -> None:
        if self.exports.task is not None:
            self._busy(True)
        self.status.setText(text)

    # -- exporting ---------------------------------------------------------------

    def export_dialog(self) -> None:
        """Ask for file, agency, method and scope; the export runs in the background."""
        self.exports.start(
            self.current_filter(),
            shown=self.model.rowCount(),
            total=len(self.model.people()),
        )

    def _on_exports_finished(self, result: object) -> None:
        self._busy(False)
        self.export_finished.emit(result)

    # -- staying current ---------------------------------------------------------

    def _on_session_data_changed(self, what: str) -> None:
        if what == "dissemination":
            return  # the log changed, not a verdict
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

"""Export eligible…: the list as CSV or XLSX, for an agency, logged.

The same file ``recordmatch eligible`` writes. The dialog says plainly
whether the export holds what the screen shows (its filters, in words) or
every case, because a clerk who filtered to one category and sent "the
list" must know which list left.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.eligibility_export import EligibleExport, export_eligible, format_for
from app.eligibility_people import EligibilityFilter
from app.errors import UserError
from app.workspace.core import Connection
from matching.progress import CancelFn, Cancelled, ProgressFn
from ui.dissemination_dialog import READ_ONLY_WHY, DisseminationDialog
from ui.error_dialog import show_error
from ui.jobs import write_jobs
from ui.tasks import Task, run_in_background


class EligibilityExportDialog(DisseminationDialog):
    """Adds the choice between the screen's filters and everything: ``where()``."""

    def __init__(
        self,
        current: EligibilityFilter,
        *,
        shown_people: int,
        all_people: int,
        parent: QWidget | None = None,
        suggested: Path | None = None,
        actor: str = "",
    ) -> None:
        super().__init__(
            "Export eligible",
            "Write the eligibility list, one row per case with a cannabis charge, "
            "as CSV or XLSX (the same file as recordmatch eligible).",
            parent,
            suffixes=(".csv", ".xlsx"),
            file_filter="Spreadsheet (*.xlsx);;CSV (*.csv)",
            suggested=suggested,
            actor=actor,
        )
        self.current = current
        box = QGroupBox("What to export")
        self.filtered = QRadioButton(
            f"What the screen shows: {shown_people:,} people, their cases"
        )
        self.filter_text = QLabel(f"Filters: {current.describe()}.")
        self.filter_text.setWordWrap(True)
        self.filter_text.setIndent(24)
        self.everything = QRadioButton(
            f"Everything: all {all_people:,} people, every case"
        )
        group = QButtonGroup(self)
        group.addButton(self.filtered)
        group.addButton(self.everything)
        if current.is_all:
            self.everything.setChecked(True)
            self.filtered.setEnabled(False)
            self.filtered.setText("What the screen shows: no filter is set")
            self.filter_text.hide()
        else:
            self.filtered.setChecked(True)
        inner = QVBoxLayout(box)
        inner.addWidget(self.filtered)
        inner.addWidget(self.filter_text)
        inner.addWidget(self.everything)
        self.body.insertWidget(2, box)

    def where(self) -> EligibilityFilter:
        """The filter to export with (an all-filter when everything was chosen)."""
        return self.current if self.filtered.isChecked() else EligibilityFilter()


def export_job(
    open_writer: Callable[[], Connection],
    out: Path,
    recipient: str,
    method: str,
    where: EligibilityFilter,
    *,
    on_progress: ProgressFn,
    cancel: CancelFn,
) -> EligibleExport:
    """Off the GUI thread: the same export as ``recordmatch eligible``, logged."""
    fmt = format_for(out)
    conn = open_writer()
    try:
        return export_eligible(
            conn, out, fmt=fmt, recipient=recipient, method=method, where=where,
            on_progress=on_progress, cancel=cancel,
        )  # fmt: skip
    finally:
        conn.close()


class ListExporter(QObject):
    """ "Export eligible…": the dialog, then the export on the write-job pool.

    ``finished`` carries the :class:`app.eligibility_export.EligibleExport`
    or the exception that stopped it; ``message`` says how it went.
    """

    finished = Signal(object)
    message = Signal(str)
    progress_changed = Signal(str, int, int)

    def __init__(self, session: Any, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.window = parent
        self.dialog: EligibilityExportDialog | None = None
        self.task: Task | None = None

    def start(self, current: EligibilityFilter, *, shown: int, total: int) -> None:
        """Open the dialog (window-modal); the export starts on Export."""
        if self.session.readonly:
            self.message.emit(READ_ONLY_WHY)
            return
        if self.task is not None:
            self.message.emit("An export is running; wait for it.")
            return
        self.dialog = EligibilityExportDialog(
            current, shown_people=shown, all_people=total, parent=self.window,
            suggested=Path.home() / "eligible.xlsx", actor=self.session.actor.name,
        )  # fmt: skip
        self.dialog.accepted.connect(self._run)
        self.dialog.open()

    def _run(self) -> None:
        assert self.dialog is not None
        d = self.dialog
        self.task = run_in_background(
            partial(export_job, self.session.open_writer, d.path(), d.recipient(),
                    d.method(), d.where()),
            on_done=self._on_task_done, on_error=self._on_task_failed,
            on_progress=self.progress_changed.emit, pool=write_jobs(),
        )  # fmt: skip
        self.message.emit(f"Writing {d.path().name}…")

    def _on_task_done(self, result: EligibleExport) -> None:
        self.task = None
        self.message.emit(
            f"Wrote {result.rows:,} cases of {result.people:,} people to "
            f"{result.path.name}; logged as sent to {result.recipient} by "
            f"{result.method}."
        )
        self.session.data_changed.emit("dissemination")
        self.finished.emit(result)

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self.task = None
        if isinstance(exc, Cancelled):
            self.message.emit("Export cancelled: nothing was written or logged.")
        elif isinstance(exc, UserError):
            self.message.emit(f"Nothing was exported: {exc}")
        else:
            self.message.emit("The export stopped on an unexpected problem.")
            show_error(self.window, exc, tb)
        self.finished.emit(exc)

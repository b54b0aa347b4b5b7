"""The import wizard's last page: run the import, then account for every row.

The job runs on the one-at-a-time write pool with its own connection; the
page shows rows read while it runs, and afterwards the counts (imported,
new, changed, rejected by reason) and the rejected rows themselves.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app import overview
from app.errors import UserError
from app.importer import ImportSummary, import_file
from app.mapping import Mapping
from app.workspace import Connection
from matching.progress import CancelFn, Cancelled, ProgressFn
from ui.error_dialog import show_error
from ui.import_file_page import page_label
from ui.import_models import RejectsModel, make_table
from ui.jobs import write_jobs
from ui.tasks import Task, run_in_background

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard


def import_job(
    open_writer: Callable[[], Connection],
    path: Path,
    *,
    source: str,
    kind: str,
    mapping: Mapping,
    on_progress: ProgressFn,
    cancel: CancelFn,
) -> ImportSummary:
    """Runs on a pool thread: its own connection, no widgets."""
    conn = open_writer()
    try:
        return import_file(
            conn,
            path,
            source=source,
            kind=kind,
            mapping=mapping,
            on_progress=on_progress,
            cancel=cancel,
        )
    finally:
        conn.close()


class ImportPage(QWizardPage):
    """Runs the import in the background, then says what happened to each row."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle("Import")
        self.setSubTitle(
            "Every row is imported, or listed among the rejects with its line "
            "and reason."
        )
        self.what = page_label("")
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Import progress")
        self.count = page_label("")
        self.result = QLabel(self)
        self.result.setObjectName("import_result")
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Import result")
        self.warnings = page_label("", "notice")
        self.rejects = RejectsModel(self)
        self.rejects_table = make_table(self, "wizard_rejects_table")
        self.rejects_table.setModel(self.rejects)
        self.rejects_table.setAccessibleName("Rejected rows")
        self.rejects_table.horizontalHeader().setStretchLastSection(True)
        self.rejects_label = QLabel("Re&jected rows:", self)
        self.rejects_label.setBuddy(self.rejects_table)
        layout = QVBoxLayout(self)
        for widget in (self.what, self.bar, self.count, self.result, self.warnings):
            layout.addWidget(widget)
        layout.addWidget(self.rejects_label)
        layout.addWidget(self.rejects_table, 10)
        layout.addStretch(1)  # keeps the text together while the table is hidden
        self._task: Task | None = None

    def initializePage(self) -> None:
        wiz = self.wiz
        assert wiz.path is not None
        wiz.summary = None
        wiz.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        for widget in (self.result, self.warnings, self.rejects_label):
            widget.hide()
        self.rejects_table.hide()
        self.bar.show()
        self.bar.setRange(0, 0)  # rows are counted as read; the total is unknown
        self.what.setText(
            f"Importing <b>{html.escape(wiz.path.name)}</b> into source "
            f"<b>{html.escape(wiz.source_name)}</b>…"
        )
        self.count.setText("Starting…")
        self._task = run_in_background(
            partial(
                import_job,
                wiz.session.open_writer,
                wiz.path,
                source=wiz.source_name,
                kind=wiz.kind,
                mapping=wiz.mapping(),
            ),
            on_done=self._on_task_done,
            on_error=self._on_task_failed,
            on_progress=self._on_task_progress,
            pool=write_jobs(),
        )

    def is_running(self) -> bool:
        return self._task is not None

    def isComplete(self) -> bool:
        return self._task is None and self.wiz.summary is not None

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.count.setText("Stopping… nothing from this file will be kept.")

    def _on_task_progress(self, _stage: str, done: int, _total: int) -> None:
        if self._task is not None and not self._task.is_cancelled():
            self.count.setText(f"{done:,} rows read")

    def _stopped(self) -> None:
        self._task = None
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.hide()
        self.completeChanged.emit()
        self.wiz.on_import_stopped()

    def _on_task_done(self, summary: ImportSummary) -> None:
        self.wiz.on_imported(summary)
        self._stopped()
        self.setTitle("Imported")
        self.what.setText(f"<b>{html.escape(summary.file_name)}</b> was imported.")
        self.count.setText("")
        self.result.setText(summary_html(summary))
        self.result.show()
        if summary.warnings:
            self.warnings.setText("\n".join(summary.warnings))
            self.warnings.show()
        if summary.rows_rejected:
            read = self.wiz.session.read
            self.rejects.set_source(
                lambda after, limit: overview.rejects_page(
                    read, summary.import_id, after=after, limit=limit
                )
            )
            self.rejects_label.show()
            self.rejects_table.show()
            self.rejects_table.resizeColumnToContents(0)
            self.rejects_table.resizeColumnToContents(1)
        self.wiz.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self._stopped()
        self.setTitle("Not imported")
        name = html.escape(self.wiz.path.name if self.wiz.path else "The file")
        self.what.setText(f"<b>{name}</b> was not imported.")
        if isinstance(exc, Cancelled):
            text = "The import was cancelled."
        elif isinstance(exc, UserError):
            text = html.escape(str(exc))
        else:
            text = "An unexpected problem stopped the import (see the report)."
            show_error(self, exc, tb)
        self.count.setText("")
        self.result.setText(
            f"<p>{text}</p><p><b>Nothing was changed in the workspace.</b> Press "
            "Try again to choose another file or mapping, or Cancel to close.</p>"
        )
        self.result.show()


def summary_html(s: ImportSummary) -> str:
    """The import's counts as the clerk reads them: every row accounted for."""
    items = [
        f"Imported <b>{s.rows_imported:,}</b> (new {s.rows_new:,}, "
        f"changed {s.rows_updated:,})",
    ]
    reasons = ", ".join(
        f"{html.escape(k)}: {v:,}" for k, v in sorted(s.reject_counts.items())
    )
    items.append(
        f"Rejected <b>{s.rows_rejected:,}</b>" + (f" ({reasons})" if reasons else "")
    )
    if s.blank_lines:
        items.append(f"Blank lines skipped: {s.blank_lines:,}")
    if s.field_problems:
        kinds = ", ".join(
            f"{html.escape(k)}: {v:,}" for k, v in sorted(s.problem_counts.items())
        )
        items.append(
            f"Values left empty because they could not be read: "
            f"{s.field_problems:,} ({kinds}); the original rows are kept"
        )
    rows = "".join(f"<li>{item}</li>" for item in items)
    return (
        f"<p><b>{html.escape(s.file_name)}</b>: {s.rows_total:,} rows into "
        f"source <b>{html.escape(s.source)}</b> ({html.escape(s.kind)})</p>"
        f"<ul>{rows}</ul>"
    )

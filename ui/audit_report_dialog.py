"""File ▸ Audit report…: choose where, then write the PDF and CSV in the background.

The report reads the whole ledger and lays out pages, which takes seconds on
a large workspace, so it runs off the GUI thread on its own read-only
connection (building the report never writes). Only the export's log entry
writes, through a separate short connection afterwards, and only when the
workspace is open normally: in audit mode the file stays untouched, as an
auditor's read-only promise requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.actor import Actor
from app.audit_file import SUFFIX, default_path
from app.audit_report import build_report
from app.audit_report_csv import log_report_export, write_report_csv
from app.errors import UserError
from app.workspace import Connection, open_workspace
from matching.progress import CancelFn, ProgressFn, check_cancel
from ui.audit_report_pdf import write_report_pdf
from ui.error_dialog import show_error
from ui.session import Session
from ui.settings import Settings
from ui.tasks import Task, run_in_background


@dataclass(frozen=True, slots=True)
class ReportFiles:
    pdf: Path
    csv: Path
    pages: int
    rows: int
    verified: bool
    logged: bool


def make_report_files(
    workspace: Path,
    *,
    actor: Actor,
    pdf: Path,
    audit_file: Path | None,
    open_writer: Callable[[], Connection] | None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ReportFiles:
    """Build the report and write ``pdf`` and the CSV beside it (a worker's job).

    Args:
        open_writer: opens a writable connection for the log entry; None in
            audit mode, where nothing is logged.
    """
    csv_path = pdf.with_suffix(".csv")
    conn = open_workspace(workspace, readonly=True, actor=actor)
    try:
        if on_progress is not None:
            on_progress("reading the ledger", 0, 3)
        report = build_report(conn, audit_file=audit_file)
    finally:
        conn.close()
    check_cancel(cancel)
    if on_progress is not None:
        on_progress("writing the CSV", 1, 3)
    rows = write_report_csv(report, csv_path)
    if on_progress is not None:
        on_progress("laying out the PDF", 2, 3)
    pages = write_report_pdf(report, pdf)
    logged = False
    if open_writer is not None:
        writer = open_writer()
        try:
            logged = log_report_export(writer, report, [pdf, csv_path])
        finally:
            writer.close()
    return ReportFiles(pdf, csv_path, pages, rows, report.verification.ok, logged)


def _default_name(workspace: Path) -> str:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{workspace.stem}-audit-report-{day}.pdf"


class AuditReportDialog(QDialog):
    """Where to save the report, and the quality sample's audit file if any."""

    def __init__(self, session: Session, settings: Settings, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("audit_report_dialog")
        self.setWindowTitle("Audit report")
        self.settings = settings
        folder = Path(settings.last_folder or Path.home())
        self.pdf_edit = QLineEdit(str(folder / _default_name(session.path)))
        self.audit_edit = QLineEdit()
        if default_path(session.path).is_file():  # the Quality page's own file
            self.audit_edit.setText(str(default_path(session.path)))
        self.audit_edit.setPlaceholderText("none: the report says no sample was drawn")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "Writes the report as a PDF to read and sign, and as a CSV with "
                "the same figures beside it."
            )
        )
        form.addRow("&PDF file:", self._with_button(self.pdf_edit, self._browse_pdf))
        form.addRow(
            "&Quality sample file:",
            self._with_button(self.audit_edit, self._browse_audit),
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _with_button(self, edit: QLineEdit, browse: Callable[[], None]) -> QWidget:
        row = QWidget(self)
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        button = QPushButton("Browse…", row)
        button.clicked.connect(browse)
        box.addWidget(button)
        return row

    def _browse_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save audit report", self.pdf_edit.text(), "PDF (*.pdf)"
        )
        if name:
            self.pdf_edit.setText(name)

    def _browse_audit(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Quality sample file",
            str(self.settings.last_folder or ""),
            f"Audit files (*{SUFFIX});;All files (*)",
        )
        if name:
            self.audit_edit.setText(name)

    def pdf_path(self) -> Path:
        """The chosen PDF path, with ``.pdf`` added when missing."""
        path = Path(self.pdf_edit.text().strip()).expanduser()
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def audit_file(self) -> Path | None:
        text = self.audit_edit.text().strip()
        return Path(text).expanduser() if text else None

    def accept(self) -> None:
        """Refuse a folder that does not exist, or a missing sample file, here."""
        pdf, audit = self.pdf_path(), self.audit_file()
        if not self.pdf_edit.text().strip() or not pdf.parent.is_dir():
            show_error(self, UserError("Choose a PDF file in an existing folder."))
            return
        if audit is not None and not audit.is_file():
            show_error(self, UserError(f"{audit.name}: no such quality sample file."))
            return
        csv_path = pdf.with_suffix(".csv")
        if csv_path.exists():  # the file dialog only asked about the PDF
            answer = QMessageBox.question(
                self,
                "Audit report",
                f"{csv_path.name} already exists beside the PDF. Replace it with "
                "the report's figures?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.settings.last_folder = str(pdf.parent)
        super().accept()


def start_report(
    session: Session, pdf: Path, audit_file: Path | None, parent: QWidget
) -> Task:
    """Write the report in the background; tell the user where it went."""

    def done(files: ReportFiles) -> None:
        verdict = "verified" if files.verified else "FAILED verification"
        logged = "logged in the workspace log" if files.logged else "not logged"
        box = QMessageBox(parent)
        box.setObjectName("audit_report_done")
        box.setWindowTitle("Audit report")
        box.setText(
            f"Wrote {files.pdf.name} ({files.pages} pages) and {files.csv.name} "
            f"({files.rows:,} figures) to {files.pdf.parent}.\n\nThe ledger "
            f"{verdict}. The export was {logged}"
            + (" (read-only audit mode)." if session.readonly else ".")
        )
        box.open()

    return run_in_background(
        lambda **kw: make_report_files(
            session.path,
            actor=session.actor,
            pdf=pdf,
            audit_file=audit_file,
            open_writer=None if session.readonly else session.open_writer,
            **kw,
        ),
        on_done=done,
        on_error=lambda exc, tb: show_error(parent, exc, tb),
    )


def open_audit_report_dialog(
    session: Session, settings: Settings, parent: QWidget
) -> AuditReportDialog:
    """Show the dialog (not modal-blocking); on Save the report is written."""
    dialog = AuditReportDialog(session, settings, parent)

    def _on_accepted() -> None:
        if isinstance(parent, QMainWindow):  # a report takes seconds: say so
            parent.statusBar().showMessage("Writing the audit report…", 10_000)
        # Kept on the dialog (a child of ``parent``) so it lives while it runs.
        dialog.task = start_report(  # type: ignore[attr-defined]
            session, dialog.pdf_path(), dialog.audit_file(), parent
        )

    dialog.accepted.connect(_on_accepted)
    dialog.open()
    return dialog

"""Ask where personal data is going before it leaves: file, agency, method.

Every export of the eligibility list or of an evidence packet is a
dissemination the office must be able to account for, so the dialog asks
for the receiving agency and the method of sending as well as the file, and
says that the export will be logged (when, by whom, to whom, what). OK stays
disabled until all three are given and the file name has an allowed suffix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.eligibility_dissemination import METHODS
from app.errors import UserError
from app.evidence_packet import PacketExport, export_packet
from app.workspace.core import Connection
from matching.progress import CancelFn, ProgressFn
from ui.error_dialog import show_error
from ui.jobs import write_jobs
from ui.tasks import Task, run_in_background


class DisseminationDialog(QDialog):
    """``path()``, ``recipient()`` and ``method()`` for one logged export.

    Args:
        suffixes: the file endings allowed, e.g. ``(".csv", ".xlsx")``.
        file_filter: the Browse dialog's filter text.
        suggested: a file name to start from.
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        *,
        suffixes: Sequence[str],
        file_filter: str,
        suggested: Path | None = None,
        actor: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self._suffixes = tuple(s.lower() for s in suffixes)
        self._filter = file_filter
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.path_box = QLineEdit(str(suggested) if suggested else "")
        self.path_box.setPlaceholderText(f"a {' or '.join(self._suffixes)} file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_box, 1)
        file_row.addWidget(browse)
        self.recipient_box = QLineEdit()
        self.recipient_box.setPlaceholderText("e.g. Illinois State Police")
        self.recipient_box.setAccessibleName("Recipient agency")
        self.method_box = QComboBox()
        self.method_box.setEditable(True)
        self.method_box.addItems(list(METHODS))
        self.method_box.setAccessibleName("Method of sending")
        self.form = QFormLayout()
        file_label = QLabel("&File:")  # a row of a layout needs its own buddy
        file_label.setBuddy(self.path_box)
        self.form.addRow(file_label, file_row)
        self.form.addRow("&Recipient agency:", self.recipient_box)
        self.form.addRow("&Method:", self.method_box)
        who = f" ({actor})" if actor else ""
        self.log_note = QLabel(
            "This export is logged as a dissemination: the date, who made it"
            f"{who}, the recipient, the method, and how many rows and people it "
            "holds (never the personal data itself)."
        )
        self.log_note.setWordWrap(True)
        self.log_note.setObjectName("muted")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.prompt)
        self.body.addLayout(self.form)
        self.body.addWidget(self.log_note)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.buttons)
        self.path_box.textChanged.connect(self._check)
        self.recipient_box.textChanged.connect(self._check)
        self.method_box.currentTextChanged.connect(self._check)
        self._check()

    def path(self) -> Path:
        return Path(self.path_box.text().strip()).expanduser()

    def recipient(self) -> str:
        return self.recipient_box.text().strip()

    def method(self) -> str:
        return self.method_box.currentText().strip()

    def _problem(self) -> str:
        text = self.path_box.text().strip()
        if not text:
            return "Choose the file to write."
        if self.path().suffix.lower() not in self._suffixes:
            return f"Name the file {' or '.join(self._suffixes)}."
        if not self.path().parent.is_dir():
            return "That folder does not exist."
        if not self.recipient():
            return "Name the agency receiving it: every dissemination is logged."
        if not self.method():
            return "Say how it is sent."
        return ""

    def _check(self) -> None:
        problem = self._problem()
        self.problem.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)

    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.windowTitle(), self.path_box.text(), self._filter
        )
        if name:
            if Path(name).suffix.lower() not in self._suffixes:
                name += self._suffixes[0]
            self.path_box.setText(name)


READ_ONLY_WHY = (
    "Read-only (audit mode): every export must be logged as a dissemination, "
    "and this workspace cannot be written, so exports are off."
)


def packet_job(
    open_writer: Callable[[], Connection],
    identity_id: int,
    out: Path,
    recipient: str,
    method: str,
    *,
    on_progress: ProgressFn,
    cancel: CancelFn,
) -> PacketExport:
    """Off the GUI thread: gather, print and log one evidence packet."""
    from ui.evidence_packet_pdf import render_packet

    on_progress("packet", 0, 0)
    conn = open_writer()
    try:
        return export_packet(
            conn,
            identity_id,
            out,
            recipient=recipient,
            method=method,
            render=render_packet,
        )
    finally:
        conn.close()


class PacketExporter(QObject):
    """ "Evidence packet…" for any page: ask, then write and log in the background.

    ``finished`` carries the :class:`app.evidence_packet.PacketExport`, or
    the exception that stopped it; ``message`` says how it went in words.
    """

    finished = Signal(object)
    message = Signal(str)

    def __init__(self, session: Any, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.window = parent
        self.dialog: DisseminationDialog | None = None
        self.task: Task | None = None

    def is_busy(self) -> bool:
        return self.task is not None

    def start(self, identity_id: int) -> None:
        """Open the dialog (window-modal, not a nested event loop)."""
        if self.session.readonly:
            self.message.emit(READ_ONLY_WHY)
            return
        if self.task is not None:
            self.message.emit("An evidence packet is being written; wait for it.")
            return
        self.dialog = DisseminationDialog(
            "Evidence packet",
            f"Write the evidence packet of identity #{identity_id} as a PDF: the "
            "person's records from each source, how they were linked, each "
            "charge's classification and the review board's three checks.",
            self.window,
            suffixes=(".pdf",),
            file_filter="PDF (*.pdf)",
            suggested=Path.home() / f"evidence-packet-{identity_id}.pdf",
            actor=self.session.actor.name,
        )
        self.dialog.accepted.connect(lambda: self._run(identity_id))
        self.dialog.open()

    def _run(self, identity_id: int) -> None:
        assert self.dialog is not None
        dialog = self.dialog
        out, recipient, method = dialog.path(), dialog.recipient(), dialog.method()
        self.message.emit(f"Writing the evidence packet of identity #{identity_id}…")
        self.task = run_in_background(
            partial(
                packet_job,
                self.session.open_writer,
                identity_id,
                out,
                recipient,
                method,
            ),
            on_done=self._on_task_done,
            on_error=self._on_task_failed,
            pool=write_jobs(),
        )

    def _on_task_done(self, result: PacketExport) -> None:
        self.task = None
        self.message.emit(
            f"Evidence packet written: {result.path.name}, {result.pages} page"
            f"{'s' * (result.pages != 1)}; logged as sent to {result.recipient} "
            f"by {result.method}."
        )
        self.session.data_changed.emit("dissemination")
        self.finished.emit(result)

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self.task = None
        if isinstance(exc, UserError):
            self.message.emit(f"No packet was written: {exc}")
        else:
            self.message.emit("The evidence packet stopped on an unexpected problem.")
            show_error(self.window, exc, tb)
        self.finished.emit(exc)

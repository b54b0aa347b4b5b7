"""The import wizard's first page: choose the file and preview its head.

The head is read on a pool thread: opening a large workbook or sniffing the
encoding of a big CSV can take a moment, and the wizard must not freeze
while it does. A generation counter drops results for a path typed over.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from app.errors import UserError
from app.importer import ImportPreview, preview_file
from ui.error_dialog import show_error
from ui.tasks import Task, run_in_background

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard

FILE_FILTER = "Agency exports (*.csv *.txt *.tsv *.xlsx);;All files (*)"


def page_label(text: str, role: str = "hint") -> QLabel:
    """A wrapping label styled by role (hint, error, notice: see 00_base.qss)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("role", role)
    return label


def _read_preview(path: Path, **_: Any) -> ImportPreview:
    return preview_file(path)


class FilePage(QWizardPage):
    """Choose a file; its head is read in the background to preview it."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle("Choose the file")
        self.setSubTitle(
            "A CSV export (any delimiter, UTF-8 or Windows-1252) or an XLSX "
            "workbook from one agency."
        )
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("File to import")
        self.path_edit.setPlaceholderText("Type a path or choose Browse")
        browse = QPushButton("B&rowse…", self)
        browse.setAccessibleName("Browse for the file")
        browse.clicked.connect(self._on_browse_clicked)
        label = QLabel("Fi&le to import:", self)
        label.setBuddy(self.path_edit)
        self.status = page_label("")
        self.status.setObjectName("file_status")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._task: Task | None = None
        self._generation = 0
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)  # typing a path: read once it settles
        self._debounce.timeout.connect(self._start_preview)
        self.path_edit.textChanged.connect(self._on_path_text_changed)

    def initializePage(self) -> None:
        if self.wiz.path is not None and not self.path_edit.text():
            self.path_edit.setText(str(self.wiz.path))

    def isComplete(self) -> bool:
        current = Path(self.path_edit.text().strip())
        return self.wiz.preview is not None and self.wiz.path == current

    def _on_browse_clicked(self) -> None:
        start = self.wiz.settings.last_folder or str(Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose an agency export", start, FILE_FILTER
        )
        if name:
            self.wiz.settings.last_folder = str(Path(name).parent)
            self.path_edit.setText(name)

    def _on_path_text_changed(self, _text: str) -> None:
        self.completeChanged.emit()
        self._debounce.start()

    def _start_preview(self) -> None:
        text = self.path_edit.text().strip()
        self._generation += 1
        if not text:
            self._set_status("", "hint")
            return
        path = Path(text)
        if self.wiz.preview is not None and self.wiz.path == path:
            self.completeChanged.emit()  # the same file again: keep its mapping
            return
        if not path.is_file():
            self._set_status(f"There is no file {path.name!r} there.", "error")
            return
        self._set_status(f"Reading {path.name}…", "hint")
        generation = self._generation
        self._task = run_in_background(
            partial(_read_preview, path),
            on_done=lambda p: self._on_preview_done(generation, path, p),
            on_error=lambda e, tb: self._on_preview_failed(generation, e, tb),
        )

    def _on_preview_done(self, generation: int, path: Path, preview: Any) -> None:
        if generation != self._generation:
            return  # the user has typed another path since
        self.wiz.set_preview(path, preview)
        delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(
            preview.delimiter or "", preview.delimiter or ""
        )
        details = ", ".join(
            x for x in (preview.format.upper(), preview.encoding, delimiter) if x
        )
        self._set_status(
            f"{preview.file_name}: {details}; {len(preview.headers)} columns. "
            "Next, check what each column holds.",
            "hint",
        )
        self.completeChanged.emit()

    def _on_preview_failed(self, generation: int, exc: BaseException, tb: str) -> None:
        if generation != self._generation:
            return
        self.wiz.set_preview(Path(self.path_edit.text().strip()), None)
        if isinstance(exc, UserError):
            self._set_status(str(exc), "error")
        else:
            self._set_status("The file could not be read (see the report).", "error")
            show_error(self, exc, tb)
        self.completeChanged.emit()

    def _set_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        self.status.setProperty("role", role)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

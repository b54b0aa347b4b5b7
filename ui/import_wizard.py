"""Import wizard: choose a file, confirm its columns, name the source, import.

A wrong column mapping silently poisons every match made from the file, so
the wizard shows the importer's guess column by column with sample values
and asks the clerk to confirm it before anything is written. The import
then runs in the background (one transaction: Cancel changes nothing), and
the last page says what happened to every row: imported, or rejected with
its line and reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from app.importer import ImportPreview, ImportSummary
from app.mapping import Mapping
from ui.import_file_page import FilePage
from ui.import_progress_page import ImportPage
from ui.import_source_page import SourcePage
from ui.mapping_page import MappingPage
from ui.session import Session
from ui.settings import Settings


class PageId(IntEnum):
    FILE = 0
    COLUMNS = 1
    SOURCE = 2
    IMPORT = 3


class ImportWizard(QWizard):
    """Four pages; the state they share lives here, on the wizard."""

    imported = Signal(object)  # ImportSummary, after the workspace changed

    def __init__(
        self,
        session: Session,
        settings: Settings,
        path: str | Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.path: Path | None = Path(path) if path else None
        self.preview: ImportPreview | None = None
        self.fields: list[str | None] = []  # per file column: the field it feeds
        self.source_name = ""
        self.kind = "other"
        self.summary: ImportSummary | None = None
        self._close_when_stopped = False
        self.setWindowTitle("Import an agency file")
        self.setObjectName("import_wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, False)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "&Try again")
        self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.source_page = SourcePage(self)
        self.import_page = ImportPage(self)
        self.setPage(PageId.FILE, self.file_page)
        self.setPage(PageId.COLUMNS, self.mapping_page)
        self.setPage(PageId.SOURCE, self.source_page)
        self.setPage(PageId.IMPORT, self.import_page)
        self.resize(960, 680)

    # --- shared state ------------------------------------------------------------

    def mapping(self) -> Mapping:
        """The confirmed mapping: each used column and the field it feeds."""
        if self.preview is None:
            return Mapping({})
        guessed = self.preview.mapping
        columns = {
            f: h for h, f in zip(self.preview.headers, self.fields, strict=True) if f
        }
        basis = {
            f: guessed.basis.get(f, "header")
            if guessed.columns.get(f) == h
            else "override"
            for f, h in columns.items()
        }
        return Mapping(columns, basis=basis)

    def set_preview(self, path: Path, preview: ImportPreview | None) -> None:
        """A new file (or none): forget the mapping made for the old one."""
        self.path = path
        self.preview = preview
        self.fields = []
        if preview is not None:
            by_column = {c: f for f, c in preview.mapping.columns.items()}
            self.fields = [by_column.get(h) for h in preview.headers]

    def is_running(self) -> bool:
        return self.import_page.is_running()

    # --- closing -----------------------------------------------------------------

    def reject(self) -> None:
        """Cancel (or Esc, or closing the window) while importing stops first.

        The wizard stays open until the import has rolled back, so nobody
        believes a half-imported file was dropped while it is still writing.
        """
        if self.is_running():
            self._close_when_stopped = True
            self.import_page.cancel()
            return
        super().reject()

    def on_import_stopped(self) -> None:
        """Called by the import page once the job has ended, however it ended."""
        self.setOption(QWizard.WizardOption.HaveCustomButton1, self.summary is None)
        if self._close_when_stopped:
            super().reject()

    def _on_custom_button_clicked(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.setOption(QWizard.WizardOption.HaveCustomButton1, False)
            self.restart()

    def on_imported(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.session.data_changed.emit("import")
        self.imported.emit(summary)


def open_import_wizards(
    session: Session,
    settings: Settings,
    paths: Sequence[str | Path],
    parent: QWidget,
) -> ImportWizard | None:
    """Open one wizard per file, one after the other (none given: pick one).

    Window-modal and opened with ``open()``, not ``exec()``: the main window
    keeps painting and no nested event loop runs inside a drop event.
    """
    if session.readonly:
        QMessageBox.information(
            parent,
            "Recordmatch",
            f"{session.path.name} is open read-only (audit mode); nothing can "
            "be imported into it.",
        )
        return None
    waiting: list[str | Path | None] = list(paths) or [None]

    def open_next(*_: Any) -> ImportWizard | None:
        if not waiting:
            return None
        wizard = ImportWizard(session, settings, waiting.pop(0), parent)
        wizard.finished.connect(open_next)
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        return wizard

    return open_next()

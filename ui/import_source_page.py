"""The import wizard's source page: which agency's export, and what kind.

A known source name takes the file as that source's newer export (changed
rows are updated by record id and keep their old values), so the page lists
the existing names and locks the kind to theirs.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app import overview
from app.importer import KINDS
from ui.import_file_page import page_label

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard

KIND_TEXT = {
    "clerk": "Court clerk cases",
    "arrest": "Police arrests",
    "disposition": "Court dispositions",
    "other": "Other records",
}
_KIND_HINTS = (
    ("disp", "disposition"),
    ("arrest", "arrest"),
    ("booking", "arrest"),
    ("police", "arrest"),
    ("clerk", "clerk"),
    ("court", "clerk"),
    ("case", "clerk"),
)


def guess_source(path: Path) -> tuple[str, str]:
    """('clerk', 'clerk') for 'Clerk_2024-05.csv': the name without its date."""
    stem = path.stem.strip()
    name = re.sub(r"[\W_]*\d[\d\W_]*$", "", stem) or stem
    lowered = name.casefold()
    kind = next((k for hint, k in _KIND_HINTS if hint in lowered), "other")
    return lowered[:64], kind


class SourcePage(QWizardPage):
    """Name the source; a known name takes the file as its newer export."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle("Name the source")
        self.setSubTitle(
            "Which agency's export is this? Use the same name for every "
            "export of one agency: a newer export updates its records."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.name = QComboBox(self)
        self.name.setEditable(True)
        self.name.setAccessibleName("Source name")
        self.name.lineEdit().setMaxLength(64)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of records")
        for kind in KINDS:
            self.kind.addItem(KIND_TEXT[kind], kind)
        self.explain = page_label("")
        self.explain.setObjectName("source_explain")
        form = QFormLayout()
        form.addRow("&Source name:", self.name)
        form.addRow("&Kind of records:", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.explain)
        layout.addStretch(1)
        self._known: dict[str, str] = {}
        self.name.currentTextChanged.connect(self._on_name_text_changed)
        self.kind.currentIndexChanged.connect(lambda _i: self._explain())

    def initializePage(self) -> None:
        self._known = overview.source_kinds(self.wiz.session.read)
        name, kind = guess_source(self.wiz.path or Path("other"))
        self.name.blockSignals(True)
        self.name.clear()
        self.name.addItems(sorted(self._known))
        self.name.blockSignals(False)
        self.name.setCurrentText(self.wiz.source_name or name)
        if not self.wiz.source_name:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._on_name_text_changed(self.name.currentText())

    def isComplete(self) -> bool:
        return 0 < len(self.name.currentText().strip()) <= 64

    def validatePage(self) -> bool:
        self.wiz.source_name = self.name.currentText().strip()
        self.wiz.kind = str(self.kind.currentData())
        return True

    def _on_name_text_changed(self, text: str) -> None:
        existing = self._known.get(text.strip())
        if existing is not None:
            self.kind.setCurrentIndex(self.kind.findData(existing))
        self.kind.setEnabled(existing is None)
        self._explain()
        self.completeChanged.emit()

    def _explain(self) -> None:
        name = html.escape(self.name.currentText().strip())
        rows = len(self.wiz.mapping().columns)
        if self.name.currentText().strip() in self._known:
            text = (
                f"<b>{name}</b> already holds {self.kind.currentText().lower()}. "
                "This file is taken as its newer export: rows are matched by "
                "record id, changed rows are updated and keep their earlier "
                "values, new rows are added."
            )
        else:
            text = f"A new source <b>{name}</b> will be created."
        self.explain.setText(
            f"{text}<br><br>{rows} columns will be read. Press Import to start; "
            "you can cancel while it runs and nothing will have changed."
        )

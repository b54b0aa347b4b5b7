"""The import wizard's column page: what each column of the file holds.

One row per column of the file: its header, a combo box with the field it
feeds (the importer's guess preselected) and a few example values, because
a clerk recognises "03/04/1985" as a birth date faster than "BDT_2" as one.
Below, the first rows of the file with each header showing its field, so a
wrong guess stands out as a column of names labelled "Date of birth".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from matching.fields import FIELDS, FIELDS_BY_NAME, is_field_name
from ui.import_file_page import page_label
from ui.import_models import PreviewModel, make_table

if TYPE_CHECKING:
    from app.importer import ImportPreview
    from ui.import_wizard import ImportWizard

NOT_USED = "(not used)"
NAME_FIELDS = ("full_name", "last_name", "first_name")
EXAMPLES = 3
EXAMPLE_CHARS = 28


def field_label(field: str) -> str:
    """'dob' -> 'Date of birth'; 'id_ssn' -> 'Other identifier: ssn'."""
    known = FIELDS_BY_NAME.get(field)
    if known is not None:
        return known.label
    return f"Other identifier: {field.removeprefix('id_')}"


def extra_id_field(header: str) -> str | None:
    """'DL #' -> 'id_dl': the identifier field a column could become."""
    slug = re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")[:30]
    name = f"id_{slug}"
    return name if is_field_name(name) else None


class MappingPage(QWizardPage):
    """A combo box per column; a field feeds from one column at most."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle("Check what each column holds")
        self.setSubTitle(
            "The guesses come from the headers and the values. Correct any that "
            "is wrong; a column marked (not used) stays in the original row but "
            "is not matched on."
        )
        self.combos: list[QComboBox] = []
        self._built_for: ImportPreview | None = None
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(2, 1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.grid_host)
        self.note = page_label("")
        self.note.setObjectName("mapping_note")
        self.preview = PreviewModel(self)
        self.table = make_table(self, "preview_table")
        self.table.setModel(self.preview)
        self.table.setAccessibleName("First rows of the file")
        self.table.verticalHeader().setVisible(True)
        preview_label = QLabel("Pre&view of the first rows:", self)
        preview_label.setBuddy(self.table)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(preview_label)
        lower_layout.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.scroll)
        splitter.addWidget(lower)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([330, 200])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.note)

    def initializePage(self) -> None:
        # Back and forth (or Try again) keeps the user's choices for the file.
        if self.wiz.preview is not self._built_for:
            self._build(self.wiz.preview)
        self._check()

    def isComplete(self) -> bool:
        return any(f in NAME_FIELDS for f in self.wiz.fields)

    def _build(self, preview: ImportPreview | None) -> None:
        self._built_for = preview
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.combos = []
        if preview is None:
            return
        bold = QFont(self.font())
        bold.setBold(True)
        for column, text in enumerate(("Column in the file", "Holds", "Examples")):
            title = QLabel(text, self.grid_host)
            title.setFont(bold)
            self.grid.addWidget(title, 0, column)
        choices = [(NOT_USED, None)] + [(f.label, f.name) for f in FIELDS]
        guessed = [f for f in self.wiz.fields if f and f not in FIELDS_BY_NAME]
        choices += [(field_label(f), f) for f in guessed]
        for i, header in enumerate(preview.headers):
            combo = QComboBox(self.grid_host)
            combo.setObjectName(f"field_for_{i}")
            combo.setAccessibleName(f"Field for column {header}")
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            combo.installEventFilter(self)
            options = list(choices)
            extra = extra_id_field(header)
            if extra and all(extra != name for _, name in options):
                options.append((field_label(extra), extra))
            for label, name in options:
                combo.addItem(label, name)
                if name in FIELDS_BY_NAME:
                    combo.setItemData(
                        combo.count() - 1,
                        FIELDS_BY_NAME[name].help,
                        Qt.ItemDataRole.ToolTipRole,
                    )
            combo.setCurrentIndex(max(combo.findData(self.wiz.fields[i]), 0))
            combo.currentIndexChanged.connect(
                lambda _index, column=i: self._on_combo_changed(column)
            )
            name = QLabel(header.replace("&", "&&"), self.grid_host)
            name.setBuddy(combo)
            values = [r[i] for r in preview.rows if i < len(r) and r[i].strip()]
            shown = list(dict.fromkeys(values))[:EXAMPLES]
            short = [
                v if len(v) <= EXAMPLE_CHARS else v[:EXAMPLE_CHARS] + "…" for v in shown
            ]
            examples = QLabel("   ·   ".join(short) or "(empty)", self.grid_host)
            examples.setProperty("role", "hint")
            examples.setToolTip("\n".join(shown))
            # Long examples are cut at the edge, never widen the list sideways.
            examples.setSizePolicy(
                QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
            )
            self.grid.addWidget(name, i + 1, 0)
            self.grid.addWidget(combo, i + 1, 1)
            self.grid.addWidget(examples, i + 1, 2)
            self.combos.append(combo)
        self.grid.setRowStretch(len(preview.headers) + 1, 1)
        for first, second in zip(self.combos, self.combos[1:], strict=False):
            QWidget.setTabOrder(first, second)
        labels = {name: field_label(name) for name in filter(None, self.wiz.fields)}
        labels.update({f.name: f.label for f in FIELDS})
        self.preview.set_preview(preview.headers, preview.rows, self.wiz.fields, labels)
        self.table.resizeColumnsToContents()

    def _on_combo_changed(self, column: int) -> None:
        field = self.combos[column].currentData()
        note = ""
        if field is not None:
            for other, taken in enumerate(self.wiz.fields):
                if other != column and taken == field:
                    # A field reads one column; the old one is freed, and said so.
                    self._set_field(other, None)
                    note = (
                        f"{field_label(field)} now comes from "
                        f"{self.wiz.preview.headers[column]!r}; "
                        f"{self.wiz.preview.headers[other]!r} is no longer used."
                    )
        self._set_field(column, field)
        self._check(note)

    def _set_field(self, column: int, field: str | None) -> None:
        self.wiz.fields[column] = field
        combo = self.combos[column]
        if combo.currentData() != field:
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(field), 0))
            combo.blockSignals(False)
        self.preview.set_field(column, field)

    def _check(self, note: str = "") -> None:
        if not self.isComplete():
            note = (
                "Choose the column holding the name (Full name, or Last name and "
                "First name) to continue."
            )
        self.note.setText(note)
        self.note.setProperty("role", "error" if not self.isComplete() else "hint")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.completeChanged.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Scrolling over the list scrolls it; it never changes a combo box.

        A wheel turned over an unfocused combo box would silently remap a
        column while the clerk only meant to scroll.
        """
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QComboBox)
            and not watched.hasFocus()
        ):
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)

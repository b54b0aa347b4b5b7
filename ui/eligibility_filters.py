"""The eligibility screen's filters: category (with counts), offence dates, links.

Each category's check box carries its count, so the counts a clerk reads and
the filter a clerk sets are one control. The filter is the app's
:class:`app.eligibility_people.EligibilityFilter`, the very object the export
takes, so "export what the screen shows" cannot drift from the screen.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.eligibility_people import EligibilityFilter
from matching.eligibility import Category
from ui.eligibility_model import CATEGORY_TEXT, CATEGORY_TIP

LINKS = (("Any", None), ("Every link confirmed by a person", True),
         ("Some link not confirmed", False))  # fmt: skip


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class EligibilityFilters(QWidget):
    """Two rows of controls; ``changed`` fires on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[Category, QCheckBox] = {}
        counts = QHBoxLayout()
        for category in Category:
            box = QCheckBox(CATEGORY_TEXT[category])
            box.setChecked(True)
            box.setToolTip(CATEGORY_TIP[category])
            box.toggled.connect(self.changed)
            self.boxes[category] = box
            counts.addWidget(box)
        counts.addStretch(1)
        self.date_box = QCheckBox("Offence dates from")
        self.date_box.setToolTip(
            "Keeps people with a case whose offence date is in the range; a case "
            "with no offence date on file is left out while this is ticked."
        )
        self.start_edit, self.end_edit = QDateEdit(), QDateEdit()
        for edit, day in ((self.start_edit, QDate(1970, 1, 1)),
                          (self.end_edit, QDate.currentDate())):  # fmt: skip
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(day)
            edit.setEnabled(False)
            edit.dateChanged.connect(self.changed)
        self.date_box.toggled.connect(self._on_date_box_toggled)
        self.links_box = QComboBox()
        for text, value in LINKS:
            self.links_box.addItem(text, value)
        self.links_box.currentIndexChanged.connect(self.changed)
        dates = QHBoxLayout()
        for widget in (self.date_box, self.start_edit, QLabel("to"), self.end_edit,
                       QLabel("   Links:"), self.links_box):  # fmt: skip
            dates.addWidget(widget)
        dates.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(counts)
        layout.addLayout(dates)

    def set_counts(self, counts: dict[Category, int]) -> None:
        for category, box in self.boxes.items():
            box.setText(f"{CATEGORY_TEXT[category]} ({counts[category]:,})")

    def current(self) -> EligibilityFilter:
        chosen = frozenset(c for c, box in self.boxes.items() if box.isChecked())
        dated = self.date_box.isChecked()
        start, end = (_day(e.date()) for e in (self.start_edit, self.end_edit))
        return EligibilityFilter(
            categories=None if len(chosen) == len(Category) else chosen,
            start=start if dated else None,
            end=end if dated else None,
            confirmed=self.links_box.currentData(),
        )

    def _on_date_box_toggled(self, on: bool) -> None:
        self.start_edit.setEnabled(on)
        self.end_edit.setEnabled(on)
        self.changed.emit()

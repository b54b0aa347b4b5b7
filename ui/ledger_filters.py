"""The ledger browser's filters: reviewer, decision, score band, sources, dates.

An auditor's questions are of this shape: "everything Alice decided in
March", "every non-match between the clerk's and the police files", "the
automatic links scored just above the threshold". Dates are picked as local
days (what a person means by "in March") and turned into the UTC bounds the
ledger stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import combinations_with_replacement

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QLabel, QWidget

from app import ledger_queries as lq
from ui.ledger_detail import KIND_WORDS

_NO_DATE = QDate(2000, 1, 1)  # the minimum: shown as "any"


def local_day_utc(day: date) -> str:
    """Local midnight at the start of ``day`` as the ledger writes times."""
    midnight = datetime(day.year, day.month, day.day).astimezone()
    return midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_NO_DATE)
    edit.setSpecialValueText("any")  # shown while the date is the minimum
    edit.setDate(_NO_DATE)
    return edit


class LedgerFilters(QWidget):
    filter_changed = Signal(object)  # LedgerFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = QComboBox()
        self.actor.setAccessibleName("Reviewer")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Decision")
        self.kind.addItem("Any decision", None)
        self.kind.addItem("People's decisions", lq.HUMAN)
        for kind in lq.KIND_CHOICES[1:]:
            self.kind.addItem(KIND_WORDS.get(kind, kind), kind)
        self.band = QComboBox()
        self.band.setAccessibleName("Score band")
        self.band.addItem("Any score", None)
        for key, (label, *_rest) in lq.BANDS.items():
            self.band.addItem(label, key)
        self.sources = QComboBox()
        self.sources.setAccessibleName("Source pair")
        self.since = _date_edit("ledger_since")
        self.since.setAccessibleName("From date")
        self.until = _date_edit("ledger_until")
        self.until.setAccessibleName("To date, included")
        self.set_choices([], [])
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        cells = (
            ("Reviewer:", self.actor), ("Decision:", self.kind),
            ("Score:", self.band), ("Sources:", self.sources),
            ("From:", self.since), ("To:", self.until),
        )  # fmt: skip
        for i, (text, widget) in enumerate(cells):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, i // 3, (i % 3) * 2)
            grid.addWidget(widget, i // 3, (i % 3) * 2 + 1)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        for combo in (self.actor, self.kind, self.band, self.sources):
            # Long choices must not make the page (and the window) wider.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(self._emit)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self._emit)

    def set_choices(self, reviewers: list[str], sources: list[str]) -> None:
        """Offer the ledger's reviewers and every pairing of the sources,
        keeping the current choices where they still exist."""
        for combo, anything, items in (
            (self.actor, "Anyone", [(r, r) for r in reviewers]),
            (
                self.sources,
                "Any sources",
                [
                    (f"{a} – {b}", (a, b))
                    for a, b in combinations_with_replacement(sources, 2)
                ],
            ),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(anything, None)
            for text, value in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def current(self) -> lq.LedgerFilter:
        since = until = None
        if self.since.date() != _NO_DATE:
            since = local_day_utc(self.since.date().toPython())
        if self.until.date() != _NO_DATE:
            day = self.until.date().toPython() + timedelta(days=1)
            until = local_day_utc(day)
        return lq.LedgerFilter(
            actor=self.actor.currentData(),
            since=since,
            until=until,
            kind=self.kind.currentData(),
            band=self.band.currentData(),
            sources=self.sources.currentData(),
        )

    def _emit(self) -> None:
        self.filter_changed.emit(self.current())

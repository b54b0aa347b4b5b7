"""Which pairs the queue lists: band, state and the two sources.

A supervisor splits work by source pair (one clerk does clerk-to-arrest,
another arrest-to-disposition) and goes back over "unsure" answers at the
end of the week; the filters say exactly that, and the counts beside them
say how much there is.
"""

from __future__ import annotations

from itertools import combinations_with_replacement

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.review_queries import QueueCounts, QueueFilter, SourceInfo

BANDS = (
    ("review", "Needs review"),
    ("auto", "Linked automatically"),
    ("below", "Below the review band"),
)
STATES = (
    ("waiting", "Waiting"),
    ("unsure", "Unsure"),
    ("decided", "Decided"),
    ("all", "All"),
    ("rereview", "Re-review"),
)


class QueueFilters(QWidget):
    filter_changed = Signal(object)  # QueueFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.band = QComboBox()
        for value, text in BANDS:
            self.band.addItem(text, value)
        self.state = QComboBox()
        for value, text in STATES:
            self.state.addItem(text, value)
        self.sources = QComboBox()
        self.sources.addItem("All sources", None)
        self.counts = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, combo in (
            ("Pairs:", self.band),
            ("State:", self.state),
            ("Sources:", self.sources),
        ):
            layout.addWidget(QLabel(label))
            layout.addWidget(combo)
            combo.currentIndexChanged.connect(self._emit)
        self.state.currentIndexChanged.connect(self._on_state_changed)
        layout.addSpacing(12)
        layout.addWidget(self.counts, 1)

    def set_sources(self, sources: list[SourceInfo]) -> None:
        """Offer every pairing of the workspace's sources (a source with itself
        too: duplicates inside one agency's file)."""
        current = self.sources.currentData()
        self.sources.blockSignals(True)
        self.sources.clear()
        self.sources.addItem("All sources", None)
        for a, b in combinations_with_replacement(sources, 2):
            self.sources.addItem(f"{a.name} – {b.name}", (a.id, b.id))
        found = self.sources.findData(current)
        self.sources.setCurrentIndex(max(found, 0))
        self.sources.blockSignals(False)

    def _on_state_changed(self) -> None:
        # Re-review lists every band (app.review_queries.QueueFilter).
        everywhere = self.state.currentData() == "rereview"
        self.band.setEnabled(not everywhere)
        self.band.setToolTip(
            "Re-review lists decided pairs in every band" if everywhere else ""
        )

    def current(self) -> QueueFilter:
        return QueueFilter(
            band=self.band.currentData(),
            state=self.state.currentData(),
            sources=self.sources.currentData(),
        )

    def show_counts(self, counts: QueueCounts) -> None:
        again = f"; {counts.rereview:,} to re-review" if counts.rereview else ""
        self.counts.setText(
            f"{counts.total:,} pairs: {counts.waiting:,} waiting, "
            f"{counts.unsure:,} unsure, {counts.decided:,} decided{again}"
        )

    def _emit(self) -> None:
        self.filter_changed.emit(self.current())

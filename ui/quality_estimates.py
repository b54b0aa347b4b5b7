"""The estimates table: each stratum's match rate, then precision and recall.

Numbers without their uncertainty mislead an auditor, so every rate is shown
with its 95 % interval, and a row with no labels says so instead of showing
a zero that could be read as a measurement. The note under the table says
plainly what the estimates cannot cover (pairs blocking never proposed).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.quality import BLOCKING_NOTE, QualitySummary
from matching.estimates import Estimate

COLUMNS = ("Stratum", "Pairs", "Sampled", "Labelled", "Matches", "Match rate (95% CI)")


def _rate(e: Estimate) -> str:
    if not e.defined:
        return "no labels yet"
    return f"{e.value:.1%}  ({e.low:.1%} – {e.high:.1%})"


class EstimatesTable(QWidget):
    """Strata rows, then the overall estimates, then what they cannot cover."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Estimates per stratum")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.overall = QLabel()
        self.overall.setWordWrap(True)
        self.overall.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.overall.setAccessibleName("Overall estimates")
        self.note = QLabel(BLOCKING_NOTE)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.overall)  # the headline first, then the detail
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def show_summary(self, summary: QualitySummary | None) -> None:
        if summary is None:
            self.table.setRowCount(0)
            self.overall.setText("No sample drawn in this audit file yet.")
            return
        self.table.setRowCount(len(summary.strata))
        for row, s in enumerate(summary.strata):
            values = (
                s.label,
                f"{s.population:,}",
                f"{s.sampled:,}",
                f"{s.labelled:,}",
                f"{s.judged_matches:,}",
                _rate(s.match_rate),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(f"{s.band}: {s.label}")
                self.table.setItem(row, column, item)
        self.overall.setText(
            f"<b>Precision of links:</b> {summary.precision.text()}<br>"
            f"<b>Recall among candidate pairs:</b> {summary.recall.text()}<br>"
            f"Labelled {summary.labelled:,} of {summary.sample_size:,} sampled pairs "
            f"({summary.candidate_pairs:,} candidate pairs). Unsure labels count "
            "for agreement, not for these estimates."
        )

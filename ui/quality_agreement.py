"""The agreement view: kappa, the confusion table, the disagreements in full.

After the blind review the auditor needs to know how often the second look
agreed with the first decision, beyond chance (Cohen's kappa), where they
differed (the confusion table), and each disagreement side by side with
everything the first reviewer saw, so it can be adjudicated. Adjudicating
is a decision, so its buttons exist only in normal (writable) mode.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.audit_file import LABELS
from app.quality import QualitySummary
from app.quality_review import Disagreement
from app.review_queries import PairDetail
from ui.pair_view import PairView

DISAGREEMENT_COLUMNS = (
    "Item",
    "Stratum",
    "First decision",
    "Blind label",
    "Adjudicated",
)


class AgreementPanel(QWidget):
    """Shows one sample's agreement; emits the disagreement chosen."""

    disagreement_selected = Signal(int)  # sample position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kappa_label = QLabel("No blind labels yet.")
        self.kappa_label.setWordWrap(True)
        self.kappa_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.confusion = QTableWidget(len(LABELS), len(LABELS))
        self.confusion.setAccessibleName(
            "Confusion table: first decision by blind label"
        )
        self.confusion.setHorizontalHeaderLabels([f"Blind: {x}" for x in LABELS])
        self.confusion.setVerticalHeaderLabels([f"First: {x}" for x in LABELS])
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.confusion.setSizeAdjustPolicy(
            QTableWidget.SizeAdjustPolicy.AdjustToContents
        )
        self.table = QTableWidget(0, len(DISAGREEMENT_COLUMNS))
        self.table.setAccessibleName("Disagreements")
        self.table.setHorizontalHeaderLabels(DISAGREEMENT_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column in range(len(DISAGREEMENT_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(self._on_table_current_cell_changed)
        self.pair_view = PairView()
        self.pair_view.setAccessibleName("Disagreement, unblinded")
        self.buttons = QHBoxLayout()
        self.mode_note = QLabel()
        self.mode_note.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.confusion)
        side = QVBoxLayout()
        side.addWidget(self.kappa_label)
        side.addStretch(1)
        top.addLayout(side, 1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(self.pair_view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        strip = QHBoxLayout()
        strip.addLayout(self.buttons)
        strip.addWidget(self.mode_note, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(strip)
        self._positions: list[int] = []

    def add_button(self, action: QAction) -> None:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.buttons.addWidget(button)

    def show_agreement(
        self, summary: QualitySummary | None, items: list[Disagreement]
    ) -> None:
        """Fill the kappa line, the confusion table and the disagreements."""
        if summary is None or summary.agreement_n == 0:
            self.kappa_label.setText("No blind labels yet: agreement needs labels.")
        else:
            k = summary.kappa
            kappa = (
                "Cohen's kappa cannot be computed yet (every label is the same)"
                if k is None
                else f"Cohen's kappa <b>{k.value:.2f}</b> "
                f"(95% CI {k.low:.2f} to {k.high:.2f})"
            )
            done = sum(1 for d in items if d.adjudicated is not None)
            self.kappa_label.setText(
                f"{kappa} between the first decision (the person's, else the "
                f"link state) and the blind label, on {summary.agreement_n:,} "
                f"pairs. <b>{summary.disagreements:,}</b> disagreements, "
                f"{done:,} adjudicated."
            )
        for row, first in enumerate(LABELS):
            for column, second in enumerate(LABELS):
                count = (
                    0 if summary is None else summary.confusion.get((first, second), 0)
                )
                cell = QTableWidgetItem(f"{count:,}")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.confusion.setItem(row, column, cell)
        current = self.current_position()
        self.table.setRowCount(len(items))
        self._positions = [d.item.pos for d in items]
        for row, d in enumerate(items):
            verdict = d.adjudicated
            values = (
                str(d.item.pos),
                d.item.stratum,
                f"{d.item.first_decision} ({d.item.first_by})",
                f"{d.label.label} ({d.label.labeller})",
                "—" if verdict is None else f"{verdict.kind} by {verdict.actor}",
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if current in self._positions:
            self.table.selectRow(self._positions.index(current))
        elif items:
            self.table.selectRow(0)
        else:
            self.pair_view.show_pair(None)

    def current_position(self) -> int | None:
        row = self.table.currentRow()
        return self._positions[row] if 0 <= row < len(self._positions) else None

    def show_detail(self, detail: PairDetail | None) -> None:
        self.pair_view.show_pair(detail)

    def _on_table_current_cell_changed(self, row: int, *_: int) -> None:
        if 0 <= row < len(self._positions):
            self.disagreement_selected.emit(self._positions[row])

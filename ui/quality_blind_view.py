"""The blind panel: two records side by side and nothing that gives a verdict.

A second review is worth something only if it is independent, so this view
takes an :class:`app.quality_review.BlindPair`, which carries no score, band,
comparison weights, first decision or identity. It shows the fields as the
review screen does (differing characters marked, the original rows one key
away) without the review screen's verdict-bearing parts: there is nothing
to hide because nothing was handed over.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.quality_review import BlindPair
from matching.fields import FIELDS_BY_NAME
from ui.diff_markup import diff_markup
from ui.original_rows import OriginalRows
from ui.pair_view import EVENT_FIELDS, MISSING, WRAPPING_FIELDS


def _label(field: str) -> str:
    known = FIELDS_BY_NAME.get(field)
    return known.label if known else field


class BlindPairView(QWidget):
    """Shows one ``BlindPair``: a heading, then one row per field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pair: BlindPair | None = None
        self.heading = QLabel()
        self.heading.setAccessibleName("Sample pair")
        grid_host = QWidget()
        self._grid = QGridLayout(grid_host)
        self._grid.setHorizontalSpacing(20)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(2, 1)
        self.left_title, self.right_title = QLabel(), QLabel()
        self._grid.addWidget(self.left_title, 0, 1)
        self._grid.addWidget(self.right_title, 0, 2)
        self._grid.setRowStretch(1000, 1)
        self._rows: list[tuple[QLabel, QLabel, QLabel]] = []
        scroll = QScrollArea()
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.original = OriginalRows()
        self.stack = QStackedWidget()
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.original)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.stack, 1)
        self.show_pair(None)

    def pair(self) -> BlindPair | None:
        return self._pair

    def show_original(self, on: bool) -> None:
        """Swap the normalised fields for the rows as the files had them."""
        self.stack.setCurrentIndex(1 if on else 0)
        if on and self._pair is not None:
            self.original.show_records(self._pair.left, self._pair.right)

    def show_pair(self, pair: BlindPair | None) -> None:
        self._pair = pair
        if pair is None:
            self.heading.setText("No sample pair to show.")
            self.left_title.clear()
            self.right_title.clear()
            for row in self._rows:
                for label in row:
                    label.setVisible(False)
            return
        own = f" · your label: <b>{pair.own_label}</b>" if pair.own_label else ""
        self.heading.setText(f"Pair {pair.pos} of {pair.total}{own}")
        for title, record in (
            (self.left_title, pair.left),
            (self.right_title, pair.right),
        ):
            title.setText(
                f"<b>{escape(record.source)}</b> record {escape(record.record_id)}"
            )
        while len(self._rows) < len(pair.fields):
            row = (QLabel(), QLabel(), QLabel())
            for column, label in enumerate(row):
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setTextInteractionFlags(
                    Qt.TextInteractionFlag.TextSelectableByMouse
                )
                self._grid.addWidget(label, len(self._rows) + 1, column)
            self._rows.append(row)
        for row, field in zip(self._rows, pair.fields, strict=False):
            self._show_field(row, field)
        for row in self._rows[len(pair.fields) :]:
            for label in row:
                label.setVisible(False)
        if self.stack.currentIndex() == 1:
            self.original.show_records(pair.left, pair.right)

    def _show_field(self, row: tuple[QLabel, QLabel, QLabel], field: str) -> None:
        assert self._pair is not None
        name, left_label, right_label = row
        left = self._pair.left.values.get(field)
        right = self._pair.right.values.get(field)
        differs = (
            left is not None
            and right is not None
            and left != right
            and field not in EVENT_FIELDS
        )
        if differs:
            lh, rh = diff_markup(left or "", right or "")
        else:
            lh = MISSING if left is None else escape(left)
            rh = MISSING if right is None else escape(right)
        name.setText(
            f"<b>{escape(_label(field))}</b>" if differs else escape(_label(field))
        )
        left_label.setText(lh)
        right_label.setText(rh)
        wrap = field in WRAPPING_FIELDS
        left_label.setWordWrap(wrap)
        right_label.setWordWrap(wrap)
        for label in row:
            label.setVisible(True)

    def shown_text(self) -> str:
        """Everything the panel shows, as plain text (tests, screen readers)."""
        parts = [self.heading.text(), self.left_title.text(), self.right_title.text()]
        for row in self._rows:
            parts += [label.text() for label in row if not label.isHidden()]
        return "\n".join(parts)

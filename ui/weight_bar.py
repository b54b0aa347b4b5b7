"""A signed horizontal bar: how much one comparison speaks for or against.

Each bar is one term of the match weight (log2 Bayes factor), drawn from a
centre line: green to the right for a match, red to the left against. All
bars of a pair share one scale, so a reviewer sees at a glance which field
decided the score; colour is never the only cue (the signed number is drawn).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FOR_COLOUR = QColor("#2e7d32")
AGAINST_COLOUR = QColor("#c62828")
NUMBER_WIDTH = 44


class WeightBar(QWidget):
    """Paints ``value`` against ``scale`` (both in log2 units)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0.0
        self._scale = 10.0
        self._empty = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)

    def set_value(self, value: float | None, scale: float) -> None:
        """Show a weight; None shows nothing (the comparison had no data)."""
        self._empty = value is None
        self._value = 0.0 if value is None else float(value)
        self._scale = max(scale, 1e-6)
        if value is None:
            self.setToolTip("")
        else:
            factor = 2.0 ** abs(self._value)
            side = "for" if self._value >= 0 else "against"
            self.setToolTip(
                f"{self._value:+.2f} (log2): evidence {side} a match, "
                f"a likelihood ratio of {factor:,.1f}"
            )
        self.update()

    def value(self) -> float | None:
        return None if self._empty else self._value

    def colour(self) -> QColor | None:
        if self._empty or self._value == 0:
            return None
        return FOR_COLOUR if self._value > 0 else AGAINST_COLOUR

    def sizeHint(self) -> QSize:
        return QSize(200, self.fontMetrics().height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._empty:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar_width = max(10, self.width() - NUMBER_WIDTH)
        centre = bar_width / 2
        height = self.height()
        painter.setPen(self.palette().mid().color())
        painter.drawLine(int(centre), 1, int(centre), height - 1)
        share = max(-1.0, min(1.0, self._value / self._scale))
        length = share * (bar_width / 2 - 2)
        colour = self.colour()
        if colour is not None:
            left = centre if length >= 0 else centre + length
            painter.fillRect(QRectF(left, 3, abs(length), height - 6), colour)
        painter.setPen(self.palette().text().color())
        painter.drawText(
            QRectF(bar_width, 0, NUMBER_WIDTH, height),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"{self._value:+.1f}",
        )
        painter.end()

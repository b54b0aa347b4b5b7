"""The strip under the pair: decision buttons, reason, note and progress.

Buttons mirror the page's keyboard actions (M, N, U, S) for people who
prefer the mouse; the reason (a preset code from ``app.decisions``) and note
apply to the next decision and then clear, so a note never leaks onto the
following pair. The progress line answers "how am I doing?": decided today,
left in the queue, and the time left at the current pace.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.decisions import REVIEW_REASON_CODES

# A gap longer than this is a break, not a slow decision.
BREAK_SECONDS = 120.0


class Pace:
    """Seconds per decision over the last few decisions, breaks left out."""

    def __init__(self, window: int = 20) -> None:
        self._times: deque[float] = deque(maxlen=window + 1)

    def tick(self, now: float | None = None) -> None:
        self._times.append(time.monotonic() if now is None else now)

    def seconds_per_pair(self) -> float | None:
        times = list(self._times)
        gaps = [b - a for a, b in pairwise(times)]
        gaps = [g for g in gaps if g <= BREAK_SECONDS]
        return statistics.median(gaps) if len(gaps) >= 2 else None


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class DecisionBar(QWidget):
    """Buttons bound to the page's actions, the reason and note, the progress."""

    note_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons = QHBoxLayout()
        self.reason = QComboBox()
        self.reason.addItem("No reason given", None)
        for code, text in REVIEW_REASON_CODES.items():
            self.reason.addItem(text, code)
        self.reason.setToolTip("Reason for the next decision (keys 1-9)")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the next decision (Ctrl+Enter)")
        self.note.setClearButtonEnabled(True)
        self.note.returnPressed.connect(self.note_finished)
        self.progress = QLabel()
        self.progress.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.message = QLabel()
        self.message.setWordWrap(True)

        row = QHBoxLayout()
        row.addLayout(self.buttons)
        row.addSpacing(12)
        self.reason_label = QLabel("Reason:")
        row.addWidget(self.reason_label)
        row.addWidget(self.reason)
        row.addWidget(self.note, 1)
        status = QHBoxLayout()
        status.addWidget(self.progress)
        status.addStretch(1)
        status.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(status)

    def add_button(self, action: QAction) -> None:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setVisible(action.isVisible())  # audit mode: decisions absent
        self.buttons.addWidget(button)

    def hide_deciding(self) -> None:
        """Audit mode: no decision can be made, so no reason or note is asked."""
        for widget in (self.reason_label, self.reason, self.note):
            widget.setVisible(False)

    def take_reason(self) -> tuple[str | None, str | None]:
        """The reason code and note for this decision; both reset after."""
        code = self.reason.currentData()
        note = self.note.text().strip() or None
        self.reason.setCurrentIndex(0)
        self.note.clear()
        return code, note

    def set_reason_index(self, index: int) -> None:
        if 0 <= index < self.reason.count():
            self.reason.setCurrentIndex(index)

    def show_progress(self, decided_today: int, waiting: int, pace: Pace) -> None:
        seconds = pace.seconds_per_pair()
        eta = (
            "time left: after a few decisions"
            if seconds is None
            else f"about {_duration(seconds * waiting)} left at {seconds:.0f} s a pair"
        )
        self.progress.setText(
            f"Decided today: <b>{decided_today:,}</b> · "
            f"waiting in the queue: <b>{waiting:,}</b> · {eta}"
        )

    def show_message(self, text: str) -> None:
        self.message.setText(text)

"""The quality page's two working tabs: drawing the sample, and the blind review.

Kept apart from :mod:`ui.quality_page` (which wires the data) so each file
stays one screen's worth: these are widgets only, with no reads or writes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.quality_draw import MAX_SAMPLE
from ui.quality_blind_view import BlindPairView
from ui.quality_estimates import EstimatesTable

DRAW_HELP = (
    "A random sample of candidate pairs, stratified by link state and "
    "probability: automatic links, pairs linked by a person or through other "
    "links, the review band, and pairs below the lower threshold that nobody "
    "saw. Label it blind on the next tab; the estimates below fill in as you go."
)


class SampleTab(QWidget):
    """Size and seed, the Draw button with its progress, then the estimates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.size_box = QSpinBox()
        self.size_box.setRange(1, MAX_SAMPLE)
        self.size_box.setValue(200)
        self.size_box.setAccessibleName("Sample size")
        self.size_box.setToolTip("Pairs to sample, shared equally among the strata")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2_000_000_000)
        self.seed_box.setValue(1)
        self.seed_box.setAccessibleName("Random seed")
        self.seed_box.setToolTip(
            "The same seed on the same workspace draws the same sample"
        )
        self.draw_button = QPushButton("Dra&w sample")
        self.draw_button.setAccessibleName("Draw sample")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Drawing progress")
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sample status")
        help_text = QLabel(DRAW_HELP)
        help_text.setWordWrap(True)
        size_label, seed_label = QLabel("Sample si&ze:"), QLabel("S&eed:")
        size_label.setBuddy(self.size_box)
        seed_label.setBuddy(self.seed_box)
        controls = QHBoxLayout()
        for widget in (
            size_label,
            self.size_box,
            seed_label,
            self.seed_box,
            self.draw_button,
        ):
            controls.addWidget(widget)
        controls.addWidget(self.progress, 1)
        controls.addStretch(0)
        self.estimates = EstimatesTable()
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.estimates, 1)

    def set_drawing(self, drawing: bool) -> None:
        self.draw_button.setEnabled(not drawing)
        self.size_box.setEnabled(not drawing)
        self.seed_box.setEnabled(not drawing)
        self.progress.setVisible(drawing)
        if drawing:
            self.progress.setRange(0, 0)

    def show_progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setFormat(f"{stage}: %p%")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)


class BlindTab(QWidget):
    """The blind pair, the label buttons, a note, and how far the review is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            "Blind second review: the model's score, the first decision and the "
            "identities are not shown. Label each pair <b>M</b> match, <b>N</b> "
            "non-match or <b>U</b> unsure; <b>S</b>/<b>→</b> skips, <b>←</b> goes "
            "back, <b>O</b> shows the original rows."
        )
        intro.setWordWrap(True)
        self.view = BlindPairView()
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setAccessibleName("Blind pair")
        self.buttons = QHBoxLayout()
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the next label (Ctrl+Enter)")
        self.note.setAccessibleName("Note for the next label")
        self.note.setClearButtonEnabled(True)
        self.note.returnPressed.connect(self.view.setFocus)
        self.progress = QLabel()
        self.progress.setAccessibleName("Blind review progress")
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addLayout(self.buttons)
        row.addWidget(self.note, 1)
        status = QHBoxLayout()
        status.addWidget(self.progress)
        status.addStretch(1)
        status.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addLayout(status)

    def add_button(self, action: QAction) -> None:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.buttons.addWidget(button)

    def take_note(self) -> str | None:
        note = self.note.text().strip() or None
        self.note.clear()
        return note

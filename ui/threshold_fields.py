"""Two optional fields for the Run page: override the model's band limits.

Empty means "let the model choose", which is right for most runs; a value
overrides that limit for this run and the next (the workspace remembers it).
The fields are checked as they are typed, by the same rule as
``recordmatch link --upper --lower`` (``app.link_options``), and Link is
refused while they do not make sense, with the reason on the status line.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from app.errors import UserError
from app.link_options import ThresholdOverrides, check_overrides


def _number(text: str) -> float | None:
    """The typed probability; a comma is read as a decimal point."""
    text = text.strip().replace(",", ".")
    return float(text) if text else None


class ThresholdFields(QWidget):
    """Two fields in a row; ``overrides()`` is None while they make no sense.

    One row beside the Link button, not a block of its own: the Run page must
    still fit a 1366 x 768 office screen with its stage bars and report, and
    the reason a value is refused goes to the page's status line.
    """

    edited = Signal(bool)  # after each edit: whether the fields make sense

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.upper = QLineEdit(self)
        self.upper.setAccessibleName("Auto-link threshold override")
        self.lower = QLineEdit(self)
        self.lower.setAccessibleName("Review threshold override")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        for text, box, tip in (
            ("&Auto-link from:", self.upper, "linked without review"),
            ("Revie&w from:", self.lower, "queued for review; below it, dropped"),
        ):
            label = QLabel(text, self)
            label.setBuddy(box)
            box.setToolTip(
                f"Optional: a probability between 0 and 1; pairs at or above it "
                f"are {tip}. Empty: the model's own threshold, chosen from its "
                "scores on this workspace."
            )
            label.setToolTip(box.toolTip())
            box.setFixedWidth(box.fontMetrics().horizontalAdvance("last: 0.00000") + 16)
            row.addWidget(label)
            row.addWidget(box)
        self._valid = True
        self.set_last_run(None, None)
        self.upper.textChanged.connect(self._on_text_changed)
        self.lower.textChanged.connect(self._on_text_changed)

    def set_last_run(self, upper: float | None, lower: float | None) -> None:
        """Show the last run's limits as the fields' placeholders."""
        for box, value in ((self.upper, upper), (self.lower, lower)):
            box.setPlaceholderText("" if value is None else f"last: {value:.4f}")

    def set_overrides(self, overrides: ThresholdOverrides) -> None:
        for box, value in (
            (self.upper, overrides.upper),
            (self.lower, overrides.lower),
        ):
            box.setText("" if value is None else f"{value:g}")

    def overrides(self) -> ThresholdOverrides | None:
        try:
            return check_overrides(
                _number(self.upper.text()), _number(self.lower.text())
            )
        except (ValueError, UserError):
            return None

    def problem(self) -> str:
        """Why the fields are refused ("" when they are fine)."""
        try:
            check_overrides(_number(self.upper.text()), _number(self.lower.text()))
        except ValueError:
            return "Type a threshold such as 0.95, or leave the field empty."
        except UserError as exc:
            return str(exc)
        return ""

    def _on_text_changed(self, _text: str) -> None:
        self._valid = not self.problem()
        self.edited.emit(self._valid)

    def is_valid(self) -> bool:
        return self._valid

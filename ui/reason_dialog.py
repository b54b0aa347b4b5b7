"""Ask why, before a split or a merge: a preset reason code plus free text.

Splitting a record out of a person or merging two people changes whose
criminal history a record counts towards, so the ledger must say why. OK
stays disabled until a reason is chosen ("Other" needs words), and, for a
merge, until the other identity number names a real identity.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.decisions import REVIEW_REASON_CODES

OTHER = "other"


class ReasonDialog(QDialog):
    """``reason()``, ``note()`` and (when asked for) ``identity()``.

    Args:
        describe_identity: when given, the dialog asks for another identity's
            number and shows what this returns for it (None = no such identity).
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        *,
        describe_identity: Callable[[int], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._describe = describe_identity
        self._identity_ok = describe_identity is None
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason_box = QComboBox()
        self.reason_box.addItem("Choose a reason…", None)
        for code, text in REVIEW_REASON_CODES.items():
            self.reason_box.addItem(text, code)
        self.reason_box.addItem("Other (say why below)", OTHER)
        self.note_box = QPlainTextEdit()
        self.note_box.setPlaceholderText("Anything an auditor should know")
        self.note_box.setFixedHeight(70)
        self.identity_box = QLineEdit()
        self.identity_box.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.identity_preview = QLabel()
        self.identity_preview.setWordWrap(True)
        # Kept so the merge dialog can put its search above the number.
        self.form = form = QFormLayout()
        if describe_identity is not None:
            form.addRow("Other identity #:", self.identity_box)
            form.addRow("", self.identity_preview)
        form.addRow("Reason:", self.reason_box)
        form.addRow("Note:", self.note_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason_box.currentIndexChanged.connect(self._check)
        self.note_box.textChanged.connect(self._check)
        self.identity_box.textChanged.connect(self._on_identity_edited)
        self._check()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _on_identity_edited(self, text: str) -> None:
        described = None
        if text.isdigit() and self._describe is not None:
            described = self._describe(int(text))
        self._identity_ok = described is not None
        self.identity_preview.setText(
            described or ("No identity with that number." if text else "")
        )
        self._check()

    def _check(self) -> None:
        code = self.reason_box.currentData()
        enough = code is not None and (code != OTHER or bool(self.note()))
        self.ok_button.setEnabled(enough and self._identity_ok)

    def reason(self) -> str:
        return str(self.reason_box.currentData() or "")

    def note(self) -> str | None:
        return self.note_box.toPlainText().strip() or None

    def identity(self) -> int | None:
        text = self.identity_box.text()
        return int(text) if text.isdigit() else None

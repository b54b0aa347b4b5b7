"""Beside each record: the other records already in its identity.

Deciding a pair decides between two *people*, not two rows: a clerk row
whose person already has an arrest with the same SID is a different
question from a lone row. Each side lists its identity's other records
(source, record, date, statute), the name only where it differs; activating
one asks for that record, the link above asks for the whole identity.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.review_queries import Member, RecordView


class MembersList(QWidget):
    """The other records already in one side's identity."""

    identity_requested = Signal(int)
    record_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.linkActivated.connect(
            lambda link: self.identity_requested.emit(int(link.split(":")[1]))
        )
        self.list = QListWidget()
        self.list.itemActivated.connect(
            lambda item: self.record_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setMinimumWidth(170)
        self.setMaximumWidth(240)

    def show_members(
        self, record: RecordView, members: tuple[Member, ...], count: int
    ) -> None:
        self.title.setText(
            f'Also in <a href="identity:{record.identity_id}">identity '
            f"#{record.identity_id}</a>: {count} other record{'s' * (count != 1)}"
        )
        self.list.clear()
        for m in members:
            parts = [f"{m.source} {m.record_id}", m.event_date or "no date"]
            parts += [p for p in (m.statute or m.case_number,) if p]
            text = " · ".join(parts)
            if m.name != record.name:  # say the name only where it differs
                text += f"\n{m.name}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, m.key)
            item.setToolTip(f"{m.name}\n{m.source} record {m.record_id}")
            self.list.addItem(item)
        if count > len(members):
            self.list.addItem(f"… and {count - len(members)} more")

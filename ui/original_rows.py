"""The two records exactly as their source files had them.

Normalising is where a matcher can mislead: a reviewer who doubts "SMITH
JR" must be able to see that the file said "Smith Jr." in the surname box.
One click away from the pair view, each record's row is listed header by
header, with the canonical field each column was mapped to.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.review_queries import RecordView
from matching.fields import FIELDS_BY_NAME


class _RowTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Column in file", "Value", "Read as"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def show_record(self, record: RecordView) -> None:
        self.title.setText(
            f"<b>{record.source}</b> {record.file_name}, line {record.line}"
        )
        self.table.setRowCount(len(record.original))
        for i, (header, value, field) in enumerate(record.original):
            known = FIELDS_BY_NAME.get(field or "")
            label = known.label if known else (field or "")
            for column, text in enumerate((header, value, label)):
                self.table.setItem(i, column, QTableWidgetItem(text))
        if record.problems:
            self.title.setText(
                self.title.text() + "<br>Problems: " + "; ".join(record.problems)
            )


class OriginalRows(QWidget):
    """Both records' source rows, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left = _RowTable()
        self.right = _RowTable()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.left)
        layout.addWidget(self.right)

    def show_records(self, left: RecordView, right: RecordView) -> None:
        self.left.show_record(left)
        self.right.show_record(right)

    def values(self, side: str) -> list[tuple[str, str]]:
        """(column, value) as shown, for tests and screen readers."""
        table = (self.left if side == "left" else self.right).table
        return [
            (table.item(i, 0).text(), table.item(i, 1).text())
            for i in range(table.rowCount())
        ]

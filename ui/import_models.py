"""Table models for imports (the files, their rejects, a file preview) and their view.

Models hold plain rows (frozen dataclasses from ``app.overview``) and never a
connection: the page reads, the model displays. Rejects are paged in with
``fetchMore`` as the user scrolls (Spyder's dataframe editor), because one
broken export can leave a million of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

from app.overview import ImportOverview, RejectLine

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
SORT_ROLE = Qt.ItemDataRole.UserRole  # the raw value, for sorting numbers as numbers
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
RAW_TEXT_SHOWN = 300  # characters of a rejected row shown in the cell


def local_time(iso_utc: str) -> str:
    """'2026-11-26T01:15:59.3Z' -> '2026-11-26 02:15' in the PC's time zone."""
    try:
        when = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def make_table(parent: QWidget, name: str) -> QTableView:
    """A read-only, row-selecting table with our accessibility defaults."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)
    return view


class ImportsModel(QAbstractTableModel):
    """One row per imported file with its counts."""

    COLUMNS: tuple[tuple[str, str], ...] = (
        ("source", "Source"),
        ("kind", "Kind"),
        ("file_name", "File"),
        ("rows_total", "Rows"),
        ("rows_imported", "Imported"),
        ("rows_rejected", "Rejected"),
        ("rows_new", "New"),
        ("rows_updated", "Changed"),
        ("imported_at", "When"),
        ("imported_by", "By"),
    )
    NUMERIC = frozenset(
        {"rows_total", "rows_imported", "rows_rejected", "rows_new", "rows_updated"}
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ImportOverview] = []

    def set_rows(self, rows: Sequence[ImportOverview]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def import_at(self, row: int) -> ImportOverview:
        return self._rows[row]

    def row_of(self, import_id: int) -> int:
        """The row showing ``import_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == import_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (
                self.COLUMNS[section][1] if 0 <= section < len(self.COLUMNS) else None
            )
        return str(section + 1)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        imp = self._rows[index.row()]
        name = self.COLUMNS[index.column()][0]
        value = getattr(imp, name)
        if role == DISPLAY:
            if name in self.NUMERIC:
                return f"{value:,}"
            if name == "imported_at":
                return local_time(value)
            return str(value)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and name in self.NUMERIC:
            return int(RIGHT.value)
        if role == Qt.ItemDataRole.ToolTipRole and name == "rows_imported":
            return (
                f"{imp.field_problems:,} values could not be read and were left "
                "empty; the original row is kept"
            )
        return None


class RejectsModel(QAbstractTableModel):
    """The rejected rows of one import, fetched a page at a time."""

    PAGE = 500
    HEADERS = ("Line", "Reason", "Row as read")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RejectLine] = []
        self._fetch: Callable[[tuple[int, int], int], list[RejectLine]] | None = None
        self._more = False

    def set_source(
        self, fetch: Callable[[tuple[int, int], int], list[RejectLine]] | None
    ) -> None:
        """Show rejects read by ``fetch(after, limit)``; None shows nothing."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = []
        self._more = fetch is not None
        self.endResetModel()
        if self._more:
            self.fetchMore(QModelIndex())

    def reject_at(self, row: int) -> RejectLine:
        return self._rows[row]

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._more or self._fetch is None:
            return
        after = self._rows[-1].key if self._rows else (0, 0)
        page = self._fetch(after, self.PAGE)
        self._more = len(page) == self.PAGE
        if page:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == 0:
                return f"{row.line:,}"
            if column == 1:
                return row.reason
            text = " ⏎ ".join(row.raw_text.splitlines())
            return text if len(text) <= RAW_TEXT_SHOWN else text[:RAW_TEXT_SHOWN] + "…"
        if role == SORT_ROLE:
            return (row.line, row.reason, row.raw_text)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return row.raw_text[:4000]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(RIGHT.value)
        return None


class PreviewModel(QAbstractTableModel):
    """The first rows of a file; each header shows the field its column feeds."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: tuple[str, ...] = ()
        self._rows: tuple[tuple[str, ...], ...] = ()
        self._fields: list[str | None] = []
        self._labels: dict[str, str] = {}

    def set_preview(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        fields: Sequence[str | None],
        labels: dict[str, str],
    ) -> None:
        """Show ``rows``; ``fields[i]`` is what column i maps to (None: unused)."""
        self.beginResetModel()
        self._headers = tuple(headers)
        self._rows = tuple(tuple(r) for r in rows)
        self._fields = list(fields)
        self._labels = dict(labels)
        self.endResetModel()

    def set_field(self, column: int, field: str | None) -> None:
        self._fields[column] = field
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
        if self._rows:
            last = self.index(len(self._rows) - 1, column)
            self.dataChanged.emit(self.index(0, column), last)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == DISPLAY else None
        if not 0 <= section < len(self._headers):
            return None
        field = self._fields[section]
        if role == DISPLAY:
            target = self._labels.get(field, field) if field else "(not used)"
            return f"{self._headers[section]}\n→ {target}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Column {self._headers[section]!r} feeds {field or 'nothing'}"
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else ""
        if role == DISPLAY:
            return value
        if role == Qt.ItemDataRole.ForegroundRole and not self._fields[index.column()]:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                # Unused columns are dimmed, not hidden: you may want them back.
                return app.palette().color(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
        return None

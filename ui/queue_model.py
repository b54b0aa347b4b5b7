"""The review queue as a lazy table: row ids, a bounded cache, pages on demand.

A million-pair queue must open at once and scroll smoothly on an office PC,
so the model never loads the table: it lists pair ids and keeps a bounded
window of their rows (``ui.loaded_rows``); ``rowCount`` grows by a page as
the view scrolls to the end (Spyder's ``fetchMore``), each page read by
keyset from the workspace.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from app import review_queries as rq
from app.workspace.core import Connection
from ui.loaded_rows import LoadedRows

PAGE_SIZE = 500
CACHE_ROWS = 5000  # rows of data kept; ids are kept for every loaded row

Index = QModelIndex | QPersistentModelIndex

STATE_TEXT = {
    None: "waiting",
    "match": "match",
    "non-match": "non-match",
    "unsure": "unsure",
}
STATE_COLOURS = {
    "match": QColor("#1b7f3b"),
    "non-match": QColor("#b3261e"),
    "unsure": QColor("#8a5a00"),
}
COLUMNS = (
    ("state", "State"),
    ("probability", "Score"),
    ("left_name", "Left record"),
    ("left_dob", "DOB"),
    ("left_source", "Source"),
    ("right_name", "Right record"),
    ("right_dob", "DOB"),
    ("right_source", "Source"),
)
SCORE_COLUMN = 1


class QueueModel(QAbstractTableModel):
    """Pairs of one queue filter, most useful first, fetched a page at a time."""

    PairIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        conn: Connection,
        queue: rq.QueueFilter | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._filter = queue or rq.QueueFilter()
        self._rows: LoadedRows[rq.QueueRow] = LoadedRows(
            lambda row: row.pair_id,
            partial(rq.queue_rows, conn),
            cache_rows=CACHE_ROWS,
        )
        self._cursor: tuple[float, int] | None = None
        self._more = True
        self._rows.extend(self._read_page().rows)  # the queue opens full

    # -- loading ---------------------------------------------------------------

    @property
    def queue_filter(self) -> rq.QueueFilter:
        return self._filter

    def set_filter(self, queue: rq.QueueFilter) -> None:
        """Show another queue; the first page is read at once."""
        self._filter = queue
        self.reload()

    def reload(self) -> None:
        """Start again from the top (after a link run or an import)."""
        self.beginResetModel()
        self._rows.clear()
        self._cursor = None
        self._more = True
        self._rows.extend(self._read_page().rows)
        self.endResetModel()

    def _read_page(self) -> rq.QueuePage:
        page = rq.queue_page(
            self._conn, self._filter, after=self._cursor, limit=PAGE_SIZE
        )
        self._cursor = page.cursor
        self._more = page.cursor is not None
        return page

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        page = self._read_page()
        if not page.rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    # -- rows ------------------------------------------------------------------

    def row(self, row: int) -> rq.QueueRow | None:
        """The row's data, read back from the workspace if it left the cache."""
        return self._rows.get(row)

    def pair_id(self, row: int) -> int | None:
        return self._rows.key(row)

    def row_of(self, pair_id: int) -> int | None:
        """Row number of a loaded pair."""
        return self._rows.index_of(pair_id)

    def set_state(self, pair_id: int, state: str | None) -> None:
        """Show a decision at once, before the write reaches the workspace."""
        row = self.row_of(pair_id)
        if row is None:
            return
        current = self.row(row)
        if current is not None and current.state != state:
            self._rows.remember(replace(current, state=state))
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt model API ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "state":
                return STATE_TEXT.get(row.state, row.state)
            if column == "probability":
                return f"{row.probability:.3f}"
            value = getattr(row, column)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"Pair {row.pair_id}: {row.left_source} {row.left_record_id} / "
                f"{row.right_source} {row.right_record_id}"
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == "state":
            return STATE_COLOURS.get(row.state or "")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "probability":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.PairIdRole:
            return row.pair_id
        return None

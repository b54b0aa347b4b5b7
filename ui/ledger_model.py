"""The decision ledger as a lazy table: seqs, a bounded cache, pages on demand.

A county's ledger holds an entry per automatic link, millions of them, and an
auditor scrolls it on an office PC. So the model never loads it: it keeps the
seqs it has listed and a bounded window of their rows (``ui.loaded_rows``,
shared with the review queue), and reads the next page by keyset as the view
reaches the end (Spyder's ``fetchMore``).

Given the workspace's path, pages are read on a pool thread with their own
connection: a filter no index serves (a score band or a source pair over
millions of automatic links) can scan for seconds, and the window must not
freeze meanwhile. Without a path (tests, small tools) reads are immediate.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from app import ledger_queries as lq
from app.workspace import open_workspace
from app.workspace.core import Connection
from ui.loaded_rows import LoadedRows
from ui.tasks import run_in_background

PAGE_SIZE = 500
CACHE_ROWS = 5000

Index = QModelIndex | QPersistentModelIndex

COLUMNS = (
    ("seq", "#"),
    ("at", "When (UTC)"),
    ("actor", "Who"),
    ("kind", "Decision"),
    ("probability", "Score"),
    ("records", "Records"),
    ("reason", "Reason"),
)
COLUMN_WIDTHS = (64, 148, 110, 84, 56, 250)
KIND_COLOURS = {
    "match": QColor("#1b7f3b"),
    "non-match": QColor("#b3261e"),
    "unsure": QColor("#8a5a00"),
    "reversal": QColor("#6a1b9a"),
}


def when_text(at: str) -> str:
    """2026-11-26T03:50:12.123456Z -> 2026-11-26 03:50:12 (still UTC)."""
    return at[:19].replace("T", " ")


def read_page_job(
    path: Path,
    ledger_filter: lq.LedgerFilter,
    before: int | None,
    generation: int,
    **_task: Any,
) -> tuple[int, lq.LedgerPage]:
    """One page, on a pool thread with its own read-only connection."""
    conn = open_workspace(path, readonly=True)
    try:
        page = lq.ledger_page(conn, ledger_filter, before=before, limit=PAGE_SIZE)
        return generation, page
    finally:
        conn.close()


class LedgerModel(QAbstractTableModel):
    """Entries matching one ``LedgerFilter``, newest first, a page at a time."""

    SeqRole = Qt.ItemDataRole.UserRole + 1
    page_loaded = Signal()  # a page read in the background has arrived
    page_failed = Signal(str)

    def __init__(
        self,
        conn: Connection,
        ledger_filter: lq.LedgerFilter | None = None,
        parent: Any = None,
        *,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._path = path  # read pages in the background from this file
        self._filter = ledger_filter or lq.LedgerFilter()
        self._rows: LoadedRows[lq.LedgerRow] = LoadedRows(
            lambda row: row.seq,
            partial(lq.ledger_rows, conn),
            cache_rows=CACHE_ROWS,
        )
        self._cursor: int | None = None
        self._more = True
        self._loading = False
        self._generation = 0  # a read for an older filter is thrown away
        if path is None:
            self._rows.extend(self._read_page().rows)
        else:
            self._start_read()

    @property
    def loading(self) -> bool:
        """A page is being read in the background."""
        return self._loading

    @property
    def ledger_filter(self) -> lq.LedgerFilter:
        return self._filter

    def set_filter(self, ledger_filter: lq.LedgerFilter) -> None:
        self._filter = ledger_filter
        self.reload()

    def reload(self) -> None:
        """Start again from the newest entry (after a filter or a write)."""
        self.beginResetModel()
        self._rows.clear()
        self._cursor = None
        self._more = True
        self._generation += 1
        self._loading = False
        if self._path is None:
            self._rows.extend(self._read_page().rows)
        self.endResetModel()
        if self._path is not None:
            self._start_read()

    def _start_read(self) -> None:
        if self._loading or self._path is None:
            return
        self._loading = True
        # Bound methods, not closures: Qt drops them if the model is gone first.
        run_in_background(
            partial(
                read_page_job,
                self._path,
                self._filter,
                self._cursor,
                self._generation,
            ),
            on_done=self._on_page_read,
            on_error=self._on_page_error,
        )

    def _on_page_read(self, result: tuple[int, lq.LedgerPage]) -> None:
        generation, page = result
        if generation != self._generation:
            return  # read for a filter (or a position) since replaced
        self._loading = False
        self._cursor = page.cursor
        self._more = page.cursor is not None
        self._insert(page)
        self.page_loaded.emit()

    def _on_page_error(self, exc: BaseException, _tb: str) -> None:
        self._loading = False
        self._more = False
        self.page_failed.emit(f"{type(exc).__name__}: {exc}")

    def _insert(self, page: lq.LedgerPage) -> None:
        if not page.rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def fetch_more_now(self) -> bool:
        """Read the next page here and now (to reach one entry); False at the end."""
        if not self._more:
            return False
        self._generation += 1  # a background read of the same page is dropped
        self._loading = False
        self._insert(self._read_page())
        return True

    def _read_page(self) -> lq.LedgerPage:
        page = lq.ledger_page(
            self._conn, self._filter, before=self._cursor, limit=PAGE_SIZE
        )
        self._cursor = page.cursor
        self._more = page.cursor is not None
        return page

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        if self._path is not None:
            self._start_read()
            return
        self._insert(self._read_page())

    def row(self, row: int) -> lq.LedgerRow | None:
        """The row's data, read back with its neighbours if it left the cache."""
        return self._rows.get(row)

    def seq(self, row: int) -> int | None:
        return self._rows.key(row)

    def row_of(self, seq: int) -> int | None:
        return self._rows.index_of(seq)

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
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _text(self, row: lq.LedgerRow, column: str) -> str:
        if column == "seq":
            return str(row.seq)
        if column == "at":
            return when_text(row.at)[:16]  # to the minute; the pane has seconds
        if column == "records":
            return row.records_text
        if column == "probability":
            return "" if row.probability is None else f"{row.probability:.3f}"
        if column == "reason":
            if row.kind == "reversal":
                return f"reverses #{row.reverses}: {row.note or ''}"
            return row.reason_code or ""
        return str(getattr(row, column) or "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Entry {row.seq} by {row.actor} (OS account {row.os_user})"
        if role == Qt.ItemDataRole.ForegroundRole and column == "kind":
            return KIND_COLOURS.get(row.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            "seq",
            "probability",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.SeqRole:
            return row.seq
        return None

"""Ledger: every decision with who, when, on what evidence, and the chain check.

The auditor's page. Filters narrow the ledger (millions of entries: the table
pages in as it scrolls), the pane beside it shows one entry exactly as the
ledger keeps it, and "Verify chain" walks the whole hash chain in the
background and says whether anyone changed history. Nothing here writes, so
the page is the same in audit (read-only) mode and in normal mode.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import ledger_queries as lq
from app.workspace import open_workspace
from ui.actions import page_action
from ui.ledger_detail import detail_html, verify_text
from ui.ledger_filters import LedgerFilters
from ui.ledger_model import COLUMN_WIDTHS, LedgerModel
from ui.tasks import Task, run_in_background

HEADER_KEY = "ledger.table"
SPLITTER_KEY = "ledger.splitter"
INTRO = (
    "Every decision ever made here, newest first: a person's match, non-match "
    "or unsure, splits, merges, reversals, and each link the model made. "
    "Nothing is ever changed or removed; Verify chain checks that."
)


def count_job(
    path: Any, ledger_filter: lq.LedgerFilter, **_task: Any
) -> tuple[lq.LedgerFilter, int]:
    """Counting may read the whole ledger: a pool thread, its own connection."""
    conn = open_workspace(path, readonly=True)
    try:
        return ledger_filter, lq.count_matching(conn, ledger_filter)
    finally:
        conn.close()


class LedgerPage(QWidget):
    """Filters, the lazy ledger table, one entry in full, and Verify chain."""

    title = "Ledger"

    def __init__(self, session: Any, settings: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.detail: lq.EntryDetail | None = None
        self._stale = False
        self._verify: Task | None = None
        heading = QLabel("Ledger", self)
        heading.setProperty("role", "heading")
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.filters = LedgerFilters(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("ledger_count")
        self._keep: int | None = None  # the entry to select once its page is in
        self.model = LedgerModel(
            session.read, self.filters.current(), self, path=session.path
        )
        self.model.page_loaded.connect(self._on_page_loaded)
        self.model.page_failed.connect(self._on_page_failed)
        self.table = QTableView(self)
        self.table.setObjectName("ledger_table")
        self.table.setAccessibleName("Ledger entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.entry = QTextBrowser(self)
        self.entry.setObjectName("ledger_entry")
        self.entry.setAccessibleName("Selected entry")
        self.entry.setOpenLinks(False)
        self.identity_button = QPushButton("Open &identity", self)
        self.other_button = QPushButton("Open &other identity", self)
        self.pair_button = QPushButton("Open &pair", self)
        self.verify_button = QPushButton("&Verify chain", self)
        self.verify_result = QLabel(self)
        self.verify_result.setObjectName("verify_result")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._actions = self._make_actions()
        self._layout(heading, intro)
        self.filters.filter_changed.connect(self._on_filter_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.identity_button.clicked.connect(self.open_identity)
        self.other_button.clicked.connect(self.open_other_identity)
        self.pair_button.clicked.connect(self.open_pair)
        self.verify_button.clicked.connect(self.verify_chain)
        session.data_changed.connect(self._on_data_changed)
        self._refresh_choices()
        self._restore_state()
        self._show_entry(None)
        self._count()

    def _layout(self, heading: QLabel, intro: QLabel) -> None:
        right = QWidget(self)
        buttons = QHBoxLayout()
        for button in (self.identity_button, self.other_button, self.pair_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.entry, 1)
        side.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setSizes([760, 600])  # kept in proportion on resize
        check = QHBoxLayout()
        check.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)
        check.addWidget(self.verify_result, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(check)

    def _make_actions(self) -> list[QAction]:
        act = partial(page_action, self)

        return [
            act("&Verify chain", ["Ctrl+Shift+V"], self.verify_chain,
                "Walk the hash chain and the records decisions rest on"),
            act("Open the entry's &identity", ["Ctrl+Shift+I"], self.open_identity,
                "Show the identity the entry's record is in now"),
            act("Open the entry's &pair", ["Ctrl+Shift+P"], self.open_pair,
                "Show the scored pair the entry decided"),
        ]  # fmt: skip

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    # -- listing ---------------------------------------------------------------

    def _refresh_choices(self) -> None:
        read = self.session.read
        self.filters.set_choices(lq.reviewers(read), lq.source_names(read))

    def _on_filter_changed(self, ledger_filter: lq.LedgerFilter) -> None:
        self.model.set_filter(ledger_filter)
        self._show_entry(None)
        self._count()

    def _count(self) -> None:
        self.count_label.setText("Counting…")
        # Bound methods, not closures: Qt drops them if the page is gone first.
        run_in_background(
            partial(count_job, self.session.path, self.model.ledger_filter),
            on_done=self._on_counted,
            on_error=self._on_count_failed,
        )

    def _on_counted(self, result: tuple[lq.LedgerFilter, int]) -> None:
        counted, count = result
        if counted == self.model.ledger_filter:  # else a newer count is coming
            self.count_label.setText(f"{count:,} entries")

    def _on_count_failed(self, exc: BaseException, _tb: str) -> None:
        self.count_label.setText(f"Not counted: {exc}")

    def _on_data_changed(self, _what: str) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Re-read from the newest entry, keeping the entry shown if listed."""
        self._stale = False
        self._keep = None if self.detail is None else self.detail.row.seq
        self._refresh_choices()
        self.model.reload()  # pages arrive in the background: _on_page_loaded
        self._count()

    def _on_page_loaded(self) -> None:
        if self._keep is None:
            return
        row = self.model.row_of(self._keep)
        if row is not None:
            self._keep = None
            self.table.selectRow(row)
        elif not self.model.canFetchMore():  # read to the end: it is not listed
            self._keep = None
            self._show_entry(None)

    def _on_page_failed(self, message: str) -> None:
        self.count_label.setText(f"Could not read the ledger: {message}")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- one entry -------------------------------------------------------------

    def select_seq(self, seq: int) -> bool:
        """Select an entry if it is listed (scrolling pages in as needed)."""
        while (row := self.model.row_of(seq)) is None and self.model.fetch_more_now():
            pass
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        seq = self.model.seq(current.row())
        self._show_entry(
            None if seq is None else lq.entry_detail(self.session.read, seq)
        )

    def _show_entry(self, detail: lq.EntryDetail | None) -> None:
        self.detail = detail
        if detail is None:
            self.entry.setHtml("<p><i>Select an entry to see it in full.</i></p>")
        else:
            self.entry.setHtml(detail_html(detail))
        left = None if detail is None else detail.left_now
        right = None if detail is None else detail.right_now
        has_left = left is not None and left.identity_id is not None
        other = (
            right is not None
            and right.identity_id is not None
            and (left is None or right.identity_id != left.identity_id)
        )
        has_pair = detail is not None and detail.row.pair_id is not None
        self.identity_button.setEnabled(has_left)
        self.other_button.setEnabled(other)
        self.pair_button.setEnabled(has_pair)
        self._actions[1].setEnabled(has_left)
        self._actions[2].setEnabled(has_pair)

    def open_identity(self) -> None:
        d = self.detail
        if d is not None and d.left_now is not None and d.left_now.identity_id:
            self.session.identity_requested.emit(d.left_now.identity_id)

    def open_other_identity(self) -> None:
        d = self.detail
        if d is not None and d.right_now is not None and d.right_now.identity_id:
            self.session.identity_requested.emit(d.right_now.identity_id)

    def open_pair(self) -> None:
        if self.detail is not None and self.detail.row.pair_id is not None:
            self.session.pair_requested.emit(self.detail.row.pair_id)

    # -- verifying ---------------------------------------------------------------

    def verify_chain(self) -> None:
        """Verify in the background (a read-only connection of its own)."""
        if self._verify is not None:
            return
        self.verify_button.setEnabled(False)
        self.verify_result.setText("Verifying the chain…")
        self._verify = run_in_background(
            partial(lq.verify_workspace, self.session.path),
            on_done=self._on_verified,
            on_error=self._on_verify_failed,
        )

    def _on_verified(self, summary: lq.VerifySummary) -> None:
        self._verify = None
        self.verify_button.setEnabled(True)
        self.verify_result.setProperty("role", "" if summary.ok else "error")
        self.verify_result.style().unpolish(self.verify_result)
        self.verify_result.style().polish(self.verify_result)
        self.verify_result.setText(verify_text(summary))

    def _on_verify_failed(self, exc: BaseException, _tb: str) -> None:
        self._verify = None
        self.verify_button.setEnabled(True)
        self.verify_result.setText(f"Could not verify: {exc}")

    # -- state -----------------------------------------------------------------

    def _restore_state(self) -> None:
        state = getattr(self.settings, "header_state", None)
        if state is not None:
            self.table.horizontalHeader().restoreState(state(HEADER_KEY))
            self.splitter.restoreState(state(SPLITTER_KEY))

    def save_state(self) -> None:
        keep = getattr(self.settings, "set_header_state", None)
        if keep is not None:
            keep(HEADER_KEY, self.table.horizontalHeader().saveState())
            keep(SPLITTER_KEY, self.splitter.saveState())

"""The review page: the queue, the pair, and decisions at keyboard speed.

A records clerk answers hundreds of pairs a day, so every decision is one
key (M, N, U; S or Right to skip; Left to go back; Ctrl+Z / Ctrl+Shift+Z),
written the moment it is made (one transaction on the writer thread: ledger
entry and identity update together) while the next pair is already on
screen: its details were read ahead into a small cache while the reviewer
was looking at this one. The writer's ``data_changed`` then refreshes what
the decision may have changed (Anki's ``operation_did_execute``).
"""

from __future__ import annotations

from collections import OrderedDict
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import review_queries as rq
from app.decisions import REVIEW_REASON_CODES
from ui import review_prefs
from ui.actions import page_action
from ui.decision_bar import DecisionBar, Pace
from ui.pair_view import PairView
from ui.queue_counter import QueueCounter
from ui.queue_filters import QueueFilters
from ui.queue_model import SCORE_COLUMN, QueueModel
from ui.undo import DecisionStack

# Fixed widths (0 = share the rest): measuring contents would read every row.
COLUMN_WIDTHS = (90, 70, 0, 100, 100, 0, 100, 100)
HEADER_KEY = "review_queue"  # where the shell's settings keep the column widths
DETAILS_KEPT = 8  # pair details read ahead or kept for Left
PROGRESS_EVERY_MS = 2000  # the exact counts are re-read at most this often


class ReviewPage(QWidget):
    """Queue table, pair view and decision bar for one session."""

    title = "Review"
    counted = Signal()  # the queue counts and progress line were refreshed

    def __init__(
        self, session: Any, settings: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.filters = QueueFilters()
        self.model = QueueModel(session.read, self.filters.current(), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                self.table.setColumnWidth(column, width)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        saved = getattr(settings, "header_state", None)
        if saved is not None and not saved(HEADER_KEY).isEmpty():
            header.restoreState(saved(HEADER_KEY))
        self.pair_view = PairView()
        self.bar = DecisionBar()
        self.decisions = DecisionStack(session, self)
        self.pace = Pace()
        self._details: OrderedDict[int, rq.PairDetail] = OrderedDict()
        self._progress = rq.Progress(0, 0)
        self._progress_timer = QTimer(self, singleShot=True, interval=PROGRESS_EVERY_MS)
        self._progress_timer.timeout.connect(self.refresh_progress)
        self.counter = QueueCounter(session.path, session.actor, self)
        self.counter.counted.connect(self._on_counted)
        # Owned by the page, so a closed page never reads a closed workspace.
        self._ahead_timer = QTimer(self, singleShot=True, interval=0)
        self._ahead_timer.timeout.connect(self._read_ahead)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.pair_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.bar)

        self._actions = self._make_actions()
        for action in self._actions[:4]:
            self.bar.add_button(action)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.filters.filter_changed.connect(self._on_filter_changed)
        self.bar.note_finished.connect(self.table.setFocus)
        self.decisions.state_changed.connect(self._on_state_changed)
        self.decisions.revisited.connect(self.show_pair_id)
        self.decisions.failed.connect(self._on_state_changed)
        self.pair_view.identity_requested.connect(session.identity_requested)
        self.pair_view.record_requested.connect(session.record_requested)
        session.data_changed.connect(self._on_data_changed)
        session.pair_requested.connect(self.show_pair_id)
        session.write_failed.connect(self._on_write_failed)
        review_prefs.watch(settings, self.apply_prefs)
        self.filters.set_sources(rq.list_sources(session.read))
        self.apply_prefs()
        self._show_first()

    # -- actions ---------------------------------------------------------------

    def _make_actions(self) -> list[QAction]:
        act = partial(page_action, self)

        decide = self.decide
        actions = [
            act("&Match", ["M"], lambda: decide("match"), "The same person"),
            act("&Non-match", ["N"], lambda: decide("non-match"), "Different people"),
            act("&Unsure", ["U"], lambda: decide("unsure"), "Cannot tell; ask later"),
            act("&Skip", ["S", "Right"], lambda: self.step(1), "Next pair, no answer"),
            act("&Previous", ["Left"], lambda: self.step(-1), "Back one pair"),
            self.decisions.undo_action(self),
            self.decisions.redo_action(self),
            act(
                "Add a &note",
                ["Ctrl+Return", "Ctrl+Enter"],
                self.toggle_note,
                "Type a note for the next decision; Enter returns to the pair",
            ),
        ]
        self.original_action = act(
            "Show &original rows", ["O"], self.pair_view.show_original,
            "The two records as their files had them",
        )  # fmt: skip
        self.original_action.setCheckable(True)
        actions.append(self.original_action)
        for number, (code, text) in enumerate(REVIEW_REASON_CODES.items(), start=1):
            action = act(
                f"Reason: {text}", [str(number)],
                lambda _=False, i=number: self.bar.set_reason_index(i),
                f"Give '{code}' as the reason for the next decision",
            )  # fmt: skip
            actions.append(action)
        if self.session.readonly:  # audit mode: deciding is absent, not greyed
            for action in (*actions[:3], *actions[5:7]):  # M, N, U, undo, redo
                action.setEnabled(False)
                action.setVisible(False)
            self.bar.hide_deciding()
        return actions

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    # -- showing pairs -------------------------------------------------------------

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def _detail(self, pair_id: int) -> rq.PairDetail | None:
        detail = self._details.get(pair_id)
        if detail is None:
            detail = rq.pair_detail(self.session.read, pair_id)
            if detail is None:
                return None
            self._details[pair_id] = detail
        self._details.move_to_end(pair_id)
        while len(self._details) > DETAILS_KEPT:
            self._details.popitem(last=False)
        return detail

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pair_id = self.model.pair_id(current.row())
        self.pair_view.show_pair(None if pair_id is None else self._detail(pair_id))
        self._ahead_timer.start()

    def _read_ahead(self) -> None:
        """Read the next two pairs now, while the reviewer looks at this one."""
        row = self.current_row()
        for ahead in (row + 1, row + 2):
            if ahead >= self.model.rowCount() and self.model.canFetchMore():
                self.model.fetchMore()
            pair_id = self.model.pair_id(ahead)
            if pair_id is not None and pair_id not in self._details:
                self._detail(pair_id)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def step(self, delta: int) -> None:
        """Move to the next (+1) or previous (-1) pair in the queue."""
        row = self.current_row() + delta
        if row >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        if 0 <= row < self.model.rowCount():
            self.select_row(row)
        elif delta > 0:
            self.bar.show_message("That was the last pair in this queue.")

    def show_pair_id(self, pair_id: int) -> None:
        """Show a pair (from the queue if it is there, else on its own)."""
        row = self.model.row_of(pair_id)
        if row is not None:
            self.select_row(row)
        else:
            self.table.clearSelection()
            self.pair_view.show_pair(self._detail(pair_id))

    # -- deciding ------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        """Record the decision on the pair shown, then show the next pair."""
        detail = self.pair_view.detail()
        if detail is None:
            return
        if self.session.readonly:
            self.bar.show_message("This workspace is open read-only (audit mode).")
            return
        row = self.model.row_of(detail.pair_id)
        queued = None if row is None else self.model.row(row)
        standing = detail.standing
        if queued:
            previous = queued.state
        elif standing is not None and not standing.rereview:
            previous = standing.kind
        else:  # nothing standing, or it rests on values that changed since
            previous = "re-review" if standing is not None else None
        code, note = self.bar.take_reason()
        self.pace.tick()
        if row is not None and row == self.current_row():
            self.step(1)
            # Paint the next pair before the writer thread starts: its Python
            # work would otherwise share the GIL with this frame.
            self.pair_view.repaint()
        if previous != decision or code or note:
            self.decisions.decide(
                detail.pair_id, decision, previous=previous, reason_code=code, note=note
            )

    def toggle_note(self) -> None:
        if self.bar.note.hasFocus():
            self.table.setFocus()
        else:
            self.bar.note.setFocus()

    def _on_state_changed(self, pair_id: int, state: str | None) -> None:
        row = self.model.row_of(pair_id)
        before = None if row is None else self.model.row(row)
        was = None if before is None else before.state
        self.model.set_state(pair_id, state)
        waiting = self._progress.waiting + (was is not None) - (state is not None)
        today = self._progress.decided_today + (state is not None) - (was is not None)
        self._progress = rq.Progress(max(today, 0), max(waiting, 0))
        self.bar.show_progress(
            self._progress.decided_today, self._progress.waiting, self.pace
        )

    # -- refreshing ------------------------------------------------------------------

    def _on_filter_changed(self, queue: rq.QueueFilter) -> None:
        self.model.set_filter(queue)
        self.filters.counts.setText("Counting…")
        self._show_first()

    def _show_first(self) -> None:
        self._details.clear()
        if self.model.rowCount():
            self.select_row(0)
        else:
            self.pair_view.show_pair(None)
        self.refresh_progress()

    def _on_data_changed(self, what: str) -> None:
        self._details.clear()
        if what in ("decision", "identity"):
            detail = self.pair_view.detail()
            if detail is not None:
                fresh = self._detail(detail.pair_id)
                if fresh != detail:
                    self.pair_view.show_pair(fresh)
            self._ahead_timer.start()
            if not self._progress_timer.isActive():
                self._progress_timer.start()
        else:  # an import or a link run: the queue itself changed
            self.filters.set_sources(rq.list_sources(self.session.read))
            self.decisions.clear()
            self._on_filter_changed(self.filters.current())

    def refresh_progress(self) -> None:
        """Re-count the queue and today's progress (off the GUI thread)."""
        self.counter.refresh(self.model.queue_filter)

    def _on_counted(self, progress: rq.Progress, counts: rq.QueueCounts) -> None:
        self._progress = progress
        self.filters.show_counts(counts)
        self.bar.show_progress(progress.decided_today, progress.waiting, self.pace)
        self.counted.emit()

    def _on_write_failed(self, exc: BaseException, _tb: str) -> None:
        self.bar.show_message(f"Not saved: {exc}")

    def apply_prefs(self) -> None:
        hide = review_prefs.hide_scores(self.settings)
        self.pair_view.set_hide_scores(hide)
        self.pair_view.set_high_contrast(review_prefs.high_contrast(self.settings))
        self.table.setColumnHidden(SCORE_COLUMN, hide)

    def save_state(self) -> None:
        """Remember the queue's column widths (the window calls this on close)."""
        keep = getattr(self.settings, "set_header_state", None)
        if keep is not None:
            keep(HEADER_KEY, self.table.horizontalHeader().saveState())

    def initial_focus(self) -> QWidget:
        """The queue: M, N, U and the arrows work at once, not on a filter box."""
        return self.table

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.apply_prefs()
        self.table.setFocus()

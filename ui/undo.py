"""A real multi-step undo for review decisions, on Qt's QUndoStack.

Undo never deletes: it appends a reversal to the ledger
(``app.decisions.reverse(seq, reason="undo")``) and redo decides again, so
the audit trail shows the slip and its correction. Every step is a write on
the session's single writer thread, in key-press order; a step's ledger seq
is recorded *on that thread* as the write completes, so Ctrl+Z pressed
before the decision has reached the disk still undoes the right entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from app.decisions import decide_pair, reverse
from app.workspace.core import Connection

DECISION_WORDS = {"match": "Match", "non-match": "Non-match", "unsure": "Unsure"}


@dataclass(slots=True)
class _Written:
    """The ledger seq of the step's latest decision; set on the writer thread."""

    seq: int | None = None


class DecisionCommand(QUndoCommand):
    """One decision on one pair; ``previous`` is the state it replaced."""

    def __init__(
        self,
        stack: DecisionStack,
        pair_id: int,
        decision: str,
        *,
        previous: str | None,
        reason_code: str | None,
        note: str | None,
    ) -> None:
        super().__init__(f"{DECISION_WORDS[decision]} on pair {pair_id}")
        self._stack = stack
        self.pair_id = pair_id
        self.decision = decision
        self.previous = previous
        self.reason_code = reason_code
        self.note = note
        self._written = _Written()
        self._first = True

    def redo(self) -> None:
        written, pair_id, decision = self._written, self.pair_id, self.decision
        reason_code, note = self.reason_code, self.note

        def write(conn: Connection) -> Any:
            outcome = decide_pair(
                conn, pair_id, decision, reason_code=reason_code, note=note
            )
            written.seq = outcome.seq
            return outcome

        self._stack.submit(write, self.pair_id, self.decision, before=self.previous)
        if not self._first:  # a redo, not the push itself
            self._stack.revisited.emit(self.pair_id)
        self._first = False

    def undo(self) -> None:
        written = self._written

        def write(conn: Connection) -> Any:
            if written.seq is None:  # the decision itself failed: nothing to undo
                return None
            outcome = reverse(conn, written.seq, reason="undo")
            written.seq = None
            return outcome

        self._stack.submit(write, self.pair_id, self.previous, before=self.decision)
        self._stack.revisited.emit(self.pair_id)


class DecisionStack(QObject):
    """Decisions the reviewer can undo and redo, step by step.

    ``state_changed(pair_id, state)`` fires as soon as a step is queued (the
    view updates at once); ``written(pair_id)`` fires when it is on disk.
    """

    state_changed = Signal(int, object)  # pair id, standing decision or None
    written = Signal(int)
    revisited = Signal(int)  # an undo or redo: the reviewer should see that pair
    # The write was refused (read-only file, an unknown pair...): the pair is
    # shown in its state before the step again. Emitted from the writer
    # thread; Qt queues it onto the GUI thread.
    failed = Signal(int, object)  # pair id, the state it is back in

    def __init__(self, session: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.stack = QUndoStack(self)

    def decide(
        self,
        pair_id: int,
        decision: str,
        *,
        previous: str | None,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> None:
        """Record a decision now (pushing runs it) and make it undoable."""
        self.stack.push(
            DecisionCommand(
                self,
                pair_id,
                decision,
                previous=previous,
                reason_code=reason_code,
                note=note,
            )
        )

    def submit(
        self, fn: Any, pair_id: int, state: str | None, *, before: str | None
    ) -> None:
        self.state_changed.emit(pair_id, state)

        def guarded(conn: Connection) -> Any:
            try:
                return fn(conn)
            except Exception:
                self.failed.emit(pair_id, before)
                raise  # still reported through session.write_failed

        self._session.write(
            guarded, changed="decision", on_done=lambda _r: self.written.emit(pair_id)
        )

    def undo_action(self, parent: QObject) -> QAction:
        action = self.stack.createUndoAction(parent, "Undo")
        action.setShortcut(QKeySequence("Ctrl+Z"))
        return action

    def redo_action(self, parent: QObject) -> QAction:
        action = self.stack.createRedoAction(parent, "Redo")
        action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        return action

    def clear(self) -> None:
        self.stack.clear()

"""The open workspace as the GUI sees it: who, where, read and write paths.

Reads (a page of the queue, one pair's details) are small indexed queries and
run on the GUI thread through a read-only connection, so the next pair shows
at once. Writes go through the ``WriteQueue``'s own connection; long jobs
(import, link) open their own connection in a background task. After any
write, ``data_changed`` tells each view to refresh what it shows (Anki's
``operation_did_execute``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.actor import Actor
from app.workspace import Connection, open_workspace
from ui.tasks import WriteQueue

# How long a write waits for a running import or link to commit.
WRITER_WAIT_MS = 10 * 60 * 1000


class Session(QObject):
    """One open workspace for one reviewer (or one auditor, read-only)."""

    data_changed = Signal(str)  # what changed: "import", "link", "decision", ...
    write_failed = Signal(object, str)  # exception, traceback
    # Navigation any page may ask for; the main window shows the right page.
    identity_requested = Signal(int)  # identity id
    pair_requested = Signal(int)  # pair id
    record_requested = Signal(int)  # record key

    def __init__(self, path: Path, actor: Actor, *, readonly: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.actor = actor
        self.readonly = readonly
        if not readonly:
            # Creates and migrates on first use, before any reader opens it.
            open_workspace(
                self.path, create=True, actor=actor, purpose="workstation"
            ).close()
        self.read: Connection = open_workspace(self.path, readonly=True, actor=actor)
        self.writes = WriteQueue(self.open_writer)

    def open_writer(self) -> Connection:
        """A new writable connection (for the writer thread or a background job).

        An import or link holds the write lock for its whole transaction (one
        job, one transaction), so a decision made meanwhile must wait for its
        commit rather than fail after SQLite's usual 10 s: it waits up to
        ``WRITER_WAIT_MS`` on the writer thread, the GUI never does.
        """
        if self.readonly:
            from app.workspace import WorkspaceError

            raise WorkspaceError(f"{self.path.name} is open read-only (audit mode).")
        conn = open_workspace(self.path, actor=self.actor)
        conn.conn.execute(f"PRAGMA busy_timeout = {WRITER_WAIT_MS}")
        return conn

    def write(
        self,
        fn: Callable[[Connection], Any],
        *,
        changed: str,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
    ) -> None:
        """Run ``fn(conn)`` on the writer thread; then announce ``changed``.

        A failure goes to ``on_error`` when given, else to ``write_failed``;
        either way both handlers are disconnected, so none accumulate.
        """
        marker = object()

        def _disconnect() -> None:
            self.writes.done.disconnect(_done)
            self.writes.failed.disconnect(_failed)

        def _done(token: object, result: Any) -> None:
            if token is marker:
                _disconnect()
                if on_done is not None:
                    on_done(result)
                self.data_changed.emit(changed)

        def _failed(token: object, exc: BaseException, tb: str) -> None:
            if token is marker:
                _disconnect()
                if on_error is not None:
                    on_error(exc, tb)
                else:
                    self.write_failed.emit(exc, tb)

        self.writes.done.connect(_done)
        self.writes.failed.connect(_failed)
        self.writes.submit(fn, marker)

    def close(self) -> None:
        self.writes.close()
        self.read.close()

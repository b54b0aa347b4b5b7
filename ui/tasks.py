"""Work off the GUI thread: long jobs with progress and Cancel, and one writer.

Two shapes, as in Anki's taskman and Datasette's write thread:

* ``run_in_background(fn, ...)``: a long job (import, link) on the global
  thread pool. ``fn`` receives ``on_progress`` and ``cancel`` keyword
  arguments (the plain callables ``app`` expects) and opens its own workspace
  connection, since sqlite3 connections belong to one thread.
* ``WriteQueue``: one thread that owns the session's write connection and runs
  small writes (a decision, an undo) in order, so the GUI never waits on disk.

Results come back as Qt signals, which Qt delivers queued on the GUI thread.
Never call widgets from ``fn``.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class TaskSignals(QObject):
    progress_changed = Signal(str, int, int)  # stage, done, total
    finished = Signal(object)  # the function's result
    failed = Signal(object, str)  # the exception, its formatted traceback


class Task(QRunnable):
    """One background call; ``cancel()`` asks it to stop at its next check."""

    def __init__(self, fn: Callable[..., Any], *, throttle_s: float = 0.1) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self._throttle = throttle_s
        self._last = 0.0
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, stage: str, done: int, total: int) -> None:
        # At most ~10 updates a second: a signal per row would flood the GUI.
        now = time.monotonic()
        if now - self._last >= self._throttle or (total and done >= total):
            self._last = now
            self.signals.progress_changed.emit(stage, done, total)

    def run(self) -> None:
        try:
            result = self.fn(on_progress=self._progress, cancel=self._cancel.is_set)
        except BaseException as exc:  # reported to the GUI, never lost
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


def run_in_background(
    fn: Callable[..., Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException, str], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn(on_progress=..., cancel=...)`` on a pool thread; returns the task."""
    task = Task(fn)
    if on_done is not None:
        task.signals.finished.connect(on_done)
    if on_error is not None:
        task.signals.failed.connect(on_error)
    if on_progress is not None:
        task.signals.progress_changed.connect(on_progress)
    (pool or QThreadPool.globalInstance()).start(task)
    return task


class WriteQueue(QObject):
    """Serialises small writes on one thread that owns the write connection.

    ``submit(fn, token)`` runs ``fn(conn)`` on the writer thread, in
    submission order; ``done`` or ``failed`` is emitted with the token and
    delivered on the GUI thread. A plain thread, not a pool: a sqlite3
    connection must be used by the thread that opened it.
    """

    done = Signal(object, object)  # token, result
    failed = Signal(object, object, str)  # token, exception, traceback

    def __init__(self, open_connection: Callable[[], Any]) -> None:
        super().__init__()
        self._open = open_connection
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], object] | None] = (
            queue.Queue()
        )
        self._thread = threading.Thread(
            target=self._serve, name="workspace-writer", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        conn: Any = None
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    if conn is not None:
                        conn.close()
                    return
                fn, token = job
                try:
                    if conn is None:
                        conn = self._open()
                    result = fn(conn)
                except BaseException as exc:  # reported, never lost
                    self.failed.emit(token, exc, traceback.format_exc())
                else:
                    self.done.emit(token, result)
            finally:
                self._jobs.task_done()

    def submit(self, fn: Callable[[Any], Any], token: object = None) -> None:
        self._jobs.put((fn, token))

    def pending(self) -> int:
        return self._jobs.unfinished_tasks

    def wait(self) -> None:
        """Block until queued writes are done (on close, and in tests)."""
        self._jobs.join()

    def close(self) -> None:
        """Finish queued writes, then close the connection on its own thread."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

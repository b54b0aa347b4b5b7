"""The pool long write jobs (import, link) run on: one at a time.

An import holds the workspace's write lock for its whole transaction, and a
link writes its result in one. Run side by side, the second would wait on
SQLite's busy timeout and then fail with "database is locked"; queued on a
one-thread pool, it simply starts when the first ends (Anki's taskman:
"tasks that access the collection are serialized"). Short reads such as a
file preview use the global pool and never wait here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QThreadPool, QTimer
from PySide6.QtWidgets import QWidget, QWizard

_pool: QThreadPool | None = None


def write_jobs() -> QThreadPool:
    """The shared one-thread pool for jobs that write the workspace."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setObjectName("write-jobs")
    return _pool


class JobGuard(QObject):
    """Knows whether a window runs a long job, and can stop them all, then act.

    Closing a workspace or quitting while an import or link runs must not
    block the GUI thread on it: the jobs are asked to cancel (they roll back
    at their next check) and the pending action runs once they have stopped.
    Anything with ``is_busy()``/``cancel_work()`` (pages) or
    ``is_running()``/``reject()`` (wizards) takes part.
    """

    def __init__(self, window: QWidget, parts: Callable[[], Iterable[QObject]]) -> None:
        super().__init__(window)
        self._window = window
        self._parts = parts
        self._timer: QTimer | None = None

    def _members(self) -> list[QObject]:
        return [*self._parts(), *self._window.findChildren(QWizard)]

    def busy(self) -> bool:
        for part in self._members():
            check = getattr(part, "is_busy", None) or getattr(part, "is_running", None)
            if check is not None and check():
                return True
        return False

    def stop_all_then(self, then: Callable[[], object]) -> None:
        for part in self._members():
            if getattr(part, "is_running", lambda: False)():
                part.reject()  # type: ignore[attr-defined]
            elif hasattr(part, "cancel_work"):
                part.cancel_work()
        self._timer = QTimer(self)
        self._timer.setInterval(100)  # poll; jobs report back within a batch
        self._timer.timeout.connect(lambda: self._when_idle(then))
        self._timer.start()

    def _when_idle(self, then: Callable[[], object]) -> None:
        if self._timer is not None and not self.busy():
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None
            then()

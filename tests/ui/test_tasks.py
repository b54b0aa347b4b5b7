"""ui/tasks.py: background jobs report results, failures and progress safely."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread, QThreadPool
from PySide6.QtWidgets import QApplication

from matching.progress import Cancelled
from ui.tasks import Task, WriteQueue, run_in_background


@pytest.fixture
def pool() -> Any:
    """A private pool, so a stuck test job cannot starve the others."""
    result = QThreadPool()
    yield result
    result.waitForDone(10_000)


def test_result_arrives_on_the_gui_thread(qtbot: Any, pool: QThreadPool) -> None:
    """Slots touch widgets, so results must be delivered on the GUI thread."""
    # Callbacks are connected before the job starts; a waitSignal opened after
    # run_in_background could miss a job that is faster than the test.
    results: list[tuple[object, Any]] = []

    def done(result: object) -> None:
        results.append((result, QThread.currentThread()))

    run_in_background(lambda **_: 42, on_done=done, pool=pool)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [(42, QApplication.instance().thread())]


def test_failure_is_reported_with_its_traceback(qtbot: Any, pool: QThreadPool) -> None:
    """A job that raises is never lost: the GUI gets the exception to show."""

    def fails(**_: Any) -> None:
        raise ValueError("bad input on line 3")

    failures: list[tuple[BaseException, str]] = []
    run_in_background(fails, on_error=lambda e, tb: failures.append((e, tb)), pool=pool)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    exc, tb = failures[0]
    assert isinstance(exc, ValueError)
    assert "bad input on line 3" in tb
    assert "Traceback" in tb


def test_cancel_stops_a_job_at_its_next_check(qtbot: Any, pool: QThreadPool) -> None:
    """Cancel is cooperative: the job sees it and raises Cancelled (and rolls back)."""
    started = threading.Event()

    def loops(*, on_progress: Any, cancel: Any) -> str:
        started.set()
        while not cancel():
            threading.Event().wait(0.01)  # a unit of work, on the pool thread
        raise Cancelled

    task = run_in_background(loops, pool=pool)
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert not task.is_cancelled()
    with qtbot.waitSignal(task.signals.failed, timeout=5000) as blocker:
        task.cancel()
    assert isinstance(blocker.args[0], Cancelled)
    assert task.is_cancelled()


def test_progress_is_throttled_but_the_end_always_arrives(
    qtbot: Any, pool: QThreadPool
) -> None:
    """A signal per row would flood the GUI; ~10 a second is enough, plus 100 %."""
    seen: list[tuple[str, int, int]] = []

    def busy(*, on_progress: Any, cancel: Any) -> None:
        for done in range(1, 20_001):
            on_progress("comparing", done, 20_000)

    finished: list[object] = []
    run_in_background(
        busy,
        on_progress=lambda *a: seen.append(tuple(a)),
        on_done=finished.append,
        pool=pool,
    )
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    assert seen[-1] == ("comparing", 20_000, 20_000)
    assert len(seen) < 100  # 20,000 calls, a handful of signals


def test_task_keeps_its_own_cancel_flag() -> None:
    """Each job has its own Cancel: stopping one import never stops a link."""
    first, second = Task(lambda **_: None), Task(lambda **_: None)
    first.cancel()
    assert first.is_cancelled()
    assert not second.is_cancelled()


def test_write_queue_runs_writes_in_order(qtbot: Any) -> None:
    """Decisions are written in the order they were made, on one thread."""
    done: list[object] = []
    threads: set[str] = set()

    def write(value: int) -> Any:
        def run(conn: object) -> int:
            threads.add(threading.current_thread().name)
            return value

        return run

    class Connection:
        def close(self) -> None:
            pass

    queue = WriteQueue(Connection)
    queue.done.connect(lambda token, result: done.append((token, result)))
    for i in range(5):
        queue.submit(write(i), token=f"t{i}")
    queue.wait()
    qtbot.waitUntil(lambda: len(done) == 5, timeout=5000)
    queue.close()
    assert done == [(f"t{i}", i) for i in range(5)]
    assert threads == {"workspace-writer"}

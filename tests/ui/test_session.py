"""The session's writer: writes wait for a long job's commit instead of failing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.actor import Actor
from app.workspace import Connection, open_workspace
from ui.session import Session


def test_a_write_waits_for_a_running_job_to_commit(qtbot, tmp_path: Path) -> None:
    """A decision made while a link holds the write lock waits, not fails."""
    session = Session(tmp_path / "w.rmws", Actor("ann", "ann"))
    locked, released = threading.Event(), threading.Event()

    def job() -> None:
        # A job's one transaction holds the write lock for a while.
        conn = open_workspace(session.path)
        conn.conn.execute("BEGIN IMMEDIATE")
        conn.conn.execute(
            "INSERT INTO workspace_info (key, value) VALUES ('job', 'ran')"
        )
        locked.set()
        time.sleep(1.0)
        conn.conn.execute("COMMIT")
        released.set()
        conn.close()

    worker = threading.Thread(target=job)
    worker.start()
    assert locked.wait(10)
    results: list[object] = []

    def decide(conn: Connection) -> str | None:
        with conn.transaction():  # reads, then writes: must wait, not fail
            seen = conn.info("job")
            conn.set_info("decision", "made")
        return seen

    with qtbot.waitSignal(session.data_changed, timeout=15_000):
        session.write(decide, changed="decision", on_done=results.append)
    worker.join()
    assert released.is_set()
    assert results == ["ran"], "the write ran after the job committed, and saw it"
    session.close()

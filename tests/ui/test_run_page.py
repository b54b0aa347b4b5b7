"""The Run page: link in the background, report the run, cancel cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer

from app import overview
from tests.conftest import snapshot
from ui.run_page import RunPage
from ui.run_report import STAGES


def make_page(qtbot: Any, session: Any, settings: Any) -> RunPage:
    page = RunPage(session, settings)
    qtbot.addWidget(page)
    page.show()
    return page


def test_run_page_links_the_sample_and_shows_the_summary(
    qtbot: Any, session: Any, settings: Any
) -> None:
    """Link runs off the GUI thread, every stage reports, the report follows."""
    page = make_page(qtbot, session, settings)
    assert "not been linked yet" in page.report.toPlainText()
    stages: list[str] = []
    page_bars_seen = lambda stage, *_: stages.append(stage)  # noqa: E731
    ticks: list[int] = []
    clock = QTimer(page)
    clock.setInterval(20)
    clock.timeout.connect(lambda: ticks.append(1) if page.is_busy() else None)
    clock.start()

    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    assert page.is_busy()
    assert not page.link_button.isEnabled()
    assert page.cancel_button.isEnabled()
    page._task.signals.progress_changed.connect(page_bars_seen)
    changes: list[str] = []
    session.data_changed.connect(changes.append)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=180_000)
    clock.stop()
    assert "Linked:" in page.status.text(), page.status.text()
    assert changes == ["link"]  # every page hears that the identities changed

    # The window stayed responsive: its own timer kept firing during the run.
    assert ticks
    assert {"blocking", "scoring", "clustering"} <= set(stages)
    assert all(page.bars[s].format() == "done" for s in STAGES)
    text = page.report.toPlainText()
    for words in ("Run 1 finished", "Candidate pairs scored", "Auto-linked pairs",
                  "Waiting for a person", "Thresholds", "Identities",
                  "Candidate pairs by blocking rule", "Time taken"):  # fmt: skip
        assert words in text, words
    stored = overview.last_run_report(session.read)
    assert stored is not None
    assert stored.run_id == 1
    assert f"{stored.candidate_pairs:,}" in text
    assert page.link_button.isEnabled()
    assert not page.cancel_button.isEnabled()
    assert "Linked:" in page.status.text()


def test_cancel_stops_a_running_link_and_changes_nothing(
    qtbot: Any, session: Any, settings: Any, workspace: Path
) -> None:
    """Cancel mid-run rolls the whole run back: the database dump is identical."""
    page = make_page(qtbot, session, settings)
    before = snapshot(workspace)
    page.start_link()
    stages: list[str] = []

    def on_progress(stage: str, done: int, total: int) -> None:
        stages.append(stage)
        page.cancel_work()  # at the first sign of a running engine

    page._task.signals.progress_changed.connect(on_progress)
    with qtbot.waitSignal(page._task.signals.failed, timeout=180_000):
        pass
    assert stages  # it was running when cancelled
    assert "Cancelled" in page.status.text()
    assert not page.is_busy()
    assert page.link_button.isEnabled()
    assert snapshot(workspace) == before
    assert overview.last_run_report(session.read) is None


def test_last_run_is_reported_when_the_page_opens(
    qtbot: Any, linked_session: Any, settings: Any
) -> None:
    """A reviewer opening the workspace sees the last run without re-running it."""
    page = make_page(qtbot, linked_session, settings)
    text = page.report.toPlainText()
    assert "Last run: run 1" in text
    assert "by builder" in text
    assert "Candidate pairs by blocking rule" in text
    assert not page.is_busy()


def test_audit_mode_cannot_link(
    qtbot: Any, linked_workspace: Path, settings: Any
) -> None:
    """An auditor's read-only session offers no Link (it would write)."""
    from app.actor import Actor
    from ui.session import Session

    session = Session(linked_workspace, Actor("auditor", "auditor"), readonly=True)
    try:
        page = make_page(qtbot, session, settings)
        assert not page.link_button.isEnabled()
        assert not page.page_actions()[0].isEnabled()
        page.start_link()
        assert not page.is_busy()
        assert "Read-only" in page.status.text()
    finally:
        session.close()

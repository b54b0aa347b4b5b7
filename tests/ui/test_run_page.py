"""The Run page: link in the background, report the run, cancel cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer

from app import overview
from app.link_options import ThresholdOverrides, saved_overrides
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


def test_threshold_overrides_are_checked_before_linking(
    qtbot: Any, session: Any, settings: Any
) -> None:
    """Link is refused, with the reason shown, unless 0 < lower < upper < 1;
    empty fields leave both limits to the model."""
    page = make_page(qtbot, session, settings)
    fields = page.thresholds
    assert fields.overrides() is not None
    assert fields.overrides().empty
    assert page.link_button.isEnabled()
    for upper, lower, words in (
        ("1.2", "", "between 0 and 1"),
        ("0.9", "0.95", "must be below the upper"),
        ("0.9", "abc", "threshold such as"),
        ("0", "", "between 0 and 1"),
    ):
        fields.upper.setText(upper)
        fields.lower.setText(lower)
        assert words in page.status.text(), (upper, lower)
        assert page.status.property("role") == "error"
        assert not page.link_button.isEnabled()
        page.start_link()
        assert not page.is_busy()
        assert words in page.status.text()
    fields.upper.setText("0,97")  # a decimal comma is read as a point
    fields.lower.setText("")
    assert fields.overrides() == ThresholdOverrides(0.97, None)
    assert fields.problem() == ""
    assert page.status.text() == "", "the reason goes once the values are right"
    assert page.link_button.isEnabled()


def test_link_uses_the_overrides_reports_and_remembers_them(
    qtbot: Any, session: Any, settings: Any
) -> None:
    """The run uses the typed limits, the report says a person set them, and
    the workspace remembers them for the next time the page opens."""
    page = make_page(qtbot, session, settings)
    page.thresholds.upper.setText("0.99")
    page.thresholds.lower.setText("0.4")
    page.start_link()
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=180_000)
    assert "with your thresholds" in page.status.text(), page.status.text()
    text = page.report.toPlainText()
    assert "auto-link at 0.9900 or above (set on the Run page)" in text
    assert "review at 0.4000 or above (set on the Run page)" in text
    stored = overview.last_run_report(session.read)
    assert stored.thresholds == {"upper": 0.99, "lower": 0.4}
    saved = saved_overrides(session.read)
    assert (saved.upper, saved.lower, saved.run_id) == (0.99, 0.4, stored.run_id)

    again = make_page(qtbot, session, settings)
    assert again.thresholds.upper.text() == "0.99"
    assert again.thresholds.lower.text() == "0.4"
    assert "(set on the Run page)" in again.report.toPlainText()
    assert again.thresholds.upper.placeholderText() == "last: 0.9900"

"""Run: link the workspace in the background, stage by stage, with Cancel.

Linking takes seconds on the sample and minutes on a county's history, on a
2-core office PC. So it runs on the write-job pool with its own connection,
every engine stage gets its own progress bar (a single bar would sit still
through training and look frozen), and Cancel rolls the whole run back: the
engine raises ``Cancelled`` and the transaction never commits. The page
opens on the last run's report, so the figures are there before any click.
Two optional fields override the model's thresholds (``ui.threshold_fields``,
checked by the same rule as ``recordmatch link --upper --lower``); the report
says which limits a person set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import overview
from app.errors import UserError
from app.link_options import ThresholdOverrides, link_with_overrides, saved_overrides
from app.linking import LinkSummary
from app.workspace import Connection
from matching.progress import CancelFn, Cancelled, ProgressFn
from ui.actions import make_action
from ui.error_dialog import show_error
from ui.jobs import write_jobs
from ui.run_report import STAGES, report_html
from ui.session import Session
from ui.settings import Settings
from ui.stage_bars import StageBars
from ui.tasks import Task, run_in_background
from ui.threshold_fields import ThresholdFields

INTRO = (
    "Linking compares every record with its likely candidates, learns from "
    "your decisions, links the sure pairs and queues the uncertain ones for "
    "review. It runs in the background: you can keep working, and Cancel "
    "leaves the workspace exactly as it was."
)


def link_job(
    open_writer: Callable[[], Connection],
    overrides: ThresholdOverrides | None = None,
    *,
    on_progress: ProgressFn,
    cancel: CancelFn,
) -> LinkSummary:
    """Runs on a pool thread: its own connection, no widgets."""
    conn = open_writer()
    try:
        return link_with_overrides(
            conn,
            overrides or ThresholdOverrides(),
            on_progress=on_progress,
            cancel=cancel,
        )
    finally:
        conn.close()


class RunPage(QWidget):
    """The Link button, a bar per stage, and the run's report."""

    title = "Run"

    def __init__(
        self, session: Session, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self._task: Task | None = None
        self._overrides = ThresholdOverrides()
        self._started = 0.0
        heading = QLabel("Run", self)
        heading.setProperty("role", "heading")
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.link_button = QPushButton("&Link now", self)
        self.link_button.setProperty("role", "primary")
        self.link_button.setAccessibleName("Link now")
        self.link_button.clicked.connect(self.start_link)
        self.cancel_button = QPushButton("Ca&ncel", self)
        self.cancel_button.setAccessibleName("Cancel linking")
        self.cancel_button.clicked.connect(self.cancel_work)
        self.status = QLabel(self)
        self.status.setObjectName("run_status")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Run status")
        self.thresholds = ThresholdFields(self)
        self.thresholds.set_overrides(saved_overrides(session.read))
        self.thresholds.edited.connect(self._on_thresholds_edited)

        self.stages = StageBars(self)
        self.bars = self.stages.bars  # by engine stage name (tests read them)

        self.report = QTextBrowser(self)
        self.report.setObjectName("run_report")
        self.report.setAccessibleName("Run report")
        self.report.setOpenLinks(False)
        report_label = QLabel("Re&port:", self)
        report_label.setBuddy(self.report)

        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.thresholds)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.stages)
        layout.addWidget(report_label)
        layout.addWidget(self.report, 1)

        # Link first (Enter links), then the optional limits, then the report.
        for first, second in (
            (self.link_button, self.cancel_button),
            (self.cancel_button, self.thresholds.upper),
            (self.thresholds.upper, self.thresholds.lower),
            (self.thresholds.lower, self.report),
        ):
            QWidget.setTabOrder(first, second)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._link_action = make_action(
            self,
            "&Link now",
            icon_name="link",
            shortcuts=["Ctrl+L"],
            tip="Score every candidate pair and update the identities",
        )
        self._link_action.triggered.connect(self.start_link)
        self._cancel_action = make_action(
            self,
            "&Cancel linking",
            icon_name="cancel",
            shortcuts=["Ctrl+."],
            tip="Stop the run; the workspace stays as it was",
        )
        self._cancel_action.triggered.connect(self.cancel_work)
        session.data_changed.connect(self._on_session_data_changed)
        self._set_running(False)
        self.show_last_run()

    def page_actions(self) -> list[QAction]:
        return [self._link_action, self._cancel_action]

    def is_busy(self) -> bool:
        return self._task is not None

    def show_last_run(self) -> None:
        report = overview.last_run_report(self.session.read)
        saved = saved_overrides(self.session.read)
        if report is not None:
            t = report.thresholds
            self.thresholds.set_last_run(t.get("upper"), t.get("lower"))
        if report is None:
            self.report.setHtml(
                "<p>This workspace has not been linked yet. Import the agency "
                "files on the Sources page, then press <b>Link now</b>.</p>"
            )
            return
        now = overview.record_count(self.session.read)
        by_hand = saved if report.run_id == saved.run_id else None
        self.report.setHtml(
            report_html(report, just_finished=False, records_now=now, by_hand=by_hand)
        )

    def start_link(self) -> None:
        if self._task is not None or self.session.readonly:
            return
        overrides = self.thresholds.overrides()
        if overrides is None:
            self.status.setText(self.thresholds.problem())
            self.thresholds.upper.setFocus()
            return
        self._overrides = overrides
        self._started = time.monotonic()
        self.stages.reset(self._started)
        self._task = run_in_background(
            partial(link_job, self.session.open_writer, overrides),
            on_done=self._on_task_done,
            on_error=self._on_task_failed,
            on_progress=self._on_task_progress,
            pool=write_jobs(),
        )
        self._set_running(True)
        self.status.setText("Starting…")
        self._clock.start()

    def cancel_work(self) -> None:
        """Ask the run to stop; it reports back once it has rolled back."""
        if self._task is not None and not self._task.is_cancelled():
            self._task.cancel()
            self.status.setText("Stopping… the workspace will be left as it was.")
            self.cancel_button.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        can_link = (
            not running and not self.session.readonly and self.thresholds.is_valid()
        )
        self.thresholds.setEnabled(not running and not self.session.readonly)
        self.link_button.setEnabled(can_link)
        self._link_action.setEnabled(can_link)
        self.cancel_button.setEnabled(running)
        self._cancel_action.setEnabled(running)
        if self.session.readonly:
            self.status.setText("Read-only (audit mode): linking is not available.")
            for widget in (self.link_button, self.cancel_button, self.thresholds):
                widget.setVisible(False)
            self._link_action.setVisible(False)
            self._cancel_action.setVisible(False)

    def _on_task_progress(self, stage: str, done: int, total: int) -> None:
        if self._task is None or self._task.is_cancelled():
            return
        self.stages.progress(stage, done, total, time.monotonic())
        self.status.setText(f"{STAGES.get(stage, stage)}…")

    def _stopped(self) -> None:
        self._task = None
        self._clock.stop()
        self._set_running(False)

    def _on_task_done(self, summary: LinkSummary) -> None:
        # The engine's own clock beats our sampling for the times shown.
        self.stages.finish_all(time.monotonic(), summary.timings)
        self._stopped()
        report = overview.report_from_summary(summary)
        by_hand = None if self._overrides.empty else self._overrides
        self.report.setHtml(report_html(report, just_finished=True, by_hand=by_hand))
        t = summary.thresholds
        self.thresholds.set_last_run(t.get("upper"), t.get("lower"))
        self.status.setText(
            f"Linked: {summary.auto:,} pairs auto-linked, {summary.waiting:,} "
            "waiting for review"
            + (" (with your thresholds)." if by_hand is not None else ".")
        )
        self.session.data_changed.emit("link")

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self._stopped()
        self.stages.stop_busy()
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled. The workspace was not changed.")
        elif isinstance(exc, UserError):
            self.status.setText(f"{exc} The workspace was not changed.")
        else:
            self.status.setText("Linking stopped on an unexpected problem.")
            show_error(self, exc, tb)

    def _on_thresholds_edited(self, valid: bool) -> None:
        """Link is refused while the thresholds make no sense; the status
        line says why (and forgets it once they are put right)."""
        self._set_running(self._task is not None)
        if valid and self.status.property("role") != "error":
            return  # the status line holds something else: keep it
        self.status.setText("" if valid else self.thresholds.problem())
        self.status.setProperty("role", "" if valid else "error")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _on_clock_timeout(self) -> None:
        if self._task is not None and not self._task.is_cancelled():
            seconds = int(time.monotonic() - self._started)
            stage = STAGES.get(self.stages.current or "", "Starting")
            self.status.setText(f"{stage}… ({seconds // 60}:{seconds % 60:02d})")

    def _on_session_data_changed(self, what: str) -> None:
        if what == "import" and self._task is None:
            self.show_last_run()

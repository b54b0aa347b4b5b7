"""Run: link the workspace in the background, stage by stage, with Cancel.

Linking takes seconds on the sample and minutes on a county's history, on a
2-core office PC. So it runs on the write-job pool with its own connection,
every engine stage gets its own progress bar (a single bar would sit still
through training and look frozen), and Cancel rolls the whole run back: the
engine raises ``Cancelled`` and the transaction never commits. The page
opens on the last run's report, so the figures are there before any click.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import overview
from app.errors import UserError
from app.linking import LinkSummary, run_link
from app.workspace import Connection
from matching.progress import CancelFn, Cancelled, ProgressFn
from ui.actions import make_action
from ui.error_dialog import show_error
from ui.jobs import write_jobs
from ui.run_report import STAGES, report_html
from ui.session import Session
from ui.settings import Settings
from ui.tasks import Task, run_in_background

INTRO = (
    "Linking compares every record with its likely candidates, learns from "
    "your decisions, links the sure pairs and queues the uncertain ones for "
    "review. It runs in the background: you can keep working, and Cancel "
    "leaves the workspace exactly as it was."
)


def link_job(
    open_writer: Callable[[], Connection], *, on_progress: ProgressFn, cancel: CancelFn
) -> LinkSummary:
    """Runs on a pool thread: its own connection, no widgets."""
    conn = open_writer()
    try:
        return run_link(conn, on_progress=on_progress, cancel=cancel)
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
        self._started = self._stage_started = 0.0
        self._current: str | None = None
        self._stage_order = list(STAGES)
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

        self.stages = QGridLayout()
        self.stages.setColumnStretch(1, 1)
        self.bars: dict[str, QProgressBar] = {}
        self.times: dict[str, QLabel] = {}
        for stage in STAGES:
            self._add_stage(stage)

        self.report = QTextBrowser(self)
        self.report.setObjectName("run_report")
        self.report.setAccessibleName("Run report")
        self.report.setOpenLinks(False)
        report_label = QLabel("Re&port:", self)
        report_label.setBuddy(self.report)

        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addLayout(self.stages)
        layout.addWidget(report_label)
        layout.addWidget(self.report, 1)

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

    def _add_stage(self, stage: str) -> None:
        row = len(self.bars)
        label = QLabel(STAGES.get(stage, stage.capitalize()), self)
        bar = QProgressBar(self)
        bar.setObjectName(f"stage_{stage}")
        bar.setAccessibleName(label.text())
        bar.setRange(0, 1)
        bar.setValue(0)
        bar.setFormat("")
        took = QLabel("", self)
        took.setMinimumWidth(took.fontMetrics().horizontalAdvance("0000.0 s"))
        took.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.stages.addWidget(label, row, 0)
        self.stages.addWidget(bar, row, 1)
        self.stages.addWidget(took, row, 2)
        self.bars[stage] = bar
        self.times[stage] = took
        if stage not in self._stage_order:
            self._stage_order.append(stage)

    def page_actions(self) -> list[QAction]:
        return [self._link_action, self._cancel_action]

    def is_busy(self) -> bool:
        return self._task is not None

    def show_last_run(self) -> None:
        report = overview.last_run_report(self.session.read)
        if report is None:
            self.report.setHtml(
                "<p>This workspace has not been linked yet. Import the agency "
                "files on the Sources page, then press <b>Link now</b>.</p>"
            )
            return
        now = overview.record_count(self.session.read)
        self.report.setHtml(report_html(report, just_finished=False, records_now=now))

    def start_link(self) -> None:
        if self._task is not None or self.session.readonly:
            return
        for stage, bar in self.bars.items():
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat("")
            self.times[stage].setText("")
        self._current = None
        self._stage_started = self._started = time.monotonic()
        self._task = run_in_background(
            partial(link_job, self.session.open_writer),
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
        can_link = not running and not self.session.readonly
        self.link_button.setEnabled(can_link)
        self._link_action.setEnabled(can_link)
        self.cancel_button.setEnabled(running)
        self._cancel_action.setEnabled(running)
        if self.session.readonly:
            self.status.setText("Read-only (audit mode): linking is not available.")

    def _on_task_progress(self, stage: str, done: int, total: int) -> None:
        if self._task is None or self._task.is_cancelled():
            return
        if stage not in self.bars:
            self._add_stage(stage)
        now = time.monotonic()
        if stage != self._current:
            self._finish_stages_before(stage, now)
            self._current, self._stage_started = stage, now
        bar = self.bars[stage]
        if total > 0:
            bar.setRange(0, total)
            bar.setValue(min(done, total))
            bar.setFormat("%p %")
        else:
            bar.setRange(0, 0)  # busy: the engine cannot say how far along it is
        self.status.setText(f"{STAGES.get(stage, stage)}…")

    def _finish_stages_before(self, stage: str, now: float) -> None:
        index = self._stage_order.index(stage)
        for earlier in self._stage_order[:index]:
            bar = self.bars[earlier]
            bar.setRange(0, 1)
            bar.setValue(1)
            bar.setFormat("done")
        if self._current is not None:
            self.times[self._current].setText(f"{now - self._stage_started:,.1f} s")

    def _stopped(self) -> None:
        self._task = None
        self._clock.stop()
        self._set_running(False)

    def _on_task_done(self, summary: LinkSummary) -> None:
        self._finish_stages_before(self._stage_order[-1], time.monotonic())
        last = self.bars[self._stage_order[-1]]
        last.setRange(0, 1)
        last.setValue(1)
        last.setFormat("done")
        self._stopped()
        for stage, seconds in summary.timings.items():
            if stage in self.times:  # the engine's own clock beats our sampling
                self.times[stage].setText(f"{seconds:,.1f} s")
        report = overview.report_from_summary(summary)
        self.report.setHtml(report_html(report, just_finished=True))
        self.status.setText(
            f"Linked: {summary.auto:,} pairs auto-linked, {summary.waiting:,} "
            "waiting for review."
        )
        self.session.data_changed.emit("link")

    def _on_task_failed(self, exc: BaseException, tb: str) -> None:
        self._stopped()
        for bar in self.bars.values():
            if bar.maximum() == 0:
                bar.setRange(0, 1)
                bar.setValue(0)
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled. The workspace was not changed.")
        elif isinstance(exc, UserError):
            self.status.setText(f"{exc} The workspace was not changed.")
        else:
            self.status.setText("Linking stopped on an unexpected problem.")
            show_error(self, exc, tb)

    def _on_clock_timeout(self) -> None:
        if self._task is not None and not self._task.is_cancelled():
            seconds = int(time.monotonic() - self._started)
            stage = STAGES.get(self._current or "", "Starting")
            self.status.setText(f"{stage}… ({seconds // 60}:{seconds % 60:02d})")

    def _on_session_data_changed(self, what: str) -> None:
        if what == "import" and self._task is None:
            self.show_last_run()

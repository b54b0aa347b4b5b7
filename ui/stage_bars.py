"""One progress bar per link stage, with the time each stage took.

A single bar would sit still through training and look frozen on a 2-core
office PC; a bar per stage shows that something moves, and the times show
where a long run goes. Stages the engine reports that are not known in
advance get a bar of their own when they first report.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from ui.run_report import STAGES


class StageBars(QWidget):
    """``bars`` and ``times`` by engine stage name, in the engine's order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.bars: dict[str, QProgressBar] = {}
        self.times: dict[str, QLabel] = {}
        self.order: list[str] = []
        self.current: str | None = None
        self.stage_started = 0.0
        for stage in STAGES:
            self._add(stage)

    def _add(self, stage: str) -> None:
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
        self.grid.addWidget(label, row, 0)
        self.grid.addWidget(bar, row, 1)
        self.grid.addWidget(took, row, 2)
        self.bars[stage] = bar
        self.times[stage] = took
        self.order.append(stage)

    def reset(self, now: float) -> None:
        """Empty every bar for a new run starting ``now`` (monotonic seconds)."""
        for stage, bar in self.bars.items():
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat("")
            self.times[stage].setText("")
        self.current = None
        self.stage_started = now

    def progress(self, stage: str, done: int, total: int, now: float) -> None:
        """``stage`` is at ``done`` of ``total`` (0 total: cannot say)."""
        if stage not in self.bars:
            self._add(stage)
        if stage != self.current:
            self.finish_before(stage, now)
            self.current, self.stage_started = stage, now
        bar = self.bars[stage]
        if total > 0:
            bar.setRange(0, total)
            bar.setValue(min(done, total))
            bar.setFormat("%p %")
        else:
            bar.setRange(0, 0)  # busy: the engine cannot say how far along it is

    def finish_before(self, stage: str, now: float) -> None:
        """Every stage before ``stage`` is done; the current one took until now."""
        for earlier in self.order[: self.order.index(stage)]:
            self._done(earlier)
        if self.current is not None:
            self.times[self.current].setText(f"{now - self.stage_started:,.1f} s")

    def finish_all(self, now: float, timings: dict[str, float]) -> None:
        """The run ended well: all done, with the engine's own clock where known."""
        self.finish_before(self.order[-1], now)
        self._done(self.order[-1])
        for stage, seconds in timings.items():
            if stage in self.times:
                self.times[stage].setText(f"{seconds:,.1f} s")

    def stop_busy(self) -> None:
        """The run failed or was cancelled: no bar keeps spinning."""
        for bar in self.bars.values():
            if bar.maximum() == 0:
                bar.setRange(0, 1)
                bar.setValue(0)

    def _done(self, stage: str) -> None:
        bar = self.bars[stage]
        bar.setRange(0, 1)
        bar.setValue(1)
        bar.setFormat("done")

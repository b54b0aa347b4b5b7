"""The review queue's "Re-review" state: every band, and its count shown."""

from __future__ import annotations

from typing import Any

from app.review_queries import QueueCounts
from ui.queue_filters import QueueFilters


def test_rereview_state_spans_every_band_and_is_counted(qtbot: Any) -> None:
    """A decision flagged by a newer export may sit in any band; the band
    choice is switched off so nobody thinks some are hidden."""
    filters = QueueFilters()
    qtbot.addWidget(filters)
    with qtbot.waitSignal(filters.filter_changed) as changed:
        filters.state.setCurrentIndex(filters.state.findData("rereview"))
    assert changed.args[0].state == "rereview"
    assert not filters.band.isEnabled()
    assert "every band" in filters.band.toolTip()
    filters.show_counts(QueueCounts(10, 5, 1, 4, rereview=2))
    assert filters.counts.text().endswith("4 decided; 2 to re-review")
    filters.state.setCurrentIndex(filters.state.findData("waiting"))
    assert filters.band.isEnabled()
    filters.show_counts(QueueCounts(10, 5, 1, 4))
    assert "re-review" not in filters.counts.text()

"""The lazy queue model: pages of ids, a bounded cache, a valid Qt model."""

from __future__ import annotations

from typing import Any

import pytest

from app import review_queries as rq
from app.workspace.core import Connection
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    review_path,
    review_read,
    review_template,
)
from ui import queue_model
from ui.queue_model import PAGE_SIZE, QueueModel

AUTO = rq.QueueFilter(band="auto", state="all")


@pytest.fixture
def model(review_read: Connection, qtbot: Any) -> QueueModel:  # noqa: F811
    return QueueModel(review_read)


def test_qt_model_contract(model: QueueModel, qtmodeltester: Any):
    """The model obeys Qt's item-model rules (qtmodeltester) on the review queue."""
    qtmodeltester.check(model)


def test_qt_model_contract_while_paging(
    review_read: Connection,  # noqa: F811
    qtmodeltester: Any,
):
    """... and on a queue long enough to page, through fetchMore and a reset."""
    model = QueueModel(review_read)
    model.set_filter(AUTO)
    qtmodeltester.check(model)
    model.fetchMore()
    model.set_filter(rq.QueueFilter(state="all"))


def test_rows_arrive_a_page_at_a_time(model: QueueModel, review_read: Connection):  # noqa: F811
    """A large queue opens with one page of rows, and fetchMore adds the next
    page, in queue order without repeats: the table is never read whole."""
    total = rq.queue_counts(review_read, AUTO).total
    assert total > 2 * PAGE_SIZE, "the sample must be larger than two pages"
    model.set_filter(AUTO)
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == total
    ids = [model.pair_id(i) for i in range(total)]
    assert len(set(ids)) == total
    priorities = [model.row(i).priority for i in range(total)]
    assert priorities == sorted(priorities, reverse=True)


def test_rows_evicted_from_the_cache_are_read_back(
    review_read: Connection,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
):
    """Only a bounded number of rows is kept; a row that left the cache is
    read again when the view needs it, with the same content."""
    monkeypatch.setattr(queue_model, "CACHE_ROWS", 50)
    model = QueueModel(review_read, AUTO)
    first = model.index(0, 2).data()
    assert model.rowCount() > 50
    assert model._rows.cached <= 50
    assert model.row(0) is not None
    assert model.index(0, 2).data() == first


def test_set_state_updates_the_row_at_once(model: QueueModel, qtbot: Any):
    """A decision shows in the queue as soon as it is made (before the write)."""
    pair_id = model.pair_id(0)
    with qtbot.waitSignal(model.dataChanged):
        model.set_state(pair_id, "match")
    assert model.index(0, 0).data() == "match"
    assert model.data(model.index(0, 0), QueueModel.PairIdRole) == pair_id

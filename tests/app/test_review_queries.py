"""Use-case reads behind the review screens (no Qt): queue, pair, identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import review_queries as rq
from app.decisions import decide_pair, reverse
from app.workspace.core import Connection
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    review_path,
    review_read,
    review_template,
    review_write,
)

ALL_AUTO = rq.QueueFilter(band="auto", state="all")


def _all_pages(conn: Connection, queue: rq.QueueFilter, size: int) -> list[rq.QueueRow]:
    rows: list[rq.QueueRow] = []
    page = rq.queue_page(conn, queue, limit=size)
    rows += page.rows
    while page.cursor is not None:
        page = rq.queue_page(conn, queue, after=page.cursor, limit=size)
        rows += page.rows
    return rows


def test_keyset_pages_join_up_exactly(review_read: Connection):  # noqa: F811
    """Pages read after a cursor continue the queue with no gap and no repeat,
    in priority order, even where priorities tie."""
    whole = rq.queue_page(review_read, ALL_AUTO, limit=1_000_000).rows
    paged = _all_pages(review_read, ALL_AUTO, 97)
    assert [r.pair_id for r in paged] == [r.pair_id for r in whole]
    assert len(whole) == rq.queue_counts(review_read, ALL_AUTO).total
    keys = [(-r.priority, r.pair_id) for r in whole]
    assert keys == sorted(keys)


def test_state_and_source_filters(
    review_write: Connection,  # noqa: F811
    review_read: Connection,  # noqa: F811
):
    """Waiting hides answered pairs; unsure and decided list them; a source
    pair filter keeps only pairs between those two sources."""
    waiting = rq.queue_page(review_read, rq.QueueFilter()).rows
    first, second = waiting[0], waiting[1]
    decide_pair(review_write, first.pair_id, "match")
    decide_pair(review_write, second.pair_id, "unsure")
    ids = {r.pair_id for r in rq.queue_page(review_read, rq.QueueFilter()).rows}
    assert first.pair_id not in ids
    assert second.pair_id not in ids
    decided = rq.queue_page(review_read, rq.QueueFilter(state="decided")).rows
    assert [(r.pair_id, r.state) for r in decided] == [(first.pair_id, "match")]
    unsure = rq.queue_page(review_read, rq.QueueFilter(state="unsure")).rows
    assert [r.pair_id for r in unsure] == [second.pair_id]
    counts = rq.queue_counts(review_read, rq.QueueFilter())
    assert (counts.decided, counts.unsure) == (1, 1)
    assert counts.waiting == counts.total - 2

    sources = {s.name: s.id for s in rq.list_sources(review_read)}
    pair = (sources["disposition"], sources["clerk"])
    only = _all_pages(
        review_read, rq.QueueFilter(band="auto", state="all", sources=pair), 50
    )
    assert only
    assert all(
        {r.left_source, r.right_source} == {"clerk", "disposition"} for r in only
    )


def test_pair_detail_explains_the_score(review_read: Connection):  # noqa: F811
    """The pair's bars plus the prior add up to its weight, each record keeps
    its original row, and identity members never include the record itself."""
    row = rq.queue_page(review_read, rq.QueueFilter(), limit=1).rows[0]
    detail = rq.pair_detail(review_read, row.pair_id)
    assert detail is not None
    total = detail.prior_weight + sum(e.contribution for e in detail.evidence)
    assert total == pytest.approx(detail.weight, abs=1e-3)
    assert all(e.level for e in detail.evidence)
    assert detail.left.original
    assert any(field == "dob" for _, _, field in detail.left.original) or (
        "dob" not in detail.left.values
    )
    assert detail.left.key not in {m.key for m in detail.left_members}
    assert detail.left_member_count >= len(detail.left_members)
    assert rq.pair_detail(review_read, 10**9) is None


def test_identity_detail_timeline_and_joins(review_read: Connection):  # noqa: F811
    """Every record of an identity appears once on the timeline with how it
    joined; clerk charge rows are grouped under their case, a court's
    disposition rows of one case and day under one disposition."""
    row = rq.queue_page(review_read, ALL_AUTO, limit=1).rows[0]
    identity = rq.identity_of_record(review_read, row.left_key)
    detail = rq.identity_detail(review_read, identity)
    assert detail is not None
    keys = [r.key for r in detail.records]
    assert len(keys) == len(set(keys)) == detail.record_count
    assert [r.joined.how for r in detail.records].count("first") == 1
    auto = [r.joined for r in detail.records if r.joined.how == "auto"]
    assert all(j.probability is not None and j.other_key in keys for j in auto)
    for entry in detail.timeline:
        if entry.kind == "clerk":
            assert len({r.case_number for r in entry.records}) == 1
        if entry.kind == "disposition":
            assert len({(r.case_number, r.event_date) for r in entry.records}) == 1
        if entry.kind == "arrest":
            assert len(entry.records) == 1
    assert rq.identity_detail(review_read, 10**9) is None


def test_decision_shows_who_joined_the_record(
    review_write: Connection,  # noqa: F811
    review_read: Connection,  # noqa: F811
):
    """After a person's match joins two identities, the identity page says
    the record joined by that reviewer's decision, with the reason."""
    row = next(
        r
        for r in rq.queue_page(review_read, rq.QueueFilter()).rows
        if rq.identity_of_record(review_read, r.left_key)
        != rq.identity_of_record(review_read, r.right_key)
    )
    decide_pair(review_write, row.pair_id, "match", reason_code="name_variant")
    identity = rq.identity_of_record(review_read, row.left_key)
    assert rq.identity_of_record(review_read, row.right_key) == identity
    detail = rq.identity_detail(review_read, identity)
    joins = [r.joined for r in detail.records if r.joined.how == "decision"]
    assert len(joins) == 1
    assert joins[0].actor == "reviewer"
    assert joins[0].reason_code == "name_variant"
    assert joins[0].pair_id == row.pair_id


def test_progress_counts_today_and_waiting(
    review_write: Connection,  # noqa: F811
    review_read: Connection,  # noqa: F811
):
    """Decided today counts this reviewer's standing decisions since local
    midnight; an undone decision no longer counts."""
    before = rq.progress(review_read)
    assert before.decided_today == 0
    row = rq.queue_page(review_read, rq.QueueFilter(), limit=1).rows[0]
    outcome = decide_pair(review_write, row.pair_id, "non-match")
    after = rq.progress(review_read)
    assert after == rq.Progress(1, before.waiting - 1)
    reverse(review_write, outcome.seq, reason="undo")
    assert rq.progress(review_read) == before
    tomorrow = rq.start_of_today(datetime(2999, 1, 1, 12, tzinfo=UTC))
    assert rq.progress(review_read, since=tomorrow).decided_today == 0


def test_search_by_name_dob_and_identifier(review_read: Connection):  # noqa: F811
    """A misspelt surname, a swapped-day birth date and a SID all find people."""
    row = rq.queue_page(review_read, ALL_AUTO, limit=1).rows[0]
    detail = rq.pair_detail(review_read, row.pair_id)
    values = detail.left.values
    last = values["last_name"]
    typo = last[:-2] + last[-1] + last[-2] if len(last) > 3 else last
    hits = rq.search(review_read, f"{typo}, {values.get('first_name', '')}").hits
    assert detail.left.key in {h.key for h in hits}
    if "dob" in values:
        y, m, d = values["dob"].split("-")
        hits = rq.search(review_read, f"{m}/{d}/{y}").hits
        assert detail.left.key in {h.key for h in hits}
    sid_record = next(
        d.left
        for r in rq.queue_page(review_read, ALL_AUTO).rows
        if "sid" in (d := rq.pair_detail(review_read, r.pair_id)).left.values
    )
    result = rq.search(review_read, sid_record.values["sid"])
    assert result.kind == "identifier"
    assert sid_record.key in {h.key for h in result.hits}
    assert "sid" in {h.matched_on for h in result.hits}
    assert rq.search(review_read, "").kind == "empty"

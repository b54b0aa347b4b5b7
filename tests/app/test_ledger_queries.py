"""The ledger browser's reads: keyset pages under every filter, one entry in full."""

from __future__ import annotations

from app import ledger_queries as lq
from app.decisions import decide_pair, reverse
from app.workspace import Connection


def _decide_some(conn: Connection) -> list[int]:
    pairs = conn.conn.execute(
        "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 3"
    ).fetchall()
    seqs = [
        decide_pair(conn, pid, word, reason_code="common_name").seq
        for (pid,), word in zip(pairs, ["match", "non-match", "unsure"], strict=True)
    ]
    seqs.append(reverse(conn, seqs[0], reason="undo").seq)
    return seqs


def _all(conn: Connection, flt: lq.LedgerFilter, limit: int) -> list[lq.LedgerRow]:
    rows: list[lq.LedgerRow] = []
    before = None
    while True:
        page = lq.ledger_page(conn, flt, before=before, limit=limit)
        rows += page.rows
        if page.cursor is None:
            return rows
        before = page.cursor


def test_pages_walk_the_whole_ledger_newest_first(linked: Connection) -> None:
    total = linked.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    rows = _all(linked, lq.LedgerFilter(), 97)
    assert [r.seq for r in rows] == list(range(total, 0, -1))
    assert lq.count_matching(linked, lq.LedgerFilter()) == total


def test_filters_by_reviewer_kind_band_sources_and_date(linked: Connection) -> None:
    seqs = _decide_some(linked)
    people = _all(linked, lq.LedgerFilter(actor="reviewer"), 2)
    assert sorted(r.seq for r in people) == seqs
    assert lq.count_matching(linked, lq.LedgerFilter(actor="reviewer")) == 4
    assert {r.kind for r in _all(linked, lq.LedgerFilter(kind="human"), 50)} == {
        "match", "non-match", "unsure", "reversal",
    }  # fmt: skip
    assert [r.seq for r in _all(linked, lq.LedgerFilter(kind="unsure"), 50)] == [
        seqs[2]
    ]
    model = _all(linked, lq.LedgerFilter(actor="model", band="top"), 500)
    assert model
    assert all(r.probability >= 0.99 and r.actor == "model" for r in model)
    assert [r.seq for r in _all(linked, lq.LedgerFilter(band="none"), 50)] == [seqs[3]]
    mid = _all(linked, lq.LedgerFilter(band="mid", kind="human"), 50)
    assert all(0.5 <= r.probability < 0.9 for r in mid)
    first = people[-1]
    pair = (first.right_source, first.left_source)
    by_sources = _all(linked, lq.LedgerFilter(sources=pair, actor="reviewer"), 50)
    assert first.seq in {r.seq for r in by_sources}
    assert all({r.left_source, r.right_source} == set(pair) for r in by_sources)
    at = people[0].at
    assert _all(linked, lq.LedgerFilter(since=at), 50)[-1].seq == seqs[3]
    assert _all(linked, lq.LedgerFilter(until="2000-01-01T00:00:00Z"), 50) == []
    assert {"model", "reviewer"} <= set(lq.reviewers(linked))
    assert set(lq.source_names(linked)) == {"clerk", "arrest", "disposition"}


def test_entry_detail_has_everything_an_auditor_asks(linked: Connection) -> None:
    seqs = _decide_some(linked)
    detail = lq.entry_detail(linked, seqs[0])
    assert detail.row.kind == "match"
    assert (detail.row.actor, detail.row.os_user) == ("reviewer", "reviewer")
    assert detail.reason_text == "Common name, nothing else agrees"
    assert detail.levels
    assert detail.evidence_state == "shown"
    assert set(detail.evidence) == {"left", "right"}
    assert len(detail.entry_hash) == len(detail.prev_hash) == 64
    assert detail.left_values_hash
    assert detail.right_values_hash
    assert detail.reversed_by == seqs[3]
    assert detail.left_now.identity_id is not None
    assert not detail.left_now.changed
    assert not detail.right_now.changed
    undo = lq.entry_detail(linked, seqs[3])
    assert undo.row.reverses == seqs[0]
    assert undo.evidence_state == "none"
    auto = lq.ledger_page(linked, lq.LedgerFilter(kind="auto-link"), limit=1).rows[0]
    auto_detail = lq.entry_detail(linked, auto.seq)
    assert auto_detail.model_version
    assert "thresholds" in auto_detail.details
    assert lq.entry_detail(linked, 10**9) is None


def test_verify_workspace_reports_an_intact_chain(linked: Connection) -> None:
    _decide_some(linked)
    total = linked.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    result = lq.verify_workspace(linked.path)
    assert result.ok
    assert result.entries == total
    assert result.first_problem is None
    assert len(result.head) == 64
    assert result.rereview == 0

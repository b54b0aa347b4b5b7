"""An identity's provenance: the ledger entries that put each record there."""

from __future__ import annotations

from app.decisions import decide_pair, reverse, split_record
from app.identity_queries import identity_of_record
from app.provenance import identity_provenance
from app.workspace import Connection


def _cross_identity_review_pair(conn: Connection) -> tuple[int, int, int]:
    """A review-band pair whose two records are in different identities."""
    return conn.conn.execute(
        "SELECT p.id, p.left_key, p.right_key FROM pairs p "
        "JOIN records a ON a.id = p.left_key JOIN records b ON b.id = p.right_key "
        "WHERE p.band = 'review' AND a.identity_id <> b.identity_id "
        "ORDER BY p.probability DESC, p.id LIMIT 1"
    ).fetchone()


def test_automatic_links_name_model_thresholds_and_score(linked: Connection) -> None:
    """Every record but the first is held by an entry; the model's say which
    model, which thresholds and what score."""
    identity = linked.conn.execute(
        "SELECT identity_id FROM records GROUP BY identity_id "
        "ORDER BY count(*) DESC, identity_id LIMIT 1"
    ).fetchone()[0]
    prov = identity_provenance(linked, identity)
    assert prov is not None
    assert prov.record_count == len(prov.records) > 2
    held = [r for r in prov.records if r.holding is not None]
    assert {r.how for r in prov.records if r.holding is None} <= {"first", "cluster"}
    auto = [r.holding for r in held if r.holding.kind == "auto-link"]
    assert auto
    step = auto[0]
    assert step.actor == "model"
    assert step.model_version
    assert set(step.thresholds) == {"upper", "lower"}
    assert step.probability >= step.thresholds["upper"]
    assert step.levels
    assert step.evidence_state == "none"
    keys = {r.key for r in prov.records}
    assert all(s.other_key in keys for r in prov.records for s in r.steps)


def test_decision_reversal_and_evidence_as_seen(linked: Connection) -> None:
    """A person's match holds the record, with the values they saw; its undo
    shows as a reversal pointing at it."""
    pid, left, right = _cross_identity_review_pair(linked)
    seq = decide_pair(linked, pid, "match", reason_code="dob_typo", note="checked").seq
    identity = identity_of_record(linked, left)
    assert identity_of_record(linked, right) == identity
    prov = identity_provenance(linked, identity)
    by_key = {r.key: r for r in prov.records}
    match = next(s for s in by_key[right].steps if s.seq == seq)
    assert (match.kind, match.actor, match.os_user) == ("match", "reviewer", "reviewer")
    assert match.reason_text == "Birth date typo (swapped day/month, one digit)"
    assert match.note == "checked"
    assert match.evidence_state == "shown"
    assert set(match.evidence) == {"left", "right"}
    assert match.other_key == left
    assert any(
        s.holds and s.seq == seq for s in by_key[left].steps + by_key[right].steps
    )

    undo = reverse(linked, seq, reason="undo").seq
    prov = identity_provenance(linked, identity_of_record(linked, left))
    steps = {s.seq: s for r in prov.records for s in r.steps}
    assert steps[seq].reversed_by == undo
    assert steps[undo].kind == "reversal"
    assert steps[undo].reverses == seq
    assert not steps[seq].holds


def test_purged_evidence_says_so(linked: Connection) -> None:
    pid, left, _ = _cross_identity_review_pair(linked)
    seq = decide_pair(linked, pid, "match").seq
    with linked.transaction() as db:  # what an expungement purge does
        db.execute(
            "UPDATE evidence SET snapshot = NULL, purged_at = '2026-11-26T00:00:00Z' "
            "WHERE entry_seq = ?",
            (seq,),
        )
    prov = identity_provenance(linked, identity_of_record(linked, left))
    step = next(s for r in prov.records for s in r.steps if s.seq == seq)
    assert step.evidence_state == "purged"
    assert step.evidence is None


def test_split_shows_in_the_identity_it_left(linked: Connection) -> None:
    identity = linked.conn.execute(
        "SELECT identity_id FROM records GROUP BY identity_id HAVING count(*) > 2 "
        "ORDER BY identity_id LIMIT 1"
    ).fetchone()[0]
    key = linked.conn.execute(
        "SELECT max(id) FROM records WHERE identity_id = ?", (identity,)
    ).fetchone()[0]
    seq = split_record(linked, key, reason="family_member", note="son").seq
    remaining = identity_provenance(linked, identity)
    assert key not in {r.key for r in remaining.records}
    assert all(
        any(s.seq == seq and s.kind == "split" for s in r.steps)
        for r in remaining.records
    )
    alone = identity_provenance(linked, identity_of_record(linked, key))
    (record,) = alone.records
    assert record.steps[-1].seq == seq
    assert record.steps[-1].note == "son"


def test_unknown_identity(linked: Connection) -> None:
    assert identity_provenance(linked, 10**9) is None

"""Single decisions as the workstation makes them: undo, split and merge."""

from __future__ import annotations

import pytest

from app.decisions import decide_pair, merge_identities, reverse, split_record
from app.errors import UserError
from app.workspace import Connection, ledger


def _identity(conn: Connection, key: int) -> int:
    row = conn.conn.execute("SELECT identity_id FROM records WHERE id = ?", (key,))
    return int(row.fetchone()[0])


def _review_pair(conn: Connection, *, same: bool) -> tuple[int, int, int]:
    for pid, left, right in conn.conn.execute(
        "SELECT id, left_key, right_key FROM pairs WHERE band = 'review' ORDER BY id"
    ).fetchall():
        if (_identity(conn, left) == _identity(conn, right)) == same:
            return pid, left, right
    raise AssertionError("no such pair in the sample")


def test_match_then_undo_then_redo(linked: Connection) -> None:
    pid, left, right = _review_pair(linked, same=False)
    outcome = decide_pair(linked, pid, "match", reason_code="same_ids")
    assert _identity(linked, left) == _identity(linked, right)
    reverse(linked, outcome.seq, reason="undo")
    assert _identity(linked, left) != _identity(linked, right)
    assert ledger.current_decisions(linked.conn) == []
    decide_pair(linked, pid, "match")
    assert _identity(linked, left) == _identity(linked, right)
    kinds = [
        e["kind"] for e in ledger.iter_entries(linked.conn) if e["actor"] != "model"
    ]
    assert kinds == ["match", "reversal", "match"]


def test_non_match_splits_an_identity_at_its_weakest_link(linked: Connection) -> None:
    pid, left, right = _review_pair(linked, same=True)
    decide_pair(linked, pid, "non-match")
    assert _identity(linked, left) != _identity(linked, right)


def test_split_and_merge_need_a_reason_and_take_effect(linked: Connection) -> None:
    row = linked.conn.execute(
        "SELECT identity_id FROM records GROUP BY identity_id "
        "HAVING count(*) >= 3 LIMIT 1"
    ).fetchone()
    members = [
        k for (k,) in linked.conn.execute(
            "SELECT id FROM records WHERE identity_id = ? ORDER BY id", row
        )
    ]  # fmt: skip
    with pytest.raises(UserError, match="reason"):
        split_record(linked, members[0], reason=" ")
    split_record(linked, members[0], reason="different_dob", note="DOB 20y apart")
    assert _identity(linked, members[0]) != _identity(linked, members[1])
    merge_identities(linked, members[0], members[1], reason="same_ids")
    # The later merge wins for that pair of records.
    assert _identity(linked, members[0]) == _identity(linked, members[1])
    entries = [
        e["kind"] for e in ledger.iter_entries(linked.conn) if e["actor"] != "model"
    ]
    assert entries == ["split", "merge"]


def test_unknown_inputs_are_refused(linked: Connection) -> None:
    with pytest.raises(UserError, match="no pair"):
        decide_pair(linked, 10**9, "match")
    pid, _, _ = _review_pair(linked, same=False)
    with pytest.raises(UserError, match="unknown decision"):
        decide_pair(linked, pid, "maybe")
    with pytest.raises(UserError, match="reason code"):
        decide_pair(linked, pid, "match", reason_code="vibes")
    outcome = decide_pair(linked, pid, "match")
    reverse(linked, outcome.seq, reason="undo")
    with pytest.raises(UserError, match="already reversed"):
        reverse(linked, outcome.seq, reason="undo")

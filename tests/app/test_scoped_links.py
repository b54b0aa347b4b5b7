"""The automatic links around a decision come from an index, not a band scan.

After every keypress the workstation re-clusters the identities the decision
touched; at a million records a walk of the automatic band took seconds, so
the next pair was late. These tests pin both the answer and the query plan.
"""

from __future__ import annotations

from app.workspace import Connection, identity_scope
from app.workspace import pairs as store


def test_scoped_auto_links_equal_the_band_restricted_to_the_scope(
    linked: Connection,
) -> None:
    """The scoped read returns exactly the automatic links inside the scope."""
    db = linked.conn
    left, right, _ = store.auto_links(db)
    assert left.size, "the sample must have automatic links"
    keys = sorted({int(left[0]), int(right[0]), int(left[-1]), int(right[-1])})
    scope = identity_scope.scope_of_identities(db, keys)
    inside = set(scope)
    expected = sorted(
        (int(a), int(b))
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
        if a in inside and b in inside
    )
    got_left, got_right, weights = identity_scope.scoped_auto_links(db, scope)
    assert sorted(zip(got_left.tolist(), got_right.tolist(), strict=True)) == expected
    assert weights.size == len(expected)


def test_scoped_auto_links_use_the_pair_key_index(linked: Connection) -> None:
    """The plan searches the (left_key, right_key) index, never pairs_queue."""
    plan = " ".join(
        str(row[3])
        for row in linked.conn.execute(
            "EXPLAIN QUERY PLAN " + identity_scope.scoped_auto_links_sql(3), (1, 2, 3)
        )
    )
    assert "sqlite_autoindex_pairs_1" in plan
    assert "pairs_queue" not in plan

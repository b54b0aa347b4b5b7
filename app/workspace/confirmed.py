"""Which links a person has confirmed, for eligibility's ``confirmed``.

A link is confirmed while a person's standing match or merge joins the two
records and still rests on the values that person saw. Clustering keeps using
every standing decision (``ledger.constraints``): a match flagged for
re-review still holds the identity together, but it no longer counts as a
person's confirmation until someone decides the pair again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.workspace.ledger import changed_values_sql

_CHUNK = 400
_SELECT = """
    SELECT l.seq, l.kind, l.left_key, l.right_key, {changed}
    FROM ledger l
    LEFT JOIN records a ON a.id = l.left_key
    LEFT JOIN records b ON b.id = l.right_key
    WHERE l.kind IN ('match', 'non-match', 'unsure', 'merge')
      AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq)
""".format(changed=changed_values_sql("l", "a", "b"))
_SPLITS = """
    SELECT l.seq, l.left_key, j.value
    FROM ledger l, json_each(l.details, '$.others') j
    WHERE l.kind = 'split'
      AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq)
"""


def confirmed_links(
    conn: sqlite3.Connection, keys: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """Record pairs (low, high) a person's standing decision joins, on values
    unchanged since; with ``keys``, only decisions touching those records are
    read (one identity: a few indexed reads, fit for the GUI thread)."""
    rows: list[tuple[int, str, int, int | None, int]] = []
    splits: list[tuple[int, int, int]] = []
    if keys is None:
        rows = conn.execute(_SELECT).fetchall()
        splits = conn.execute(_SPLITS).fetchall()
    else:
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            rows += conn.execute(
                f"{_SELECT} AND (l.left_key IN ({marks}) OR l.right_key IN ({marks}))",
                (*chunk, *chunk),
            ).fetchall()
            splits += conn.execute(
                f"{_SPLITS} AND l.left_key IN ({marks})", chunk
            ).fetchall()
    # For each pair the latest entry wins: (seq, confirmed join?).
    latest: dict[tuple[int, int], tuple[int, bool]] = {}

    def note(a: int, b: int, seq: int, joined: bool) -> None:
        pair = (min(a, b), max(a, b))
        if pair not in latest or latest[pair][0] < seq:
            latest[pair] = (seq, joined)

    for seq, kind, left, right, changed in rows:
        if right is not None:
            note(left, right, seq, kind in ("match", "merge") and not changed)
    for seq, left, other in splits:
        note(left, int(other), seq, False)
    return sorted(pair for pair, (_, joined) in latest.items() if joined)

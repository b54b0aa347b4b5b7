"""SQL for re-clustering around a few records: a decision's neighbourhood.

A person's decision changes at most the identities of the two records it is
about, so identities are updated there, not over the whole workspace; these
reads stay on indexes (a million records, a few milliseconds per decision).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np


def scope_of_identities(
    conn: sqlite3.Connection, record_keys: Sequence[int]
) -> list[int]:
    """Every record sharing an identity with any of ``record_keys``."""
    marks = ", ".join("?" for _ in record_keys)
    return [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM records WHERE identity_id IN "
            f"(SELECT identity_id FROM records WHERE id IN ({marks})) ORDER BY id",
            list(record_keys),
        )
    ]


def scoped_assignment(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    rows = []
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        rows += conn.execute(
            f"SELECT id, identity_id FROM records WHERE id IN ({marks})", chunk
        ).fetchall()
    arr = np.asarray(sorted(rows), dtype=np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def scoped_auto_links_sql(count: int) -> str:
    """The query behind ``scoped_auto_links`` for ``count`` keys (its plan is
    tested, so a later edit cannot silently fall back to the band index)."""
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT left_key, right_key, weight FROM pairs "
        f"WHERE left_key IN ({marks}) AND +band = 'auto'"
    )


def scoped_auto_links(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Automatic links with both ends inside ``keys``.

    ``+band`` keeps SQLite off the ``pairs_queue`` index: with no statistics
    it takes ``band = 'auto'`` as selective and walks every automatic link
    (2.5 s at a million records), whereas the few rows with these left keys
    come straight from the (left_key, right_key) unique index.
    """
    inside = set(keys)
    rows = []
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        rows += [
            r
            for r in conn.execute(scoped_auto_links_sql(len(chunk)), chunk)
            if r[1] in inside
        ]
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    arr = np.asarray(rows, dtype=np.float64)
    return arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2]


def scoped_attributes(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"sid": [], "fbi_number": [], "dob": []}
    rows = []
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        rows += conn.execute(
            f"SELECT id, sid, fbi_number, dob FROM records WHERE id IN ({marks})", chunk
        ).fetchall()
    for _, sid, fbi, dob in sorted(rows):
        out["sid"].append(sid)
        out["fbi_number"].append(fbi)
        out["dob"].append(dob)
    return out


def replace_flags_for(
    conn: sqlite3.Connection,
    identities: Sequence[int],
    flags: Sequence[tuple[int, list[str]]],
    *,
    run_id: int | None,
) -> None:
    """Replace the flags of some identities (after a local re-cluster)."""
    marks = ", ".join("?" for _ in identities)
    conn.execute(
        f"DELETE FROM identity_flags WHERE identity_id IN ({marks})", identities
    )
    conn.executemany(
        "INSERT INTO identity_flags (identity_id, reasons, run_id) VALUES (?, ?, ?)",
        [(identity, json.dumps(reasons), run_id) for identity, reasons in flags],
    )


def scope_of_identities_by_id(conn: sqlite3.Connection, identity_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM records WHERE identity_id = ? ORDER BY id", (identity_id,)
        )
    ]


def resolve_identity_id(conn: sqlite3.Connection, identity_id: int) -> int | None:
    """Follow merge aliases to the identity id in use now (None if unknown)."""
    seen = set()
    current = identity_id
    while current not in seen:
        seen.add(current)
        if conn.execute(
            "SELECT 1 FROM records WHERE identity_id = ? LIMIT 1", (current,)
        ).fetchone():
            return current
        row = conn.execute(
            "SELECT new_id FROM identity_aliases WHERE old_id = ?", (current,)
        ).fetchone()
        if row is None:
            return None
        current = int(row[0])
    return None

"""SQL behind the in-memory name index that the fuzzy name search scores.

Only distinct (last, first) pairs are read: a million records hold a few
hundred thousand of them, and ``records_last_name`` covers the query, so it
reads the index alone, in order, without touching the table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def names_stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    """(last import id, last record id): changes whenever names can have.

    Records are only added or changed by an import, and every import, in the
    same transaction, adds a row to ``imports``; both maxima are O(1) reads.
    """
    row = conn.execute(
        "SELECT (SELECT max(id) FROM imports), (SELECT max(id) FROM records)"
    ).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def distinct_names(conn: sqlite3.Connection) -> Iterator[tuple[str, str | None]]:
    """Every distinct (last_name, first_name) with a last name, in index order."""
    yield from conn.execute(
        "SELECT DISTINCT last_name, first_name FROM records WHERE last_name IS NOT NULL"
    )

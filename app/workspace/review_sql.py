"""SQL behind the review screens: the queue, one pair, one identity, search.

Every statement here is small and indexed, because the GUI thread runs them
between two key presses. The queue pages by keyset on ``pairs_queue``
(band, priority DESC, id), never by OFFSET: page 2,000 of a million-pair
queue costs what page 1 costs. ``app.review_queries`` turns these tuples into
dataclasses; nothing outside ``app/workspace`` sees this SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from app.workspace.ledger import changed_values_sql
from matching.records import STORED_FIELDS

STATES = ("waiting", "unsure", "decided", "all", "rereview")
BANDS = ("review", "auto", "below")

# The standing human decision on a pair (a scalar subquery on decision_state).
_STANDING = (
    "(SELECT d.kind FROM decision_state d "
    "WHERE d.left_key = p.left_key AND d.right_key = p.right_key)"
)
# A standing decision that rests on values a newer export changed reads
# 're-review' (app.rereview): the pair waits for a person again.
_CHANGED = changed_values_sql("x", "l", "r")
_SHOWN_STATE = (
    f"(SELECT CASE WHEN {_CHANGED} THEN 're-review' ELSE d.kind END "
    "FROM decision_state d JOIN ledger x ON x.seq = d.seq "
    "WHERE d.left_key = p.left_key AND d.right_key = p.right_key)"
)
_QUEUE_COLUMNS = (
    "p.id, p.priority, p.probability, p.band, p.left_key, p.right_key, "
    "ls.name, l.record_id, l.last_name, l.first_name, l.middle_name, l.dob, "
    "rs.name, r.record_id, r.last_name, r.first_name, r.middle_name, r.dob, "
    f"{_SHOWN_STATE}"
)
_QUEUE_FROM = (
    "FROM pairs p "
    "JOIN records l ON l.id = p.left_key JOIN sources ls ON ls.id = l.source_id "
    "JOIN records r ON r.id = p.right_key JOIN sources rs ON rs.id = r.source_id "
)


def _filters(
    band: str, state: str, sources: tuple[int, int] | None
) -> tuple[list[str], list[Any]]:
    if band not in BANDS:
        raise ValueError(f"unknown band {band!r}")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    # Re-review spans every band: a decided pair may have been re-scored into
    # another band since, and none of them may be missed.
    where, args = (["p.band = ?"], [band]) if state != "rereview" else ([], [])
    if state == "rereview":
        where.append(_CHANGED)
    elif state == "waiting":
        where.append(f"{_STANDING} IS NULL")
    elif state == "unsure":
        where.append("d.kind = 'unsure'")
    elif state == "decided":
        where.append("d.kind IN ('match', 'non-match')")
    if sources is not None:
        a, b = sources
        where.append(
            "((l.source_id = ? AND r.source_id = ?) "
            "OR (l.source_id = ? AND r.source_id = ?))"
        )
        args += [a, b, b, a]
    return where, args


def _from(state: str) -> str:
    if state in ("unsure", "decided", "rereview"):
        # Answered pairs are few: start from them (CROSS JOIN fixes the loop
        # order) rather than probe the ledger for every pair in the band.
        ledger = "JOIN ledger x ON x.seq = d.seq " if state == "rereview" else ""
        return (
            "FROM decision_state d CROSS JOIN pairs p "
            "ON p.left_key = d.left_key AND p.right_key = d.right_key "
            + ledger
            + _QUEUE_FROM.removeprefix("FROM pairs p ")
        )
    return _QUEUE_FROM


def queue_page(
    conn: sqlite3.Connection,
    *,
    band: str,
    state: str,
    sources: tuple[int, int] | None,
    after: tuple[float, int] | None,
    limit: int,
) -> list[tuple[Any, ...]]:
    """One page of queue rows after the keyset cursor (priority, id)."""
    where, args = _filters(band, state, sources)
    if after is not None:
        # ``priority <= ?`` is the range the index can seek to; the OR breaks ties.
        where.append("p.priority <= ? AND (p.priority < ? OR p.id > ?)")
        args += [after[0], after[0], after[1]]
    sql = (
        f"SELECT {_QUEUE_COLUMNS} {_from(state)} WHERE {' AND '.join(where)} "
        "ORDER BY p.priority DESC, p.id LIMIT ?"
    )
    return conn.execute(sql, [*args, limit]).fetchall()


def queue_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Queue rows for given pair ids (to refill a cache), in no order."""
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        out += conn.execute(
            f"SELECT {_QUEUE_COLUMNS} {_QUEUE_FROM} WHERE p.id IN ({marks})", chunk
        ).fetchall()
    return out


def queue_totals(
    conn: sqlite3.Connection, *, band: str, sources: tuple[int, int] | None
) -> tuple[int, dict[str, int]]:
    """(pairs in the band, {standing decision kind: pairs}) under a source filter.

    The decided side is driven from ``decision_state`` (as many rows as people
    have answered), so counting never probes the ledger once per pair.
    """
    where, args = _filters(band, "all", sources)
    joins = "" if sources is None else (
        "JOIN records l ON l.id = p.left_key JOIN records r ON r.id = p.right_key "
    )  # fmt: skip
    total = conn.execute(
        f"SELECT count(*) FROM pairs p {joins}WHERE {' AND '.join(where)}", args
    ).fetchone()[0]
    kinds = dict(
        conn.execute(
            f"SELECT d.kind, count(*) FROM decision_state d JOIN pairs p "
            f"ON p.left_key = d.left_key AND p.right_key = d.right_key {joins}"
            f"WHERE {' AND '.join(where)} GROUP BY d.kind",
            args,
        ).fetchall()
    )
    return int(total), {str(k): int(v) for k, v in kinds.items()}


def rereview_total(conn: sqlite3.Connection, *, sources: tuple[int, int] | None) -> int:
    """Pairs (any band) whose standing decision needs re-review."""
    where, args = _filters("review", "rereview", sources)
    return int(
        conn.execute(
            f"SELECT count(*) {_from('rereview')} WHERE {' AND '.join(where)}", args
        ).fetchone()[0]
    )


def decided_since(conn: sqlite3.Connection, actor: str, since: str) -> int:
    """Pairs whose standing decision ``actor`` made at or after ``since``."""
    return int(
        conn.execute(
            "SELECT count(*) FROM decision_state WHERE actor = ? AND at >= ?",
            (actor, since),
        ).fetchone()[0]
    )


def list_sources(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    return conn.execute("SELECT id, name, kind FROM sources ORDER BY id").fetchall()


def pair_row(conn: sqlite3.Connection, pair_id: int) -> tuple[Any, ...] | None:
    """(id, left, right, run, weight, probability, band, levels, contributions,
    model version)."""
    return conn.execute(
        "SELECT p.id, p.left_key, p.right_key, p.run_id, p.weight, p.probability, "
        "p.band, p.levels, p.contributions, u.model_version "
        "FROM pairs p JOIN runs u ON u.id = p.run_id WHERE p.id = ?",
        (pair_id,),
    ).fetchone()


def pair_id_for(conn: sqlite3.Connection, left: int, right: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM pairs WHERE left_key = ? AND right_key = ?",
        (min(left, right), max(left, right)),
    ).fetchone()
    return None if row is None else int(row[0])


def model_json(conn: sqlite3.Connection, run_id: int) -> str | None:
    """The run's model without its term-frequency tables (megabytes at scale)."""
    row = conn.execute(
        "SELECT json_remove(params, '$.tf') FROM model_params WHERE run_id = ?",
        (run_id,),
    ).fetchone()
    return None if row is None else str(row[0])


RECORD_COLUMNS = (
    "key", "source", "kind", "record_id", "import_id", "line", "raw",
    "identity_id", *STORED_FIELDS, "extra_ids", "problems",
)  # fmt: skip
_RECORD_SELECT = (
    "SELECT r.id, s.name, s.kind, r.record_id, r.import_id, r.line, r.raw, "
    "r.identity_id, "
    + ", ".join(f"r.{c}" for c in STORED_FIELDS)
    + ", r.extra_ids, r.problems FROM records r JOIN sources s ON s.id = r.source_id "
)


def records_full(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """key -> every column a reviewer may look at, including the raw row."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"{_RECORD_SELECT} WHERE r.id IN ({marks})", chunk):
            out[row[0]] = dict(zip(RECORD_COLUMNS, row, strict=True))
    return out


def identity_record_rows(
    conn: sqlite3.Connection, identity_id: int, *, limit: int
) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"{_RECORD_SELECT} WHERE r.identity_id = ? ORDER BY r.event_date, r.id LIMIT ?",
        (identity_id, limit),
    ).fetchall()
    return [dict(zip(RECORD_COLUMNS, row, strict=True)) for row in rows]


def import_layout(conn: sqlite3.Connection, import_id: int) -> tuple[str, str, str]:
    """(file name, headers JSON, mapping JSON) of one import."""
    row = conn.execute(
        "SELECT file_name, headers, mapping FROM imports WHERE id = ?", (import_id,)
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2]))


def identity_members(
    conn: sqlite3.Connection, identity_id: int, *, exclude: int, limit: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Other records of an identity (key, source, record id, names, event date,
    statute, case number) and how many there are in all."""
    rows = conn.execute(
        "SELECT r.id, s.name, r.record_id, r.last_name, r.first_name, "
        "r.middle_name, r.event_date, r.statute, r.case_number FROM records r "
        "JOIN sources s ON s.id = r.source_id WHERE r.identity_id = ? AND r.id <> ? "
        "ORDER BY r.event_date, r.id LIMIT ?",
        (identity_id, exclude, limit),
    ).fetchall()
    count = conn.execute(
        "SELECT count(*) FROM records WHERE identity_id = ? AND id <> ?",
        (identity_id, exclude),
    ).fetchone()[0]
    return rows, int(count)


def standing_on_pair(
    conn: sqlite3.Connection, left: int, right: int
) -> tuple[Any, ...] | None:
    """(seq, kind, actor, at, reason code, note, rests on changed values) of the
    standing decision."""
    return conn.execute(
        "SELECT l.seq, l.kind, l.actor, l.at, l.reason_code, l.note, "
        f"{changed_values_sql('l', 'a', 'b')} "
        "FROM decision_state d JOIN ledger l ON l.seq = d.seq "
        "JOIN records a ON a.id = l.left_key JOIN records b ON b.id = l.right_key "
        "WHERE d.left_key = ? AND d.right_key = ?",
        (left, right),
    ).fetchone()


def auto_links_among(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> list[tuple[int, int, int, float, float]]:
    """(pair id, left, right, weight, probability) of auto links inside ``keys``.

    ``+band`` keeps SQLite off the band index: with millions of automatic
    pairs it would scan them all instead of seeking each record's pairs.
    """
    inside = set(keys)
    out = []
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        out += [
            row
            for row in conn.execute(
                f"SELECT id, left_key, right_key, weight, probability FROM pairs "
                f"WHERE +band = 'auto' AND left_key IN ({marks})",
                chunk,
            )
            if row[2] in inside
        ]
    return out


def human_joins_among(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> list[tuple[Any, ...]]:
    """Standing match and merge entries inside ``keys``: (seq, kind, left,
    right, actor, at, reason code, note, pair id), oldest first."""
    inside = set(keys)
    out = []
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        out += [
            row
            for row in conn.execute(
                f"SELECT l.seq, l.kind, l.left_key, l.right_key, l.actor, l.at, "
                f"l.reason_code, l.note, l.pair_id FROM ledger l "
                f"WHERE l.left_key IN ({marks}) AND l.kind IN ('match', 'merge') "
                f"AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq) "
                f"AND (l.kind = 'merge' OR l.seq IN (SELECT seq FROM decision_state "
                f"WHERE left_key = l.left_key AND right_key = l.right_key))",
                chunk,
            )
            if row[3] in inside
        ]
    return sorted(out)


def identity_of(conn: sqlite3.Connection, record_key: int) -> int | None:
    row = conn.execute(
        "SELECT identity_id FROM records WHERE id = ?", (record_key,)
    ).fetchone()
    return None if row is None else int(row[0])


def flagged_identities(
    conn: sqlite3.Connection, *, after: int = 0, limit: int = 1000
) -> list[tuple[int, str, int]]:
    """(identity id, reasons JSON, records) of flagged identities, by id."""
    return conn.execute(
        "SELECT f.identity_id, f.reasons, "
        "(SELECT count(*) FROM records r WHERE r.identity_id = f.identity_id) "
        "FROM identity_flags f WHERE f.identity_id > ? ORDER BY f.identity_id "
        "LIMIT ?",
        (after, limit),
    ).fetchall()


def identity_flags(conn: sqlite3.Connection, identity_id: int) -> str | None:
    row = conn.execute(
        "SELECT reasons FROM identity_flags WHERE identity_id = ?", (identity_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def identity_sizes(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        out.update(
            conn.execute(
                f"SELECT identity_id, count(*) FROM records "
                f"WHERE identity_id IN ({marks}) GROUP BY identity_id",
                chunk,
            ).fetchall()
        )
    return out


_HIT_SELECT = (
    "SELECT r.id, s.name, r.record_id, r.last_name, r.first_name, r.middle_name, "
    "r.dob, r.event_date, r.identity_id FROM records r "
    "JOIN sources s ON s.id = r.source_id "
)


def records_named(
    conn: sqlite3.Connection, names: Sequence[tuple[str, str | None]], *, limit: int
) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for last, first in names:
        out += conn.execute(
            f"{_HIT_SELECT} WHERE r.last_name = ? AND r.first_name IS ? LIMIT ?",
            (last, first, limit),
        ).fetchall()
        if len(out) >= limit:
            break
    return out[:limit]


def records_born(
    conn: sqlite3.Connection, dobs: Sequence[str], *, limit: int
) -> list[tuple[Any, ...]]:
    marks = ", ".join("?" for _ in dobs)
    return conn.execute(
        f"{_HIT_SELECT} WHERE r.dob IN ({marks}) ORDER BY r.last_name, r.first_name "
        "LIMIT ?",
        (*dobs, limit),
    ).fetchall()


IDENTIFIER_COLUMNS = ("sid", "fbi_number", "ir_number", "booking_number", "case_number")


def records_with_identifier(
    conn: sqlite3.Connection, values: dict[str, str], *, limit: int
) -> list[tuple[Any, ...]]:
    """Records whose column equals the value, per column (each one indexed);
    ``record_id`` goes through the (source_id, record_id) unique index."""
    out: list[tuple[Any, ...]] = []
    for column, value in values.items():
        if column == "record_id":
            where = "r.source_id IN (SELECT id FROM sources) AND r.record_id = ?"
        elif column in IDENTIFIER_COLUMNS:
            where = f"r.{column} = ?"
        else:
            raise ValueError(f"not an identifier column: {column}")
        out += [
            (*row, column)
            for row in conn.execute(
                f"{_HIT_SELECT} WHERE {where} LIMIT ?", (value, limit)
            )
        ]
    return out

"""SQL for link runs, model parameters, scored pairs and identity assignment."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from matching.records import STORED_FIELDS


def start_run(
    conn: sqlite3.Connection, *, at: str, actor: str, os_user: str, settings: str
) -> int:
    cur = conn.execute(
        "INSERT INTO runs (started_at, status, actor, os_user, settings) "
        "VALUES (?, 'running', ?, ?, ?)",
        (at, actor, os_user, settings),
    )
    return int(cur.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    *,
    at: str,
    model_version: str,
    thresholds: dict[str, Any],
    stats: dict[str, Any],
) -> None:
    conn.execute(
        "UPDATE runs SET finished_at = ?, status = 'done', model_version = ?, "
        "thresholds = ?, stats = ? WHERE id = ?",
        (at, model_version, json.dumps(thresholds), json.dumps(stats), run_id),
    )


def save_params(
    conn: sqlite3.Connection,
    *,
    version: str,
    run_id: int,
    at: str,
    params: dict[str, Any],
    trained_on: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO model_params (version, run_id, created_at, params, "
        "trained_on) VALUES (?, ?, ?, ?, ?)",
        (version, run_id, at, json.dumps(params), json.dumps(trained_on)),
    )


def latest_params(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT m.params FROM model_params m JOIN runs r ON r.id = m.run_id "
        "ORDER BY r.id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else json.loads(row[0])


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    model_version: str | None
    thresholds: dict[str, Any] | None
    stats: dict[str, Any] | None


def latest_run(conn: sqlite3.Connection) -> RunRow | None:
    row = conn.execute(
        "SELECT id, started_at, finished_at, status, model_version, thresholds, stats "
        "FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    run_id, started, finished, status, version = row[:5]
    return RunRow(
        run_id,
        started,
        finished,
        status,
        version,
        thresholds=None if row[5] is None else json.loads(row[5]),
        stats=None if row[6] is None else json.loads(row[6]),
    )


def record_columns(
    conn: sqlite3.Connection, columns: Sequence[str]
) -> Iterator[tuple[str, list[Any]]]:
    """Each requested records column as one list, in record-key order.

    Column by column keeps peak memory at one column of Python objects at a
    time; the caller turns each into a compact array before asking the next.
    """
    allowed = {"id", "identity_id", "extra_ids", *STORED_FIELDS}
    for column in columns:
        if column not in allowed:
            raise ValueError(f"not a records column: {column}")
        values = [
            r[0] for r in conn.execute(f"SELECT {column} FROM records ORDER BY id")
        ]
        yield column, values


def record_chunks(
    conn: sqlite3.Connection, columns: Sequence[str], *, size: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """The requested records columns in record-key order, ``size`` rows at a time.

    One scan for every column: each scan reads the whole table (its ``raw``
    text too), so a column at a time costs a scan per column.
    """
    allowed = {"id", "identity_id", "extra_ids", "source_id", *STORED_FIELDS}
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise ValueError(f"not records columns: {unknown}")
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM records ORDER BY id")
    while rows := cursor.fetchmany(size):
        yield rows


def source_names(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, name FROM sources"))


def record_sources(conn: sqlite3.Connection) -> list[str]:
    """The source name of every record, in record-key order."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT s.name FROM records r JOIN sources s ON s.id = r.source_id "
            "ORDER BY r.id"
        )
    ]


def existing_pairs(conn: sqlite3.Connection) -> dict[tuple[int, int], tuple[int, str]]:
    """(left, right) -> (pair id, band) for every pair scored before."""
    return {
        (left, right): (pid, band)
        for pid, left, right, band in conn.execute(
            "SELECT id, left_key, right_key, band FROM pairs"
        )
    }


def auto_pair_ids(
    conn: sqlite3.Connection,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, pair id) of every pair in the automatic band, unordered."""
    # A table scan: through the band index each row is a random page read.
    left, right, ids = _int_columns(
        conn.execute(
            "SELECT left_key, right_key, id FROM pairs NOT INDEXED WHERE band = 'auto'"
        ),
        3,
    )
    return left, right, ids


def pair_index(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, pair id) of every pair, ordered by (left, right)."""
    # Answered from the UNIQUE (left_key, right_key) index alone.
    left, right, ids = _int_columns(
        conn.execute(
            "SELECT left_key, right_key, id FROM pairs ORDER BY left_key, right_key"
        ),
        3,
    )
    return left, right, ids


def _int_columns(cursor: sqlite3.Cursor, width: int) -> tuple[np.ndarray, ...]:
    """Integer result columns as int64 arrays, without a list of row tuples."""
    flat = np.fromiter(chain.from_iterable(cursor), dtype=np.int64)
    rows = flat.reshape(-1, width)
    return tuple(np.ascontiguousarray(rows[:, k]) for k in range(width))


@contextmanager
def page_cache(conn: sqlite3.Connection, *, mb: int) -> Iterator[None]:
    """A larger SQLite page cache for one big write, restored afterwards.

    A link run writes millions of pairs and ledger entries in one transaction;
    with the workspace's usual 64 MB the random-keyed indexes (the ledger's
    entry hash) spill and are read back again and again (256 MB: 68 s -> 60 s
    for 2.4M ledger entries). The pages are freed when the size is restored.
    """
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {-1024 * int(mb)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def pair_indexes_deferred(conn: sqlite3.Connection) -> Iterator[None]:
    """Drop the pairs table's secondary indexes, and build them again on exit.

    For rewriting most of the table: a link run upserts every pair it scored,
    and millions of inserts at random places in the queue and right-key indexes
    cost more than sorting once (55 s against 35 s for 3M pairs). Inside the
    caller's transaction, so a failure or Cancel rolls the drop back too; on
    an exception the indexes are not rebuilt, the rollback restores them.
    """
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'pairs' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


def upsert_pairs(conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of (left, right, run, weight, probability, band, levels,
    contributions, rules, priority); a known pair keeps its id."""
    conn.executemany(
        "INSERT INTO pairs (left_key, right_key, run_id, weight, probability, band, "
        "levels, contributions, rules, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (left_key, right_key) DO UPDATE SET run_id = excluded.run_id, "
        "weight = excluded.weight, probability = excluded.probability, "
        "band = excluded.band, levels = excluded.levels, "
        "contributions = excluded.contributions, rules = excluded.rules, "
        "priority = excluded.priority",
        rows,
    )


def retire_unscored_pairs(conn: sqlite3.Connection, run_id: int) -> int:
    """Pairs this run did not score fall below the bands; their ids stay valid."""
    cur = conn.execute(
        "UPDATE pairs SET band = 'below', priority = 0 WHERE run_id <> ? "
        "AND band <> 'below'",
        (run_id,),
    )
    return cur.rowcount


def pair_ids(
    conn: sqlite3.Connection, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Pair ids for the given (left, right) keys, -1 where unknown."""
    lookup = existing_pairs(conn)
    return np.fromiter(
        (
            lookup.get((int(a), int(b)), (-1, ""))[0]
            for a, b in zip(left, right, strict=True)
        ),
        dtype=np.int64,
        count=len(left),
    )


def auto_links(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, weight) of every pair currently in the automatic band."""
    # A table scan (see auto_pair_ids); keys are far below 2**53, exact as floats.
    flat = np.fromiter(
        chain.from_iterable(
            conn.execute(
                "SELECT left_key, right_key, weight FROM pairs NOT INDEXED "
                "WHERE band = 'auto'"
            )
        ),
        dtype=np.float64,
    ).reshape(-1, 3)
    return flat[:, 0].astype(np.int64), flat[:, 1].astype(np.int64), flat[:, 2].copy()


def identity_assignment(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """(record keys, identity ids), in key order."""
    keys, ids = _int_columns(
        conn.execute("SELECT id, identity_id FROM records ORDER BY id"), 2
    )
    return keys, ids


def update_identities(
    conn: sqlite3.Connection, changes: Iterable[tuple[int, int]]
) -> None:
    """(identity id, record key) pairs to apply."""
    conn.executemany("UPDATE records SET identity_id = ? WHERE id = ?", changes)


def add_aliases(
    conn: sqlite3.Connection,
    aliases: Sequence[tuple[int, int]],
    *,
    at: str,
    reason: str,
) -> None:
    conn.executemany(
        "INSERT INTO identity_aliases (old_id, new_id, at, reason) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, "
        "at = excluded.at, "
        "reason = excluded.reason",
        [(old, new, at, reason) for old, new in aliases],
    )


def replace_flags(
    conn: sqlite3.Connection,
    flags: Sequence[tuple[int, list[str]]],
    *,
    run_id: int | None,
) -> None:
    conn.execute("DELETE FROM identity_flags")
    conn.executemany(
        "INSERT INTO identity_flags (identity_id, reasons, run_id) VALUES (?, ?, ?)",
        [(identity, json.dumps(reasons), run_id) for identity, reasons in flags],
    )


def count_waiting(conn: sqlite3.Connection) -> int:
    """Pairs in the review band that no person has answered yet."""
    return int(
        conn.execute(
            "SELECT count(*) FROM pairs p WHERE p.band = 'review' AND NOT EXISTS "
            "(SELECT 1 FROM decision_state d WHERE d.left_key = p.left_key "
            "AND d.right_key = p.right_key)"
        ).fetchone()[0]
    )


def record_info(
    conn: sqlite3.Connection, keys: set[int]
) -> dict[int, tuple[str, str, str]]:
    """record key -> (source name, record id, values hash)."""
    out: dict[int, tuple[str, str, str]] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for key, source, rid, digest in conn.execute(
            f"SELECT r.id, s.name, r.record_id, r.values_hash FROM records r "
            f"JOIN sources s ON s.id = r.source_id WHERE r.id IN ({marks})",
            chunk,
        ):
            out[key] = (source, rid, digest)
    return out


def record_info_table(
    conn: sqlite3.Connection,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(keys, source names, record ids, values hashes) of every record, by key.

    One scan, for callers that need most records (the automatic links of a
    whole run): a million keys looked up 500 at a time cost ten times more.
    """
    names = source_names(conn)
    parts: list[tuple[Any, ...]] = []
    cursor = conn.execute(
        "SELECT id, source_id, record_id, values_hash FROM records ORDER BY id"
    )
    while rows := cursor.fetchmany(100_000):
        keys, sources, ids, hashes = zip(*rows, strict=True)
        parts.append(
            (
                np.asarray(keys, dtype=np.int64),
                np.asarray([names[s] for s in sources], dtype=object),
                np.asarray(ids, dtype=object),
                np.asarray(hashes, dtype=object),
            )
        )
    if not parts:
        empty = np.zeros(0, dtype=object)
        return np.zeros(0, dtype=np.int64), empty, empty, empty
    k, s, r, h = (np.concatenate(column) for column in zip(*parts, strict=True))
    return k, s, r, h


def pair_id_map(
    conn: sqlite3.Connection, wanted: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    lookup = existing_pairs(conn)
    return {pair: lookup[pair][0] for pair in wanted if pair in lookup}


@dataclass(frozen=True, slots=True)
class PairRow:
    id: int
    left_key: int
    right_key: int
    run_id: int
    weight: float
    probability: float
    band: str
    levels: bytes
    contributions: bytes


_PAIR_COLUMNS = (
    "p.id, p.left_key, p.right_key, p.run_id, p.weight, p.probability, p.band, "
    "p.levels, p.contributions"
)


def get_pairs(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, PairRow]:
    out: dict[int, PairRow] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT {_PAIR_COLUMNS} FROM pairs p WHERE p.id IN ({marks})", chunk
        ):
            out[row[0]] = PairRow(*row)
    return out


def iter_waiting(
    conn: sqlite3.Connection, *, band: str = "review"
) -> Iterator[tuple[Any, ...]]:
    """Undecided pairs of ``band`` with what a person needs to answer them:
    the review band most useful first; automatic links (to confirm them)
    least sure first."""
    if band not in ("review", "auto"):
        raise ValueError(f"band must be 'review' or 'auto', not {band!r}")
    order = "p.priority DESC, p.id" if band == "review" else "p.probability, p.id"
    yield from conn.execute(
        f"""
        SELECT p.id, ls.name, l.record_id, rs.name, r.record_id, p.probability,
               l.last_name, l.first_name, l.dob, r.last_name, r.first_name, r.dob
        FROM pairs p
        JOIN records l ON l.id = p.left_key JOIN sources ls ON ls.id = l.source_id
        JOIN records r ON r.id = p.right_key JOIN sources rs ON rs.id = r.source_id
        WHERE p.band = ? AND NOT EXISTS (
            SELECT 1 FROM decision_state d
            WHERE d.left_key = p.left_key AND d.right_key = p.right_key)
        ORDER BY {order}
        """,
        (band,),
    )


def standing_decisions(
    conn: sqlite3.Connection, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    wanted = set(pairs)
    return {
        (left, right): kind
        for left, right, kind in conn.execute(
            "SELECT left_key, right_key, kind FROM decision_state"
        )
        if (left, right) in wanted
    }


def params_for_run(conn: sqlite3.Connection, run_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT params FROM model_params WHERE run_id = ?", (run_id,)
    ).fetchone()
    return None if row is None else json.loads(row[0])


DISPLAY_FIELDS = (*STORED_FIELDS, "extra_ids")


def record_display(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """key -> source, record id, values hash and the normalised fields."""
    out: dict[int, dict[str, Any]] = {}
    ordered = sorted(set(keys))
    cols = ", ".join(f"r.{c}" for c in DISPLAY_FIELDS)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT r.id, s.name, r.record_id, r.values_hash, {cols} FROM records r "
            f"JOIN sources s ON s.id = r.source_id WHERE r.id IN ({marks})",
            chunk,
        ):
            fields = dict(zip(DISPLAY_FIELDS, row[4:], strict=True))
            out[row[0]] = {
                "source": row[1],
                "record_id": row[2],
                "values_hash": row[3],
                "fields": fields,
            }
    return out

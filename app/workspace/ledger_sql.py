"""SQL behind the ledger browser, provenance, re-review and the settings log.

The ledger holds one entry per automatic link, so a county's workspace has
millions of rows. Pages are read by keyset on ``seq`` (newest first), never
by OFFSET, and every filter is a plain column test so SQLite can stop after
one page. ``app.ledger_queries``, ``app.provenance`` and ``app.rereview``
turn these tuples into dataclasses; nothing outside ``app`` sees this SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from app.workspace.ledger import HUMAN_DECISIONS, changed_values_sql

HUMAN_KINDS = (*HUMAN_DECISIONS, "split", "merge", "reversal")
MODEL_ACTOR = "model"  # the actor of every automatic link (app.link_output)

ROW_COLUMNS = (
    "seq", "at", "actor", "os_user", "kind", "left_key", "right_key",
    "left_source", "left_record_id", "right_source", "right_record_id",
    "pair_id", "reason_code", "note", "probability", "reverses",
)  # fmt: skip
DETAIL_COLUMNS = (
    *ROW_COLUMNS, "levels", "model_version", "details", "left_values_hash",
    "right_values_hash", "evidence_hash", "prev_hash", "entry_hash",
)  # fmt: skip
_SELECT_ROW = f"SELECT {', '.join(ROW_COLUMNS)} FROM ledger"


def entry_filters(
    *,
    actor: str | None,
    since: str | None,
    until: str | None,
    kinds: Sequence[str] | None,
    prob_min: float | None,
    prob_max: float | None,
    no_probability: bool,
    sources: tuple[str, str] | None,
) -> tuple[list[str], list[Any]]:
    """WHERE terms and arguments for a ledger filter (all optional, ANDed).

    The model's entries are most of the ledger: filtering on its name through
    the ``(actor, at)`` index would sort millions of rows for one page, while
    scanning ``seq`` backwards finds a page of them at once, so ``+actor``
    keeps SQLite off the index for it.
    """
    where: list[str] = []
    args: list[Any] = []
    if actor is not None:
        where.append("+actor = ?" if actor == MODEL_ACTOR else "actor = ?")
        args.append(actor)
    if since is not None:
        where.append("at >= ?")
        args.append(since)
    if until is not None:
        where.append("at < ?")
        args.append(until)
    if kinds:
        where.append(f"kind IN ({', '.join('?' for _ in kinds)})")
        args += list(kinds)
    if no_probability:
        where.append("probability IS NULL")
    if prob_min is not None:
        where.append("probability >= ?")
        args.append(prob_min)
    if prob_max is not None:
        where.append("probability < ?")
        args.append(prob_max)
    if sources is not None:
        a, b = sources
        where.append(
            "((left_source = ? AND right_source = ?) "
            "OR (left_source = ? AND right_source = ?))"
        )
        args += [a, b, b, a]
    return where, args


def entries_page(
    conn: sqlite3.Connection,
    where: Sequence[str],
    args: Sequence[Any],
    *,
    before: int | None,
    limit: int,
) -> list[tuple[Any, ...]]:
    """Up to ``limit`` entries with ``seq < before``, newest first."""
    terms = list(where)
    values = list(args)
    if before is not None:
        terms.append("seq < ?")
        values.append(before)
    clause = f" WHERE {' AND '.join(terms)}" if terms else ""
    return conn.execute(
        f"{_SELECT_ROW}{clause} ORDER BY seq DESC LIMIT ?", [*values, limit]
    ).fetchall()


def entries_by_seq(
    conn: sqlite3.Connection, seqs: Sequence[int]
) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(seqs), 500):
        chunk = list(seqs[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        out += conn.execute(f"{_SELECT_ROW} WHERE seq IN ({marks})", chunk).fetchall()
    return out


def count_entries(
    conn: sqlite3.Connection, where: Sequence[str], args: Sequence[Any]
) -> int:
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return int(conn.execute(f"SELECT count(*) FROM ledger{clause}", args).fetchone()[0])


def entry_detail(conn: sqlite3.Connection, seq: int) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {', '.join(DETAIL_COLUMNS)} FROM ledger WHERE seq = ?", (seq,)
    ).fetchone()
    return None if row is None else dict(zip(DETAIL_COLUMNS, row, strict=True))


def reversed_by(conn: sqlite3.Connection, seq: int) -> int | None:
    row = conn.execute(
        "SELECT seq FROM ledger WHERE reverses = ? ORDER BY seq LIMIT 1", (seq,)
    ).fetchone()
    return None if row is None else int(row[0])


def evidence(
    conn: sqlite3.Connection, seq: int
) -> tuple[str | None, str | None] | None:
    """(snapshot JSON, purged at) of an entry, or None when it has none."""
    row = conn.execute(
        "SELECT snapshot, purged_at FROM evidence WHERE entry_seq = ?", (seq,)
    ).fetchone()
    return None if row is None else (row[0], row[1])


def record_states(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> dict[int, tuple[str, int, int]]:
    """key -> (values hash now, identity id, version) of each record."""
    out: dict[int, tuple[str, int, int]] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for key, digest, identity, version in conn.execute(
            f"SELECT id, values_hash, identity_id, version FROM records "
            f"WHERE id IN ({marks})",
            chunk,
        ):
            out[int(key)] = (str(digest), int(identity), int(version))
    return out


def distinct_actors(conn: sqlite3.Connection) -> list[str]:
    """Every actor in the ledger, by seeking the ``(actor, at)`` index once per
    name: a plain DISTINCT would read millions of automatic-link rows."""
    return [
        str(r[0])
        for r in conn.execute(
            """
            WITH RECURSIVE a(name) AS (
                SELECT min(actor) FROM ledger
                UNION ALL
                SELECT (SELECT min(actor) FROM ledger WHERE actor > a.name)
                FROM a WHERE a.name IS NOT NULL
            )
            SELECT name FROM a WHERE name IS NOT NULL
            """
        )
    ]


def source_names(conn: sqlite3.Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT name FROM sources ORDER BY id")]


# --- re-review: standing decisions resting on values a newer export changed ---

_FLAGGED_COLUMNS = (
    "l.seq, l.kind, l.left_key, l.right_key, l.pair_id, l.actor, l.at, "
    "l.left_values_hash IS NOT a.values_hash, "
    "l.right_values_hash IS NOT b.values_hash, "
    "a.import_id, b.import_id"
)
_CHANGED = changed_values_sql("l", "a", "b")


def flagged_decisions(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Standing human decisions whose records no longer hold the values seen.

    (seq, kind, left, right, pair id, actor, at, left changed, right changed,
    left record's import, right record's import), oldest first. Pair decisions
    come from ``decision_state`` (the latest unreversed answer per pair);
    splits and merges count while unreversed. Driven from the people's
    entries (the ``ledger_kind`` index), never from the automatic links.
    """
    pair_rows = conn.execute(
        f"SELECT {_FLAGGED_COLUMNS} FROM decision_state d "
        "JOIN ledger l ON l.seq = d.seq "
        "JOIN records a ON a.id = l.left_key JOIN records b ON b.id = l.right_key "
        f"WHERE {_CHANGED}"
    ).fetchall()
    identity_rows = conn.execute(
        f"SELECT {_FLAGGED_COLUMNS} FROM ledger l "
        "LEFT JOIN records a ON a.id = l.left_key "
        "LEFT JOIN records b ON b.id = l.right_key "
        "WHERE l.kind IN ('split', 'merge') "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq) "
        # A later split of the same record, or merge of the same pair (a
        # re-affirmation), supersedes it.
        "AND NOT EXISTS (SELECT 1 FROM ledger n WHERE n.kind = l.kind "
        "AND n.seq > l.seq AND n.left_key = l.left_key "
        "AND n.right_key IS l.right_key "
        "AND NOT EXISTS (SELECT 1 FROM ledger x WHERE x.reverses = n.seq)) "
        f"AND {_CHANGED}"
    ).fetchall()
    return sorted(pair_rows + identity_rows)


# --- provenance: the entries about a set of records ---------------------------


def entries_touching(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> list[dict[str, Any]]:
    """Every entry between two of ``keys``, or a person's entry about one of them.

    Entries between two records name the smaller key on the left, so the
    ``ledger_pair`` index finds them from the left; people's entries (few)
    are found from the right through ``ledger_kind``. Splits name the records
    they split from in ``details``, so those are checked by the caller.
    """
    inside = set(keys)
    found: dict[int, dict[str, Any]] = {}
    ordered = sorted(inside)
    cols = ", ".join(DETAIL_COLUMNS)
    kinds = ", ".join(f"'{k}'" for k in HUMAN_KINDS)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT {cols} FROM ledger WHERE left_key IN ({marks})", chunk
        ):
            entry = dict(zip(DETAIL_COLUMNS, row, strict=True))
            if (
                entry["right_key"] is None
                or entry["right_key"] in inside
                or (entry["kind"] in HUMAN_KINDS)
            ):
                found[entry["seq"]] = entry
        for row in conn.execute(
            f"SELECT {cols} FROM ledger WHERE kind IN ({kinds}) "
            f"AND right_key IN ({marks})",
            chunk,
        ):
            entry = dict(zip(DETAIL_COLUMNS, row, strict=True))
            found[entry["seq"]] = entry
    return [found[s] for s in sorted(found)]


def split_entries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every split entry (few: each is a person's act)."""
    cols = ", ".join(DETAIL_COLUMNS)
    return [
        dict(zip(DETAIL_COLUMNS, row, strict=True))
        for row in conn.execute(
            f"SELECT {cols} FROM ledger WHERE kind = 'split' ORDER BY seq"
        )
    ]


def reversals_of(conn: sqlite3.Connection, seqs: Sequence[int]) -> dict[int, int]:
    """entry seq -> the seq of the entry reversing it."""
    out: dict[int, int] = {}
    for start in range(0, len(seqs), 500):
        chunk = list(seqs[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for seq, target in conn.execute(
            f"SELECT seq, reverses FROM ledger WHERE reverses IN ({marks})", chunk
        ):
            out.setdefault(int(target), int(seq))
    return out


def evidence_of(
    conn: sqlite3.Connection, seqs: Sequence[int]
) -> dict[int, tuple[str | None, str | None]]:
    """seq -> (snapshot JSON, purged at) for entries that have evidence."""
    out: dict[int, tuple[str | None, str | None]] = {}
    for start in range(0, len(seqs), 500):
        chunk = list(seqs[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for seq, snapshot, purged in conn.execute(
            f"SELECT entry_seq, snapshot, purged_at FROM evidence "
            f"WHERE entry_seq IN ({marks})",
            chunk,
        ):
            out[int(seq)] = (snapshot, purged)
    return out


# --- the workspace log's settings entries --------------------------------------


def log_entries(
    conn: sqlite3.Connection, action: str, *, limit: int
) -> list[tuple[str, str, str, str]]:
    """(at, actor, os user, details JSON) of one kind of log entry, newest first."""
    return conn.execute(
        "SELECT at, actor, os_user, details FROM log WHERE action = ? "
        "ORDER BY id DESC LIMIT ?",
        (action, limit),
    ).fetchall()


def raw_changes(
    conn: sqlite3.Connection, key: int, seen_hash: str | None
) -> list[tuple[str, str, str]]:
    """(column, value then, value now) of a record's original row, between the
    version whose values a decision rested on and the current one; [] when
    that version is unknown or nothing changed."""
    current = conn.execute(
        "SELECT r.raw, i.headers, r.values_hash FROM records r "
        "JOIN imports i ON i.id = r.import_id WHERE r.id = ?",
        (key,),
    ).fetchone()
    if current is None or seen_hash is None or current[2] == seen_hash:
        return []
    then = conn.execute(
        "SELECT v.raw, i.headers FROM record_versions v "
        "JOIN imports i ON i.id = v.import_id "
        "WHERE v.record_key = ? AND v.values_hash = ? ORDER BY v.version DESC LIMIT 1",
        (key, seen_hash),
    ).fetchone()
    if then is None:
        return []
    old = dict(zip(json.loads(then[1]), json.loads(then[0]), strict=False))
    new = dict(zip(json.loads(current[1]), json.loads(current[0]), strict=False))
    return [
        (column, str(old.get(column, "")), str(new.get(column, "")))
        for column in dict.fromkeys([*old, *new])
        if old.get(column, "") != new.get(column, "")
    ]

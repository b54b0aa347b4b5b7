"""SQL for sources, imports, records and rejects.

Only this package speaks SQL. The importer hands it rows in batches; the
statements are prepared once and run with ``executemany`` because a
million-row import cannot afford sqlite-utils' per-row dict handling.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from matching.records import STORED_FIELDS

RECORD_COLUMNS: tuple[str, ...] = (
    "source_id",
    "import_id",
    "record_id",
    "line",
    "raw",
    *STORED_FIELDS,
    "extra_ids",
    "problems",
    "values_hash",
    "identity_id",
)
_INSERT_RECORD = (
    f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)})"
)
_UPDATE_RECORD = (
    "UPDATE records SET import_id = ?, line = ?, raw = ?, "
    + ", ".join(f"{f} = ?" for f in STORED_FIELDS)
    + ", extra_ids = ?, problems = ?, values_hash = ?, version = version + 1 "
    "WHERE id = ?"
)


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class PriorImport:
    source: str
    file_name: str
    imported_at: str


def find_import_by_hash(conn: sqlite3.Connection, sha256: str) -> PriorImport | None:
    row = conn.execute(
        "SELECT s.name, i.file_name, i.imported_at FROM imports i "
        "JOIN sources s ON s.id = i.source_id WHERE i.sha256 = ?",
        (sha256,),
    ).fetchone()
    return None if row is None else PriorImport(*row)


def get_source(conn: sqlite3.Connection, name: str) -> SourceRow | None:
    row = conn.execute(
        "SELECT id, name, kind FROM sources WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else SourceRow(*row)


def last_record_id_column(conn: sqlite3.Connection, source_id: int) -> str | None:
    """The record id column of the source's latest import with rows; "" when
    its rows were keyed by line number, None when nothing was imported yet."""
    row = conn.execute(
        "SELECT mapping FROM imports WHERE source_id = ? AND rows_imported > 0 "
        "ORDER BY id DESC LIMIT 1",
        (source_id,),
    ).fetchone()
    if row is None:
        return None
    return str(json.loads(row[0]).get("record_id") or "")


def create_source(conn: sqlite3.Connection, name: str, kind: str) -> SourceRow:
    cur = conn.execute("INSERT INTO sources (name, kind) VALUES (?, ?)", (name, kind))
    return SourceRow(int(cur.lastrowid or 0), name, kind)


def create_import(conn: sqlite3.Connection, **values: Any) -> int:
    """Insert the import's row up front (counts zero) so records can point at it."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cur = conn.execute(
        f"INSERT INTO imports ({columns}) VALUES ({marks})", tuple(values.values())
    )
    return int(cur.lastrowid or 0)


def finish_import(conn: sqlite3.Connection, import_id: int, **counts: int) -> None:
    assignments = ", ".join(f"{name} = ?" for name in counts)
    conn.execute(
        f"UPDATE imports SET {assignments} WHERE id = ?", (*counts.values(), import_id)
    )


def existing_records(
    conn: sqlite3.Connection, source_id: int
) -> dict[str, tuple[int, str]]:
    """record_id -> (record key, values hash) for a source, to apply a newer export."""
    return {
        rid: (key, digest)
        for key, rid, digest in conn.execute(
            "SELECT id, record_id, values_hash FROM records WHERE source_id = ?",
            (source_id,),
        )
    }


def insert_records(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
    conn.executemany(_INSERT_RECORD, rows)


def replace_records(
    conn: sqlite3.Connection,
    updates: Sequence[tuple[int, Sequence[Any]]],
    *,
    import_id: int,
    at: str,
) -> None:
    """Apply changed rows from a newer export, keeping each old version.

    Args:
        updates: (record key, values in ``RECORD_COLUMNS`` order).
    """
    keys = [key for key, _ in updates]
    conn.executemany(
        "INSERT INTO record_versions (record_key, version, import_id, raw, "
        "values_hash, replaced_at) SELECT id, version, import_id, raw, values_hash, ? "
        "FROM records WHERE id = ?",
        [(at, key) for key in keys],
    )
    index = {name: i for i, name in enumerate(RECORD_COLUMNS)}
    conn.executemany(
        _UPDATE_RECORD,
        [
            (
                import_id,
                row[index["line"]],
                row[index["raw"]],
                *(row[index[f]] for f in STORED_FIELDS),
                row[index["extra_ids"]],
                row[index["problems"]],
                row[index["values_hash"]],
                key,
            )
            for key, row in updates
        ],
    )


def insert_rejects(
    conn: sqlite3.Connection, import_id: int, rejects: Iterable[tuple[int, str, str]]
) -> None:
    conn.executemany(
        "INSERT INTO rejects (import_id, line, reason, raw_text) VALUES (?, ?, ?, ?)",
        [(import_id, line, reason, text) for line, reason, text in rejects],
    )


@dataclass(frozen=True, slots=True)
class ImportRow:
    id: int
    source: str
    kind: str
    file_name: str
    sha256: str
    imported_at: str
    imported_by: str
    rows_total: int
    rows_imported: int
    rows_updated: int
    rows_rejected: int
    field_problems: int
    mapping: dict[str, str]


def list_imports(conn: sqlite3.Connection) -> list[ImportRow]:
    rows = conn.execute(
        "SELECT i.id, s.name, s.kind, i.file_name, i.sha256, i.imported_at, "
        "i.imported_by, i.rows_total, i.rows_imported, i.rows_updated, "
        "i.rows_rejected, i.field_problems, i.mapping "
        "FROM imports i JOIN sources s ON s.id = i.source_id ORDER BY i.id"
    ).fetchall()
    return [ImportRow(*row[:-1], mapping=json.loads(row[-1])) for row in rows]


@dataclass(frozen=True, slots=True)
class RejectRow:
    line: int
    reason: str
    raw_text: str


def list_rejects(conn: sqlite3.Connection, import_id: int) -> list[RejectRow]:
    return [
        RejectRow(*row)
        for row in conn.execute(
            "SELECT line, reason, raw_text FROM rejects WHERE import_id = ? "
            "ORDER BY line",
            (import_id,),
        )
    ]


def iter_identity_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(identity id, source name, record id) for every record, grouped by identity."""
    yield from conn.execute(
        "SELECT r.identity_id, s.name, r.record_id FROM records r "
        "JOIN sources s ON s.id = r.source_id "
        "ORDER BY r.identity_id, s.name, r.id"
    )


def count_records(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])


def count_identities(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(DISTINCT identity_id) FROM records").fetchone()[0]
    )


def iter_record_keys(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(record key, source name, record id) for every record."""
    yield from conn.execute(
        "SELECT r.id, s.name, r.record_id FROM records r "
        "JOIN sources s ON s.id = r.source_id ORDER BY r.id"
    )


def stored_values(
    conn: sqlite3.Connection, keys: Sequence[int]
) -> dict[int, tuple[tuple[Any, ...], str | None, str]]:
    """key -> (normalised values, extra ids JSON, stored values hash)."""
    cols = ", ".join(STORED_FIELDS)
    out: dict[int, tuple[tuple[Any, ...], str | None, str]] = {}
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT id, {cols}, extra_ids, values_hash FROM records "
            f"WHERE id IN ({marks})",
            chunk,
        ):
            out[row[0]] = (tuple(row[1:-2]), row[-2], row[-1])
    return out


def earlier_hashes(conn: sqlite3.Connection, key: int) -> set[str]:
    """Values hashes a record had before a newer export replaced them."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT values_hash FROM record_versions WHERE record_key = ?", (key,)
        )
    }


# --- reads for the workstation's Sources and Run pages ------------------------


def import_new_counts(conn: sqlite3.Connection) -> dict[int, int]:
    """rows_new per import id: the Sources table shows new beside changed."""
    return {int(i): int(n) for i, n in conn.execute("SELECT id, rows_new FROM imports")}


@dataclass(frozen=True, slots=True)
class RejectPageRow:
    id: int
    line: int
    reason: str
    raw_text: str


def rejects_page(
    conn: sqlite3.Connection,
    import_id: int,
    *,
    after: tuple[int, int] = (0, 0),
    limit: int = 500,
) -> list[RejectPageRow]:
    """One page of an import's rejects after (line, id), in line order.

    Keyset paging on the ``rejects_import`` index: a broken export can leave a
    million rejects, and the GUI shows them a page at a time as you scroll.
    """
    return [
        RejectPageRow(*row)
        for row in conn.execute(
            "SELECT id, line, reason, raw_text FROM rejects "
            "WHERE import_id = ? AND (line, id) > (?, ?) ORDER BY line, id LIMIT ?",
            (import_id, after[0], after[1], limit),
        )
    ]


@dataclass(frozen=True, slots=True)
class FinishedRun:
    id: int
    started_at: str
    finished_at: str
    actor: str
    model_version: str | None
    thresholds: dict[str, Any]
    stats: dict[str, Any]
    trained_on: dict[str, Any]


def last_finished_run(conn: sqlite3.Connection) -> FinishedRun | None:
    """The newest completed link run with what its model was trained on."""
    row = conn.execute(
        "SELECT r.id, r.started_at, r.finished_at, r.actor, r.model_version, "
        "r.thresholds, r.stats, m.trained_on FROM runs r "
        "LEFT JOIN model_params m ON m.run_id = r.id "
        "WHERE r.status = 'done' ORDER BY r.id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return FinishedRun(
        *row[:5],
        thresholds=json.loads(row[5] or "{}"),
        stats=json.loads(row[6] or "{}"),
        trained_on=json.loads(row[7] or "{}"),
    )


def count_flagged_identities(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM identity_flags").fetchone()[0])


@contextmanager
def deferred_indexes(conn: sqlite3.Connection, *, enabled: bool) -> Iterator[None]:
    """Drop the records table's secondary indexes for a bulk load, then rebuild.

    Building an index once over sorted keys is cheaper than growing it row by
    row when most of the table's rows are new. Run inside the import's
    transaction, so a failed or cancelled import rolls the indexes back too.
    The UNIQUE (source, record id) index stays: the import relies on it.
    """
    if not enabled:
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'records' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


def record_count_estimate(conn: sqlite3.Connection) -> int:
    """The highest record key: the number of records, give or take replacements."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()[0])

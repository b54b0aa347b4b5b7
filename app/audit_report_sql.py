"""SQL behind the audit report: counts read straight from the tables and ledger.

Every figure here is a plain aggregate over one table, so an auditor with a
SQLite shell can reproduce it; the queries read only, so they work on a
workspace opened read-only (audit mode). Human entries are told from the
model's by their kind, not their actor: the model only ever writes
``auto-link`` and ``auto-unlink`` entries, while a person could type any name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from itertools import chain
from typing import Any

import numpy as np

from app.workspace.ledger_sql import HUMAN_KINDS

AUTO_KINDS = ("auto-link", "auto-unlink")
_HUMAN_IN = ", ".join(f"'{k}'" for k in HUMAN_KINDS)


def records_per_source(db: sqlite3.Connection) -> dict[str, tuple[str, int, int]]:
    """source name -> (kind, imports, records held now)."""
    return {
        name: (kind, int(imports), int(records))
        for name, kind, imports, records in db.execute(
            "SELECT s.name, s.kind, "
            "(SELECT count(*) FROM imports i WHERE i.source_id = s.id), "
            "(SELECT count(*) FROM records r WHERE r.source_id = s.id) "
            "FROM sources s ORDER BY s.id"
        )
    }


def import_rows(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every import with its row counts, oldest first."""
    return db.execute(
        "SELECT i.id, s.name, s.kind, i.file_name, i.sha256, i.imported_at, "
        "i.imported_by, i.rows_total, i.rows_imported, i.rows_new, i.rows_updated, "
        "i.rows_rejected, i.field_problems "
        "FROM imports i JOIN sources s ON s.id = i.source_id ORDER BY i.id"
    ).fetchall()


def run_rows(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every link run: times, status, who, model version, thresholds, settings."""
    return [
        (*row[:7], _json(row[7]), _json(row[8]))
        for row in db.execute(
            "SELECT id, started_at, finished_at, status, actor, os_user, "
            "model_version, thresholds, settings FROM runs ORDER BY id"
        )
    ]


def model_rows(db: sqlite3.Connection) -> list[tuple[str, int, str, dict[str, Any]]]:
    """(version, run id, created at, params) of every saved model, oldest first."""
    return [
        (version, int(run_id), created, json.loads(params))
        for version, run_id, created, params in db.execute(
            "SELECT version, run_id, created_at, params FROM model_params "
            "ORDER BY run_id"
        )
    ]


def entries_by_kind(db: sqlite3.Connection) -> dict[str, int]:
    """Ledger entries of each kind, ever appended (reversed ones included)."""
    return {
        kind: int(n)
        for kind, n in db.execute("SELECT kind, count(*) FROM ledger GROUP BY kind")
    }


def standing_auto_links(db: sqlite3.Connection) -> np.ndarray:
    """(left, right) rows of each pair whose latest model entry is an ``auto-link``.

    SQLite takes a bare column from the row that holds ``max(seq)``, so
    ``kind`` is the kind of each pair's latest automatic entry. An int64
    array, not tuples: a large workspace stands on millions of such links.
    """
    cursor = db.execute(
        "SELECT left_key, right_key FROM ("
        "  SELECT left_key, right_key, kind, max(seq) FROM ledger"
        "  WHERE kind IN ('auto-link', 'auto-unlink') GROUP BY left_key, right_key"
        ") WHERE kind = 'auto-link'"
    )
    flat = np.fromiter(chain.from_iterable(cursor), dtype=np.int64)
    return flat.reshape(-1, 2)


def auto_band_pairs(db: sqlite3.Connection) -> int:
    """Pairs the latest run put in the automatic band (the pairs table's view)."""
    return int(
        db.execute("SELECT count(*) FROM pairs WHERE band = 'auto'").fetchone()[0]
    )


def standing_decisions(db: sqlite3.Connection) -> dict[str, int]:
    """Standing human decisions per kind, from the ledger-derived view."""
    return {
        kind: int(n)
        for kind, n in db.execute(
            "SELECT kind, count(*) FROM decision_state GROUP BY kind"
        )
    }


def standing_structural(db: sqlite3.Connection) -> dict[str, int]:
    """Unreversed ``merge`` and ``split`` entries."""
    return {
        kind: int(n)
        for kind, n in db.execute(
            "SELECT l.kind, count(*) FROM ledger l WHERE l.kind IN ('merge', 'split') "
            "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq) "
            "GROUP BY l.kind"
        )
    }


def reviewer_day_kind(db: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    """(reviewer, UTC day, kind, entries) for every human entry."""
    return [
        (actor, day, kind, int(n))
        for actor, day, kind, n in db.execute(
            "SELECT actor, substr(at, 1, 10) AS day, kind, count(*) FROM ledger "
            f"WHERE kind IN ({_HUMAN_IN}) GROUP BY actor, day, kind "
            "ORDER BY actor, day, kind"
        )
    ]


def reviewer_spans(db: sqlite3.Connection) -> dict[str, tuple[str, str, str]]:
    """reviewer -> (OS accounts, first entry at, last entry at), human entries."""
    return {
        actor: (accounts, first, last)
        for actor, accounts, first, last in db.execute(
            "SELECT actor, group_concat(DISTINCT os_user), min(at), max(at) "
            f"FROM ledger WHERE kind IN ({_HUMAN_IN}) GROUP BY actor ORDER BY actor"
        )
    }


def reversal_rows(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Each reversal with the entry it reverses, oldest first."""
    return db.execute(
        "SELECT r.seq, r.at, r.actor, r.os_user, r.reverses, o.kind, o.actor, o.at, "
        "o.pair_id, o.left_source, o.left_record_id, o.right_source, "
        "o.right_record_id, r.note "
        "FROM ledger r LEFT JOIN ledger o ON o.seq = r.reverses "
        "WHERE r.kind = 'reversal' ORDER BY r.seq"
    ).fetchall()


def record_traits(db: sqlite3.Connection) -> Iterator[tuple[int, int, int, int, int]]:
    """(key, identity, compound surname, missing DOB, no person identifier).

    The traits are computed in SQL so no name, date or number leaves SQLite:
    the report needs only the three flags. Person identifiers are SID, FBI
    and IR numbers and any ``id_*`` column; booking and case numbers name an
    event, not a person.
    """
    yield from db.execute(
        "SELECT r.id, r.identity_id, "
        "instr(trim(coalesce(r.last_name, '')), ' ') > 0, "
        "coalesce(r.dob, '') = '', "
        "coalesce(r.sid, '') = '' AND coalesce(r.fbi_number, '') = '' "
        "AND coalesce(r.ir_number, '') = '' AND NOT EXISTS ("
        "  SELECT 1 FROM json_each(coalesce(r.extra_ids, '{}')) e "
        "  WHERE coalesce(e.value, '') <> '') "
        "FROM records r ORDER BY r.id"
    )


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)

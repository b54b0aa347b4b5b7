"""SQL behind the eligibility list: charge records by identity, original
spellings, and the dissemination log.

The list reads every record once, in identity order, without the original
rows (``raw``): only the few records that end up as a row's case number need
theirs, and those are fetched by key afterwards.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

DISSEMINATION = "dissemination"  # the log action of every eligibility export
_CHUNK = 500  # keys per IN (...) list, well under SQLite's variable limit


@contextmanager
def read_snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Every read inside sees one state of the file, even while others write.

    Without it the decisions and the records could be read either side of a
    reviewer's commit (a link confirmed in one, not yet in the other). Inside
    a caller's transaction, that transaction already is the snapshot.
    """
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")  # nothing was written: reads only


@dataclass(frozen=True, slots=True)
class ChargeRecord:
    """One record as the eligibility list needs it (normalised values)."""

    key: int
    identity_id: int
    source: str
    kind: str  # the source's kind: clerk, arrest, disposition or other
    record_id: str
    import_id: int
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    dob: str | None
    case_number: str | None  # canonical, e.g. '2015-CR-0012345'
    event_date: str | None
    statute: str | None
    disposition: str | None


def iter_charge_records(db: sqlite3.Connection) -> Iterator[ChargeRecord]:
    """Every record, grouped by identity (``records_identity`` index order)."""
    cursor = db.execute(
        "SELECT r.id, r.identity_id, s.name, s.kind, r.record_id, r.import_id, "
        "r.first_name, r.middle_name, r.last_name, r.dob, r.case_number, "
        "r.event_date, r.statute, r.disposition "
        "FROM records r JOIN sources s ON s.id = r.source_id "
        "ORDER BY r.identity_id, r.id"
    )
    for row in cursor:
        yield ChargeRecord(*row)


@dataclass(frozen=True, slots=True)
class ImportLayout:
    """What an import's stored rows mean: its headers and field mapping."""

    headers: tuple[str, ...]
    mapping: dict[str, str]  # field -> column header

    def column(self, field: str) -> int | None:
        """Position in ``raw`` of the column mapped to ``field``, if any."""
        header = self.mapping.get(field)
        if header is None or header not in self.headers:
            return None
        return self.headers.index(header)


def import_layouts(db: sqlite3.Connection) -> dict[int, ImportLayout]:
    """Headers and mapping of every import, by import id."""
    return {
        int(import_id): ImportLayout(tuple(json.loads(headers)), json.loads(mapping))
        for import_id, headers, mapping in db.execute(
            "SELECT id, headers, mapping FROM imports"
        )
    }


def raw_rows(db: sqlite3.Connection, keys: Sequence[int]) -> dict[int, list[Any]]:
    """The original row (values in header order) of each record key."""
    out: dict[int, list[Any]] = {}
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for key, raw in db.execute(
            f"SELECT id, raw FROM records WHERE id IN ({marks})", chunk
        ):
            out[int(key)] = json.loads(raw)
    return out


@dataclass(frozen=True, slots=True)
class Dissemination:
    """One logged export of the eligibility list: when, by whom, to whom."""

    id: int
    at: str
    actor: str
    os_user: str
    details: dict[str, Any]


def list_disseminations(db: sqlite3.Connection) -> list[Dissemination]:
    """Every dissemination logged in the workspace, oldest first."""
    return [
        Dissemination(int(i), at, actor, os_user, json.loads(details))
        for i, at, actor, os_user, details in db.execute(
            "SELECT id, at, actor, os_user, details FROM log WHERE action = ? "
            "ORDER BY id",
            (DISSEMINATION,),
        )
    ]


@dataclass(frozen=True, slots=True)
class InsidePair:
    """A scored pair of two records of one identity, and any standing decision."""

    pair_id: int
    left_key: int
    right_key: int
    band: str  # auto, review or below
    decision: str | None  # match, non-match, unsure; None when no person decided


def pairs_inside(
    db: sqlite3.Connection, identity_ids: Sequence[int]
) -> dict[int, list[InsidePair]]:
    """identity -> the scored pairs within it: what a person answers to confirm it.

    A pair in the ``pairs`` table exists for every automatic link, so answering
    an identity's pairs ``match`` connects its records by human must-links.
    """
    out: dict[int, list[InsidePair]] = {}
    ordered = sorted(set(identity_ids))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for identity, *pair in db.execute(
            "SELECT l.identity_id, p.id, p.left_key, p.right_key, p.band, d.kind "
            "FROM records l JOIN pairs p ON p.left_key = l.id "
            "JOIN records r ON r.id = p.right_key AND r.identity_id = l.identity_id "
            "LEFT JOIN decision_state d "
            "ON d.left_key = p.left_key AND d.right_key = p.right_key "
            f"WHERE l.identity_id IN ({marks}) ORDER BY p.id",
            chunk,
        ):
            out.setdefault(int(identity), []).append(InsidePair(*pair))
    return out


def count_records(db: sqlite3.Connection) -> int:
    """How many records the list will read: the total of its progress bar."""
    return int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])


def charge_records_of(db: sqlite3.Connection, identity_id: int) -> list[ChargeRecord]:
    """One identity's records, as :func:`iter_charge_records` gives them."""
    return [
        ChargeRecord(*row)
        for row in db.execute(
            "SELECT r.id, r.identity_id, s.name, s.kind, r.record_id, r.import_id, "
            "r.first_name, r.middle_name, r.last_name, r.dob, r.case_number, "
            "r.event_date, r.statute, r.disposition "
            "FROM records r JOIN sources s ON s.id = r.source_id "
            "WHERE r.identity_id = ? ORDER BY r.id",
            (identity_id,),
        )
    ]


@dataclass(frozen=True, slots=True)
class PairRun:
    """The link run that scored a pair: which, when, with which model."""

    run_id: int
    started_at: str
    model_version: str | None


def pair_runs(db: sqlite3.Connection, pair_ids: Sequence[int]) -> dict[int, PairRun]:
    """pair id -> the run that (last) scored it, for an evidence packet."""
    out: dict[int, PairRun] = {}
    ordered = sorted(set(pair_ids))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for pair_id, run_id, started, model in db.execute(
            "SELECT p.id, r.id, r.started_at, r.model_version FROM pairs p "
            f"JOIN runs r ON r.id = p.run_id WHERE p.id IN ({marks})",
            chunk,
        ):
            out[int(pair_id)] = PairRun(int(run_id), started, model)
    return out

"""What the ledger browser reads: pages of entries, one entry in full, a check.

An auditor filters the ledger by reviewer, date, decision, probability band
and source pair, and reads one entry as the reviewer left it: who, when, the
two records, the evidence as seen, the hashes that chain it. The ledger holds
an entry per automatic link (millions in a county), so the browser pages by
keyset and never counts on the GUI thread; ``verify_workspace`` runs in the
background on its own read-only connection. No Qt, no SQL here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import rereview
from app.actor import Actor
from app.audit import verify
from app.decisions import REASON_CODES
from app.workspace import ledger_sql as sql
from app.workspace.core import Connection, open_workspace
from app.workspace.ledger import KINDS

HUMAN = "human"  # every kind a person makes
KIND_CHOICES: tuple[str, ...] = (HUMAN, *KINDS)
# (label, lowest, below, only entries without a probability)
BANDS: dict[str, tuple[str, float | None, float | None, bool]] = {
    "none": ("No score (splits, merges, reversals)", None, None, True),
    "low": ("Below 0.5", 0.0, 0.5, False),
    "mid": ("0.5 to 0.9", 0.5, 0.9, False),
    "high": ("0.9 to 0.99", 0.9, 0.99, False),
    "top": ("0.99 and above", 0.99, None, False),
}


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which entries to list; every criterion is optional.

    Attributes:
        since, until: UTC ISO 8601 bounds (``until`` excluded), as stored.
        kind: one of ``KIND_CHOICES`` ('human' is every person's entry).
        band: a key of ``BANDS``.
        sources: two source names, either order.
    """

    actor: str | None = None
    since: str | None = None
    until: str | None = None
    kind: str | None = None
    band: str | None = None
    sources: tuple[str, str] | None = None

    def sql_terms(self) -> tuple[list[str], list[Any]]:
        if self.kind is not None and self.kind not in KIND_CHOICES:
            raise ValueError(f"unknown entry kind {self.kind!r}")
        if self.band is not None and self.band not in BANDS:
            raise ValueError(f"unknown probability band {self.band!r}")
        kinds = None
        if self.kind is not None:
            kinds = sql.HUMAN_KINDS if self.kind == HUMAN else (self.kind,)
        _, low, high, none = BANDS[self.band] if self.band else ("", None, None, False)
        return sql.entry_filters(
            actor=self.actor,
            since=self.since,
            until=self.until,
            kinds=kinds,
            prob_min=low,
            prob_max=high,
            no_probability=none,
            sources=self.sources,
        )


@dataclass(frozen=True, slots=True)
class LedgerRow:
    seq: int
    at: str
    actor: str
    os_user: str
    kind: str
    left_key: int | None
    right_key: int | None
    left_source: str | None
    left_record_id: str | None
    right_source: str | None
    right_record_id: str | None
    pair_id: int | None
    reason_code: str | None
    note: str | None
    probability: float | None
    reverses: int | None

    @property
    def records_text(self) -> str:
        left = f"{self.left_source} {self.left_record_id}" if self.left_source else ""
        if not self.right_source:
            return left
        return f"{left}  ↔  {self.right_source} {self.right_record_id}"


@dataclass(frozen=True, slots=True)
class LedgerPage:
    rows: tuple[LedgerRow, ...]
    cursor: int | None  # pass back as ``before``; None at the end


def ledger_page(
    conn: Connection,
    ledger_filter: LedgerFilter,
    *,
    before: int | None = None,
    limit: int = 500,
) -> LedgerPage:
    """The next ``limit`` matching entries, newest first, older than ``before``."""
    where, args = ledger_filter.sql_terms()
    rows = tuple(
        LedgerRow(*r)
        for r in sql.entries_page(conn.conn, where, args, before=before, limit=limit)
    )
    return LedgerPage(rows, rows[-1].seq if rows and len(rows) == limit else None)


def ledger_rows(conn: Connection, seqs: Sequence[int]) -> dict[int, LedgerRow]:
    """Rows by seq, for a model refilling its cache."""
    return {r[0]: LedgerRow(*r) for r in sql.entries_by_seq(conn.conn, seqs)}


def count_matching(conn: Connection, ledger_filter: LedgerFilter) -> int:
    """How many entries match: may read the whole ledger, so not on the GUI thread."""
    where, args = ledger_filter.sql_terms()
    return sql.count_entries(conn.conn, where, args)


def reviewers(conn: Connection) -> list[str]:
    """Everyone (and the model) with an entry in the ledger."""
    return sql.distinct_actors(conn.conn)


def source_names(conn: Connection) -> list[str]:
    return sql.source_names(conn.conn)


@dataclass(frozen=True, slots=True)
class SideNow:
    """A record of an entry as it is now, against the hash the entry kept."""

    key: int
    identity_id: int | None  # None: the record is gone
    changed: bool  # its values differ from those the entry rested on


@dataclass(frozen=True, slots=True)
class EntryDetail:
    row: LedgerRow
    reason_text: str | None
    levels: dict[str, str]
    model_version: str | None
    details: dict[str, Any]
    left_values_hash: str | None
    right_values_hash: str | None
    evidence_hash: str | None
    prev_hash: str
    entry_hash: str
    reversed_by: int | None
    evidence: dict[str, Any] | None  # the values the reviewer saw
    evidence_state: str  # 'shown', 'purged' or 'none' (automatic links keep none)
    purged_at: str | None
    left_now: SideNow | None
    right_now: SideNow | None


def _side(key: int | None, kept: str | None, states: dict[int, Any]) -> SideNow | None:
    if key is None:
        return None
    state = states.get(key)
    if state is None:
        return SideNow(key, None, True)
    return SideNow(key, state[1], kept is not None and state[0] != kept)


def entry_detail(conn: Connection, seq: int) -> EntryDetail | None:
    """One entry in full, with its evidence and its records as they are now."""
    raw = sql.entry_detail(conn.conn, seq)
    if raw is None:
        return None
    row = LedgerRow(*(raw[c] for c in sql.ROW_COLUMNS))
    stored = sql.evidence(conn.conn, seq)
    evidence, state, purged = None, "none", None
    if stored is not None:
        snapshot, purged = stored
        if purged is not None or snapshot is None:
            state = "purged"
        else:
            evidence, state = json.loads(snapshot), "shown"
    keys = [k for k in (row.left_key, row.right_key) if k is not None]
    states = sql.record_states(conn.conn, keys)
    return EntryDetail(
        row=row,
        reason_text=REASON_CODES.get(row.reason_code or "", row.reason_code),
        levels=json.loads(raw["levels"]) if raw["levels"] else {},
        model_version=raw["model_version"],
        details=json.loads(raw["details"]) if raw["details"] else {},
        left_values_hash=raw["left_values_hash"],
        right_values_hash=raw["right_values_hash"],
        evidence_hash=raw["evidence_hash"],
        prev_hash=raw["prev_hash"],
        entry_hash=raw["entry_hash"],
        reversed_by=sql.reversed_by(conn.conn, seq),
        evidence=evidence,
        evidence_state=state,
        purged_at=purged,
        left_now=_side(row.left_key, raw["left_values_hash"], states),
        right_now=_side(row.right_key, raw["right_values_hash"], states),
    )


@dataclass(frozen=True, slots=True)
class VerifySummary:
    """What "Verify chain" shows; ``rereview`` counts standing decisions."""

    ok: bool
    entries: int
    head: str
    first_problem: str | None
    problems: int
    rereview: int
    entries_on_changed_values: int


def verify_workspace(
    path: Path, *, on_progress: Any = None, cancel: Any = None
) -> VerifySummary:
    """Verify the chain on a read-only connection of its own (a pool thread's).

    ``on_progress`` and ``cancel`` are accepted for ``ui.tasks`` and unused:
    the walk is one pass and cannot stop half way with a meaningful answer.
    """
    conn = open_workspace(path, readonly=True, actor=Actor.current())
    try:
        report = verify(conn)
        standing = rereview.counts(conn).total
    finally:
        conn.close()
    return VerifySummary(
        ok=report.ok,
        entries=report.entries,
        head=report.head,
        first_problem=report.problems[0] if report.problems else None,
        problems=len(report.problems),
        rereview=standing,
        entries_on_changed_values=len(report.rereview),
    )

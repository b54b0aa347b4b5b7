"""What the review screens read: the queue, one pair, progress.

The GUI calls these on its read-only connection between two key presses, so
each is a handful of indexed statements returning small frozen dataclasses;
no Qt here, no SQL (that lives in ``app.workspace.review_sql``). Identity and
search reads are in ``app.identity_queries`` and re-exported here so the GUI
has one module to import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from app.identity_queries import (
    IdentityDetail,
    IdentityRecord,
    JoinInfo,
    SearchHit,
    SearchResult,
    TimelineEntry,
    display_name,
    identity_detail,
    identity_of_record,
    search,
)
from app.linking import level_labels
from app.rereview import what_changed
from app.workspace import review_sql as sql
from app.workspace.core import Connection
from matching.fields import FIELDS_BY_NAME
from matching.model import ModelParams
from matching.records import STORED_FIELDS

__all__ = [
    "FieldDiff", "IdentityDetail", "IdentityRecord", "JoinInfo", "Member",
    "PairDetail", "Progress", "QueueCounts", "QueueFilter", "QueuePage",
    "QueueRow", "RecordView", "SearchHit", "SearchResult", "SourceInfo",
    "Standing", "TimelineEntry", "display_name", "identity_detail",
    "identity_of_record",
    "list_sources", "pair_detail", "progress", "queue_counts", "queue_page",
    "queue_rows", "search", "start_of_today",
]  # fmt: skip

# Comparisons that look at more than one field (the rest are named after theirs).
_COMPARISON_FIELDS = {"address": ("street", "city", "state", "zip")}
MEMBERS_SHOWN = 25


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    name: str
    kind: str


def list_sources(conn: Connection) -> list[SourceInfo]:
    return [SourceInfo(*row) for row in sql.list_sources(conn.conn)]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which pairs the queue lists.

    Attributes:
        band: 'review' (the model is unsure), 'auto' or 'below'.
        state: 'waiting' (nobody answered), 'unsure', 'decided', 'all', or
            'rereview' (the standing decision rests on values a newer export
            changed; every band, whatever ``band`` says).
        sources: two source ids (either order), or None for every pair.
    """

    band: str = "review"
    state: str = "waiting"
    sources: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    pair_id: int
    priority: float
    probability: float
    band: str
    left_key: int
    right_key: int
    left_source: str
    left_record_id: str
    left_name: str
    left_dob: str | None
    right_source: str
    right_record_id: str
    right_name: str
    right_dob: str | None
    state: str | None  # the standing decision, 're-review', None while waiting


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    cursor: tuple[float, int] | None  # pass back as ``after``; None at the end


def _queue_row(row: Sequence[Any]) -> QueueRow:
    return QueueRow(
        *row[:8],
        left_name=display_name(row[8], row[9], row[10]),
        left_dob=row[11],
        right_source=row[12],
        right_record_id=row[13],
        right_name=display_name(row[14], row[15], row[16]),
        right_dob=row[17],
        state=row[18],
    )


def queue_page(
    conn: Connection,
    queue: QueueFilter,
    *,
    after: tuple[float, int] | None = None,
    limit: int = 500,
) -> QueuePage:
    """The next ``limit`` pairs, most useful first, after a keyset cursor."""
    rows = tuple(
        _queue_row(r)
        for r in sql.queue_page(
            conn.conn,
            band=queue.band,
            state=queue.state,
            sources=queue.sources,
            after=after,
            limit=limit,
        )
    )
    more = len(rows) == limit
    cursor = (rows[-1].priority, rows[-1].pair_id) if rows and more else None
    return QueuePage(rows, cursor)


def queue_rows(conn: Connection, pair_ids: Sequence[int]) -> dict[int, QueueRow]:
    """Rows by pair id, for a model refilling its cache."""
    return {r[0]: _queue_row(r) for r in sql.queue_rows(conn.conn, pair_ids)}


@dataclass(frozen=True, slots=True)
class QueueCounts:
    total: int
    waiting: int
    unsure: int
    decided: int
    rereview: int = 0  # in every band: decisions resting on changed values


def queue_counts(conn: Connection, queue: QueueFilter) -> QueueCounts:
    """How many pairs the band holds under the source filter, by state."""
    total, kinds = sql.queue_totals(conn.conn, band=queue.band, sources=queue.sources)
    unsure = kinds.get("unsure", 0)
    decided = kinds.get("match", 0) + kinds.get("non-match", 0)
    rereview = sql.rereview_total(conn.conn, sources=queue.sources)
    return QueueCounts(total, total - unsure - decided, unsure, decided, rereview)


@dataclass(frozen=True, slots=True)
class Progress:
    decided_today: int
    waiting: int


def start_of_today(now: datetime | None = None) -> str:
    """Local midnight as the ledger writes times (UTC ISO with a Z)."""
    local = (now or datetime.now().astimezone()).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def progress(conn: Connection, *, since: str | None = None) -> Progress:
    """Decided today by this reviewer, and pairs still waiting in the review band."""
    done = sql.decided_since(conn.conn, conn.actor.name, since or start_of_today())
    return Progress(done, queue_counts(conn, QueueFilter()).waiting)


@dataclass(frozen=True, slots=True)
class RecordView:
    """One record as the reviewer sees it: normalised and as the file had it."""

    key: int
    source: str
    kind: str
    record_id: str
    identity_id: int
    file_name: str
    line: int
    values: Mapping[str, str]  # field -> normalised value, non-empty only
    original: tuple[tuple[str, str, str | None], ...]  # header, value, field
    problems: tuple[str, ...]

    @property
    def name(self) -> str:
        v = self.values
        return display_name(
            v.get("last_name"), v.get("first_name"), v.get("middle_name")
        )


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One comparison's evidence: the level it fell in and its log2 weight."""

    comparison: str
    fields: tuple[str, ...]
    level: str
    contribution: float  # log2 Bayes factor; > 0 speaks for a match
    missing: bool


@dataclass(frozen=True, slots=True)
class Member:
    key: int
    source: str
    record_id: str
    name: str
    event_date: str | None
    statute: str | None
    case_number: str | None


@dataclass(frozen=True, slots=True)
class Standing:
    seq: int
    kind: str
    actor: str
    at: str
    reason_code: str | None
    note: str | None
    # A newer export changed a record since: the decision needs re-review.
    rereview: bool = False
    changes: tuple[str, ...] = ()  # what changed, column by column


def _with_changes(conn: Connection, standing: Standing | None) -> Standing | None:
    """A standing decision to re-review, with what the newer export changed."""
    if standing is None or not standing.rereview:
        return standing
    return replace(standing, changes=what_changed(conn, standing.seq))


def standing_of(row: tuple[Any, ...] | None) -> Standing | None:
    """A ``review_sql.standing_on_pair`` row as a Standing."""
    if row is None:
        return None
    return Standing(*row[:6], rereview=bool(row[6]))


@dataclass(frozen=True, slots=True)
class PairDetail:
    pair_id: int
    band: str
    weight: float
    probability: float
    prior_weight: float
    left: RecordView
    right: RecordView
    fields: tuple[str, ...]  # the rows to show, in canonical order
    evidence: tuple[FieldDiff, ...]
    left_members: tuple[Member, ...]
    left_member_count: int
    right_members: tuple[Member, ...]
    right_member_count: int
    standing: Standing | None

    @property
    def same_identity(self) -> bool:
        return self.left.identity_id == self.right.identity_id


_MODELS: dict[str, ModelParams] = {}


def _model(conn: Connection, run_id: int, version: str | None) -> ModelParams | None:
    """The run's model, parsed once: a run's parameters never change."""
    key = version or f"run{run_id}"
    if key not in _MODELS:
        text = sql.model_json(conn.conn, run_id)
        if text is None:
            return None
        try:
            _MODELS[key] = ModelParams.from_dict({**json.loads(text), "tf": []})
        except (ValueError, KeyError):
            return None
    return _MODELS[key]


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def record_view(conn: Connection, row: Mapping[str, Any]) -> RecordView:
    values = {f: t for f in STORED_FIELDS if (t := _text(row[f])) is not None}
    if row["extra_ids"]:
        values |= {k: str(v) for k, v in json.loads(row["extra_ids"]).items() if v}
    file_name, headers_json, mapping_json = sql.import_layout(
        conn.conn, row["import_id"]
    )
    by_column = {column: field for field, column in json.loads(mapping_json).items()}
    raw = json.loads(row["raw"])
    original = tuple(
        (h, "" if v is None else str(v), by_column.get(h))
        for h, v in zip(json.loads(headers_json), raw, strict=False)
    )
    problems = tuple(json.loads(row["problems"])) if row["problems"] else ()
    return RecordView(
        key=row["key"],
        source=row["source"],
        kind=row["kind"],
        record_id=row["record_id"],
        identity_id=row["identity_id"],
        file_name=file_name,
        line=row["line"],
        values=values,
        original=original,
        problems=tuple(str(p) for p in problems),
    )


def identity_members(
    conn: Connection, record: RecordView
) -> tuple[tuple[Member, ...], int]:
    rows, count = sql.identity_members(
        conn.conn, record.identity_id, exclude=record.key, limit=MEMBERS_SHOWN
    )
    return tuple(
        Member(r[0], r[1], r[2], display_name(r[3], r[4], r[5]), *r[6:]) for r in rows
    ), count


_ALWAYS = ("last_name", "first_name", "dob")


def shown_fields(left: RecordView, right: RecordView) -> tuple[str, ...]:
    known = [f for f in FIELDS_BY_NAME if f not in ("record_id", "full_name")]
    extra = sorted({*left.values, *right.values} - set(known))
    return tuple(
        f
        for f in (*known, *extra)
        if f in _ALWAYS or f in left.values or f in right.values
    )


def pair_detail(conn: Connection, pair_id: int) -> PairDetail | None:
    """Everything the pair view shows for one pair, or None if it is unknown."""
    row = sql.pair_row(conn.conn, pair_id)
    if row is None:
        return None
    pid, left_key, right_key, run_id, weight, probability, band, lv, ct, ver = row
    records = sql.records_full(conn.conn, [left_key, right_key])
    left = record_view(conn, records[left_key])
    right = record_view(conn, records[right_key])
    model = _model(conn, run_id, ver)
    evidence: tuple[FieldDiff, ...] = ()
    prior = 0.0
    if model is not None:
        levels = np.frombuffer(lv, dtype=np.int8)
        weights = np.frombuffer(ct, dtype=np.float32)
        labels = level_labels(model, levels)
        prior = model.prior_weight
        evidence = tuple(
            FieldDiff(
                name,
                _COMPARISON_FIELDS.get(name, (name,)),
                labels[name],
                float(w),
                bool(int(level) < 0),
            )
            for name, level, w in zip(model.names, levels, weights, strict=True)
        )
    left_members, left_count = identity_members(conn, left)
    right_members, right_count = identity_members(conn, right)
    standing = sql.standing_on_pair(conn.conn, left_key, right_key)
    return PairDetail(
        pair_id=pid,
        band=band,
        weight=float(weight),
        probability=float(probability),
        prior_weight=prior,
        left=left,
        right=right,
        fields=shown_fields(left, right),
        evidence=evidence,
        left_members=left_members,
        left_member_count=left_count,
        right_members=right_members,
        right_member_count=right_count,
        standing=_with_changes(conn, standing_of(standing)),
    )

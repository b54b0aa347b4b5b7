"""The blind second review, the disagreements, and their adjudication.

Blindness is by construction: :func:`blind_pair` returns the two records and
nothing else (no score, no band, no first decision, no identity: records in
one identity would give the link away), so a panel built on it cannot leak
what it never receives. The disagreements, by contrast, are shown in full,
and adjudicating one is an ordinary ledger entry made in normal mode, with
the reason code ``adjudication`` and a note naming the sample.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.actor import utc_now
from app.audit_file import WAITING, AuditFile, Item, Label
from app.decisions import DecisionOutcome, decide_pair
from app.errors import UserError
from app.identities import recluster

# The review screen's own builders, so both screens show records the same way.
from app.review_queries import (
    PairDetail,
    RecordView,
    identity_members,
    pair_detail,
    record_view,
    shown_fields,
    standing_of,
)
from app.workspace import ledger, review_sql
from app.workspace import pairs as store
from app.workspace.core import Connection

ADJUDICATION = "adjudication"


@dataclass(frozen=True, slots=True)
class BlindPair:
    """What the blind panel may show: two records and the reviewer's own label.

    Attributes:
        pos: the item's place in the sample (1-based, shuffled order).
        total: items in the sample.
        left, right: the records, with ``identity_id`` blanked (0).
        fields: the field rows to show, as on the review screen.
        own_label: the item's latest blind label, if this reviewer gave it.
    """

    pos: int
    total: int
    left: RecordView
    right: RecordView
    fields: tuple[str, ...]
    own_label: str | None


def _records(conn: Connection, item: Item) -> tuple[RecordView, RecordView]:
    rows = review_sql.records_full(conn.conn, [item.left_key, item.right_key])
    if item.left_key not in rows or item.right_key not in rows:
        raise UserError(
            f"a record of sample item {item.pos} is no longer in the workspace"
        )
    return record_view(conn, rows[item.left_key]), record_view(
        conn, rows[item.right_key]
    )


def blind_pair(conn: Connection, audit: AuditFile, pos: int) -> BlindPair | None:
    """Sample item ``pos`` as the blind reviewer sees it (None if no such item)."""
    item = audit.item(pos)
    if item is None:
        return None
    left, right = _records(conn, item)
    label = audit.labels().get(pos)
    return BlindPair(
        pos=pos,
        total=len(audit.items()),
        left=replace(left, identity_id=0),
        right=replace(right, identity_id=0),
        fields=shown_fields(left, right),
        # Only this reviewer's own: another's label would unblind the item.
        own_label=(
            label.label
            if label is not None and label.labeller == conn.actor.name
            else None
        ),
    )


def next_unlabelled(audit: AuditFile, after: int = 0) -> int | None:
    """The first unlabelled item after ``after``, wrapping round; None when done."""
    labelled = set(audit.labels())
    positions = [i.pos for i in audit.items()]
    ordered = [p for p in positions if p > after] + [p for p in positions if p <= after]
    return next((p for p in ordered if p not in labelled), None)


def full_detail(conn: Connection, item: Item) -> PairDetail:
    """The pair unblinded, as the review screen shows it, for adjudication.

    A candidate the workspace never stored (below the lower threshold) has
    no comparison evidence saved; it is shown with its records and the
    probability the draw computed.
    """
    if item.pair_id is not None:
        detail = pair_detail(conn, item.pair_id)
        if detail is not None:
            return detail
    left, right = _records(conn, item)
    standing = review_sql.standing_on_pair(conn.conn, item.left_key, item.right_key)
    left_members, left_count = identity_members(conn, left)
    right_members, right_count = identity_members(conn, right)
    return PairDetail(
        pair_id=item.pair_id or 0,
        band=item.band,
        weight=item.match_weight,
        probability=item.probability,
        prior_weight=0.0,
        left=left,
        right=right,
        fields=shown_fields(left, right),
        evidence=(),
        left_members=left_members,
        left_member_count=left_count,
        right_members=right_members,
        right_member_count=right_count,
        standing=standing_of(standing),
    )


@dataclass(frozen=True, slots=True)
class Adjudicated:
    seq: int
    kind: str
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A sampled pair whose blind label differs from the first decision."""

    item: Item
    label: Label
    adjudicated: Adjudicated | None


def adjudication_of(conn: Connection, item: Item, since_seq: int) -> Adjudicated | None:
    """The standing adjudication entry on the item's records made after the draw."""
    row = conn.conn.execute(
        "SELECT l.seq, l.kind, l.actor, l.at FROM ledger l "
        "WHERE l.left_key = ? AND l.right_key = ? AND l.reason_code = ? "
        "AND l.seq > ? "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq) "
        "ORDER BY l.seq DESC LIMIT 1",
        (item.left_key, item.right_key, ADJUDICATION, since_seq),
    ).fetchone()
    return None if row is None else Adjudicated(*row)


def disagreements(conn: Connection, audit: AuditFile) -> list[Disagreement]:
    """Labelled items whose blind label differs from the first decision."""
    since = int(audit.meta("ledger_seq") or "0")
    labels = audit.labels()
    out = []
    for item in audit.items():
        label = labels.get(item.pos)
        if (
            label is not None
            and item.first_decision != WAITING
            and label.label != item.first_decision
        ):
            out.append(Disagreement(item, label, adjudication_of(conn, item, since)))
    return out


def adjudication_note(audit: AuditFile, item: Item, label: Label | None) -> str:
    """Names the audit file and sample, so the entry leads back to them."""
    sample = (audit.meta("sample_id") or "")[:8]
    second = "unlabelled" if label is None else f"{label.label} by {label.labeller}"
    return (
        f"Adjudication of quality sample {sample} ({audit.path.name}), item "
        f"{item.pos}: first {item.first_decision} ({item.first_by}), blind "
        f"{second}"
    )


def adjudicate(
    conn: Connection, audit_file: Path, pos: int, decision: str
) -> DecisionOutcome:
    """Record the final decision on sample item ``pos`` in the ledger.

    Needs a writable connection (read-only raises ``WorkspaceError``). A
    stored pair goes through :func:`app.decisions.decide_pair`; a candidate
    never stored gets the same kind of entry on its two records.
    """
    if decision not in ledger.HUMAN_DECISIONS:
        raise UserError(f"unknown decision '{decision}'")
    audit = AuditFile.open(audit_file, workspace_uuid=conn.info("workspace_uuid") or "")
    try:
        item = audit.item(pos)
        if item is None:
            raise UserError(f"the sample has no item {pos}")
        note = adjudication_note(audit, item, audit.labels().get(pos))
    finally:
        audit.close()
    if item.pair_id is not None and store.get_pairs(conn.conn, [item.pair_id]):
        return decide_pair(
            conn, item.pair_id, decision, reason_code=ADJUDICATION, note=note
        )
    return _decide_unstored(conn, item, decision, note)


def _decide_unstored(
    conn: Connection, item: Item, decision: str, note: str
) -> DecisionOutcome:
    with conn.transaction():
        shown = store.record_display(conn.conn, [item.left_key, item.right_key])
        left, right = shown[item.left_key], shown[item.right_key]
        entry = ledger.NewEntry(
            kind=decision,
            left_key=item.left_key,
            right_key=item.right_key,
            left_source=left["source"],
            left_record_id=left["record_id"],
            right_source=right["source"],
            right_record_id=right["record_id"],
            reason_code=ADJUDICATION,
            note=note,
            probability=item.probability,
            left_values_hash=left["values_hash"],
            right_values_hash=right["values_hash"],
            evidence={"left": left["fields"], "right": right["fields"]},
        )
        at = utc_now()
        (seq,) = ledger.append(
            conn.conn,
            [entry],
            at=at,
            actor=conn.actor.name,
            os_user=conn.actor.os_user,
            workspace_uuid=conn.info("workspace_uuid") or "",
        )
        clusters = recluster(
            conn, run_id=None, at=at, around=[item.left_key, item.right_key]
        )
        return DecisionOutcome(seq, clusters)

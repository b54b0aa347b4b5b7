"""How each record came to be in an identity: the ledger entries behind it.

The identity page says in one line why a record is there; an auditor needs
the whole chain: every automatic link (model version, thresholds, score),
every person's match, non-match or unsure (who, when, reason, note, and the
values they saw), splits, merges and the reversals that undid any of them,
and which entry holds the record in the identity now. Each step is read from
the ledger, so it is exactly what ``audit --verify`` checks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.decisions import REASON_CODES
from app.identity_queries import IdentityRecord, identity_detail
from app.workspace import ledger_sql as sql

HUMAN_KINDS = sql.HUMAN_KINDS


@dataclass(frozen=True, slots=True)
class Step:
    """One ledger entry as it bears on one record.

    Attributes:
        other_key, other_label: the record on the other side (None for a split).
        thresholds: the run's {"upper", "lower"} for an automatic link.
        evidence: the values the reviewer saw ({"left": ..., "right": ...});
            ``evidence_state`` is 'shown', 'purged' or 'none' (the model's
            entries keep levels and a score, not values).
        holds: this entry is the link that holds the record in the identity.
        rereview: a person's entry whose records changed since (a newer export).
    """

    seq: int
    at: str
    kind: str
    actor: str
    os_user: str
    other_key: int | None
    other_label: str | None
    pair_id: int | None
    probability: float | None
    model_version: str | None
    thresholds: dict[str, float] | None
    reason_code: str | None
    reason_text: str | None
    note: str | None
    levels: dict[str, str]
    evidence: dict[str, Any] | None
    evidence_state: str
    reverses: int | None
    reversed_by: int | None
    holds: bool
    rereview: bool


@dataclass(frozen=True, slots=True)
class RecordProvenance:
    key: int
    label: str  # "source record-id"
    name: str
    how: str  # app.identity_queries.JoinInfo.how
    steps: tuple[Step, ...]

    @property
    def holding(self) -> Step | None:
        return next((s for s in self.steps if s.holds), None)


@dataclass(frozen=True, slots=True)
class Provenance:
    identity_id: int
    requested_id: int
    record_count: int  # in the identity; ``records`` may show fewer
    records: tuple[RecordProvenance, ...]


def _label(source: str | None, record_id: str | None) -> str | None:
    return None if source is None else f"{source} {record_id}"


def _holding_seq(
    record: IdentityRecord, entries: Sequence[dict[str, Any]], reversed_: set[int]
) -> int | None:
    """The entry behind the identity page's "how it joined" for this record."""
    join = record.joined
    kind = {"auto": "auto-link", "decision": "match", "merge": "merge"}.get(join.how)
    if kind is None or join.other_key is None:
        return None
    pair = {record.key, join.other_key}
    found = [
        e["seq"]
        for e in entries
        if e["kind"] == kind
        and {e["left_key"], e["right_key"]} == pair
        and e["seq"] not in reversed_
    ]
    return max(found) if found else None


def _step(
    entry: dict[str, Any],
    key: int,
    *,
    holds: bool,
    reversed_by: int | None,
    evidence: tuple[str | None, str | None] | None,
    current: dict[int, tuple[str, int, int]],
) -> Step:
    if entry["left_key"] == key:
        other = entry["right_key"]
        label = _label(entry["right_source"], entry["right_record_id"])
    else:
        other = entry["left_key"]
        label = _label(entry["left_source"], entry["left_record_id"])
    details = json.loads(entry["details"]) if entry["details"] else {}
    state, shown = "none", None
    if evidence is not None:
        snapshot, purged = evidence
        if purged is not None or snapshot is None:
            state = "purged"
        else:
            state, shown = "shown", json.loads(snapshot)
    rereview = entry["kind"] in HUMAN_KINDS and any(
        kept is not None and k in current and current[k][0] != kept
        for k, kept in (
            (entry["left_key"], entry["left_values_hash"]),
            (entry["right_key"], entry["right_values_hash"]),
        )
    )
    code = entry["reason_code"]
    return Step(
        seq=entry["seq"],
        at=entry["at"],
        kind=entry["kind"],
        actor=entry["actor"],
        os_user=entry["os_user"],
        other_key=other,
        other_label=label,
        pair_id=entry["pair_id"],
        probability=entry["probability"],
        model_version=entry["model_version"],
        thresholds=details.get("thresholds"),
        reason_code=code,
        reason_text=REASON_CODES.get(code or "", code),
        note=entry["note"],
        levels=json.loads(entry["levels"]) if entry["levels"] else {},
        evidence=shown,
        evidence_state=state,
        reverses=entry["reverses"],
        reversed_by=reversed_by,
        holds=holds,
        rereview=rereview,
    )


def _concerns(entry: dict[str, Any], key: int) -> bool:
    if key in (entry["left_key"], entry["right_key"]):
        return True
    if entry["kind"] == "split" and entry["details"]:
        return key in json.loads(entry["details"]).get("others", [])
    return False


def identity_provenance(conn: Any, identity_id: int) -> Provenance | None:
    """Every record of the identity with the ledger entries about it, oldest first.

    Returns None for an unknown identity id (a merged-away id resolves).
    """
    detail = identity_detail(conn, identity_id)
    if detail is None:
        return None
    records = detail.records
    keys = [r.key for r in records]
    inside = set(keys)
    entries = {e["seq"]: e for e in sql.entries_touching(conn.conn, keys)}
    for split in sql.split_entries(conn.conn):
        others = json.loads(split["details"] or "{}").get("others", [])
        if split["left_key"] in inside or inside.intersection(others):
            entries[split["seq"]] = split
    ordered = [entries[s] for s in sorted(entries)]
    reversals = sql.reversals_of(conn.conn, [e["seq"] for e in ordered])
    people = [e["seq"] for e in ordered if e["kind"] in HUMAN_KINDS]
    evidence = sql.evidence_of(conn.conn, people)
    current = sql.record_states(
        conn.conn,
        [k for e in ordered for k in (e["left_key"], e["right_key"]) if k is not None],
    )
    out = []
    for record in records:
        mine = [e for e in ordered if _concerns(e, record.key)]
        holding = _holding_seq(record, mine, set(reversals))
        steps = tuple(
            _step(
                e,
                record.key,
                holds=e["seq"] == holding,
                reversed_by=reversals.get(e["seq"]),
                evidence=evidence.get(e["seq"]),
                current=current,
            )
            for e in mine
        )
        out.append(
            RecordProvenance(
                key=record.key,
                label=f"{record.source} {record.record_id}",
                name=record.name,
                how=record.joined.how,
                steps=steps,
            )
        )
    return Provenance(
        identity_id=detail.identity_id,
        requested_id=detail.requested_id,
        record_count=detail.record_count,
        records=tuple(out),
    )

"""One person's decisions, as the workstation makes them, key by key.

Each call is one transaction: the ledger entry (with the evidence shown) and
the re-clustering of the identities it touches are written together, so a
crash or power cut never leaves a decision without its effect. Undo is not a
deletion: it appends a reversal that points at the entry it cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.actor import utc_now
from app.errors import UserError
from app.identities import ClusterSummary, recluster
from app.linking import level_labels
from app.workspace import identity_scope, ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.model import ModelParams

REASON_CODES: dict[str, str] = {
    "same_ids": "Same SID / FBI / IR number",
    "same_person_details": "Name, birth date and address agree",
    "name_variant": "Nickname, alias or spelling variant",
    "dob_typo": "Birth date typo (swapped day/month, one digit)",
    "different_dob": "Birth dates differ",
    "family_member": "Relative (father/son, twin, sibling)",
    "common_name": "Common name, nothing else agrees",
    "conflicting_ids": "Conflicting identifiers",
    "not_enough": "Not enough information",
    "adjudication": "Adjudication of a quality-sample disagreement",
}
# The reasons a reviewer picks while deciding (keys 1-9 on the review page);
# "adjudication" is given by the adjudicate action itself.
REVIEW_REASON_CODES: dict[str, str] = {
    code: text for code, text in REASON_CODES.items() if code != "adjudication"
}


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    seq: int
    identities: ClusterSummary


def _workspace_uuid(conn: Connection) -> str:
    return conn.info("workspace_uuid") or ""


def append_and_recluster(
    conn: Connection, entries: list[ledger.NewEntry], around: list[int]
) -> DecisionOutcome:
    at = utc_now()
    seqs = ledger.append(
        conn.conn,
        entries,
        at=at,
        actor=conn.actor.name,
        os_user=conn.actor.os_user,
        workspace_uuid=_workspace_uuid(conn),
    )
    clusters = recluster(conn, run_id=None, at=at, around=around)
    return DecisionOutcome(seqs[-1], clusters)


def decide_pair(
    conn: Connection,
    pair_id: int,
    decision: str,
    *,
    reason_code: str | None = None,
    note: str | None = None,
) -> DecisionOutcome:
    """Record match / non-match / unsure on a pair; identities update at once."""
    if decision not in ledger.HUMAN_DECISIONS:
        raise UserError(f"unknown decision '{decision}'")
    if reason_code is not None and reason_code not in REASON_CODES:
        raise UserError(f"unknown reason code '{reason_code}'")
    with conn.transaction():
        pair = store.get_pairs(conn.conn, [pair_id]).get(pair_id)
        if pair is None:
            raise UserError(f"no pair {pair_id} in this workspace")
        entries = decision_entries(conn, [(pair, decision, reason_code, note)])
        return append_and_recluster(conn, entries, [pair.left_key, pair.right_key])


def reverse(conn: Connection, seq: int, *, reason: str) -> DecisionOutcome:
    """Cancel a standing human entry (undo, or a correction) with a reason."""
    if not reason.strip():
        raise UserError("a reversal needs a reason")
    with conn.transaction():
        entry = ledger.get_entry(conn.conn, seq)
        if entry is None or entry["kind"] not in (
            *ledger.HUMAN_DECISIONS,
            "split",
            "merge",
        ):
            raise UserError(f"entry {seq} is not a decision that can be reversed")
        if ledger.is_reversed(conn.conn, seq):
            raise UserError(f"entry {seq} is already reversed")
        reversal = ledger.NewEntry(
            kind="reversal",
            left_key=entry["left_key"],
            right_key=entry["right_key"],
            left_source=entry["left_source"],
            left_record_id=entry["left_record_id"],
            right_source=entry["right_source"],
            right_record_id=entry["right_record_id"],
            pair_id=entry["pair_id"],
            note=reason.strip(),
            reverses=seq,
        )
        around = [k for k in (entry["left_key"], entry["right_key"]) if k is not None]
        return append_and_recluster(conn, [reversal], around)


def split_record(
    conn: Connection, record_key: int, *, reason: str, note: str | None = None
) -> DecisionOutcome:
    """Take a record out of its identity; it stays apart from those records."""
    if not reason.strip():
        raise UserError("splitting a record out needs a reason")
    with conn.transaction():
        db = conn.conn
        others = [
            k
            for k in identity_scope.scope_of_identities(db, [record_key])
            if k != record_key
        ]
        if not others:
            raise UserError("the record is alone in its identity; nothing to split")
        info = store.record_info(db, {record_key})[record_key]
        entry = ledger.NewEntry(
            kind="split",
            left_key=record_key,
            left_source=info[0],
            left_record_id=info[1],
            left_values_hash=info[2],
            reason_code=reason,
            note=note,
            details={"others": others},
        )
        return append_and_recluster(conn, [entry], [record_key])


def merge_identities(
    conn: Connection, left_key: int, right_key: int, *, reason: str,
    note: str | None = None,
) -> DecisionOutcome:  # fmt: skip
    """Join the identities of two records (a person's must-link)."""
    if not reason.strip():
        raise UserError("merging identities needs a reason")
    with conn.transaction():
        info = store.record_info(conn.conn, {left_key, right_key})
        (ls, lr, lh), (rs, rr, rh) = info[left_key], info[right_key]
        entry = ledger.NewEntry(
            kind="merge",
            left_key=min(left_key, right_key),
            right_key=max(left_key, right_key),
            left_source=ls,
            left_record_id=lr,
            right_source=rs,
            right_record_id=rr,
            left_values_hash=lh,
            right_values_hash=rh,
            reason_code=reason,
            note=note,
        )
        return append_and_recluster(conn, [entry], [left_key, right_key])


def _model_of_run(db: Any, run_id: int) -> ModelParams | None:
    """The model that scored a pair, or None if it is in an older format.

    A decision must never be refused because the model that proposed the pair
    was saved by an older release: it is recorded without level labels (the
    probability is still kept) until the next link re-scores the pair.
    """
    data = store.params_for_run(db, run_id)
    if data is None:
        return None
    try:
        return ModelParams.from_dict(data)
    except (ValueError, KeyError):
        return None


def _evidence(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {"left": left["fields"], "right": right["fields"]}


def decision_entries(
    conn: Connection,
    items: list[tuple[store.PairRow, str, str | None, str | None]],
) -> list[ledger.NewEntry]:
    """Ledger entries for (pair, decision, reason code, note), with their evidence."""
    db = conn.conn
    records = store.record_display(
        db, [k for pair, *_ in items for k in (pair.left_key, pair.right_key)]
    )
    params: dict[int, ModelParams | None] = {}
    entries = []
    for pair, decision, reason, note in items:
        if pair.run_id not in params:
            params[pair.run_id] = _model_of_run(db, pair.run_id)
        model = params[pair.run_id]
        levels = (
            None
            if model is None
            else level_labels(model, np.frombuffer(pair.levels, dtype=np.int8))
        )
        left, right = records[pair.left_key], records[pair.right_key]
        entries.append(
            ledger.NewEntry(
                kind=decision,
                left_key=pair.left_key,
                right_key=pair.right_key,
                left_source=left["source"],
                left_record_id=left["record_id"],
                right_source=right["source"],
                right_record_id=right["record_id"],
                pair_id=pair.id,
                reason_code=reason,
                note=note,
                probability=pair.probability,
                levels=levels,
                left_values_hash=left["values_hash"],
                right_values_hash=right["values_hash"],
                evidence=_evidence(left, right),
            )
        )
    return entries

"""Keeping a split or a merge after a newer export changed its records.

A pair decision flagged for re-review is cleared by deciding the pair again.
A split or a merge cannot be made twice (the records are already apart, or
already together), so a person who looked again and still agrees appends a
new entry of the same kind resting on the current values, which supersedes
the flagged one. Nothing about the identities changes.
"""

from __future__ import annotations

import json

from app.decisions import DecisionOutcome, append_and_recluster
from app.errors import UserError
from app.rereview import flagged
from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection


def reaffirm(conn: Connection, seq: int, *, note: str) -> DecisionOutcome:
    """Re-affirm the flagged split or merge ``seq`` on the records as they are now.

    Raises:
        UserError: no such entry, not a split or merge, or not flagged for
            re-review (nothing to re-affirm); or no note was given.
    """
    if not note.strip():
        raise UserError("re-affirming a decision needs a note saying what was checked")
    with conn.transaction():
        db = conn.conn
        entry = ledger.get_entry(db, seq)
        if entry is None:
            raise UserError(f"no ledger entry {seq} in this workspace")
        if entry["kind"] not in ("split", "merge"):
            raise UserError(
                f"entry {seq} is a {entry['kind']}: decide the pair again instead"
            )
        if seq not in {f.seq for f in flagged(conn)}:
            raise UserError(
                f"entry {seq} does not need re-review: its records hold the values "
                "it rested on, or it was reversed or re-affirmed already"
            )
        keys = [k for k in (entry["left_key"], entry["right_key"]) if k is not None]
        info = store.record_info(db, set(keys))
        details = json.loads(entry["details"]) if entry["details"] else {}
        right = entry["right_key"]
        new = ledger.NewEntry(
            kind=entry["kind"],
            left_key=entry["left_key"],
            right_key=right,
            left_source=info[entry["left_key"]][0],
            left_record_id=info[entry["left_key"]][1],
            left_values_hash=info[entry["left_key"]][2],
            right_source=None if right is None else info[right][0],
            right_record_id=None if right is None else info[right][1],
            right_values_hash=None if right is None else info[right][2],
            reason_code=entry["reason_code"],
            note=note.strip(),
            details={**details, "reaffirms": seq},
        )
        return append_and_recluster(conn, [new], keys)

"""Re-derive identities from automatic links and human decisions.

``link`` re-clusters everything; a single decision re-clusters only the
identities it touches (their records, the links and decisions among them), so
the next pair is on screen at once even in a million-record workspace. Either
way identity ids stay stable and a merged id stays resolvable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.workspace import identity_scope, ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.clustering import Assignment, cluster
from matching.progress import CancelFn, ProgressFn, check_cancel


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    identities: int
    changed_records: int
    merged: int
    split: int
    flagged: int
    conflicts: int


def _dob_array(values: Sequence[str | None]) -> np.ndarray:
    """ISO dates as datetime64[D]; None or "" is NaT (numpy parses None as NaT)."""
    return np.array([v or None for v in values], dtype="datetime64[D]")


def _inside(
    pairs: list[tuple[int, int]], keys: set[int] | None
) -> tuple[list[int], list[int]]:
    kept = [p for p in pairs if keys is None or (p[0] in keys and p[1] in keys)]
    return [a for a, _ in kept], [b for _, b in kept]


def recluster(
    conn: Connection,
    *,
    run_id: int | None,
    at: str,
    around: Sequence[int] | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ClusterSummary:
    """Cluster again and write the result, inside the caller's transaction.

    Args:
        run_id: the link run this belongs to (for flags), or None.
        at: timestamp for aliases.
        around: record keys whose identities alone are re-clustered; None for
            the whole workspace.
    """
    db = conn.conn
    scope: set[int] | None = None
    if around is None:
        keys, ids = store.identity_assignment(db)
        left, right, weight = store.auto_links(db)
        attrs: dict[str, Any] = dict(
            store.record_columns(db, ("sid", "fbi_number", "dob"))
        )
    else:
        scoped = identity_scope.scope_of_identities(db, around)
        scope = set(scoped)
        keys, ids = identity_scope.scoped_assignment(db, scoped)
        left, right, weight = identity_scope.scoped_auto_links(db, scoped)
        attrs = identity_scope.scoped_attributes(db, scoped)
    must, cannot = ledger.constraints(db)
    must_l, must_r = _inside(must, scope)
    cannot_l, cannot_r = _inside(cannot, scope)
    next_id = int(conn.info("next_identity_id") or "1")
    result = cluster(
        keys,
        link_left=left,
        link_right=right,
        link_weight=weight,
        must_left=must_l,
        must_right=must_r,
        cannot_left=cannot_l,
        cannot_right=cannot_r,
        previous=Assignment.restore(keys, ids, next_id=next_id),
        person_ids={
            "sid": np.asarray(attrs["sid"], dtype=object),
            "fbi_number": np.asarray(attrs["fbi_number"], dtype=object),
        },
        dob=_dob_array(attrs["dob"]),
        on_progress=on_progress,
        cancel=cancel,
    )
    check_cancel(cancel)
    changed = np.flatnonzero(result.identity_ids != ids)
    store.update_identities(
        db,
        zip(result.identity_ids[changed].tolist(), keys[changed].tolist(), strict=True),
    )
    store.add_aliases(
        db, sorted(result.aliases.items()), at=at, reason="merged by re-clustering"
    )
    flags = [(f.identity_id, list(f.reasons)) for f in result.flags]
    if scope is None:
        store.replace_flags(db, flags, run_id=run_id)
    else:
        touched = sorted({*ids.tolist(), *result.identity_ids.tolist()})
        identity_scope.replace_flags_for(db, touched, flags, run_id=run_id)
    conn.set_info("next_identity_id", str(result.next_id))
    if result.conflicts:
        conn.log(
            "conflicting decisions",
            {"pairs": [[c.left, c.right] for c in result.conflicts][:100]},
        )
    return ClusterSummary(
        identities=int(np.unique(result.identity_ids).size),
        changed_records=int(changed.size),
        merged=sum(1 for e in result.events if e.kind == "merged"),
        split=sum(1 for e in result.events if e.kind == "split"),
        flagged=len(result.flags),
        conflicts=len(result.conflicts),
    )


def identity_records(db: sqlite3.Connection, identity_id: int) -> list[int]:
    return identity_scope.scope_of_identities_by_id(db, identity_id)

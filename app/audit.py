"""Verify that nobody altered history: the ledger chain and what it rests on.

Three checks, each naming the first thing that fails:
1. the hash chain (an entry altered, removed, inserted or reordered);
2. every record a decision rested on still holds the values the reviewer saw,
   unless a newer export changed it (then the decision needs re-review, which
   is reported but is not tampering);
3. every unpurged evidence snapshot still matches its hash.
Each record's stored hash is recomputed from its stored values, so editing
both a value and its hash by hand is caught too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from app.rereview import flagged
from app.workspace import ledger
from app.workspace import records as store
from app.workspace.core import Connection
from matching.records import values_hash


@dataclass(frozen=True, slots=True)
class VerifyReport:
    entries: int
    head: str
    problems: list[str]
    rereview: list[int] = field(default_factory=list)  # entries on changed values
    # Of those, the standing human decisions: what `status` and `queue
    # --rereview` count, and what a person must decide again.
    standing_rereview: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, *, expect_head: str | None = None) -> VerifyReport:
    """Run every check; ``expect_head`` is a chain head noted earlier (printed by a
    previous verify or in an audit report), which catches a truncated tail."""
    db = conn.conn
    chain = ledger.verify_chain(db, conn.info("workspace_uuid") or "")
    problems: list[str] = []
    if chain.problem is not None:
        problems.append(f"ledger: {chain.problem}")
    if expect_head and not ledger.contains_hash(db, expect_head.strip().lower()):
        problems.append(
            f"ledger: the head noted earlier ({expect_head[:12]}...) is gone: "
            "entries were removed from the end or the chain was rewritten"
        )
    rested = list(ledger.decided_record_hashes(db))
    current = store.stored_values(db, [key for _, key, _ in rested])
    tampered: set[int] = set()
    rereview: set[int] = set()
    for key, (values, extra, stored) in current.items():
        extras = json.loads(extra) if extra else None
        if values_hash(values, extras) != stored:
            tampered.add(key)
    for seq, key, seen in rested:
        if key not in current:
            problems.append(f"ledger entry {seq}: record {key} is missing")
            continue
        if key in tampered:
            problems.append(
                f"ledger entry {seq}: record {key}'s values were edited outside "
                "Recordmatch"
            )
        elif current[key][2] != seen:
            if seen in store.earlier_hashes(db, key):
                rereview.add(seq)
            else:
                problems.append(
                    f"ledger entry {seq}: record {key} no longer holds the values "
                    "the decision rested on"
                )
    for seq in ledger.evidence_mismatches(db):
        problems.append(f"ledger entry {seq}: its evidence snapshot was altered")
    standing = sorted(f.seq for f in flagged(conn) if f.seq in rereview)
    return VerifyReport(chain.entries, chain.head, problems, sorted(rereview), standing)

"""Decisions that rest on values a newer export changed: flagged for re-review.

A reviewer's "match" was an answer about the two records as they were shown.
When an agency sends a newer export and a record's values change (a corrected
birth date, a new surname), that answer may no longer hold, so it must be
looked at again rather than silently kept. The flag is derived, never stored:
each ledger entry keeps the hash of the values it rested on, and a standing
decision needs re-review exactly while a record's current hash differs. A new
decision on the pair (even the same answer) rests on the new values and so
clears it; nothing else can.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.workspace import ledger_sql as sql
from app.workspace import review_sql
from app.workspace.core import Connection

# After the columns of the waiting-pairs file (app.review.QUEUE_HEADER).
REREVIEW_COLUMNS = (
    "standing_decision",
    "decided_by",
    "decided_at",
    "changed",
    "what_changed",
)


@dataclass(frozen=True, slots=True)
class Flagged:
    """One standing decision whose records changed since it was made."""

    seq: int
    kind: str
    left_key: int | None
    right_key: int | None
    pair_id: int | None
    actor: str
    at: str
    left_changed: bool
    right_changed: bool
    left_import: int | None
    right_import: int | None

    @property
    def changed(self) -> str:
        """Which side changed: 'left', 'right' or 'both'."""
        if self.left_changed and self.right_changed:
            return "both"
        return "left" if self.left_changed else "right"


@dataclass(frozen=True, slots=True)
class RereviewCounts:
    pair_decisions: int  # match / non-match / unsure on a pair
    identity_changes: int  # splits and merges

    @property
    def total(self) -> int:
        return self.pair_decisions + self.identity_changes


def flagged(conn: Connection) -> list[Flagged]:
    """Every standing decision that needs re-review, oldest first."""
    return [
        Flagged(
            seq=int(r[0]),
            kind=str(r[1]),
            left_key=r[2],
            right_key=r[3],
            pair_id=r[4],
            actor=str(r[5]),
            at=str(r[6]),
            left_changed=bool(r[7]),
            right_changed=bool(r[8]),
            left_import=r[9],
            right_import=r[10],
        )
        for r in sql.flagged_decisions(conn.conn)
    ]


def counts(conn: Connection) -> RereviewCounts:
    rows = flagged(conn)
    pairs = sum(1 for f in rows if f.kind not in ("split", "merge"))
    return RereviewCounts(pairs, len(rows) - pairs)


def flagged_by_import(conn: Connection, import_id: int) -> int:
    """Decisions flagged because this import changed one of their records."""
    return sum(
        1
        for f in flagged(conn)
        if (f.left_changed and f.left_import == import_id)
        or (f.right_changed and f.right_import == import_id)
    )


def warning_text(count: int) -> str:
    """What an import says when it flagged decisions (CLI and import wizard)."""
    word = "decision rests" if count == 1 else "decisions rest"
    return (
        f"{count:,} {word} on records this file changed and needs re-review: "
        "Review page, state 'Re-review', or "
        "'recordmatch queue WS --rereview --out FILE'"
    )


def what_changed(conn: Connection, seq: int) -> tuple[str, ...]:
    """What a newer export changed under entry ``seq``, one line per column:
    "left ADDR: '12 OAK ST' -> '40 ELM ST'" (the original rows' columns)."""
    row = conn.conn.execute(
        "SELECT left_key, right_key, left_values_hash, right_values_hash "
        "FROM ledger WHERE seq = ?",
        (seq,),
    ).fetchone()
    if row is None:
        return ()
    out: list[str] = []
    for side, key, seen in (("left", row[0], row[2]), ("right", row[1], row[3])):
        if key is not None:
            out += [
                f"{side} {column}: '{then}' -> '{now}'"
                for column, then, now in sql.raw_changes(conn.conn, key, seen)
            ]
    return tuple(out)


def export_rereview(conn: Connection, out: Path, *, limit: int | None = None) -> int:
    """Write the pairs whose standing decision needs re-review; returns how many.

    The columns are those of the waiting-pairs file, then the standing
    decision, who made it and when, and which record changed, so the same
    ``pair_id,decision`` answers file applies.
    """
    # Here, not at the top: the importer imports this module for the counts,
    # and should not load the review machinery (numpy, the model) for them.
    from app.export import atomic_text_file
    from app.review import QUEUE_HEADER

    rows = [f for f in flagged(conn) if f.pair_id is not None]
    if limit is not None:
        rows = rows[:limit]
    found = {
        r[0]: r
        for r in review_sql.queue_rows(conn.conn, [int(f.pair_id or 0) for f in rows])
    }
    count = 0
    with atomic_text_file(out) as fh:
        writer = csv.writer(fh)
        writer.writerow((*QUEUE_HEADER, *REREVIEW_COLUMNS))
        for f in rows:
            row = found.get(f.pair_id)
            if row is None:
                continue
            writer.writerow(
                [
                    row[0], row[6], row[7], row[12], row[13], f"{row[2]:.6f}",
                    row[8], row[9], row[11], row[14], row[15], row[17],
                    f.kind, f.actor, f.at, f.changed,
                    "; ".join(what_changed(conn, f.seq)),
                ]
            )  # fmt: skip
            count += 1
    with conn.transaction():
        conn.log("export", {"what": "rereview", "file_name": out.name, "rows": count})
    return count

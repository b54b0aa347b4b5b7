"""The review queue as files: ``queue`` writes it, ``decide`` applies answers.

A decisions file is applied whole or not at all: every line is checked before
anything is written, so a typo on line 900 cannot leave 899 decisions applied.
Each accepted answer is a ledger entry carrying the evidence the reviewer had
(both records' values, the probability and the comparison levels).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app import rereview
from app.actor import utc_now
from app.decisions import decision_entries
from app.errors import InputError
from app.export import atomic_text_file
from app.identities import ClusterSummary, recluster
from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection

QUEUE_HEADER = (
    "pair_id",
    "left_source",
    "left_record_id",
    "right_source",
    "right_record_id",
    "match_probability",
    "left_last_name",
    "left_first_name",
    "left_dob",
    "right_last_name",
    "right_first_name",
    "right_dob",
)
DECISION_WORDS = ("match", "non-match", "unsure")


def export_queue(
    conn: Connection, out: Path, *, limit: int | None = None, band: str = "review"
) -> int:
    """Write the waiting pairs, most useful first; returns how many.

    ``band='auto'``: the automatic links no person has confirmed yet, least
    sure first (eligibility counts a case as confirmed only once a person
    confirmed every link behind it)."""
    count = 0
    with atomic_text_file(out) as fh:
        writer = csv.writer(fh)
        writer.writerow(QUEUE_HEADER)
        for row in store.iter_waiting(conn.conn, band=band):
            writer.writerow([*row[:5], f"{row[5]:.6f}", *row[6:]])
            count += 1
            if limit is not None and count >= limit:
                break
    with conn.transaction():
        conn.log(
            "export",
            {"what": "queue", "band": band, "file_name": out.name, "rows": count},
        )
    return count


@dataclass(frozen=True, slots=True)
class Answer:
    line: int
    pair_id: int
    decision: str
    note: str | None


@dataclass(frozen=True, slots=True)
class DecideSummary:
    applied: int
    unchanged: int
    by_decision: dict[str, int]
    identities: ClusterSummary
    unanswered: int = 0  # rows whose decision was left blank: still waiting


def read_answers(path: Path) -> list[Answer]:
    """Parse and check a decisions file; InputError names the first bad line.

    The header names a ``pair_id`` and a ``decision`` column (and perhaps
    ``note``), in any order among others: the file ``queue`` writes, with a
    decision column added, can be sent back as it is. A row whose decision is
    blank is not answered yet (its Answer has decision ""); the caller says
    how many.
    """
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from exc
    with fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        if "pair_id" not in header or "decision" not in header:
            raise InputError(
                path,
                "the header must name a pair_id and a decision column "
                "(pair_id,decision[,note], or the queue file with a decision "
                "column added)",
                line=1,
            )
        at_pair, at_decision = header.index("pair_id"), header.index("decision")
        at_note = header.index("note") if "note" in header else None
        answers: list[Answer] = []
        seen: dict[int, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise InputError(
                    path, f"{len(row)} fields, expected {len(header)}", line=line
                )
            pair_text = row[at_pair].strip() if len(row) > at_pair else ""
            if not pair_text.isdigit():
                raise InputError(
                    path, f"pair id '{pair_text}' is not a number", line=line
                )
            decision = (
                row[at_decision].strip().lower() if len(row) > at_decision else ""
            )
            if decision and decision not in DECISION_WORDS:
                raise InputError(
                    path,
                    f"unknown decision '{decision}'; use match, non-match or unsure",
                    line=line,
                )
            pair_id = int(pair_text)
            if pair_id in seen:
                raise InputError(
                    path,
                    f"pair {pair_id} is answered twice (line {seen[pair_id]})",
                    line=line,
                )
            seen[pair_id] = line
            note_text = (
                row[at_note].strip()
                if at_note is not None and len(row) > at_note
                else ""
            )
            note = note_text or None
            answers.append(Answer(line, pair_id, decision, note))
    return answers


def apply_decisions(conn: Connection, path: Path) -> DecideSummary:
    """Apply a decisions file in one transaction; identities update at once."""
    read = read_answers(path)
    answers = [a for a in read if a.decision]
    db = conn.conn
    pairs = store.get_pairs(db, [a.pair_id for a in answers])
    for answer in answers:
        if answer.pair_id not in pairs:
            raise InputError(
                path, f"no pair {answer.pair_id} in this workspace", line=answer.line
            )
    standing = store.standing_decisions(
        db, [(pairs[a.pair_id].left_key, pairs[a.pair_id].right_key) for a in answers]
    )
    # A decision resting on values a newer export changed is not standing: the
    # same answer again is a new decision on the new values, and clears the flag.
    changed = {frozenset((f.left_key, f.right_key)) for f in rereview.flagged(conn)}

    def already(a: Answer) -> bool:
        pair = pairs[a.pair_id]
        key = (pair.left_key, pair.right_key)
        return standing.get(key) == a.decision and frozenset(key) not in changed

    todo = [a for a in answers if not already(a)]
    at = utc_now()
    with conn.transaction():
        entries = decision_entries(
            conn, [(pairs[a.pair_id], a.decision, None, a.note) for a in todo]
        )
        ledger.append(
            db,
            entries,
            at=at,
            actor=conn.actor.name,
            os_user=conn.actor.os_user,
            workspace_uuid=conn.info("workspace_uuid") or "",
        )
        clusters = recluster(
            conn,
            run_id=None,
            at=at,
            around=[
                k
                for a in todo
                for k in (pairs[a.pair_id].left_key, pairs[a.pair_id].right_key)
            ]
            if len(todo) < 1000
            else None,
        )
        conn.log(
            "decide",
            {
                "file_name": path.name,
                "applied": len(todo),
                "unchanged": len(answers) - len(todo),
            },
        )
    counts = {w: sum(1 for a in todo if a.decision == w) for w in DECISION_WORDS}
    return DecideSummary(
        len(todo), len(answers) - len(todo), counts, clusters, len(read) - len(answers)
    )

"""The decision ledger: append-only, hash-chained, verifiable.

Every decision (a person's match / non-match / unsure, a split, a merge, a
reversal, and every automatic link the model makes) is a new entry; nothing is
ever updated. Each entry's SHA-256 covers its canonical JSON and the previous
entry's hash, so altering, removing, inserting or reordering any entry breaks
the chain from there on. The field values the reviewer saw live in
``evidence``, covered only by their hash, so they can be purged under an
expungement order while the chain still verifies.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

HUMAN_DECISIONS = ("match", "non-match", "unsure")


def changed_values_sql(entry: str, left: str, right: str) -> str:
    """SQL that is true when ledger row ``entry`` rests on values its records
    (joined as ``left`` and ``right``) no longer hold: what re-review, the
    review queue's state, provenance and 'confirmed' all ask. An entry about
    one record (a split) has no right side to compare."""
    return (
        f"({entry}.left_values_hash IS NOT {left}.values_hash OR "
        f"({entry}.right_key IS NOT NULL "
        f"AND {entry}.right_values_hash IS NOT {right}.values_hash))"
    )


KINDS = (*HUMAN_DECISIONS, "split", "merge", "reversal", "auto-link", "auto-unlink")

# Columns covered by the hash, in the order they are stored.
_HASHED = (
    "seq",
    "at",
    "actor",
    "os_user",
    "kind",
    "left_key",
    "right_key",
    "left_source",
    "left_record_id",
    "right_source",
    "right_record_id",
    "pair_id",
    "reason_code",
    "note",
    "probability",
    "levels",
    "model_version",
    "details",
    "left_values_hash",
    "right_values_hash",
    "evidence_hash",
    "reverses",
    "prev_hash",
)
_INSERT = (
    f"INSERT INTO ledger ({', '.join(_HASHED)}, entry_hash) "
    f"VALUES ({', '.join('?' for _ in _HASHED)}, ?)"
)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What a caller knows about a decision; the ledger adds seq, time and hashes."""

    kind: str
    left_key: int | None = None
    right_key: int | None = None
    left_source: str | None = None
    left_record_id: str | None = None
    right_source: str | None = None
    right_record_id: str | None = None
    pair_id: int | None = None
    reason_code: str | None = None
    note: str | None = None
    probability: float | None = None
    levels: dict[str, str] | None = None
    model_version: str | None = None
    details: dict[str, Any] | None = None
    left_values_hash: str | None = None
    right_values_hash: str | None = None
    evidence: dict[str, Any] | None = field(default=None)
    reverses: int | None = None


# ``json.dumps`` with these options builds an encoder per call; one shared
# encoder gives the same text (encode() keeps no state between calls).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def entry_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the hashed columns (prev_hash included)."""
    payload = canonical_json({k: row[k] for k in _HASHED})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def genesis_hash(workspace_uuid: str) -> str:
    """The first entry's ``prev_hash``: binds the chain to its workspace."""
    return hashlib.sha256(f"recordmatch-ledger:{workspace_uuid}".encode()).hexdigest()


def _head(conn: sqlite3.Connection, workspace_uuid: str) -> tuple[int, str]:
    row = conn.execute(
        "SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (0, genesis_hash(workspace_uuid)) if row is None else (row[0], row[1])


def append(
    conn: sqlite3.Connection,
    entries: Iterable[NewEntry],
    *,
    at: str,
    actor: str,
    os_user: str,
    workspace_uuid: str,
) -> list[int]:
    """Append entries in order inside the caller's transaction; returns their seqs."""
    seq, prev = _head(conn, workspace_uuid)
    rows: list[tuple[Any, ...]] = []
    evidence: list[tuple[int, str]] = []
    seqs: list[int] = []
    # Automatic links share their levels and details dicts: encode each once.
    # The dict is kept with its text so its id cannot be reused meanwhile.
    texts: dict[int, tuple[Any, str]] = {}

    def shared_json(value: Any) -> str | None:
        if value is None:
            return None
        if id(value) not in texts:
            texts[id(value)] = (value, canonical_json(value))
        return texts[id(value)][1]

    for entry in entries:
        if entry.kind not in KINDS:
            raise ValueError(f"unknown ledger entry kind {entry.kind!r}")
        seq += 1
        evidence_hash = None
        if entry.evidence is not None:
            snapshot = canonical_json(entry.evidence)
            evidence_hash = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
            evidence.append((seq, snapshot))
        # Written out rather than built from asdict(): a link run appends
        # millions of automatic links, and this is most of their cost.
        row = {  # the _HASHED columns, in their order
            "seq": seq,
            "at": at,
            "actor": actor,
            "os_user": os_user,
            "kind": entry.kind,
            "left_key": entry.left_key,
            "right_key": entry.right_key,
            "left_source": entry.left_source,
            "left_record_id": entry.left_record_id,
            "right_source": entry.right_source,
            "right_record_id": entry.right_record_id,
            "pair_id": entry.pair_id,
            "reason_code": entry.reason_code,
            "note": entry.note,
            "probability": entry.probability,
            "levels": shared_json(entry.levels),
            "model_version": entry.model_version,
            "details": shared_json(entry.details),
            "left_values_hash": entry.left_values_hash,
            "right_values_hash": entry.right_values_hash,
            "evidence_hash": evidence_hash,
            "reverses": entry.reverses,
            "prev_hash": prev,
        }
        prev = entry_hash(row)
        rows.append((*row.values(), prev))
        seqs.append(seq)
    conn.executemany(_INSERT, rows)
    conn.executemany(
        "INSERT INTO evidence (entry_seq, snapshot) VALUES (?, ?)", evidence
    )
    return seqs


@dataclass(frozen=True, slots=True)
class Decision:
    """A person's standing decision on a record pair (reversals applied)."""

    seq: int
    left_key: int
    right_key: int
    kind: str
    actor: str
    at: str


def current_decisions(conn: sqlite3.Connection) -> list[Decision]:
    """The latest unreversed human decision per record pair, derived from the ledger."""
    rows = conn.execute(
        """
        SELECT l.seq, l.left_key, l.right_key, l.kind, l.actor, l.at
        FROM ledger l
        WHERE l.kind IN ('match', 'non-match', 'unsure')
          AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq)
        ORDER BY l.seq
        """
    ).fetchall()
    latest: dict[tuple[int, int], Decision] = {}
    for row in rows:
        latest[(row[1], row[2])] = Decision(*row)
    return sorted(latest.values(), key=lambda d: d.seq)


def iter_entries(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(
        f"SELECT {', '.join(_HASHED)}, entry_hash FROM ledger ORDER BY seq"
    )
    names = [*_HASHED, "entry_hash"]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


@dataclass(frozen=True, slots=True)
class ChainCheck:
    entries: int
    head: str
    first_broken: int | None
    problem: str | None


def verify_chain(conn: sqlite3.Connection, workspace_uuid: str) -> ChainCheck:
    """Walk the chain in order and report the first entry that breaks it.

    ``seq`` is the rowid, so a removed entry leaves a gap, and an entry moved
    or inserted elsewhere no longer names its predecessor's hash.
    """
    prev = genesis_hash(workspace_uuid)
    count = 0
    for expected, row in enumerate(iter_entries(conn), start=1):
        seq = row["seq"]
        problem = None
        if seq != expected:
            problem = f"entry {expected} is missing"
        elif row["prev_hash"] != prev:
            problem = f"entry {seq} does not follow entry {seq - 1}"
        elif entry_hash(row) != row["entry_hash"]:
            problem = f"entry {seq} was altered"
        if problem is not None:
            return ChainCheck(count, prev, expected, problem)
        prev = row["entry_hash"]
        count += 1
    return ChainCheck(count, prev, None, None)


def evidence_mismatches(conn: sqlite3.Connection) -> list[int]:
    """Seqs whose stored evidence snapshot no longer matches its hash (unpurged)."""
    bad = []
    for seq, snapshot, digest in conn.execute(
        "SELECT e.entry_seq, e.snapshot, l.evidence_hash FROM evidence e "
        "JOIN ledger l ON l.seq = e.entry_seq WHERE e.purged_at IS NULL "
        "ORDER BY e.entry_seq"
    ):
        if (
            snapshot is None
            or hashlib.sha256(snapshot.encode("utf-8")).hexdigest() != digest
        ):
            bad.append(seq)
    return bad


def entries_resting_on(
    conn: sqlite3.Connection, record_keys: Sequence[int]
) -> list[int]:
    """Seqs of human decisions that involve any of the records (for re-review)."""
    if not record_keys:
        return []
    marks = ", ".join("?" for _ in record_keys)
    return [
        r[0]
        for r in conn.execute(
            f"SELECT seq FROM ledger WHERE kind IN ('match', 'non-match', 'unsure') "
            f"AND (left_key IN ({marks}) OR right_key IN ({marks})) ORDER BY seq",
            (*record_keys, *record_keys),
        )
    ]


def constraints(
    conn: sqlite3.Connection,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(must-links, cannot-links) from every standing human decision.

    ``match`` and ``merge`` entries join records; ``non-match`` and ``split``
    entries keep them apart (a split keeps the record apart from every record
    it was split from). Reversed entries no longer count, and for each pair of
    records the latest entry wins, so merging after a split does what the
    person asked last.
    """
    latest: dict[tuple[int, int], tuple[int, bool]] = {}

    def note(a: int, b: int, seq: int, join: bool) -> None:
        pair = (min(a, b), max(a, b))
        if pair not in latest or latest[pair][0] < seq:
            latest[pair] = (seq, join)

    for decision in current_decisions(conn):
        if decision.kind in ("match", "non-match"):
            note(
                decision.left_key,
                decision.right_key,
                decision.seq,
                decision.kind == "match",
            )
    for seq, kind, left, right, details in conn.execute(
        "SELECT l.seq, l.kind, l.left_key, l.right_key, l.details FROM ledger l "
        "WHERE l.kind IN ('merge', 'split') "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq) "
        "ORDER BY l.seq"
    ):
        if kind == "merge":
            note(left, right, seq, True)
        else:
            for other in json.loads(details)["others"]:
                note(left, other, seq, False)
    must = sorted(pair for pair, (_, join) in latest.items() if join)
    cannot = sorted(pair for pair, (_, join) in latest.items() if not join)
    return must, cannot


def get_entry(conn: sqlite3.Connection, seq: int) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {', '.join(_HASHED)}, entry_hash FROM ledger WHERE seq = ?", (seq,)
    ).fetchone()
    return (
        None if row is None else dict(zip([*_HASHED, "entry_hash"], row, strict=True))
    )


def is_reversed(conn: sqlite3.Connection, seq: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM ledger WHERE reverses = ?", (seq,)).fetchone()
        is not None
    )


def decided_record_hashes(
    conn: sqlite3.Connection,
) -> Iterator[tuple[int, int, str]]:
    """(seq, record key, values hash the decision rested on) for every entry."""
    for seq, lk, lh, rk, rh in conn.execute(
        "SELECT seq, left_key, left_values_hash, right_key, right_values_hash "
        "FROM ledger ORDER BY seq"
    ):
        if lk is not None and lh is not None:
            yield seq, lk, lh
        if rk is not None and rh is not None:
            yield seq, rk, rh


def contains_hash(conn: sqlite3.Connection, digest: str) -> bool:
    """Whether an entry has this hash; the first 12 or more hex digits of it
    (as the report and the Quality page print a head) are enough."""
    if len(digest) >= 64:
        row = conn.execute("SELECT 1 FROM ledger WHERE entry_hash = ?", (digest,))
        return row.fetchone() is not None
    if len(digest) < 12 or any(c not in "0123456789abcdef" for c in digest):
        return False
    row = conn.execute(
        "SELECT 1 FROM ledger WHERE entry_hash >= ? AND entry_hash < ? LIMIT 1",
        (digest, digest + "g"),
    )
    return row.fetchone() is not None

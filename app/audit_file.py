"""The audit file: a quality sample and its blind labels, beside the workspace.

An auditor works with the workspace open read-only, so the sample and the
second reviewer's labels cannot live in it. They go in a small SQLite file
of their own (``NAME.rmaudit``) that records which workspace it belongs to
(its uuid) and the ledger head when the sample was drawn, so every estimate
can be tied to the exact state of the decisions it describes. Labels are
appended, never changed (triggers refuse UPDATE and DELETE): relabelling a
pair adds a label, and the latest one counts.

The estimates in an audit report rest on this file, so it is tamper-evident
like the ledger: the drawn sample is sealed by a SHA-256 digest, and the
labels are hash-chained (each over the previous head and its own row).
:meth:`AuditFile.verify` recomputes both; the report prints them, so a head
noted from a printed report shows later edits too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.actor import Actor, utc_now
from app.errors import UserError

APPLICATION = "recordmatch-audit"
SUFFIX = ".rmaudit"
LABELS = ("match", "non-match", "unsure")
# Meta keys that are the seals themselves, so not part of what they seal.
_SEALS = ("sample_digest", "labels_head")
_GENESIS = "recordmatch-audit-labels"
# The first decision of a sampled pair still waiting in the review queue.
WAITING = "waiting"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE strata (
    name       TEXT PRIMARY KEY,
    label      TEXT NOT NULL,
    linked     INTEGER NOT NULL,
    population INTEGER NOT NULL,
    sampled    INTEGER NOT NULL
);
CREATE TABLE items (
    pos             INTEGER PRIMARY KEY,  -- presentation order (shuffled)
    pair_id         INTEGER,              -- NULL: a candidate never stored
    left_key        INTEGER NOT NULL,
    right_key       INTEGER NOT NULL,
    left_source     TEXT NOT NULL,
    left_record_id  TEXT NOT NULL,
    right_source    TEXT NOT NULL,
    right_record_id TEXT NOT NULL,
    stratum         TEXT NOT NULL REFERENCES strata(name),
    weight          REAL NOT NULL,        -- inverse inclusion probability
    probability     REAL NOT NULL,
    match_weight    REAL NOT NULL,
    band            TEXT NOT NULL,
    linked          INTEGER NOT NULL,     -- in one identity at draw time
    first_decision  TEXT NOT NULL,        -- match / non-match / unsure / waiting
    first_by        TEXT NOT NULL         -- reviewer, 'model' or 'identity'
);
CREATE TABLE labels (
    id       INTEGER PRIMARY KEY,
    pos      INTEGER NOT NULL REFERENCES items(pos),
    label    TEXT NOT NULL CHECK (label IN ('match', 'non-match', 'unsure')),
    labeller TEXT NOT NULL,
    os_user  TEXT NOT NULL,
    at       TEXT NOT NULL,
    note     TEXT
);
CREATE INDEX labels_pos ON labels(pos, id);
CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels
BEGIN SELECT RAISE(ABORT, 'blind labels are append-only'); END;
CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels
BEGIN SELECT RAISE(ABORT, 'blind labels are append-only'); END;
"""


@dataclass(frozen=True, slots=True)
class Stratum:
    name: str
    label: str
    linked: bool
    population: int
    sampled: int


@dataclass(frozen=True, slots=True)
class Item:
    """One sampled pair, with what was true of it when it was drawn."""

    pos: int
    pair_id: int | None
    left_key: int
    right_key: int
    left_source: str
    left_record_id: str
    right_source: str
    right_record_id: str
    stratum: str
    weight: float
    probability: float
    match_weight: float
    band: str
    linked: bool
    first_decision: str
    first_by: str


@dataclass(frozen=True, slots=True)
class Label:
    pos: int
    label: str
    labeller: str
    os_user: str
    at: str
    note: str | None


class AuditFile:
    """One open audit file; a sqlite3 connection, so one thread uses it."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(
        cls, path: str | Path, *, workspace_uuid: str, create: bool = False
    ) -> AuditFile:
        """Open (or create) the audit file of the workspace ``workspace_uuid``.

        Raises:
            UserError: missing without ``create``, not an audit file, or the
                audit file of another workspace.
        """
        path = Path(path)
        if not path.exists() and not create:
            raise UserError(f"{path.name}: no such audit file")
        try:
            conn = sqlite3.connect(str(path), isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA synchronous = FULL")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path.name} is not an audit file ({exc})") from exc
        audit = cls(path, conn)
        if not tables:
            audit._create(workspace_uuid)
        elif "meta" not in tables or audit.meta("application") != APPLICATION:
            conn.close()
            raise UserError(f"{path.name} is a database, but not an audit file")
        if audit.meta("workspace_uuid") != workspace_uuid:
            conn.close()
            raise UserError(
                f"{path.name} belongs to another workspace; choose or create "
                "an audit file for this one"
            )
        return audit

    def _create(self, workspace_uuid: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(_SCHEMA):
                self.conn.execute(statement)
            self._set_meta(
                {"application": APPLICATION, "workspace_uuid": workspace_uuid}
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    # -- meta ------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def all_meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def _set_meta(self, values: dict[str, Any]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                (k, v if isinstance(v, str) else json.dumps(v))
                for k, v in values.items()
            ],
        )

    def has_sample(self) -> bool:
        return self.meta("sample_id") is not None

    # -- the sample ----------------------------------------------------------

    def write_sample(
        self, meta: dict[str, Any], strata: Iterable[Stratum], items: Iterable[Item]
    ) -> None:
        """Store a drawn sample, all or nothing; an audit file holds one sample."""
        if self.has_sample():
            raise UserError(
                f"{self.path.name} already holds a sample; create a new audit "
                "file to draw another"
            )
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._set_meta(meta)
            self.conn.executemany(
                "INSERT INTO strata VALUES (?, ?, ?, ?, ?)",
                [
                    (s.name, s.label, int(s.linked), s.population, s.sampled)
                    for s in strata
                ],
            )
            self.conn.executemany(
                f"INSERT INTO items VALUES ({', '.join('?' * 16)})",
                [_item_row(i) for i in items],
            )
            self._set_meta(
                {"sample_digest": self._sample_digest(), "labels_head": _GENESIS}
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def strata(self) -> list[Stratum]:
        return [
            Stratum(name, label, bool(linked), population, sampled)
            for name, label, linked, population, sampled in self.conn.execute(
                "SELECT name, label, linked, population, sampled FROM strata "
                "ORDER BY rowid"
            )
        ]

    def items(self) -> list[Item]:
        return [
            self._item(r) for r in self.conn.execute("SELECT * FROM items ORDER BY pos")
        ]

    def item(self, pos: int) -> Item | None:
        row = self.conn.execute("SELECT * FROM items WHERE pos = ?", (pos,)).fetchone()
        return None if row is None else self._item(row)

    @staticmethod
    def _item(row: tuple[Any, ...]) -> Item:
        values = list(row)
        values[13] = bool(values[13])
        return Item(*values)

    # -- labels --------------------------------------------------------------

    def add_label(
        self, pos: int, label: str, *, actor: Actor, note: str | None = None
    ) -> Label:
        """Append a blind label for sample item ``pos``; it supersedes earlier ones."""
        if label not in LABELS:
            raise UserError(f"unknown label '{label}' (use {', '.join(LABELS)})")
        if self.item(pos) is None:
            raise UserError(f"the sample has no item {pos}")
        entry = Label(pos, label, actor.name, actor.os_user, utc_now(), note or None)
        outer = self.conn.in_transaction  # a caller adding many labels at once
        if not outer:
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            cur = self.conn.execute(
                "INSERT INTO labels (pos, label, labeller, os_user, at, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    entry.pos,
                    entry.label,
                    entry.labeller,
                    entry.os_user,
                    entry.at,
                    entry.note,
                ),
            )
            head = self.meta("labels_head") or _GENESIS
            row = (cur.lastrowid, *_label_values(entry))
            self._set_meta({"labels_head": _chain(head, row)})
            if not outer:
                self.conn.execute("COMMIT")
        except BaseException:
            if not outer:
                self.conn.execute("ROLLBACK")
            raise
        return entry

    def labels(self) -> dict[int, Label]:
        """The latest label of every labelled item, by position."""
        latest: dict[int, Label] = {}
        for row in self.conn.execute(
            "SELECT pos, label, labeller, os_user, at, note FROM labels ORDER BY id"
        ):
            latest[row[0]] = Label(*row)
        return latest

    # -- integrity -------------------------------------------------------------

    def _sample_digest(self) -> str:
        """SHA-256 over the sample as drawn: meta (less the seals), strata, items."""
        meta = {k: v for k, v in self.all_meta().items() if k not in _SEALS}
        strata = self.conn.execute("SELECT * FROM strata ORDER BY name").fetchall()
        items = self.conn.execute("SELECT * FROM items ORDER BY pos").fetchall()
        return _sha256([sorted(meta.items()), strata, items])

    def verify(self) -> list[str]:
        """What no longer matches the seals; [] when the file is intact."""
        if not self.has_sample():
            return []
        if self.meta("sample_digest") is None:
            return [
                f"{self.path.name} was written before audit files were sealed; "
                "its sample and labels cannot be checked"
            ]
        problems = []
        if self.meta("sample_digest") != self._sample_digest():
            problems.append(
                f"{self.path.name}: the sample (its pairs, strata or how it was "
                "drawn) was changed after it was drawn"
            )
        head = _GENESIS
        for row in self.conn.execute(
            "SELECT id, pos, label, labeller, os_user, at, note FROM labels ORDER BY id"
        ):
            head = _chain(head, tuple(row))
        if head != self.meta("labels_head"):
            problems.append(
                f"{self.path.name}: blind labels were altered, removed or added "
                "outside Recordmatch"
            )
        triggers = {
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        if not {"labels_no_update", "labels_no_delete"} <= triggers:
            problems.append(f"{self.path.name}: the append-only triggers were removed")
        return problems


def _label_values(label: Label) -> tuple[Any, ...]:
    return (label.pos, label.label, label.labeller, label.os_user, label.at, label.note)


def _sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chain(head: str, row: tuple[Any, ...]) -> str:
    return _sha256([head, list(row)])


def _item_row(item: Item) -> tuple[Any, ...]:
    return (
        item.pos, item.pair_id, item.left_key, item.right_key, item.left_source,
        item.left_record_id, item.right_source, item.right_record_id, item.stratum,
        item.weight, item.probability, item.match_weight, item.band,
        int(item.linked), item.first_decision, item.first_by,
    )  # fmt: skip


def _statements(sql: str) -> list[str]:
    out, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current)
            current = ""
    return out


def default_path(workspace: Path) -> Path:
    """``cases.rmaudit`` next to ``cases.rmws``: where an auditor looks first."""
    return workspace.with_suffix(SUFFIX)

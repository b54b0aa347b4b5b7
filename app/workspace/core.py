"""Opening, creating and migrating a workspace file.

A workspace is one SQLite file a person can carry. WAL lets the GUI read while
a background job writes; ``synchronous=FULL`` because a decision written must
survive a power cut, not just a crash of the program.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from app.actor import Actor, utc_now
from app.errors import UserError
from app.workspace.schema import MIGRATIONS, SCHEMA_VERSION

APPLICATION = "recordmatch"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class WorkspaceError(UserError):
    """The file is not a workspace we can use (wrong kind, newer, locked)."""


def _run_migrations(conn: sqlite3.Connection, start: int) -> None:
    for version in range(start + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


class Connection:
    """One connection to a workspace file, migrated to the current schema.

    sqlite3 connections belong to one thread, so every background job opens
    its own ``Connection``; the GUI keeps one for reading.
    """

    def __init__(self, path: Path, *, readonly: bool, actor: Actor) -> None:
        self.path = path
        self.readonly = readonly
        self.actor = actor
        try:
            if readonly:
                raw = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
            else:
                raw = sqlite3.connect(str(path), isolation_level=None)
            raw.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                raw.execute("PRAGMA journal_mode = WAL")
                raw.execute("PRAGMA synchronous = FULL")
                # 64 MB of page cache: index inserts of a big import stay in memory.
                raw.execute("PRAGMA cache_size = -65536")
            raw.execute("PRAGMA foreign_keys = ON")
            version = raw.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"{path.name}: cannot open as a workspace ({exc})"
            ) from exc
        self.conn = raw
        self.db = sqlite_utils.Database(raw)
        if version > SCHEMA_VERSION:
            self.close()
            raise WorkspaceError(
                f"{path.name} was made by a newer Recordmatch (schema {version}, "
                f"this version reads up to {SCHEMA_VERSION}); please update."
            )
        if version < SCHEMA_VERSION:
            if readonly:
                foreign = version == 0 and self._has_foreign_tables()
                self.close()
                if version == 0:
                    raise WorkspaceError(
                        f"{path.name} is a database, but not a workspace."
                        if foreign
                        else f"{path.name} is empty, not a workspace."
                    )
                raise WorkspaceError(
                    f"{path.name} needs an upgrade (schema {version} to "
                    f"{SCHEMA_VERSION}); open it once in normal mode first."
                )
            fresh = version == 0
            if fresh and self._has_foreign_tables():
                self.close()
                raise WorkspaceError(f"{path.name} is a database, but not a workspace.")
            _run_migrations(raw, version)
            if fresh:
                self._stamp_new_workspace()
        if self.info("application") != APPLICATION:
            self.close()
            raise WorkspaceError(f"{path.name} is a database, but not a workspace.")

    def _has_foreign_tables(self) -> bool:
        return bool(self.db.table_names())

    def _stamp_new_workspace(self) -> None:
        with self.transaction():
            for key, value in {
                "application": APPLICATION,
                "workspace_uuid": str(uuid.uuid4()),
                "created_at": utc_now(),
                "created_by": self.actor.name,
                "next_identity_id": "1",
            }.items():
                self.conn.execute(
                    "INSERT INTO workspace_info (key, value) VALUES (?, ?)",
                    (key, value),
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One job, one transaction: everything or nothing reaches the file.

        ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to the
        busy timeout for another writer): a deferred transaction that read
        first would fail outright, not wait, if another connection committed
        before its first write (SQLITE_BUSY_SNAPSHOT under WAL). Nested calls
        become savepoints.
        """
        if self.readonly:
            raise WorkspaceError(f"{self.path.name} is open read-only.")
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def info(self, key: str) -> str | None:
        row = self.conn.execute(
            "SELECT value FROM workspace_info WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else str(row[0])

    def set_info(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO workspace_info (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def log(self, action: str, details: dict[str, Any]) -> None:
        """Append to the workspace log; callers pass counts and names, never people."""
        self.conn.execute(
            "INSERT INTO log (at, actor, os_user, action, details) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                utc_now(),
                self.actor.name,
                self.actor.os_user,
                action,
                json.dumps(details, sort_keys=True),
            ),
        )

    def close(self) -> None:
        self.conn.close()


def open_workspace(
    path: str | Path,
    *,
    create: bool = False,
    readonly: bool = False,
    actor: Actor | None = None,
    purpose: str | None = None,
) -> Connection:
    """Open (and with ``create`` make) a workspace, migrating it forward.

    Args:
        purpose: when a person opens the workspace (a command, the GUI), what
            for; it is written to the workspace log with who and when.
            Internal connections (a background job's) pass None.

    Raises:
        WorkspaceError: the file is missing (without ``create``), is not SQLite,
            is another database, or was made by a newer release.
    """
    path = Path(path)
    actor = actor or Actor.current()
    if path.is_dir():
        raise WorkspaceError(f"{path.name} is a folder, not a workspace file.")
    if path.exists():
        with path.open("rb") as fh:
            head = fh.read(16)
        if head and head != _SQLITE_MAGIC:
            raise WorkspaceError(f"{path.name} is not a workspace (not a SQLite file).")
        if not head and not create:  # SQLite would take it as a new database
            raise WorkspaceError(
                f"{path.name} is an empty file, not a workspace; create one with "
                "'recordmatch init'."
            )
    elif not create:
        raise WorkspaceError(
            f"{path.name}: no such workspace; create it with 'recordmatch init'."
        )
    elif readonly:
        raise WorkspaceError(f"{path.name}: cannot create a workspace read-only.")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        # People's records: readable by the owner only, like every export
        # (SQLite gives its -wal and -shm files the database file's mode).
        path.touch(mode=0o600, exist_ok=False)
    conn = Connection(path, readonly=readonly, actor=actor)
    if purpose is not None and not readonly:
        with conn.transaction():
            conn.log("open", {"purpose": purpose})
    return conn

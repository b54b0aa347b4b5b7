"""The workspace file: creation, forward migrations and refusal of wrong files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.workspace import WorkspaceError, open_workspace
from app.workspace.schema import SCHEMA_VERSION


def _user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_new_workspace_is_migrated_and_uses_wal(ws_path: Path) -> None:
    conn = open_workspace(ws_path, create=True)
    assert conn.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.info("application") == "recordmatch"
    assert conn.info("next_identity_id") == "1"
    conn.close()
    assert _user_version(ws_path) == SCHEMA_VERSION


def test_reopening_is_idempotent(ws_path: Path) -> None:
    open_workspace(ws_path, create=True).close()
    first = open_workspace(ws_path)
    uuid = first.info("workspace_uuid")
    first.close()
    second = open_workspace(ws_path)
    assert second.info("workspace_uuid") == uuid
    second.close()


def test_missing_workspace_without_create_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no such workspace"):
        open_workspace(tmp_path / "nope.rmws")


def test_a_newer_schema_is_refused(ws_path: Path) -> None:
    open_workspace(ws_path, create=True).close()
    db = sqlite3.connect(ws_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(WorkspaceError, match="newer Recordmatch"):
        open_workspace(ws_path)


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(WorkspaceError, match="not a workspace"):
        open_workspace(path)
    assert _user_version(path) == 0, "a foreign database must not be migrated"


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.rmws"
    path.write_text("hello")
    with pytest.raises(WorkspaceError, match="not a SQLite file"):
        open_workspace(path)


def test_readonly_connection_cannot_write(ws_path: Path) -> None:
    open_workspace(ws_path, create=True).close()
    conn = open_workspace(ws_path, readonly=True)
    with pytest.raises(WorkspaceError, match="read-only"), conn.transaction():
        pass
    with pytest.raises(sqlite3.OperationalError):
        conn.conn.execute(
            "INSERT INTO log (at, actor, os_user, action, details) "
            "VALUES ('', '', '', '', '')"
        )
    conn.close()


def test_failed_migration_leaves_old_version(
    ws_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails half-way must roll back with its version bump."""
    from app.workspace import core, schema

    open_workspace(ws_path, create=True).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(core, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(core, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="disk on fire"):
        open_workspace(ws_path)
    assert _user_version(ws_path) == SCHEMA_VERSION
    db = sqlite3.connect(ws_path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert "half_done" not in tables


def test_an_empty_file_or_another_database_is_not_taken_for_a_workspace(
    tmp_path: Path,
) -> None:
    """Not silently made into a workspace, and not called 'needs an upgrade'."""
    empty = tmp_path / "empty.rmws"
    empty.write_bytes(b"")
    for readonly in (False, True):
        with pytest.raises(WorkspaceError, match="empty file, not a workspace"):
            open_workspace(empty, readonly=readonly)
    assert empty.read_bytes() == b""
    other = tmp_path / "other.rmws"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    for readonly in (False, True):
        with pytest.raises(WorkspaceError, match="a database, but not a workspace"):
            open_workspace(other, readonly=readonly)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_new_workspace_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds people's records; other accounts on the PC must not read it."""
    path = tmp_path / "w.rmws"
    conn = open_workspace(path, create=True)
    with conn.transaction():
        conn.log("test", {})
    for suffix in ("", "-wal"):
        assert (Path(f"{path}{suffix}").stat().st_mode & 0o777) == 0o600, suffix
    conn.close()

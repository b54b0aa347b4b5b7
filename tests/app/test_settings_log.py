"""Settings that bear on decisions are logged with who and when, never in audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import settings_log
from app.actor import Actor
from app.workspace import Connection, WorkspaceError, open_workspace
from tests.conftest import snapshot


def test_change_is_logged_with_who_and_when(conn: Connection) -> None:
    settings_log.log_change(conn, "hide_model_score", False, True)
    settings_log.log_change(conn, "reviewer_name", "tester", "A. Clerk")
    newest, older = settings_log.history(conn)
    assert newest.details == {
        "setting": "reviewer_name",
        "from": "tester",
        "to": "A. Clerk",
    }
    assert (newest.actor, newest.os_user) == ("tester", "tester")
    assert newest.at.endswith("Z")
    assert newest.at >= older.at
    assert older.text == "hide_model_score: False -> True"


def test_settings_in_force_are_logged(conn: Connection) -> None:
    settings_log.log_in_force(
        conn, {"reviewer_name": "tester", "hide_model_score": True}
    )
    (entry,) = settings_log.history(conn)
    assert entry.details == {
        "in_force": {"hide_model_score": True, "reviewer_name": "tester"}
    }
    assert "hide_model_score True" in entry.text


def test_only_audited_settings_and_their_types(conn: Connection) -> None:
    """Display preferences are not audit evidence (see app.settings_log)."""
    with pytest.raises(ValueError, match="larger_font"):
        settings_log.log_change(conn, "larger_font", False, True)
    with pytest.raises(TypeError):
        settings_log.log_change(conn, "hide_model_score", "no", "yes")
    assert settings_log.history(conn) == []


def test_read_only_workspace_refuses_and_is_unchanged(ws_path: Path) -> None:
    open_workspace(ws_path, create=True, actor=Actor("tester", "tester")).close()
    before = snapshot(ws_path)
    ro = open_workspace(ws_path, readonly=True)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            settings_log.log_change(ro, "hide_model_score", False, True)
        assert settings_log.history(ro) == []
    finally:
        ro.close()
    assert snapshot(ws_path) == before


def test_threshold_override_change_goes_with_its_transaction(conn: Connection) -> None:
    """Logged inside the caller's transaction: a rolled-back change leaves no entry."""
    new = {"upper": 0.99, "lower": 0.2}
    with conn.transaction():
        settings_log.log_change(conn, "link_thresholds", None, new)

    def failed_save() -> None:
        with conn.transaction():
            settings_log.log_change(conn, "link_thresholds", new, None)
            raise RuntimeError("the save failed")

    with pytest.raises(RuntimeError):
        failed_save()
    (entry,) = settings_log.history(conn)
    assert entry.details == {"setting": "link_thresholds", "from": None, "to": new}

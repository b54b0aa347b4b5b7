"""Audit mode cannot write: no editing action, no write path, not one byte.

An auditor opens the office's workspace to check it; if opening it could
change it, the check would prove nothing. So this opens a real workspace
(with people's decisions in it) both ways an auditor can, `recordmatch gui
--audit` and File > Open for audit, walks every page, tries to write through
every layer, and compares the file's bytes before and after.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton

from app import settings_log
from app.actor import Actor
from app.decisions import decide_pair, merge_identities, reverse, split_record
from app.importer import import_file
from app.rereview import export_rereview
from app.review import export_queue
from app.workspace import WorkspaceError, open_workspace
from ui.actions import MainAction
from ui.main_window import MainWindow

# Words naming an action that changes the workspace. Exceptions, by prefix:
# "Blind:" labels go to the auditor's own file (issue 5's second review), and
# "Reason:" only picks the reason for a decision not yet made.
EDITING = (
    "match", "unsure", "split", "merge", "undo", "redo", "link now", "import",
    "adjudicate", "packet", "export eligible",
)  # fmt: skip
NOT_EDITING = ("blind:", "reason:")


def _files(path: Path) -> dict[str, str | None]:
    """SHA-256 of the workspace and its -wal (None when absent)."""
    out: dict[str, str | None] = {}
    for suffix in ("", "-wal"):
        f = Path(f"{path}{suffix}")
        out[suffix or "db"] = (
            hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None
        )
    return out


def _unchanged(before: dict[str, str | None], path: Path) -> None:
    after = _files(path)
    assert after["db"] == before["db"]
    # A read-only reader may leave an empty -wal behind: no frame, no change.
    empty = hashlib.sha256(b"").hexdigest()
    assert after["-wal"] in (before["-wal"], None, empty)


@pytest.fixture
def audited(linked_workspace: Path) -> Path:
    """The linked sample with a match, a non-match, an undo and a split in it."""
    conn = open_workspace(linked_workspace, actor=Actor("alice", "alice"))
    try:
        pairs = conn.conn.execute(
            "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 3"
        ).fetchall()
        decide_pair(conn, pairs[0][0], "match", note="same SID")
        decide_pair(conn, pairs[1][0], "non-match")
        seq = decide_pair(conn, pairs[2][0], "unsure").seq
        reverse(conn, seq, reason="undo")
        key = conn.conn.execute(
            "SELECT max(id) FROM records WHERE identity_id = (SELECT identity_id "
            "FROM records GROUP BY identity_id HAVING count(*) > 2 LIMIT 1)"
        ).fetchone()[0]
        split_record(conn, key, reason="family_member")
    finally:
        conn.close()
    return linked_workspace


def _editing(text: str) -> bool:
    plain = text.replace("&", "").lower()
    return not plain.startswith(NOT_EDITING) and any(w in plain for w in EDITING)


def _check_every_page(win: MainWindow) -> list[str]:
    """Every editing action and button on every page is absent (and disabled)."""
    act = win.action_map
    assert not act[MainAction.IMPORT_FILE].isEnabled()
    assert not act[MainAction.IMPORT_FILE].isVisible()
    # New workspace makes another file; only --audit refuses it as well.
    assert act[MainAction.NEW_WORKSPACE].isEnabled() != win.audit
    seen = []
    for key, page in win.pages.pages().items():
        if key != "start":
            win.go_to(key)
        actions = list(getattr(page, "page_actions", list)())
        actions += page.findChildren(QAction)
        for action in actions:
            if _editing(action.text()):
                seen.append(f"{key}: {action.text()}")
                assert not action.isEnabled(), f"{key}: {action.text()} is enabled"
                assert not action.isVisible(), f"{key}: {action.text()} is shown"
        for button in page.findChildren(QAbstractButton):
            if _editing(button.text()):
                seen.append(f"{key}: {button.text()}")
                assert not button.isEnabled(), f"{key}: {button.text()} is enabled"
                assert not button.isVisibleTo(page), f"{key}: {button.text()} shown"
    return seen


def _open_both_ways(qtbot: Any, settings: Any, path: Path) -> list[MainWindow]:
    started = MainWindow(settings, audit=True)  # recordmatch gui --audit WS
    menu = MainWindow(settings)  # File > Open for audit
    for win in (started, menu):
        qtbot.addWidget(win)
        win.show()
    assert started.open_workspace(path)
    assert menu.open_workspace(path, audit=True)
    return [started, menu]


def test_no_editing_action_on_any_page(qtbot: Any, settings: Any, audited: Path):
    before = _files(audited)
    for win in _open_both_ways(qtbot, settings, audited):
        assert win.session.readonly
        seen = _check_every_page(win)
        # The check looked at the actions that matter, not at nothing.
        assert any("review: &Match" in s for s in seen)
        assert any("identities: Split" in s for s in seen)
        assert any("run: &Link now" in s for s in seen)
        win.close()
    _unchanged(before, audited)


def test_keys_settings_and_writes_are_refused(
    qtbot: Any, settings: Any, audited: Path
) -> None:
    """Pressing M, changing settings, or writing through the session does not
    reach the file; the session's refusal says why."""
    before = _files(audited)
    win = _open_both_ways(qtbot, settings, audited)[1]
    session = win.session
    win.go_to("review")
    review = win.pages.page("review")
    assert review.pair_view.detail() is not None
    qtbot.keyClick(review.table, "M")
    qtbot.wait(300)  # let the review page read ahead before the workspace reopens
    win.set_hide_model_score(True)  # settings change: an audit session logs nothing
    win.start_page.name_edit.setText("Auditor Bob")
    win.start_page.save_name()
    assert win.session.readonly  # reopened read-only under the new name
    failures: list[BaseException] = []
    pid = win.session.read.conn.execute("SELECT min(id) FROM pairs").fetchone()[0]
    win.session.write(
        lambda c: decide_pair(c, pid, "match"),
        changed="decision",
        on_error=lambda exc, _tb: failures.append(exc),
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], WorkspaceError)
    assert "read-only (audit mode)" in str(failures[0])
    assert session is not win.session
    win.close()
    _unchanged(before, audited)


def test_app_layer_writes_fail_clearly_on_a_read_only_connection(
    audited: Path, ui_sample: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "arrest-newer.csv"
    newer.write_bytes((ui_sample / "arrest.csv").read_bytes() + b"\n")
    before = _files(audited)
    conn = open_workspace(audited, readonly=True, actor=Actor("auditor", "auditor"))
    try:
        pid, left, right = conn.conn.execute(
            "SELECT id, left_key, right_key FROM pairs ORDER BY id LIMIT 1"
        ).fetchone()
        seq = conn.conn.execute("SELECT max(seq) FROM ledger").fetchone()[0]
        attempts = {
            "decide": lambda: decide_pair(conn, pid, "match"),
            "reverse": lambda: reverse(conn, seq, reason="undo"),
            "split": lambda: split_record(conn, left, reason="family_member"),
            "merge": lambda: merge_identities(conn, left, right, reason="x"),
            "import": lambda: import_file(conn, newer, source="new", kind="arrest"),
            "settings": lambda: settings_log.log_change(
                conn, "hide_model_score", False, True
            ),
            "queue": lambda: export_queue(conn, tmp_path / "q.csv"),
            "rereview": lambda: export_rereview(conn, tmp_path / "r.csv"),
        }
        for name, attempt in attempts.items():
            with pytest.raises(WorkspaceError, match="read-only") as caught:
                attempt()
            assert audited.name in str(caught.value), name
    finally:
        conn.close()
    _unchanged(before, audited)


def test_normal_mode_logs_the_same_settings_changes(
    qtbot: Any, settings: Any, audited: Path
) -> None:
    """The counterpart: a writable session logs what the audit one may not."""
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    assert win.open_workspace(audited)
    qtbot.wait(300)  # the review page reads ahead once it shows
    win.set_hide_model_score(True)
    win.start_page.name_edit.setText("A. Clerk")
    win.start_page.save_name()
    assert not win.session.readonly
    win.session.writes.wait()
    win.close()
    conn = open_workspace(audited, readonly=True)
    try:
        texts = [e.text for e in settings_log.history(conn)]
    finally:
        conn.close()
    assert texts == [
        "in force: hide_model_score True, reviewer_name 'A. Clerk'",
        "reviewer_name: 'Test Reviewer' -> 'A. Clerk'",
        "hide_model_score: False -> True",
        "in force: hide_model_score False, reviewer_name 'Test Reviewer'",
    ]

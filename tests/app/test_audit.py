"""audit --verify catches every way of altering history, and only those."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.audit import verify
from app.cli import cli
from app.decisions import decide_pair
from app.workspace import Connection, open_workspace


@pytest.fixture
def decided(linked: Connection) -> Path:
    pairs = linked.conn.execute(
        "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 4"
    ).fetchall()
    for (pid,), word in zip(
        pairs, ["match", "non-match", "unsure", "match"], strict=True
    ):
        decide_pair(linked, pid, word)
    path = linked.path
    linked.close()
    return path


def _raw(path: Path) -> sqlite3.Connection:
    """A hand-editing attacker: plain sqlite3, triggers dropped."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER ledger_no_update")
    db.execute("DROP TRIGGER ledger_no_delete")
    return db


def _human_seqs(db: sqlite3.Connection) -> list[int]:
    return [r[0] for r in db.execute("SELECT seq FROM ledger WHERE actor <> 'model'")]


def _verify(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", str(path), "--verify", *extra])
    return result.exit_code, result.output + (result.stderr or "")


def test_intact_workspace_verifies(decided: Path) -> None:
    code, out = _verify(decided)
    assert code == 0, out
    assert "verified" in out
    conn = open_workspace(decided, readonly=True)
    assert (
        verify(conn).entries
        == conn.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    )
    conn.close()


def test_triggers_refuse_update_and_delete(decided: Path) -> None:
    db = sqlite3.connect(decided)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE ledger SET kind = 'match' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM ledger WHERE seq = 1")
    db.close()


def test_altered_entry_is_caught(decided: Path) -> None:
    db = _raw(decided)
    seq = _human_seqs(db)[1]
    db.execute("UPDATE ledger SET kind = 'match' WHERE seq = ?", (seq,))
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"entry {seq} was altered" in out


def test_removed_entry_is_caught(decided: Path) -> None:
    db = _raw(decided)
    seq = _human_seqs(db)[1]
    db.execute("DELETE FROM ledger WHERE seq = ?", (seq,))
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"entry {seq} is missing" in out


def test_removed_last_entry_is_caught_against_a_noted_head(decided: Path) -> None:
    """Truncating the tail leaves a valid shorter chain: the head hash shows it."""
    code, out = _verify(decided)
    head = out.split("chain head ")[1].split()[0]
    db = _raw(decided)
    db.execute("DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)")
    db.close()
    code, out = _verify(decided, "--expect-head", head)
    assert code == 1
    assert "head noted earlier" in out


def test_the_short_head_the_report_prints_is_accepted(decided: Path) -> None:
    """The report and the Quality page print 12 hex digits; that must do."""
    _, out = _verify(decided)
    head = out.split("chain head ")[1].split()[0]
    code, out = _verify(decided, "--expect-head", head[:12])
    assert code == 0, out
    code, out = _verify(decided, "--expect-head", head[:12].upper())
    assert code == 0, out
    db = _raw(decided)
    db.execute("DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)")
    db.close()
    code, out = _verify(decided, "--expect-head", head[:12])
    assert code == 1
    assert "head noted earlier" in out
    code, out = _verify(decided, "--expect-head", head[:6])  # too short to trust
    assert code == 1


def test_inserted_entry_is_caught(decided: Path) -> None:
    db = _raw(decided)
    seq = _human_seqs(db)[1]
    columns = [r[1] for r in db.execute("PRAGMA table_info(ledger)")]
    row = db.execute("SELECT * FROM ledger WHERE seq = ?", (seq,)).fetchone()
    # Shift the later entries up by one and slip a copy in.
    db.execute("UPDATE ledger SET seq = seq + 100000 WHERE seq >= ?", (seq,))
    db.execute("UPDATE ledger SET seq = seq - 99999 WHERE seq >= 100000")
    fake = dict(zip(columns, row, strict=True)) | {"seq": seq, "entry_hash": "f" * 64}
    marks = ", ".join("?" for _ in columns)
    db.execute(f"INSERT INTO ledger VALUES ({marks})", [fake[c] for c in columns])
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"entry {seq}" in out


def test_reordered_entries_are_caught(decided: Path) -> None:
    db = _raw(decided)
    a, b = _human_seqs(db)[:2]
    db.execute("UPDATE ledger SET seq = -1 WHERE seq = ?", (a,))
    db.execute("UPDATE ledger SET seq = ? WHERE seq = ?", (a, b))
    db.execute("UPDATE ledger SET seq = ? WHERE seq = -1", (b,))
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"entry {a}" in out


def test_record_edited_by_hand_is_caught(decided: Path) -> None:
    db = _raw(decided)
    key = db.execute(
        "SELECT left_key FROM ledger WHERE actor <> 'model' LIMIT 1"
    ).fetchone()[0]
    db.execute("UPDATE records SET dob = '1901-01-01' WHERE id = ?", (key,))
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert "edited outside Recordmatch" in out


def test_record_and_its_hash_edited_together_is_caught(decided: Path) -> None:
    db = _raw(decided)
    key = db.execute(
        "SELECT left_key FROM ledger WHERE actor <> 'model' LIMIT 1"
    ).fetchone()[0]
    db.execute(
        "UPDATE records SET last_name = 'ZZZ', values_hash = ? WHERE id = ?",
        ("0" * 64, key),
    )
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"record {key}" in out


def test_evidence_snapshot_altered_is_caught(decided: Path) -> None:
    db = _raw(decided)
    seq = db.execute("SELECT min(entry_seq) FROM evidence").fetchone()[0]
    db.execute(
        "UPDATE evidence SET snapshot = replace(snapshot, 'a', 'b') "
        "WHERE entry_seq = ?",
        (seq,),
    )
    db.close()
    code, out = _verify(decided)
    assert code == 1
    assert f"entry {seq}: its evidence snapshot was altered" in out


def test_purged_evidence_still_verifies(decided: Path) -> None:
    """An expungement order removes the values; the chain must still verify."""
    db = sqlite3.connect(decided)
    db.execute(
        "UPDATE evidence SET snapshot = NULL, purged_at = '2026-11-25T00:00:00Z'"
    )
    db.commit()
    db.close()
    code, out = _verify(decided)
    assert code == 0, out

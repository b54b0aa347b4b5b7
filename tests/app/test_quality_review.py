"""Blind labels from the command line, disagreements and adjudication."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.actor import Actor
from app.audit_file import WAITING, AuditFile
from app.cli import cli
from app.errors import InputError
from app.quality_draw import draw_sample
from app.quality_review import adjudicate, blind_pair, disagreements
from app.workspace import Connection, WorkspaceError, ledger, open_workspace
from tests.conftest import snapshot

AUDITOR = Actor("auditor", "auditor-os")


def _audit(conn: Connection, path: Path) -> AuditFile:
    return AuditFile.open(path, workspace_uuid=conn.info("workspace_uuid") or "")


def _disagree(conn: Connection, path: Path, *, stored: bool) -> int:
    """Label one item against its first decision; returns its position."""
    audit = _audit(conn, path)
    try:
        item = next(
            i
            for i in audit.items()
            if (i.pair_id is not None) is stored and i.first_decision != WAITING
        )
        opposite = "non-match" if item.first_decision == "match" else "match"
        audit.add_label(item.pos, opposite, actor=AUDITOR)
        return item.pos
    finally:
        audit.close()


@pytest.mark.parametrize("stored", [True, False])
def test_adjudication_appends_a_ledger_entry_naming_the_sample(
    linked: Connection, tmp_path: Path, stored: bool
) -> None:
    """Stored pairs go through decide_pair; a candidate below the threshold
    that was never stored gets the same kind of entry on its two records."""
    path = tmp_path / "adj.rmaudit"
    draw_sample(linked, path, size=60, seed=5)
    pos = _disagree(linked, path, stored=stored)
    audit = _audit(linked, path)
    try:
        (d,) = disagreements(linked, audit)
        assert (d.item.pos, d.adjudicated) == (pos, None)
        before = list(ledger.iter_entries(linked.conn))
        outcome = adjudicate(linked, path, pos, d.label.label)
        entry = ledger.get_entry(linked.conn, outcome.seq)
        assert entry is not None
        assert len(list(ledger.iter_entries(linked.conn))) == len(before) + 1
        assert entry["kind"] == d.label.label
        assert entry["reason_code"] == "adjudication"
        assert path.name in entry["note"]
        assert (entry["left_key"], entry["right_key"]) == (
            d.item.left_key,
            d.item.right_key,
        )
        assert entry["pair_id"] == d.item.pair_id
        (after,) = disagreements(linked, audit)
        assert after.adjudicated is not None
        assert after.adjudicated.kind == d.label.label
    finally:
        audit.close()
    assert (
        ledger.verify_chain(linked.conn, linked.info("workspace_uuid") or "").problem
        is None
    )


def test_pairs_waiting_for_a_person_have_no_first_decision_to_disagree_with(
    linked: Connection, tmp_path: Path
) -> None:
    """A queued pair nobody decided is not the model's 'non-match'."""
    from app.quality import quality_summary

    path = tmp_path / "s.rmaudit"
    draw_sample(linked, path, size=200, seed=3)
    audit = _audit(linked, path)
    try:
        waiting = [i for i in audit.items() if i.first_decision == WAITING]
        assert waiting
        assert all(i.band == "review" and not i.linked for i in waiting)
        for item in waiting:
            audit.add_label(item.pos, "match", actor=AUDITOR)
    finally:
        audit.close()
    assert disagreements(linked, _audit(linked, path)) == []
    summary = quality_summary(linked, path)
    assert summary.agreement_n == 0
    assert summary.disagreements == 0


def test_read_only_connection_cannot_adjudicate(
    linked: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "ro.rmaudit"
    draw_sample(linked, path, size=20, seed=5)
    pos = _disagree(linked, path, stored=True)
    before = snapshot(linked.path)
    reader = open_workspace(linked.path, readonly=True, actor=AUDITOR)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            adjudicate(reader, path, pos, "match")
    finally:
        reader.close()
    assert snapshot(linked.path) == before


def test_blind_pair_carries_nothing_but_the_records(
    linked: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "blind.rmaudit"
    draw_sample(linked, path, size=10, seed=5)
    audit = _audit(linked, path)
    try:
        pair = blind_pair(linked, audit, 1)
    finally:
        audit.close()
    assert pair is not None
    assert set(pair.__slots__) == {
        "pos",
        "total",
        "left",
        "right",
        "fields",
        "own_label",
    }
    assert pair.left.identity_id == pair.right.identity_id == 0


def test_cli_draws_writes_blind_csv_takes_labels_and_summarises(
    linked: Connection, tmp_path: Path
) -> None:
    ws = linked.path
    audit_path = tmp_path / "cli.rmaudit"
    runner = CliRunner()
    args = ["sample", str(ws), "--audit-file", str(audit_path)]
    blind = tmp_path / "blind.csv"
    result = runner.invoke(
        cli, [*args, "--size", "40", "--seed", "3", "--blind-out", str(blind)]
    )
    assert result.exit_code == 0, result.output
    assert "drew 40 pairs" in result.output
    with blind.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40
    assert "probability" not in rows[0]
    assert "stratum" not in rows[0]
    for i, row in enumerate(rows):
        row["label"] = ("match", "non-match", "unsure", "")[i % 4]
    with blind.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(
        cli, [*args, "--labels", str(blind), "--reviewer", "Ann", "--summary"]
    )
    assert result.exit_code == 0, result.output
    assert "added 30 blind labels by Ann" in result.output
    assert "precision of links:" in result.output
    assert "recall among candidate pairs:" in result.output
    assert "blocking never proposed" in result.output
    again = runner.invoke(cli, [*args, "--size", "10"])
    assert again.exit_code == 1
    assert "already holds a sample" in again.output


def test_a_bad_label_file_adds_nothing(linked: Connection, tmp_path: Path) -> None:
    from app.quality_labels import apply_labels

    path = tmp_path / "bad.rmaudit"
    draw_sample(linked, path, size=10, seed=5)
    answers = tmp_path / "answers.csv"
    answers.write_text("1,match\n2,perhaps\n", encoding="utf-8")
    audit = _audit(linked, path)
    try:
        with pytest.raises(InputError, match="line 2"):
            apply_labels(audit, answers, actor=AUDITOR)
        assert audit.labels() == {}
    finally:
        audit.close()

"""Decisions files: applied whole or not at all; identities follow at once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.errors import InputError
from app.review import apply_decisions
from app.workspace import Connection, ledger
from tests.conftest import snapshot


def _waiting(conn: Connection, n: int) -> list[tuple[int, int, int]]:
    return conn.conn.execute(
        "SELECT id, left_key, right_key FROM pairs WHERE band = 'review' "
        "ORDER BY priority DESC, id LIMIT ?",
        (n,),
    ).fetchall()


def _identity(conn: Connection, key: int) -> int:
    return int(
        conn.conn.execute(
            "SELECT identity_id FROM records WHERE id = ?", (key,)
        ).fetchone()[0]
    )


def test_match_and_non_match_change_identities_at_once(
    linked: Connection, tmp_path: Path
) -> None:
    (a, al, ar), (b, bl, br) = _waiting(linked, 2)
    path = tmp_path / "d.csv"
    path.write_text(f"pair_id,decision,note\n{a},match,same tattoo\n{b},non-match,\n")
    summary = apply_decisions(linked, path)
    assert summary.applied == 2
    assert _identity(linked, al) == _identity(linked, ar)
    assert _identity(linked, bl) != _identity(linked, br)
    kinds = {
        (d.left_key, d.right_key): d.kind for d in ledger.current_decisions(linked.conn)
    }
    assert kinds == {(al, ar): "match", (bl, br): "non-match"}
    note = linked.conn.execute(
        "SELECT note FROM ledger WHERE kind = 'match'"
    ).fetchone()
    assert note == ("same tattoo",)
    again = apply_decisions(linked, path)
    assert (again.applied, again.unchanged) == (0, 2)


def test_each_entry_keeps_the_evidence_shown(
    linked: Connection, tmp_path: Path
) -> None:
    ((a, al, _),) = _waiting(linked, 1)
    path = tmp_path / "d.csv"
    path.write_text(f"pair_id,decision\n{a},unsure\n")
    apply_decisions(linked, path)
    entry = linked.conn.execute(
        "SELECT l.probability, l.levels, e.snapshot FROM ledger l "
        "JOIN evidence e ON e.entry_seq = l.seq WHERE l.kind = 'unsure'"
    ).fetchone()
    assert entry[0] is not None
    assert "dob" in entry[1]
    last = linked.conn.execute(
        "SELECT last_name FROM records WHERE id = ?", (al,)
    ).fetchone()
    assert last[0] in entry[2]


BAD = {
    "header": ("pair,decision\n1,match\n", 1, "header"),
    "word": ("pair_id,decision\n{a},yes\n", 2, "unknown decision 'yes'"),
    "unknown pair": (
        "pair_id,decision\n{a},match\n999999,match\n",
        3,
        "no pair 999999",
    ),
    "not a number": ("pair_id,decision\n{a},match\nx1,match\n", 3, "not a number"),
    "twice": ("pair_id,decision\n{a},match\n{a},non-match\n", 3, "answered twice"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_decision_files_are_rejected_whole(
    linked: Connection, tmp_path: Path, case: str
) -> None:
    text, line, needle = BAD[case]
    ((a, _, _),) = _waiting(linked, 1)
    path = tmp_path / "bad.csv"
    path.write_text(text.format(a=a))
    before = snapshot(linked.path)
    with pytest.raises(InputError) as err:
        apply_decisions(linked, path)
    assert f"bad.csv, line {line}:" in str(err.value)
    assert needle in str(err.value)
    assert snapshot(linked.path) == before


def test_queue_then_decide_through_the_command(
    linked: Connection, tmp_path: Path
) -> None:
    ws = linked.path
    linked.close()
    runner = CliRunner()
    queue = tmp_path / "pending.csv"
    result = runner.invoke(cli, ["queue", str(ws), "--out", str(queue), "--limit", "3"])
    assert result.exit_code == 0, result.output
    with queue.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3
    assert list(rows[0])[:6] == [
        "pair_id", "left_source", "left_record_id", "right_source",
        "right_record_id", "match_probability",
    ]  # fmt: skip
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "pair_id,decision\n" + "".join(f"{r['pair_id']},non-match\n" for r in rows)
    )
    result = runner.invoke(cli, ["decide", str(ws), str(answers), "--reviewer", "Ann"])
    assert result.exit_code == 0, result.output
    assert "applied 3 decisions" in result.output
    result = runner.invoke(cli, ["queue", str(ws), "--out", str(queue)])
    with queue.open(newline="") as fh:
        left = {r["pair_id"] for r in csv.DictReader(fh)}
    assert not left & {r["pair_id"] for r in rows}


def test_automatic_links_can_be_confirmed_from_the_command_line(
    linked: Connection, tmp_path: Path
) -> None:
    """queue --auto lists unconfirmed automatic links; answered 'match', the
    eligibility list counts them as confirmed by a person."""
    from app.eligibility import eligible_rows
    from app.workspace import open_workspace

    ws = linked.path
    confirmed_before = sum(r.confirmed for r in eligible_rows(linked))
    linked.close()
    runner = CliRunner()
    out = tmp_path / "auto.csv"
    result = runner.invoke(cli, ["queue", str(ws), "--auto", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "automatic links to confirm" in result.output
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    probabilities = [float(r["match_probability"]) for r in rows]
    assert rows
    assert probabilities == sorted(probabilities)  # least sure first
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "pair_id,decision\n" + "".join(f"{r['pair_id']},match\n" for r in rows)
    )
    result = runner.invoke(cli, ["decide", str(ws), str(answers), "--reviewer", "Ann"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["queue", str(ws), "--auto", "--out", str(out)])
    assert "wrote 0 automatic links" in result.output
    conn = open_workspace(ws, readonly=True)
    try:
        pending = conn.conn.execute(
            "SELECT count(*) FROM pairs WHERE band = 'review' AND NOT EXISTS ("
            "SELECT 1 FROM decision_state d WHERE d.left_key = pairs.left_key "
            "AND d.right_key = pairs.right_key)"
        ).fetchone()[0]
        rows_now = eligible_rows(conn)
    finally:
        conn.close()
    assert pending > 0  # the review band is still open, so some rows wait...
    # ...but the confirmed links count.
    assert sum(r.confirmed for r in rows_now) > confirmed_before


def test_queue_refuses_two_lists_at_once(linked: Connection, tmp_path: Path) -> None:
    ws = linked.path
    linked.close()
    out = tmp_path / "q.csv"
    result = CliRunner().invoke(
        cli, ["queue", str(ws), "--auto", "--rereview", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "choose one" in result.output
    assert not out.exists()


def test_the_queue_file_with_a_decision_column_goes_back_as_it_is(
    linked: Connection, tmp_path: Path
) -> None:
    """A clerk fills in the file queue wrote; unanswered rows keep waiting."""
    ws = linked.path
    linked.close()
    runner = CliRunner()
    queue = tmp_path / "pending.csv"
    runner.invoke(cli, ["queue", str(ws), "--out", str(queue), "--limit", "4"])
    with queue.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[0].append("decision")
    for row, answer in zip(rows[1:], ["match", "non-match", "", ""], strict=True):
        row.append(answer)
    filled = tmp_path / "filled.csv"
    with filled.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = runner.invoke(cli, ["decide", str(ws), str(filled), "--reviewer", "Ann"])
    assert result.exit_code == 0, result.output
    assert "applied 2 decisions" in result.output
    assert "2 rows without a decision left waiting" in result.output
    runner.invoke(cli, ["queue", str(ws), "--out", str(queue)])
    with queue.open(newline="") as fh:
        waiting = {r["pair_id"] for r in csv.DictReader(fh)}
    assert {rows[3][0], rows[4][0]} <= waiting
    assert not {rows[1][0], rows[2][0]} & waiting

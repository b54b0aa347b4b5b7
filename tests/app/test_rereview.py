"""A newer export that changes a record flags the decisions resting on it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import review_queries as rq
from app.audit import verify
from app.cli import cli
from app.decisions import decide_pair, split_record
from app.errors import UserError
from app.importer import import_file
from app.ledger_queries import verify_workspace
from app.reaffirm import reaffirm
from app.rereview import counts, flagged
from app.review import apply_decisions
from app.workspace import Connection
from tests.conftest import TODAY


def _review_pairs(conn: Connection, n: int) -> list[tuple[int, int, int]]:
    return conn.conn.execute(
        "SELECT id, left_key, right_key FROM pairs WHERE band = 'review' "
        "ORDER BY id LIMIT ?",
        (n,),
    ).fetchall()


def _read_rows(path: Path) -> tuple[list[list[str]], str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                return list(csv.reader(fh)), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("unreadable sample file")


def newer_export(conn: Connection, key: int, folder: Path) -> tuple[Path, str]:
    """The record's source file again with one value of that record changed.

    Returns the new file and the source name. The row is found by its raw
    values (kept beside the normalised fields), so no layout is assumed.
    """
    source, file_name, raw, mapping = conn.conn.execute(
        "SELECT s.name, i.file_name, r.raw, i.mapping FROM records r "
        "JOIN sources s ON s.id = r.source_id JOIN imports i ON i.id = r.import_id "
        "WHERE r.id = ?",
        (key,),
    ).fetchone()
    values = [str(v) for v in json.loads(raw)]
    columns = json.loads(mapping)
    field = next(f for f in ("street", "city", "zip", "dob") if f in columns)
    rows, encoding = _read_rows(folder / file_name)
    header = rows[0]
    col = header.index(columns[field])
    hits = [i for i, row in enumerate(rows) if row == values]
    assert len(hits) == 1
    rows[hits[0]][col] = {"dob": "01/02/1950"}.get(field, "999 CHANGED AVE")
    out = folder.parent / f"newer-{file_name}"
    with out.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)
    return out, str(source)


@pytest.fixture
def reexported(linked: Connection, sample_dir: Path, tmp_path: Path) -> dict:
    """Two decided pairs; a newer export then changes one record of the first."""
    (a, a_left, a_right), *rest = _review_pairs(linked, 40)
    b = next(p for p in rest if not {p[1], p[2]} & {a_left, a_right})
    decide_pair(linked, a, "match")
    decide_pair(linked, b[0], "non-match")
    folder = tmp_path / "files"
    folder.mkdir()
    newer, source = newer_export(linked, a_left, sample_dir)
    kind = linked.conn.execute(
        "SELECT kind FROM sources WHERE name = ?", (source,)
    ).fetchone()[0]
    summary = import_file(
        linked, newer, source=source, kind=kind, today=TODAY, match_by_line=True
    )
    return {"a": a, "b": b[0], "changed": a_left, "summary": summary}


def test_changed_record_flags_its_decision_only(
    linked: Connection, reexported: dict
) -> None:
    """The match on the changed record needs re-review; the other does not."""
    assert reexported["summary"].rows_updated == 1
    found = flagged(linked)
    assert [f.pair_id for f in found] == [reexported["a"]]
    assert found[0].kind == "match"
    assert found[0].changed == "left"
    assert counts(linked).pair_decisions == 1
    assert reexported["summary"].rereview == 1
    assert any("re-review" in w for w in reexported["summary"].warnings)
    # audit --verify agrees: re-review, not tampering.
    report = verify(linked)
    assert report.ok, report.problems
    assert report.rereview == [found[0].seq]
    # ... and so does the ledger page's Verify chain.
    summary = verify_workspace(linked.path)
    assert (summary.ok, summary.rereview, summary.entries_on_changed_values) == (
        True,
        1,
        1,
    )


def test_rereview_queue_lists_it_in_every_band(
    linked: Connection, reexported: dict
) -> None:
    page = rq.queue_page(linked, rq.QueueFilter(band="auto", state="rereview"))
    assert [r.pair_id for r in page.rows] == [reexported["a"]]
    assert page.rows[0].state == "re-review"
    decided = rq.queue_page(linked, rq.QueueFilter(state="decided"))
    states = {r.pair_id: r.state for r in decided.rows}
    assert states[reexported["a"]] == "re-review"
    assert states[reexported["b"]] == "non-match"
    assert rq.queue_counts(linked, rq.QueueFilter()).rereview == 1


def test_deciding_again_clears_the_flag(linked: Connection, reexported: dict) -> None:
    """The same answer, given on the new values, is a new entry resting on them."""
    seq = flagged(linked)[0].seq
    assert verify(linked).standing_rereview == [seq]
    decide_pair(linked, reexported["a"], "match")
    assert flagged(linked) == []
    # audit --verify agrees with status: nothing left to decide again; the
    # replaced entry still rests on old values, and is reported as such.
    report = verify(linked)
    assert report.standing_rereview == []
    assert seq in report.rereview
    page = rq.queue_page(linked, rq.QueueFilter(state="rereview"))
    assert page.rows == ()


def test_decide_file_with_the_same_answer_clears_the_flag(
    linked: Connection, reexported: dict, tmp_path: Path
) -> None:
    """`recordmatch decide` treats a flagged decision as not standing."""
    answers = tmp_path / "answers.csv"
    answers.write_text(
        f"pair_id,decision\n{reexported['a']},match\n{reexported['b']},non-match\n",
        encoding="utf-8",
    )
    summary = apply_decisions(linked, answers)
    assert (summary.applied, summary.unchanged) == (1, 1)  # the non-match stands
    assert flagged(linked) == []


def test_pair_detail_says_the_standing_decision_needs_re_review(
    linked: Connection, reexported: dict
) -> None:
    """The review page decides again on a pair opened outside the queue."""
    flagged_detail = rq.pair_detail(linked, reexported["a"])
    other_detail = rq.pair_detail(linked, reexported["b"])
    assert flagged_detail is not None
    assert flagged_detail.standing is not None
    assert other_detail is not None
    assert other_detail.standing is not None
    assert flagged_detail.standing.rereview is True
    assert other_detail.standing.rereview is False
    # ...and shows what the newer export changed, in the file's own columns.
    changes = flagged_detail.standing.changes
    assert len(changes) == 1
    assert changes[0].startswith("left ")
    assert "'999 CHANGED AVE'" in changes[0] or "'01/02/1950'" in changes[0]
    assert other_detail.standing.changes == ()


def test_a_flagged_match_is_not_a_confirmed_link(
    linked: Connection, reexported: dict
) -> None:
    """Eligibility's 'confirmed' needs the pair decided again on the new values;
    the flagged match still holds the identity together meanwhile."""
    from app.workspace import ledger
    from app.workspace.confirmed import confirmed_links

    pair = linked.conn.execute(
        "SELECT min(left_key, right_key), max(left_key, right_key) FROM pairs "
        "WHERE id = ?",
        (reexported["a"],),
    ).fetchone()
    assert tuple(pair) in ledger.constraints(linked.conn)[0]
    assert tuple(pair) not in confirmed_links(linked.conn)
    assert tuple(pair) not in confirmed_links(linked.conn, list(pair))
    decide_pair(linked, reexported["a"], "match")
    assert tuple(pair) in confirmed_links(linked.conn)
    assert tuple(pair) in confirmed_links(linked.conn, list(pair))


def _split_then_reexport(linked: Connection, sample_dir: Path) -> int:
    """Split a record out, then import a newer export changing it; its key."""
    key = linked.conn.execute(
        "SELECT id FROM records WHERE identity_id IN (SELECT identity_id FROM "
        "records GROUP BY identity_id HAVING count(*) > 1) ORDER BY id LIMIT 1"
    ).fetchone()[0]
    split_record(linked, key, reason="family_member")
    newer, source = newer_export(linked, key, sample_dir)
    kind = linked.conn.execute(
        "SELECT kind FROM sources WHERE name = ?", (source,)
    ).fetchone()[0]
    import_file(
        linked, newer, source=source, kind=kind, today=TODAY, match_by_line=True
    )
    return int(key)


def test_split_resting_on_changed_values_is_flagged(
    linked: Connection, sample_dir: Path
) -> None:
    """A split is a person's decision about the record's values too."""
    key = _split_then_reexport(linked, sample_dir)
    assert [f.kind for f in flagged(linked)] == ["split"]
    assert counts(linked).identity_changes == 1
    # Splitting again is refused (the record is already apart), so a person
    # who still agrees re-affirms it: the flag clears, identities stay.
    seq = flagged(linked)[0].seq
    identity = linked.conn.execute(
        "SELECT identity_id FROM records WHERE id = ?", (key,)
    ).fetchone()[0]
    with pytest.raises(UserError, match="needs a note"):
        reaffirm(linked, seq, note=" ")
    outcome = reaffirm(linked, seq, note="new address checked; still a relative")
    assert outcome.identities.changed_records == 0
    assert flagged(linked) == []
    assert verify(linked).ok
    assert verify(linked).standing_rereview == []
    assert (
        linked.conn.execute(
            "SELECT identity_id FROM records WHERE id = ?", (key,)
        ).fetchone()[0]
        == identity
    )
    with pytest.raises(UserError, match="does not need re-review"):
        reaffirm(linked, seq, note="again")


def test_cli_lists_a_flagged_split_and_reaffirms_it(
    linked: Connection, sample_dir: Path
) -> None:
    _split_then_reexport(linked, sample_dir)
    seq = flagged(linked)[0].seq
    ws = str(linked.path)
    linked.close()
    runner = CliRunner()
    status = runner.invoke(cli, ["status", ws])
    assert f"entries {seq}" in status.output
    done = runner.invoke(cli, ["reaffirm", ws, str(seq), "--note", "checked"])
    assert done.exit_code == 0, done.output
    assert "re-affirmed" in done.output
    status = runner.invoke(cli, ["status", ws])
    assert "decisions needing re-review: 0" in status.output


def test_cli_import_status_and_queue_report_it(
    linked: Connection, sample_dir: Path, tmp_path: Path
) -> None:
    (pid, left, _right), *_ = _review_pairs(linked, 1)
    decide_pair(linked, pid, "unsure")
    newer, source = newer_export(linked, left, sample_dir)
    kind = linked.conn.execute(
        "SELECT kind FROM sources WHERE name = ?", (source,)
    ).fetchone()[0]
    path = linked.path
    linked.close()
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "import",
            str(path),
            str(newer),
            "--source",
            source,
            "--kind",
            kind,
            "--match-by-line",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 decision rests on records this file changed" in result.output
    result = runner.invoke(cli, ["status", str(path)])
    assert "decisions needing re-review: 1 (1 on pairs, 0 splits" in result.output
    out = tmp_path / "pending.csv"
    result = runner.invoke(cli, ["queue", str(path), "--out", str(out)])
    assert "1 decided pairs need re-review" in result.output
    again = tmp_path / "again.csv"
    result = runner.invoke(cli, ["queue", str(path), "--out", str(again), "--rereview"])
    assert result.exit_code == 0, result.output
    with again.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["pair_id"]) for r in rows] == [pid]
    assert rows[0]["standing_decision"] == "unsure"
    assert rows[0]["decided_by"] == "reviewer"
    assert rows[0]["changed"] == "left"

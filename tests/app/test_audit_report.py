"""The audit report's numbers are the ledger's, counted again independently here.

Each figure is recomputed from the raw tables with plain Python (a replay of
the ledger in seq order, no report code and no SQL views), so a report that
miscounted, or read a cache instead of the ledger, disagrees with the test.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.actor import Actor
from app.audit_file import AuditFile
from app.audit_report import AuditReport, build_report
from app.audit_report_csv import (
    HEADER,
    cell,
    log_report_export,
    read_report_csv,
    report_rows,
    write_report_csv,
)
from app.audit_report_quality import NO_SAMPLE
from app.cli import cli
from app.decisions import decide_pair, merge_identities, reverse, split_record
from app.quality import quality_summary
from app.quality_draw import draw_sample
from app.workspace import Connection, open_workspace

HUMAN = ("match", "non-match", "unsure", "split", "merge", "reversal")
SECOND = Actor("second reviewer", "second-os")


@pytest.fixture
def reviewed(linked: Connection) -> Path:
    """Two reviewers' decisions, three reversals, a merge and a split."""
    pairs = [
        r[0]
        for r in linked.conn.execute(
            "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 8"
        )
    ]
    first = [
        decide_pair(linked, pid, word).seq
        for pid, word in zip(
            pairs[:4], ["match", "non-match", "unsure", "match"], strict=True
        )
    ]
    reverse(linked, first[0], reason="wrong person")
    path = linked.path
    linked.close()
    other = open_workspace(path, actor=SECOND)
    second = [
        decide_pair(other, pid, word).seq
        for pid, word in zip(
            pairs[4:8], ["match", "non-match", "match", "match"], strict=True
        )
    ]
    reverse(other, second[1], reason="=SUM(A1) looked again")
    reverse(other, first[3], reason="twin")
    keys = [r[0] for r in other.conn.execute("SELECT id FROM records LIMIT 2")]
    merge_identities(other, keys[0], keys[1], reason="same_ids")
    split_record(other, keys[1], reason="family_member")
    other.close()
    return path


def _report(path: Path, **kwargs: object) -> AuditReport:
    conn = open_workspace(path, readonly=True)
    try:
        return build_report(conn, **kwargs)  # type: ignore[arg-type]
    finally:
        conn.close()


def _ledger(path: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM ledger ORDER BY seq")]
    db.close()
    return rows


def _replay(entries: list[dict[str, object]]) -> dict[str, object]:
    """The ledger's current state, by walking it once in seq order."""
    reversed_ = {e["reverses"] for e in entries if e["kind"] == "reversal"}
    auto: dict[tuple[object, object], object] = {}
    decisions: dict[tuple[object, object], dict[str, object]] = {}
    joins: dict[tuple[int, int], tuple[int, bool]] = {}
    for e in entries:
        pair = (e["left_key"], e["right_key"])
        if e["kind"] in ("auto-link", "auto-unlink"):
            auto[pair] = e["kind"]
        elif e["kind"] in ("match", "non-match", "unsure") and (
            e["seq"] not in reversed_
        ):
            decisions[pair] = e
    for e in [*decisions.values()]:
        if e["kind"] != "unsure":
            joins[(e["left_key"], e["right_key"])] = (e["seq"], e["kind"] == "match")
    for e in entries:
        if e["seq"] in reversed_ or e["kind"] not in ("merge", "split"):
            continue
        if e["kind"] == "merge":
            targets = [(e["left_key"], e["right_key"])]
        else:
            others = json.loads(str(e["details"]))["others"]
            targets = [(min(e["left_key"], o), max(e["left_key"], o)) for o in others]
        for t in targets:
            if t not in joins or joins[t][0] < e["seq"]:
                joins[t] = (e["seq"], e["kind"] == "merge")
    return {
        "auto": {p for p, k in auto.items() if k == "auto-link"},
        "decisions": Counter(str(e["kind"]) for e in decisions.values()),
        "must": {p for p, (_, join) in joins.items() if join},
        "cannot": {p for p, (_, join) in joins.items() if not join},
        "reversed": reversed_,
    }


def test_every_number_matches_the_ledger(reviewed: Path) -> None:
    """Each section equals a count taken straight from the tables."""
    report = _report(reviewed)
    entries = _ledger(reviewed)
    state = _replay(entries)
    db = sqlite3.connect(reviewed)

    v = report.verification
    assert v.ok
    assert v.problems == []
    assert v.entries == len(entries)
    assert v.head == entries[-1]["entry_hash"]

    for s in report.sources:
        (n,) = db.execute(
            "SELECT count(*) FROM records r JOIN sources s ON s.id = r.source_id "
            "WHERE s.name = ?",
            (s.name,),
        ).fetchone()
        assert s.records == n
    assert [
        (i.id, i.file_name, i.rows_read, i.rows_imported, i.rows_rejected)
        for i in report.imports
    ] == db.execute(
        "SELECT id, file_name, rows_total, rows_imported, rows_rejected FROM imports "
        "ORDER BY id"
    ).fetchall()
    runs = db.execute("SELECT id, model_version, thresholds FROM runs").fetchall()
    assert [(r.id, r.model_version, r.upper, r.lower) for r in report.runs] == [
        (i, m, json.loads(t)["upper"], json.loads(t)["lower"]) for i, m, t in runs
    ]
    assert report.model is not None
    assert report.model.version == runs[-1][1]

    kinds = Counter(str(e["kind"]) for e in entries)
    assert {k: n for k, n in report.links.entries.items() if n} == dict(kinds)
    assert report.links.standing_auto == len(state["auto"])  # type: ignore[arg-type]
    assert report.links.auto_band_pairs == len(state["auto"])  # type: ignore[arg-type]
    assert {k: n for k, n in report.links.standing_decisions.items() if n} == state[
        "decisions"
    ]
    assert report.links.standing_merges == 1
    assert report.links.standing_splits == 1

    human = [e for e in entries if e["kind"] in HUMAN]
    per_day = Counter((e["actor"], str(e["at"])[:10], e["kind"]) for e in human)
    assert {
        (d.reviewer, d.day, kind): n
        for d in report.reviewer_days
        for kind, n in d.counts.items()
    } == dict(per_day)
    assert {t.reviewer: t.total for t in report.reviewers} == dict(
        Counter(e["actor"] for e in human)
    )
    assert [(x.seq, x.reverses, x.reviewer, x.reason) for x in report.reversals] == [
        (e["seq"], e["reverses"], e["actor"], e["note"])
        for e in entries
        if e["kind"] == "reversal"
    ]
    assert len(report.reversals) == 3
    _check_subgroups(report, db, state)
    db.close()


def _check_subgroups(
    report: AuditReport, db: sqlite3.Connection, state: dict[str, object]
) -> None:
    records = db.execute(
        "SELECT id, identity_id, last_name, dob, sid, fbi_number, ir_number, "
        "extra_ids FROM records"
    ).fetchall()
    identity = {key: ident for key, ident, *_ in records}
    size = Counter(identity.values())
    groups = {
        "compound surname": {r[0] for r in records if len((r[2] or "").split()) > 1},
        "missing DOB": {r[0] for r in records if not r[3]},
        "no person identifier": {
            r[0]
            for r in records
            if not any(r[4:7]) and not any(json.loads(r[7] or "{}").values())
        },
        "everyone": set(identity),
    }
    links = (state["auto"] | state["must"]) - state["cannot"]  # type: ignore[operator]
    holding = {p for p in links if identity[p[0]] == identity[p[1]]}
    assert [g.name for g in report.subgroups] == list(groups)
    for g in report.subgroups:
        members = groups[g.name]
        touching = {p for p in holding if p[0] in members or p[1] in members}
        assert g.records == len(members)
        assert g.linked == sum(1 for k in members if size[identity[k]] > 1)
        assert g.links == len(touching)
        assert g.confirmed == len(touching & state["must"])  # type: ignore[operator]
    everyone = report.subgroups[-1]
    assert everyone.confirmed > 0
    assert everyone.links > everyone.confirmed


def test_csv_round_trips(reviewed: Path, tmp_path: Path) -> None:
    """The CSV holds exactly the report's rows, pivot-ready and formula-safe."""
    report = _report(reviewed)
    out = tmp_path / "report.csv"
    rows = write_report_csv(report, out)
    back = read_report_csv(out)
    assert back == report_rows(report)
    assert rows == len(back)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER)
    found = {(s, i, d, m): v for s, i, d, m, v in back}
    assert found[("verification", "ledger chain", "", "entries_verified")] == str(
        report.verification.entries
    )
    assert found[("link_rates", "everyone", "every record in the workspace",
                  "records")] == str(report.subgroups[-1].records)  # fmt: skip
    reasons = [v for s, _, _, m, v in back if s == "reversals" and m == "reason"]
    assert "'=SUM(A1) looked again" in reasons  # no formula reaches a spreadsheet
    assert cell(0.25) == "0.25"
    assert cell(2e6) == "2000000"
    assert cell(None) == ""


def test_no_sample_says_so(reviewed: Path) -> None:
    report = _report(reviewed)
    assert not report.quality.drawn
    assert report.quality.note == NO_SAMPLE
    assert ("quality", "sample", "", "drawn", "no") in report_rows(report)
    assert not any(
        r[0] == "quality" and r[3] == "precision" for r in report_rows(report)
    )


def test_quality_section_is_the_quality_summary(reviewed: Path, tmp_path: Path) -> None:
    """With an audit file, the section copies app.quality's figures unchanged."""
    audit_path = tmp_path / "sample.rmaudit"
    conn = open_workspace(reviewed, readonly=True)
    draw_sample(conn, audit_path, size=30, seed=2)
    audit = AuditFile.open(audit_path, workspace_uuid=conn.info("workspace_uuid") or "")
    for item in audit.items()[:20]:
        audit.add_label(item.pos, "match" if item.pos % 3 else "non-match",
                        actor=SECOND)  # fmt: skip
    audit.close()
    summary = quality_summary(conn, audit_path)
    conn.close()
    q = _report(reviewed, audit_file=audit_path).quality
    assert q.drawn
    assert q.sample_size == summary.sample_size
    assert q.ledger_head == summary.ledger_head
    assert q.labelled == summary.labelled
    assert [(s.band, s.population, s.sampled, s.labelled, s.judged_matches)
            for s in q.strata] == [
        (s.band, s.population, s.sampled, s.labelled, s.judged_matches)
        for s in summary.strata
    ]  # fmt: skip
    assert q.precision is not None
    p = summary.precision
    assert (q.precision.value, q.precision.low, q.precision.high) == (
        p.value,
        p.low,
        p.high,
    )
    assert q.disagreements == summary.disagreements
    assert q.agreement_n == summary.agreement_n


def test_tampering_shows_as_a_failed_verification(
    reviewed: Path, tmp_path: Path
) -> None:
    """An entry altered by hand (triggers dropped) makes the report say FAIL."""
    db = sqlite3.connect(reviewed, isolation_level=None)
    db.execute("DROP TRIGGER ledger_no_update")
    (seq,) = db.execute(
        "SELECT min(seq) FROM ledger WHERE kind = 'non-match'"
    ).fetchone()
    db.execute("UPDATE ledger SET kind = 'match' WHERE seq = ?", (seq,))
    db.close()
    report = _report(reviewed)
    assert not report.verification.ok
    assert any(f"entry {seq} was altered" in p for p in report.verification.problems)
    rows = report_rows(report)
    assert ("verification", "ledger chain", "", "result", "FAIL") in rows
    assert any(r[1] == "problem" and f"entry {seq}" in r[4] for r in rows)


def test_export_is_logged_only_when_writable(reviewed: Path, tmp_path: Path) -> None:
    report = _report(reviewed)
    count = "SELECT count(*) FROM log WHERE action = 'export'"
    conn = open_workspace(reviewed, readonly=True)
    assert not log_report_export(conn, report, [tmp_path / "r.csv"])
    assert conn.conn.execute(count).fetchone()[0] == 0
    conn.close()
    conn = open_workspace(reviewed, actor=SECOND)
    assert log_report_export(conn, report, [tmp_path / "r.pdf", tmp_path / "r.csv"])
    details = json.loads(
        conn.conn.execute("SELECT details FROM log WHERE action = 'export'").fetchone()[
            0
        ]
    )
    conn.close()
    assert details["files"] == ["r.pdf", "r.csv"]
    assert details["ledger_head"] == report.verification.head


def test_cli_writes_the_report_and_logs_it(reviewed: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(cli, ["audit", str(reviewed), "--report", str(out)])
    assert result.exit_code == 0, result.output
    assert "ledger verified" in result.output
    assert read_report_csv(out)[0][0] == "report"
    db = sqlite3.connect(reviewed)
    (what,) = db.execute(
        "SELECT details FROM log WHERE action = 'export' ORDER BY id DESC"
    ).fetchone()
    db.close()
    assert json.loads(what)["files"] == ["audit.csv"]
    bare = CliRunner().invoke(cli, ["audit", str(reviewed)])
    assert bare.exit_code != 0
    assert "--report" in bare.output

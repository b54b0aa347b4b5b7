"""The eligibility list and its logged export, on the linked sample workspace."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.actor import Actor
from app.cli import cli
from app.decisions import merge_identities, reverse
from app.eligibility import (
    HEADER,
    EligibleRow,
    default_rules,
    eligible_rows,
)
from app.eligibility_export import export_eligible, format_for
from app.errors import UserError
from app.importer import import_file
from app.workspace import Connection, open_workspace
from app.workspace.eligibility_sql import list_disseminations
from matching.eligibility import (
    CLEARABLE,
    Category,
    ChargeInput,
    Reason,
    classify_person,
    parse_rules,
)
from tests.conftest import TODAY

HEADER_START = (
    "identity_id,case_number,category,reason,statute,offense_date,disposition,"
    "rule_id,confirmed"
)
CATEGORIES = {c.value for c in Category}


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def export(conn: Connection, out: Path, **kwargs: str) -> None:
    export_eligible(
        conn,
        out,
        fmt=format_for(out),
        recipient=kwargs.get("recipient", "Illinois State Police"),
        method=kwargs.get("method", "file"),
    )


def test_command_writes_the_header_and_a_category_per_case(
    linked: Connection, tmp_path: Path
) -> None:
    out = tmp_path / "eligible.csv"
    result = CliRunner().invoke(
        cli,
        ["eligible", str(linked.path), "--out", str(out), "--recipient", "ISP",
         "--reviewer", "A. Clerk"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(HEADER_START + ",")
    header, *rows = read_csv(out)
    assert tuple(header) == HEADER
    assert rows
    by_category = Counter(row[2] for row in rows)
    assert set(by_category) <= CATEGORIES
    for category, count in by_category.items():
        assert f"{category} " in result.output
        assert f"{count:,}" in result.output
    for row in rows:
        values = dict(zip(header, row, strict=True))
        assert values["confirmed"] in ("yes", "no")
        if values["category"] in {c.value for c in CLEARABLE}:
            assert values["confirmed"] == "yes"
            assert values["reason"] == ""
        if values["reason"] == Reason.UNCONFIRMED_LINKS.value:
            assert values["confirmed"] == "no"


def test_recipient_is_required(linked: Connection, tmp_path: Path) -> None:
    out = tmp_path / "eligible.csv"
    result = CliRunner().invoke(cli, ["eligible", str(linked.path), "--out", str(out)])
    assert result.exit_code == 1
    assert "--recipient is required" in result.output
    assert not out.exists()
    with pytest.raises(UserError, match="recipient"):
        export_eligible(linked, out, fmt="csv", recipient="  ", method="file")
    assert list_disseminations(linked.conn) == []


def test_only_csv_or_xlsx(tmp_path: Path) -> None:
    assert format_for(tmp_path / "a.CSV") == "csv"
    assert format_for(tmp_path / "a.xlsx") == "xlsx"
    with pytest.raises(UserError, match=r"\.csv or \.xlsx"):
        format_for(tmp_path / "a.txt")


def test_case_numbers_are_spelled_as_the_clerk_wrote_them(
    linked: Connection, sample_dir: Path
) -> None:
    clerk: dict[str, str] = {}  # record id (physical line) -> CASE_NO
    with (sample_dir / "clerk.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        start = reader.line_num + 1
        for row in reader:
            clerk[str(start)] = row[header.index("CASE_NO")]
            start = reader.line_num + 1
    checked = 0
    for row in eligible_rows(linked):
        first = row.record_ids[0]
        if first.startswith("clerk:"):
            assert row.case_number == clerk[first.removeprefix("clerk:")]
            checked += 1
    assert checked > 100


def tiny_workspace(tmp_path: Path, *, more: str = "") -> Connection:
    """One dismissed possession case, spelled differently by clerk and court."""
    (tmp_path / "clerk.csv").write_text(
        "CASE_NO,DEF_NAME,DOB,STATUTE,OFFENSE_DT,DISP\n"
        '15 cr 12345,"DOE, JOHN",01/02/1980,720 ILCS 550/4(a),03/04/2015,DISMISSED\n'
        + more,
        encoding="utf-8",
    )
    (tmp_path / "disposition.csv").write_text(
        "CASE NUMBER;DEFENDANT;BIRTH DATE;STATUTE;DISPOSITION;DISPOSITION DATE\n"
        "15CR0012345-01;JOHN DOE;19800102;720 550 /4(a);DISMISSED;5/6/2019\n",
        encoding="utf-8",
    )
    conn = open_workspace(
        tmp_path / "tiny.rmws", create=True, actor=Actor("A. Clerk", "clerk")
    )
    for source in ("clerk", "disposition"):
        import_file(
            conn, tmp_path / f"{source}.csv", source=source, kind=source, today=TODAY
        )
    return conn


def test_each_file_keeps_its_spelling_and_the_clerk_speaks_for_the_case(
    tmp_path: Path,
) -> None:
    conn = tiny_workspace(tmp_path)
    try:
        rows = eligible_rows(conn)
        assert sorted(r.case_number for r in rows) == ["15 cr 12345", "15CR0012345-01"]
        assert {r.case_number_canonical for r in rows} == {"2015-CR-0012345"}
        clerk, court = sorted(rows, key=lambda r: r.sources)
        assert clerk.offense_date == date(2015, 3, 4)
        assert court.offense_date is None  # a disposition date is not an offence
        assert all(r.confirmed for r in rows)  # one record each: nothing to confirm
        assert {r.category for r in rows} == {Category.NON_CONVICTION_MINOR}

        merge_identities(conn, clerk.record_keys[0], court.record_keys[0], reason="x")
        (row,) = eligible_rows(conn)
        assert row.case_number == "15 cr 12345"
        assert row.sources == ("clerk", "disposition")
        assert (row.category, row.confirmed) == (Category.NON_CONVICTION_MINOR, True)
        assert row.rule_id == "minor-non-conviction"
        assert (row.last_name, row.first_name, row.dob) == ("DOE", "JOHN", "1980-01-02")
    finally:
        conn.close()


def test_every_export_is_logged_as_a_dissemination(
    linked: Connection, tmp_path: Path
) -> None:
    out = tmp_path / "eligible.csv"
    result = export_eligible(
        linked, out, fmt="csv", recipient="Cook County PD", method="email"
    )
    (entry,) = list_disseminations(linked.conn)
    rows = read_csv(out)[1:]
    assert entry.actor == "reviewer"  # conn.actor
    assert entry.os_user == "reviewer"
    assert entry.at[:4].isdigit()
    assert entry.details["recipient"] == "Cook County PD"
    assert entry.details["method"] == "email"
    assert entry.details["rows"] == len(rows) == result.rows
    assert entry.details["people"] == len({r[0] for r in rows}) == result.people
    assert entry.details["rules_version"] == default_rules().version
    assert entry.details["by_category"] == result.by_category
    assert sum(result.by_category.values()) == len(rows)
    assert entry.details["sha256"] == result.sha256
    # Counts and names of things only: the log never holds personal data.
    assert set(entry.details) == {"what", "file_name", "format", "rows", "people",
        "by_category", "recipient", "method", "rules_version", "sha256"}  # fmt: skip


def test_xlsx_opens_and_matches_the_csv(linked: Connection, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    export(linked, tmp_path / "eligible.csv")
    export(linked, tmp_path / "eligible.xlsx")
    book = openpyxl.load_workbook(tmp_path / "eligible.xlsx", read_only=False)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    cells = [
        ["" if v is None else str(v) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == read_csv(tmp_path / "eligible.csv")
    assert sheet["A1"].font.bold
    assert len(list_disseminations(linked.conn)) == 2


def test_a_changed_rule_changes_the_category(linked: Connection) -> None:
    """The office edits the rule file; no code changes (here: battery not violent)."""
    text = files("resources").joinpath("rules", "illinois_cannabis.toml")
    edited = (
        text.read_text(encoding="utf-8")
        .replace('version = "2025.1"', 'version = "2025.1-test"')
        .replace('    { statute = "720 ILCS 5/12-3", name = "battery" },\n', "")
    )
    assert edited.count("2025.1-test") == 1
    before = {(r.identity_id, r.case_number): r for r in eligible_rows(linked)}
    after = {
        (r.identity_id, r.case_number): r
        for r in eligible_rows(linked, rules=parse_rules(edited))
    }
    assert set(before) == set(after)
    changed = [k for k in before if before[k].category is not after[k].category]
    assert changed
    for key in changed:
        assert before[key].reason is Reason.VIOLENT_COCHARGE
        assert "battery" in before[key].why
        assert after[key].category is not Category.NOT_ELIGIBLE
        assert after[key].rules_version == "2025.1-test"


def waiting_identity(rows: list[EligibleRow]) -> list[EligibleRow]:
    """The rows of one identity held only because no person confirmed its links."""
    held = next(
        r
        for r in rows
        if r.reason is Reason.UNCONFIRMED_LINKS and r.if_confirmed in CLEARABLE
    )
    return [r for r in rows if r.identity_id == held.identity_id]


def identity_keys(conn: Connection, identity_id: int) -> list[int]:
    return [
        k
        for (k,) in conn.conn.execute(
            "SELECT id FROM records WHERE identity_id = ? ORDER BY id", (identity_id,)
        )
    ]


def test_confirmed_flips_when_a_person_confirms_every_link(linked: Connection) -> None:
    mine = waiting_identity(eligible_rows(linked))
    identity = mine[0].identity_id
    keys = identity_keys(linked, identity)
    assert len(keys) > 1
    outcomes = [
        merge_identities(linked, keys[0], other, reason="same_person_details")
        for other in keys[1:]
    ]
    rows = [r for r in eligible_rows(linked) if r.identity_id == identity]
    assert len(rows) == len(mine)
    for row, old in zip(rows, mine, strict=True):
        assert row.confirmed
        assert row.category is old.if_confirmed
        assert row.reason is not Reason.UNCONFIRMED_LINKS
    # Undo one merge: the automatic link still holds the identity together,
    # but no person stands behind it any more.
    reverse(linked, outcomes[-1].seq, reason="wrong person")
    assert identity_keys(linked, identity) == keys
    rows = [r for r in eligible_rows(linked) if r.identity_id == identity]
    assert rows
    assert not any(r.confirmed for r in rows)


def test_a_human_match_on_a_two_record_identity_confirms_it(
    linked: Connection,
) -> None:
    from app.decisions import decide_pair

    rows = eligible_rows(linked)
    pairs = {
        (a, b): pair_id
        for pair_id, a, b in linked.conn.execute(
            "SELECT id, left_key, right_key FROM pairs"
        )
    }
    for row in rows:
        keys = identity_keys(linked, row.identity_id)
        if row.confirmed or len(keys) != 2 or tuple(keys) not in pairs:
            continue
        decide_pair(linked, pairs[(keys[0], keys[1])], "match")
        after = [r for r in eligible_rows(linked) if r.identity_id == row.identity_id]
        assert after
        assert all(r.confirmed for r in after)
        return
    pytest.fail("no two-record unconfirmed identity in the sample")


def test_rows_are_the_cases_classify_person_judges(linked: Connection) -> None:
    """The list groups records exactly as the classifier does (arrests included)."""
    rules = default_rules()
    rows = eligible_rows(linked, rules=rules)
    db: sqlite3.Connection = linked.conn
    by_identity: dict[int, list[ChargeInput]] = {}
    for key, identity, kind, statute, when, disp, case in db.execute(
        "SELECT r.id, r.identity_id, s.kind, r.statute, r.event_date, "
        "r.disposition, r.case_number FROM records r "
        "JOIN sources s ON s.id = r.source_id ORDER BY r.id"
    ):
        offence = date.fromisoformat(when) if when and kind != "disposition" else None
        by_identity.setdefault(identity, []).append(
            ChargeInput(
                statute=statute,
                offense_date=offence,
                disposition=disp,
                case=case,
                source=kind,
                record_id=key,
            )
        )
    listed = {
        (k, res) for r in rows for k, res in zip(r.record_keys, r.results, strict=True)
    }
    expected = set()
    for identity in {r.identity_id for r in rows}:
        summary = classify_person(by_identity[identity], rules, links_confirmed=True)
        expected |= {(res.record_id, res) for res in summary.results}
    assert listed <= expected
    assert len({k for k, _ in listed}) == len(listed)


def test_a_read_only_workspace_cannot_export(
    linked: Connection, tmp_path: Path
) -> None:
    reader = open_workspace(linked.path, readonly=True)
    try:
        assert eligible_rows(reader)  # reading is fine
        with pytest.raises(UserError, match="read-only"):
            export(reader, tmp_path / "eligible.csv")
    finally:
        reader.close()
    assert not (tmp_path / "eligible.csv").exists()


def test_agency_text_never_becomes_a_spreadsheet_formula(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    conn = tiny_workspace(
        tmp_path, more='16 cr 7,"ROE, JANE",02/03/1981,=HYPERLINK(1),05/06/2016,\n'
    )
    try:
        export(conn, tmp_path / "eligible.xlsx")
    finally:
        conn.close()
    sheet = openpyxl.load_workbook(tmp_path / "eligible.xlsx").active
    column = HEADER.index("statute") + 1
    cells = [sheet.cell(row=i, column=column) for i in range(2, sheet.max_row + 1)]
    odd = [c for c in cells if str(c.value).startswith("=")]
    assert [(c.value, c.data_type) for c in odd] == [("=HYPERLINK(1)", "s")]


def test_no_file_leaves_unless_its_dissemination_is_logged(
    linked: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(action: str, details: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(linked, "log", refuse)
    with pytest.raises(sqlite3.OperationalError):
        export(linked, tmp_path / "eligible.csv")
    left = [p.name for p in tmp_path.iterdir() if "eligible" in p.name]
    assert left == []  # neither the list nor its temporary file


def test_the_list_is_read_in_one_snapshot_while_a_reviewer_writes(
    linked: Connection,
) -> None:
    """A decision committed mid-export must not reach half of the list."""
    from app.eligibility import iter_eligible_rows

    before = eligible_rows(linked)
    last = waiting_identity(list(reversed(before)))[0].identity_id
    keys = identity_keys(linked, last)
    stream = iter_eligible_rows(linked, batch=1)
    first = next(stream)
    writer = open_workspace(linked.path, actor=Actor("B. Clerk", "clerk"))
    try:
        for other in keys[1:]:
            merge_identities(writer, keys[0], other, reason="same_person_details")
    finally:
        writer.close()
    assert [first, *stream] == before
    assert all(r.confirmed for r in eligible_rows(linked) if r.identity_id == last)

"""The sample generator: deterministic, fully labelled, and as messy as promised.

Every benchmark and demo figure is computed against truth.csv, so the most
important property is that each record id in the truth files points at the
row it claims to (physical line numbers, including after quoted newlines).
"""

from __future__ import annotations

import collections
import csv
import itertools
import random
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from app.samples import LAYOUTS, SampleFiles, generate
from app.samples.__main__ import main
from app.samples.arrest import HEADER as ARREST_HEADER
from app.samples.clerk import HEADER as CLERK_HEADER
from app.samples.disposition import HEADER as DISPOSITION_HEADER
from app.samples.noise import surname, typo
from app.samples.people import SUR_POS
from matching.fields import is_field_name

BUNDLE = Path(__file__).resolve().parents[2] / "resources" / "sample"
FORMATS = {
    "clerk": ("utf-8", ","),
    "arrest": ("cp1252", ","),
    "disposition": ("utf-8", ";"),
}
Truth = dict[tuple[str, int], dict[str, str]]
Roster = dict[str, dict[str, str]]
FILES = ("clerk.csv", "arrest.csv", "disposition.csv", "truth.csv", "charges_truth.csv")


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    """The bundled configuration (1,500 people, seed 7): fast and rich enough."""
    return generate(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def truth(default: SampleFiles) -> Truth:
    """charges_truth.csv keyed by (source, record_id)."""
    with default.charges_truth.open(encoding="utf-8", newline="") as fh:
        return {(r["source"], int(r["record_id"])): r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def people(default: SampleFiles) -> Roster:
    with default.people.open(encoding="utf-8", newline="") as fh:
        return {r["person_id"]: r for r in csv.DictReader(fh)}


def records(files: SampleFiles, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical start line, row) for every record, as the importer numbers them."""
    encoding, delimiter = FORMATS[source]
    with files.sources()[source].open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader)
        start = reader.line_num + 1
        for row in reader:
            yield start, dict(zip(header, row, strict=True))
            start = reader.line_num + 1


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", people=300, seed=11)
    b = generate(tmp_path / "b", people=300, seed=11)
    c = generate(tmp_path / "c", people=300, seed=12)
    for name in (*FILES, "people.csv"):
        assert (a.directory / name).read_bytes() == (b.directory / name).read_bytes()
    assert a.clerk.read_bytes() != c.clerk.read_bytes()


def test_bundled_sample_is_what_the_defaults_generate(default: SampleFiles) -> None:
    """resources/sample must be regenerated whenever the generator changes."""
    for name in (*FILES, "people.csv"):
        assert (BUNDLE / name).read_bytes() == (
            default.directory / name
        ).read_bytes(), (
            f"resources/sample/{name} is stale; regenerate it with"
            " python -m app.samples resources/sample"
        )
    assert sum((BUNDLE / n).stat().st_size for n in (*FILES, "people.csv")) < 2_000_000


def test_row_counts_match_truth(default: SampleFiles, truth: Truth) -> None:
    counts = collections.Counter(source for source, _ in truth)
    assert counts == {
        "clerk": default.clerk_rows,
        "arrest": default.arrest_rows,
        "disposition": default.disposition_rows,
    }
    with default.truth.open(encoding="utf-8", newline="") as fh:
        plain = [
            (r["source"], int(r["record_id"]), r["person_id"])
            for r in csv.DictReader(fh)
        ]
    assert len(plain) == len(set(plain)) == default.total_rows
    assert {(s, i): p for s, i, p in plain} == {
        k: r["person_id"] for k, r in truth.items()
    }
    assert 5000 <= default.total_rows <= 8000


@pytest.mark.parametrize("source", ["clerk", "arrest", "disposition"])
def test_every_record_is_in_truth_once_at_its_physical_line(
    default: SampleFiles, truth: Truth, source: str
) -> None:
    starts = [start for start, _ in records(default, source)]
    assert len(starts) == len(set(starts))
    assert set(starts) == {i for s, i in truth if s == source}


def test_line_numbers_stay_right_after_a_quoted_newline(
    default: SampleFiles, truth: Truth, people: Roster
) -> None:
    """Rows after a multi-line remark start further down than their row index says."""
    rows = list(records(default, "arrest"))
    multiline = [i for i, (_, row) in enumerate(rows) if "\n" in row["Remarks"]]
    assert multiline, "the arrest file should contain a quoted newline"
    after = rows[multiline[0] + 1 :]
    assert all(
        start > index + 2
        for index, (start, _) in enumerate(rows)
        if index > multiline[0]
    )
    # The ids must point at the right rows: the SID on a row is (nearly always) the
    # SID of the person the truth file names for that line.
    checked = agree = 0
    for start, row in rows:
        if row["SID"]:
            checked += 1
            agree += row["SID"] == people[truth[("arrest", start)]["person_id"]]["sid"]
    assert after
    assert checked > 500
    assert agree / checked > 0.97


def test_clerk_rows_carry_the_case_the_truth_names(
    default: SampleFiles, truth: Truth
) -> None:
    by_case: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for start, row in records(default, "clerk"):
        assert row["CASE_NO"] == truth[("clerk", start)]["case_key"]
        by_case[row["CASE_NO"]].append(row)
    for rows in by_case.values():  # a case's charges share name and birth date
        assert [int(r["CHARGE_SEQ"]) for r in rows] == list(range(1, len(rows) + 1))
        assert len({(r["DEF_NAME"], r["DOB"]) for r in rows}) == 1
    assert max(len(rows) for rows in by_case.values()) == 4


def test_disposition_case_numbers_use_other_spellings(
    default: SampleFiles, truth: Truth
) -> None:
    spellings: collections.Counter[str] = collections.Counter()
    for start, row in records(default, "disposition"):
        year, ctype, seq = truth[("disposition", start)]["case_key"].split("-")
        number = row["CASE NUMBER"]
        if m := re.fullmatch(r"(\d\d)([A-Z]{2})(\d{7})-(\d\d)", number):
            spellings["per charge"] += 1
            assert m.groups()[:3] == (year[2:], ctype, seq)
        elif m := re.fullmatch(r"(\d\d) ([A-Z]{2}) (\d+)", number):
            spellings["short"] += 1
            assert m.groups() == (year[2:], ctype, str(int(seq)))
        else:
            assert number == f"{year}{ctype}{int(seq)}"
            spellings["long"] += 1
    assert min(spellings.values()) > 20
    assert len(spellings) == 3


def test_lookalike_groups_are_present(people: Roster) -> None:
    groups = collections.Counter(p["group"] for p in people.values())
    for label in ("father_son", "twin", "sibling", "common_name", "married_name"):
        assert groups[label] >= 0.01 * len(people), label
    assert groups["compound_surname"] >= 0.03 * len(people)
    members = collections.defaultdict(list)
    for p in people.values():
        members[(p["group"], p["group_id"])].append(p)
    for (label, _), group in members.items():
        if label == "father_son":
            dad, son = sorted(group, key=lambda p: p["dob"])
            assert (dad["first"], dad["last"], dad["street"]) == (
                son["first"],
                son["last"],
                son["street"],
            )
            years = (
                date.fromisoformat(son["dob"]) - date.fromisoformat(dad["dob"])
            ).days
            assert 18 * 365 <= years <= 35 * 366
        elif label == "twin":
            a, b = group
            assert (a["last"], a["dob"], a["street"]) == (
                b["last"],
                b["dob"],
                b["street"],
            )
            assert a["first"] != b["first"]
        elif label == "common_name":
            assert len({(p["first"], p["last"]) for p in group}) == 1
            assert len(group) >= 10
            dobs = sorted(date.fromisoformat(p["dob"]) for p in group)
            gaps = [(b - a).days for a, b in itertools.pairwise(dobs)]
            same_day = len({d.strftime("%m%d") for d in dobs}) < len(dobs)
            assert min(gaps) <= 45 or same_day  # some birth dates are close
        elif label == "married_name":
            assert group[0]["sex"] == "F"
            assert group[0]["married_last"] != group[0]["last"]
    suffixes = collections.Counter(p["suffix"] for p in people.values())
    assert suffixes["JR"] > 10
    assert suffixes["SR"] > 3


def test_married_women_appear_under_both_names(
    default: SampleFiles, truth: Truth, people: Roster
) -> None:
    seen = collections.defaultdict(set)
    for start, row in records(default, "clerk"):
        person = people[truth[("clerk", start)]["person_id"]]
        if person["group"] == "married_name":
            last = row["DEF_NAME"].split(",")[0]
            seen[person["person_id"]].add(last == person["married_last"])
    assert sum(1 for names in seen.values() if names == {True, False}) >= 3


def _cannabis_section(statute: str) -> tuple[str, str, bool]:
    """An independent reading of a cannabis citation: (section, subsection, attempt)."""
    attempt = statute.endswith(" (att)") or statute.startswith(
        ("720-5/8-4 ", "38-8-4 ")
    )
    text = re.sub(r"^(720-5/8-4|38-8-4) | \(att\)$", "", statute)
    old = re.search(r"(?:par\. |PAR |56\.5-)70(\d(?:\.1)?)(?:\((\w)\)|-(\w))?$", text)
    new = re.search(r"550 ?/(\d(?:\.1)?)(?:\((\w)\)|-(\w)|([A-G]))?$", text)
    m = old or new
    assert m, statute
    sub = next((g for g in m.groups()[1:] if g), "")
    return m.group(1), sub.lower(), attempt


def test_statutes_are_written_many_ways_and_agree_with_truth(
    default: SampleFiles, truth: Truth
) -> None:
    columns = {"clerk": "STATUTE", "arrest": "Statute", "disposition": "STATUTE"}
    spellings: dict[str, set[str]] = collections.defaultdict(set)
    attempts = 0
    for source, column in columns.items():
        for start, row in records(default, source):
            key, statute = truth[(source, start)], row[column]
            spellings[key["statute_key"]].add(statute)
            if not key["statute_key"].startswith("550/"):
                continue
            section, sub, attempt = _cannabis_section(statute)
            expected = re.fullmatch(r"550/([\d.]+)(?:\((\w)\))?", key["statute_key"])
            assert expected
            assert (section, sub) == (expected[1], expected[2] or "")
            assert attempt == (key["attempt"] == "true")
            attempts += attempt
    assert attempts > 10
    assert len(spellings["550/4(c)"]) >= 8
    everything = set().union(*spellings.values())
    for pattern in (r"^720 ILCS 550/4\(c\)$", r"^720-550/4-c$", r"^720 550 /4\(d\)$",
                    r"^550/4C$", r"^Ill\. Rev\. Stat\. ch\. 56 1/2, par\. 704\(a\)$",
                    r"^56\.5-704\(a\)$", r"^720-5/8-4 ", r" \(att\)$"):  # fmt: skip
        assert any(re.search(pattern, s) for s in everything), pattern
    for statute in ("550/5.1", "550/7", "550/8", "570/402", "5/12-3", "5/12-3.05",
                    "5/18-1", "625 5/11-501", "5/16-1", "5/21-1", "550/5(g)",
                    "550/4(g)"):  # fmt: skip
        assert statute in spellings, statute


def test_charge_truth_grams_and_outcomes(default: SampleFiles, truth: Truth) -> None:
    """Amounts are "more than lo, up to hi" as the law read on the offence date."""
    bands = {"a": (0, 2.5), "b": (2.5, 10), "c": (10, 30), "d": (30, 500),
             "e": (500, 2000), "f": (2000, 5000), "g": (5000, 20000)}  # fmt: skip
    # P.A. 99-697: possession (550/4) offences from 2016-07-29 have new amounts.
    rebanded = bands | {"a": (0, 10), "b": (10, 30), "c": (30, 100), "d": (100, 500)}
    offence = {row["CASE_NO"]: datetime.strptime(row["OFFENSE_DT"], "%m/%d/%Y").date()
               for _, row in records(default, "clerk")}  # fmt: skip
    arrested = {start: date.fromisoformat(row["Arrest Date"][:10])
                for start, row in records(default, "arrest")}  # fmt: skip
    later = 0
    for (_, start), row in truth.items():
        m = re.fullmatch(r"550/([45])\((\w)\)", row["statute_key"])
        if m:
            day = offence[row["case_key"]] if row["case_key"] else arrested[start]
            table = rebanded if m[1] == "4" and day >= date(2016, 7, 29) else bands
            lo, hi = table[m[2]]
            assert lo < float(row["grams"]) <= hi, row
            later += table is rebanded
        elif row["statute_key"] in ("570/402", "5/18-1", "550/8"):
            assert row["grams"] == ""
    disp = {start: row["DISP"] for start, row in records(default, "clerk")}
    outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
    for (source, start), row in truth.items():
        if source == "clerk":
            outcome = row["outcome"]
            assert (disp[start] == "") == (outcome == "none")
            outcomes[(outcome, disp[start])] += 1
        if source == "arrest":
            assert row["outcome"] == "none"
    assert outcomes[("non_conviction", "NOLLE PROS")] > 0
    assert outcomes[("non_conviction", "FINDING OF NOT GUILTY")] > 0
    assert outcomes[("conviction", "FINDING OF GUILTY")] > 0
    assert later > 50


def test_arrest_file_is_windows_1252(default: SampleFiles) -> None:
    raw = default.arrest.read_bytes()
    assert b"\xd1" in raw  # Ñ
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Ñ" in text
    assert "\r\n" in text
    assert "Ñ" in default.clerk.read_text(encoding="utf-8")


def test_identifiers_live_in_some_sources_only(default: SampleFiles) -> None:
    clerk = [row for _, row in records(default, "clerk")]
    arrest = [row for _, row in records(default, "arrest")]
    share = sum(bool(r["SID"]) for r in clerk) / len(clerk)
    assert 0.2 < share < 0.5
    assert sum(bool(r["SID"]) for r in arrest) / len(arrest) > 0.75
    assert any(r["FBI #"] for r in arrest)
    assert any(r["IR #"] for r in arrest)
    assert not {"SID", "FBI #"} & set(DISPOSITION_HEADER)
    birth = [r["Date of Birth"] for r in arrest]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", b) for b in birth)
    assert any(re.fullmatch(r"\d\d-[A-Z]{3}-\d\d", b) for b in birth)


def test_xlsx_disposition_matches_the_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    as_csv = generate(tmp_path / "csv", people=300, seed=5)
    as_xlsx = generate(tmp_path / "xlsx", people=300, seed=5, xlsx=True)
    assert as_xlsx.disposition.name == "disposition.xlsx"
    assert not (tmp_path / "xlsx" / "disposition.csv").exists()
    sheet = openpyxl.load_workbook(as_xlsx.disposition, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == DISPOSITION_HEADER
    assert len(rows) - 1 == as_xlsx.disposition_rows == as_csv.disposition_rows
    expected = [row for _, row in records(as_csv, "disposition")]
    for got, want in zip(rows[1:], expected, strict=True):
        when = got[6]
        assert f"{when.month}/{when.day}/{when.year}" == want["DISPOSITION DATE"]
        assert str(got[3] if got[3] is not None else "") == want["AGE"]
        texts = [v or "" for v in (got[0], got[1], got[2], got[4], got[5])]
        assert texts == [want[h] for h in ("CASE NUMBER", "DEFENDANT", "BIRTH DATE",
                                           "STATUTE", "DISPOSITION")]  # fmt: skip
    xlsx_truth = (tmp_path / "xlsx" / "truth.csv").read_text(encoding="utf-8")
    assert xlsx_truth == as_csv.truth.read_text(encoding="utf-8")


def test_layouts_map_existing_columns_to_canonical_fields() -> None:
    headers = {"clerk": CLERK_HEADER, "arrest": ARREST_HEADER}
    headers["disposition"] = DISPOSITION_HEADER
    for layout in LAYOUTS:
        for column, field in layout.columns:
            assert column in headers[layout.source]
            assert is_field_name(field), field


def test_cli_writes_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path), "--people", "120", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "clerk.csv" in out
    assert "agency records for 120 people" in out
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path), "--people", "0"])
    assert exit_info.value.code == 2


def test_bad_arguments_say_how_to_fix_them(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="people=1500"):
        generate(tmp_path, people=0)
    with pytest.raises(ValueError, match="seed=7"):
        generate(tmp_path, seed=-1)


def _one_edit(a: str, b: str) -> str:
    """Which single keying error turns `a` into `b` ('' if none of ours does)."""
    if len(b) == len(a) - 1:
        return "deletion" if any(a[:i] + a[i + 1 :] == b for i in range(len(a))) else ""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) <= 1:
        return "substitution"
    i, j = diff[0], diff[-1]
    return "transposition" if len(diff) == 2 and j == i + 1 and a[i] == b[j] else ""


def test_typo_is_one_substitution_transposition_or_deletion() -> None:
    rng = random.Random(1)
    kinds = collections.Counter(_one_edit("WASHINGTON", typo("WASHINGTON", rng))
                                for _ in range(300))  # fmt: skip
    assert set(kinds) == {"deletion", "substitution", "transposition"}
    assert typo("AL", rng) == "AL"  # too short to mistype recognisably


def test_compound_surnames_are_written_every_way() -> None:
    rng = random.Random(2)
    forms = {surname(SUR_POS["GARCIA"], SUR_POS["LOPEZ"], rng) for _ in range(400)}
    assert forms == {"GARCIA LOPEZ", "GARCIA-LOPEZ", "GARCIA", "LOPEZ", "GARCIALOPEZ"}
    particles = {surname(SUR_POS["DE LA CRUZ"], -1, rng) for _ in range(200)}
    assert {"DE LA CRUZ", "DELACRUZ", "DE LACRUZ"} == particles
    apostrophes = {surname(SUR_POS["O'BRIEN"], -1, rng) for _ in range(200)}
    assert {"O'BRIEN", "OBRIEN", "O BRIEN"} == apostrophes

"""Charge, case and person classification against the shipped rules."""

from __future__ import annotations

import csv
import doctest
import tomllib
from collections import defaultdict
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from app.samples.statutes import SENTENCES, WORDINGS
from matching.eligibility import (
    STATUTE_FORMAT_RULE,
    Category,
    ChargeInput,
    ChargeResult,
    Outcome,
    Reason,
    RuleSet,
    classify,
    classify_case,
    classify_charge,
    classify_person,
    combine_person,
    load_rules,
    outcomes,
)
from matching.normalize import case_number

SAMPLE = Path(__file__).parents[2] / "resources" / "sample"
CUTOVER = date(2016, 7, 29)
BEFORE = date(2016, 7, 28)
NCM, CM, MTV = (Category.NON_CONVICTION_MINOR, Category.CONVICTION_MINOR,
                Category.MOTION_TO_VACATE)  # fmt: skip
NE, NR = Category.NOT_ELIGIBLE, Category.NEEDS_REVIEW


def shipped_data() -> dict[str, Any]:
    path = files("resources") / "rules" / "illinois_cannabis.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def shipped() -> RuleSet:
    return load_rules(shipped_data())


def charge(
    statute: str | None,
    day: date | None = date(2010, 5, 1),
    disposition: str | None = "GUILTY",
    rules: RuleSet | None = None,
) -> ChargeResult:
    return classify_charge(
        statute, offense_date=day, disposition=disposition, rules=rules or shipped()
    )


def verdict(result: ChargeResult) -> tuple[Category, Reason | None]:
    return result.category, result.reason


@pytest.mark.parametrize(
    ("statute", "day", "disposition", "expected", "rule_id"),
    [
        # 4(c): up to 30 g before 2016-07-29, 30-100 g from that day
        ("720 ILCS 550/4(c)", BEFORE, "GUILTY", (CM, None), "minor-conviction"),
        ("720 ILCS 550/4(c)", CUTOVER, "GUILTY", (MTV, None), "vacate-possession"),
        ("720 ILCS 550/4(c)", BEFORE, "DISMISSED", (NCM, None), "minor-non-conviction"),
        ("720 ILCS 550/4(c)", CUTOVER, "DISMISSED", (NE, Reason.AMOUNT),
         "possession-from-2016"),
        # 4(d): 30-500 g before, 100-500 g after: a motion either way
        ("720 ILCS 550/4(d)", BEFORE, "GUILTY", (MTV, None), "vacate-possession"),
        ("720 ILCS 550/4(d)", CUTOVER, "GUILTY", (MTV, None), "vacate-possession"),
        ("720 ILCS 550/4(d)", BEFORE, "NOLLE PROS", (NE, Reason.AMOUNT),
         "possession-pre-2016"),
        # 4(b) is minor on both sides
        ("550/4B", BEFORE, "GUILTY", (CM, None), "minor-conviction"),
        ("550/4B", CUTOVER, "GUILTY", (CM, None), "minor-conviction"),
        ("550/4E", CUTOVER, "GUILTY", (NE, Reason.AMOUNT), "possession-from-2016"),
        ("550/4G", BEFORE, "DISMISSED", (NE, Reason.AMOUNT), "possession-pre-2016"),
        # delivery did not change in 2016
        ("720-550/5-c", BEFORE, "GUILTY", (MTV, None), "vacate-delivery"),
        ("720-550/5-c", CUTOVER, "GUILTY", (MTV, None), "vacate-delivery"),
        ("720-550/5-c", CUTOVER, "ACQUITTED", (NCM, None), "minor-non-conviction"),
        ("720-550/5-d", CUTOVER, "GUILTY", (NE, Reason.AMOUNT), "delivery"),
        # excluded sections, whatever the outcome
        ("550/7", BEFORE, "DISMISSED", (NE, Reason.SECTION7), "section7"),
        ("56.5-705.1", BEFORE, "DISMISSED", (NE, Reason.TRAFFICKING), "trafficking"),
        ("CH 56-1/2 PAR 708", BEFORE, None, (NE, Reason.CULTIVATION), "cultivation"),
        ("720 ILCS 5/16-1(a)", BEFORE, "GUILTY", (NE, Reason.NOT_CANNABIS),
         "cannabis-act"),
        ("56.5-1402(c)", BEFORE, "DISMISSED", (NE, Reason.NOT_CANNABIS),
         "cannabis-act"),
        # old citations mean the same sections
        ("Ill. Rev. Stat. ch. 56 1/2, par. 704(c)", date(1990, 1, 1), "SOL",
         (NCM, None), "minor-non-conviction"),
        ("CH 56-1/2 PAR 705-B", date(1990, 1, 1), "GUILTY", (MTV, None),
         "vacate-delivery"),
    ],
)  # fmt: skip
def test_charge(
    statute: str,
    day: date,
    disposition: str,
    expected: tuple[Category, Reason | None],
    rule_id: str,
) -> None:
    result = charge(statute, day, disposition)
    assert verdict(result) == expected
    assert result.rule_id == rule_id
    assert shipped().rule(rule_id).description  # the GUI can explain it
    assert result.rules_version == shipped().version


@pytest.mark.parametrize("module", [classify, outcomes])
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_why_names_the_table_and_the_date() -> None:
    result = charge("CH 56-1/2 PAR 704-C", BEFORE, "FINDING OF GUILTY; CCDOC 30 DAYS")
    assert result.why.startswith(
        "possession-pre-2016: 720 ILCS 550/4(c) before 2016-07-29 is 10-30 g"
    )
    assert "minor-conviction clears a conviction of up to 30 g" in result.why
    assert result.table_id == "possession-pre-2016"
    assert (result.band.more_than, result.band.up_to) == (10, 30)  # type: ignore[union-attr]
    assert result.outcome is Outcome.CONVICTION


@pytest.mark.parametrize(
    ("statute", "expected"),
    [
        ("720-5/8-4 720-550/4-c", (CM, None)),
        ("CH 56-1/2 PAR 704-C (att)", (CM, None)),
        ("720-5/8-4 550/4D", (MTV, None)),
        ("38-8-4 Ill. Rev. Stat. ch. 56 1/2, par. 705(e)", (NE, Reason.AMOUNT)),
        ("550/7 (att)", (NE, Reason.SECTION7)),
    ],
)
def test_attempts_follow_the_offence(
    statute: str, expected: tuple[Category, Reason | None]
) -> None:
    result = charge(statute, BEFORE, "GUILTY")
    assert verdict(result) == expected
    assert result.citation is not None
    assert result.citation.attempt


@pytest.mark.parametrize(
    "statute", ["", None, "SEE REMARKS", "720-5/8-4", "550/4CC", "CH 99 PAR 704"]
)
def test_unreadable_statute_goes_to_a_person(statute: str | None) -> None:
    result = charge(statute)
    assert verdict(result) == (NR, Reason.UNCLASSIFIED_STATUTE)
    assert result.rule_id == STATUTE_FORMAT_RULE
    assert result.citation is None


@pytest.mark.parametrize(
    ("statute", "rule_id"),
    [("720 ILCS 550/4", "possession-pre-2016"), ("720 ILCS 550/9", "cannabis-act"),
     ("550/4(h)", "possession-pre-2016")],
)  # fmt: skip
def test_cannabis_without_a_known_amount_goes_to_a_person(
    statute: str, rule_id: str
) -> None:
    result = charge(statute)
    assert verdict(result) == (NR, Reason.UNCLASSIFIED_STATUTE)
    assert result.rule_id == rule_id


def _generator_wordings() -> list[tuple[str, Outcome]]:
    """Every disposition the generator writes, with and without a sentence."""
    cases = []
    for w in WORDINGS:
        expected = Outcome(w.outcome)
        cases.append((w.text, expected))
        if expected is Outcome.CONVICTION:
            cases += [(f"{w.text}{sep}{s}", expected)
                      for sep in (" - ", "; ", ", ") for s in SENTENCES]  # fmt: skip
    return cases


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        *_generator_wordings(),
        # the brief's wordings and common variants
        ("no charges filed", Outcome.NON_CONVICTION),
        ("Nolle Pros.", Outcome.NON_CONVICTION),
        ("S.O.L.", Outcome.NON_CONVICTION),
        ("STRICKEN OFF WITH LEAVE TO REINSTATE", Outcome.NON_CONVICTION),
        ("SUPERVISION COMPLETED", Outcome.NON_CONVICTION),
        ("1410 PROBATION COMPLETED", Outcome.NON_CONVICTION),
        ("710 PROBATION COMPLETED", Outcome.NON_CONVICTION),
        ("PROBATION 24 MONTHS", Outcome.CONVICTION),
        ("SUPERVISION TERMINATED UNSATISFACTORILY", Outcome.CONVICTION),
        # not final yet: supervision or qualified probation still running
        ("SUPERVISION 12 MONTHS", Outcome.UNDECIDED),
        ("410 PROBATION 24 MONTHS", Outcome.UNDECIDED),
        ("PLEA OF NOT GUILTY", Outcome.UNDECIDED),
        # contradictory or unknown: a person reads it
        ("GUILTY PLEA; DISMISSED", Outcome.UNREADABLE),
        ("TRANSFERRED TO DUPAGE", Outcome.UNREADABLE),
        ("", Outcome.NONE),
        (None, Outcome.NONE),
    ],
)
def test_outcome_wordings(text: str | None, outcome: Outcome) -> None:
    assert shipped().outcomes.read(text).outcome is outcome


@pytest.mark.parametrize(
    ("statute", "disposition", "expected"),
    [
        ("550/4C", None, (NR, Reason.MISSING_DISPOSITION)),
        ("550/4C", "SUPERVISION 12 MONTHS", (NR, Reason.MISSING_DISPOSITION)),
        ("550/4C", "TRANSFERRED", (NR, Reason.UNCLASSIFIED_DISPOSITION)),
        ("550/5D", None, (NE, Reason.AMOUNT)),  # no outcome clears 5(d)
        ("550/4F", None, (NE, Reason.AMOUNT)),
    ],
)
def test_missing_disposition_only_matters_when_it_decides(
    statute: str, disposition: str | None, expected: tuple[Category, Reason | None]
) -> None:
    assert verdict(charge(statute, BEFORE, disposition)) == expected


def test_missing_offence_date_only_matters_when_it_decides() -> None:
    assert verdict(charge("550/4C", None, "GUILTY")) == (
        NR,
        Reason.MISSING_OFFENSE_DATE,
    )
    result = charge("550/4B", None, "GUILTY")
    assert verdict(result) == (CM, None)
    assert "every period gives the same answer" in result.why
    assert verdict(charge("550/5C", None, "GUILTY")) == (MTV, None)


def case(
    *rows: tuple[str | None, str | None], day: date = BEFORE
) -> list[ChargeResult]:
    charges = [ChargeInput(statute=s, offense_date=day, disposition=d, record_id=i)
               for i, (s, d) in enumerate(rows)]  # fmt: skip
    return classify_case(charges, shipped())


@pytest.mark.parametrize(
    "violent",
    ["720 ILCS 5/12-3", "38-12-4", "720-5/8-4 5/18-1", "5/12-3.05 (att)",
     "Ill. Rev. Stat. ch. 38, par. 12-3"],
)  # fmt: skip
def test_violent_co_charge_excludes_the_cannabis_charges(violent: str) -> None:
    results = case(("550/4C", "GUILTY"), ("720-550/4-a", None), (violent, "DISMISSED"))
    assert [verdict(r) for r in results[:2]] == [(NE, Reason.VIOLENT_COCHARGE)] * 2
    assert results[0].rule_id == "violent-cocharge"
    assert violent in results[0].why
    assert "alone: possession-pre-2016" in results[0].why
    assert verdict(results[2]) == (NE, Reason.NOT_CANNABIS)
    assert [r.record_id for r in results] == [0, 1, 2]


def test_section7_in_the_case_excludes_the_cannabis_charges() -> None:
    results = case(("550/4C", "GUILTY"), ("720-550/5-a", "DISMISSED"),
                   ("CH 56-1/2 PAR 707", "GUILTY"), ("5/16-1", "GUILTY"))  # fmt: skip
    assert [verdict(r) for r in results] == [
        (NE, Reason.SECTION7),
        (NE, Reason.SECTION7),
        (NE, Reason.SECTION7),
        (NE, Reason.NOT_CANNABIS),
    ]
    assert results[0].rule_id == "section7"


def test_other_co_charges_change_nothing() -> None:
    results = case(("550/4C", "GUILTY"), ("5/16-1", "GUILTY"), ("550/4E", "GUILTY"))
    assert [verdict(r) for r in results] == [
        (CM, None),
        (NE, Reason.NOT_CANNABIS),
        (NE, Reason.AMOUNT),
    ]


def test_an_unreadable_co_charge_might_be_violent() -> None:
    results = case(("550/4C", "GUILTY"), ("550/4E", "GUILTY"), ("SEE FILE", "GUILTY"))
    assert verdict(results[0]) == (NR, Reason.UNCLASSIFIED_STATUTE)
    assert "'SEE FILE'" in results[0].why
    assert verdict(results[1]) == (NE, Reason.AMOUNT)


def test_records_of_one_charge_share_date_and_outcome() -> None:
    """The clerk row and the arrest take what the disposition system knows,
    and the offence date, not the later arrest date, picks the table."""
    charges = [
        ChargeInput(statute="550/4C", offense_date=BEFORE, source="clerk"),
        ChargeInput(statute="720-550/4-c", offense_date=date(2016, 9, 1),
                    source="arrest"),
        ChargeInput(statute="56.5-704(c)", disposition="NOLLE PROSEQUI",
                    source="disposition"),
    ]  # fmt: skip
    results = classify_case(charges, shipped())
    assert [verdict(r) for r in results] == [(NCM, None)] * 3
    assert all(r.table_id == "possession-pre-2016" for r in results)
    assert "from another record of this charge" in results[0].why
    assert [r.outcome for r in results] == [Outcome.NON_CONVICTION] * 3


def test_a_final_outcome_replaces_an_interim_one() -> None:
    charges = [
        ChargeInput(statute="550/4C", offense_date=BEFORE,
                    disposition="SUPERVISION 12 MONTHS", source="clerk"),
        ChargeInput(statute="550/4C", disposition="SUPERVISION COMPLETED",
                    source="disposition"),
    ]  # fmt: skip
    assert [verdict(r) for r in classify_case(charges, shipped())] == [(NCM, None)] * 2


@pytest.mark.parametrize(
    ("lenders", "receiver"),
    [
        # the other sources disagree
        ([("GUILTY", "disposition"), ("DISMISSED", "court")], ("", "clerk")),
        # two clerk rows of one statute are two counts: which one was judged?
        ([("GUILTY", "disposition"), ("", "clerk")], ("", "clerk")),
        # a record of the same source never lends
        ([("GUILTY", "clerk")], ("", "clerk")),
        # without sources nobody can tell records of one charge apart
        ([("GUILTY", None)], ("", None)),
        # an unreadable disposition is for a person to read, not to overwrite
        ([("GUILTY", "disposition")], ("SEE JUDGE", "clerk")),
    ],
)
def test_no_outcome_is_lent_when_it_would_be_a_guess(
    lenders: list[tuple[str, str | None]], receiver: tuple[str, str | None]
) -> None:
    charges = [ChargeInput(statute="550/4C", offense_date=BEFORE, disposition=d,
                           source=s) for d, s in (*lenders, receiver)]  # fmt: skip
    result = classify_case(charges, shipped())[-1]
    assert result.category is NR
    assert "another record" not in result.why


def test_changing_the_cutover_date_changes_the_answer() -> None:
    data = shipped_data()
    for table in data["weight_table"]:
        if table["id"] == "possession-pre-2016":
            table["ends_before"] = date(2018, 1, 1)
        if table["id"] == "possession-from-2016":
            table["starts"] = date(2018, 1, 1)
    moved = load_rules(data)
    day = date(2017, 3, 1)
    assert verdict(charge("550/4C", day, "GUILTY")) == (MTV, None)
    result = charge("550/4C", day, "GUILTY", rules=moved)
    assert verdict(result) == (CM, None)
    assert "before 2018-01-01" in result.why


def test_changing_a_subsections_grams_changes_the_answer() -> None:
    """If the office read 4(c) after 2016 as up to 30 g, it edits the table."""
    data = shipped_data()
    for table in data["weight_table"]:
        if table["id"] == "possession-from-2016":
            table["grams"].update(a=[0, 2.5], b=[2.5, 10], c=[10, 30], d=[30, 500])
    edited = load_rules(data)
    assert verdict(charge("550/4C", CUTOVER, "DISMISSED")) == (NE, Reason.AMOUNT)
    assert verdict(charge("550/4C", CUTOVER, "DISMISSED", rules=edited)) == (NCM, None)
    assert verdict(charge("550/4D", CUTOVER, "GUILTY", rules=edited)) == (MTV, None)


def test_changing_a_clearance_rule_changes_the_answer() -> None:
    """Delivery up to 30 g as a minor conviction instead of a motion."""
    data = shipped_data()
    data["clearance"] = [c for c in data["clearance"] if c["id"] != "vacate-delivery"]
    for rule in data["clearance"]:
        if rule["id"] == "minor-conviction":
            rule["sections"] = ["4", "5"]
    edited = load_rules(data)
    assert verdict(charge("550/5B", BEFORE, "GUILTY", rules=edited)) == (CM, None)


def test_violent_list_is_data() -> None:
    data = shipped_data()
    data["violent"]["offenses"].append(
        {"statute": "625 ILCS 5/11-501(d)", "name": "aggravated DUI"}
    )
    edited = load_rules(data)
    aggravated = [
        ChargeInput(statute="550/4A", offense_date=BEFORE, disposition="GUILTY"),
        ChargeInput(statute="625 ILCS 5/11-501(d)", disposition="GUILTY"),
    ]
    plain = [aggravated[0], ChargeInput(statute="11-501(A)", disposition="GUILTY")]
    assert verdict(classify_case(aggravated, edited)[0]) == (
        NE,
        Reason.VIOLENT_COCHARGE,
    )
    assert verdict(classify_case(plain, edited)[0]) == (CM, None)
    assert verdict(classify_case(aggravated, shipped())[0]) == (CM, None)


# ---------------------------------------------------------------- person


def result(category: Category, reason: Reason | None = None) -> ChargeResult:
    return ChargeResult(category, reason, "r", "", None, Outcome.NONE)


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ([(NCM, None), (CM, None)], (CM, None)),
        ([(NCM, None), (MTV, None), (NE, Reason.AMOUNT)], (MTV, None)),
        ([(NCM, None), (NR, Reason.MISSING_DISPOSITION)],
         (NR, Reason.MISSING_DISPOSITION)),
        ([(NR, Reason.MISSING_DISPOSITION), (NR, Reason.UNCLASSIFIED_STATUTE)],
         (NR, Reason.UNCLASSIFIED_STATUTE)),
        ([(NE, Reason.NOT_CANNABIS), (NE, Reason.VIOLENT_COCHARGE)],
         (NE, Reason.VIOLENT_COCHARGE)),
        ([(NE, Reason.NOT_CANNABIS)], (NE, Reason.NOT_CANNABIS)),
        ([], (NE, Reason.NOT_CANNABIS)),
    ],
)  # fmt: skip
def test_combine_person(
    categories: list[tuple[Category, Reason | None]],
    expected: tuple[Category, Reason | None],
) -> None:
    summary = combine_person([result(*c) for c in categories], links_confirmed=True)
    assert (summary.category, summary.reason) == expected
    assert sum(summary.counts.values()) == len(categories)
    assert summary.clearable == sum(c in (NCM, CM, MTV) for c, _ in categories)


def test_unconfirmed_links_hold_back_anything_clearable() -> None:
    clearable = [result(NCM), result(NE, Reason.AMOUNT)]
    summary = combine_person(clearable, links_confirmed=False)
    assert (summary.category, summary.reason) == (NR, Reason.UNCONFIRMED_LINKS)
    assert summary.counts[NCM] == 1  # the records themselves keep their category
    nothing = combine_person([result(NE, Reason.AMOUNT)], links_confirmed=False)
    assert (nothing.category, nothing.reason) == (NE, Reason.AMOUNT)


def test_person_arrest_joins_its_case() -> None:
    """The arrest has no case number or outcome; the court records supply both."""
    charges = [
        ChargeInput(statute="550/4C", offense_date=date(2016, 8, 20),
                    source="arrest", record_id="a1"),
        ChargeInput(statute="720 ILCS 550/4(c)", offense_date=date(2016, 7, 20),
                    disposition="DISMISSED", case="2016-CM-0000123", source="clerk",
                    record_id="c1"),
        ChargeInput(statute="5/16-1", offense_date=date(2012, 1, 5), source="arrest",
                    record_id="a2"),
    ]  # fmt: skip
    summary = classify_person(charges, shipped(), links_confirmed=True)
    assert [r.record_id for r in summary.results] == ["a1", "c1", "a2"]
    assert [verdict(r) for r in summary.results] == [
        (NCM, None),
        (NCM, None),
        (NE, Reason.NOT_CANNABIS),
    ]
    # the case's offence date, not the later arrest date, picks the table
    assert summary.results[0].table_id == "possession-pre-2016"
    assert (summary.category, summary.reason) == (NCM, None)


@pytest.mark.parametrize(
    "arrest_day", [date(2016, 6, 1), date(2016, 12, 1)], ids=["before", "too-late"]
)
def test_person_arrest_outside_the_window_stands_alone(arrest_day: date) -> None:
    charges = [
        ChargeInput(statute="550/4B", offense_date=arrest_day, source="arrest"),
        ChargeInput(statute="550/4B", offense_date=date(2016, 7, 1),
                    disposition="DISMISSED", case="2016-CM-0000123", source="clerk"),
    ]  # fmt: skip
    summary = classify_person(charges, shipped(), links_confirmed=True)
    assert verdict(summary.results[0]) == (NR, Reason.MISSING_DISPOSITION)
    assert (summary.category, summary.reason) == (NR, Reason.MISSING_DISPOSITION)


def test_person_arrest_matching_two_cases_stands_alone() -> None:
    charges = [
        ChargeInput(statute="550/4B", offense_date=date(2010, 3, 1), source="arrest"),
        ChargeInput(statute="550/4B", offense_date=date(2010, 1, 1),
                    disposition="GUILTY", case="2010-CM-1", source="clerk"),
        ChargeInput(statute="550/4B", offense_date=date(2010, 2, 1),
                    disposition="DISMISSED", case="2010-CM-2", source="clerk"),
    ]  # fmt: skip
    summary = classify_person(charges, shipped(), links_confirmed=True)
    assert verdict(summary.results[0]) == (NR, Reason.MISSING_DISPOSITION)


# ---------------------------------------------------------------- sample data

_VIOLENT_KEYS = {"5/12-3", "5/12-3.05", "5/12-4", "5/18-1"}


def _clerk_cases() -> dict[str, list[tuple[ChargeInput, dict[str, str]]]]:
    with (SAMPLE / "charges_truth.csv").open(newline="", encoding="utf-8") as fh:
        truth = {int(t["record_id"]): t for t in csv.DictReader(fh)
                 if t["source"] == "clerk"}  # fmt: skip
    cases: dict[str, list[tuple[ChargeInput, dict[str, str]]]] = defaultdict(list)
    with (SAMPLE / "clerk.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        start = 2
        for row in reader:
            t = truth[start]
            start = reader.line_num + 1
            key = case_number(row["CASE_NO"], today=date(2025, 1, 1))
            assert key == t["case_key"]
            day = datetime.strptime(row["OFFENSE_DT"], "%m/%d/%Y").date()
            cases[t["case_key"]].append((
                ChargeInput(statute=row["STATUTE"], offense_date=day,
                            disposition=row["DISP"], case=key, source="clerk"),
                t,
            ))  # fmt: skip
    return cases


def _expected(t: dict[str, str], day: date, case_keys: set[str]) -> tuple[Any, ...]:
    """The brief's rules, written out independently, from the truth file."""
    key, outcome = t["statute_key"], t["outcome"]
    if not key.startswith("550/"):
        return (NE, Reason.NOT_CANNABIS)
    extra = {"550/7": Reason.SECTION7, "550/5.1": Reason.TRAFFICKING,
             "550/8": Reason.CULTIVATION}  # fmt: skip
    if key in extra:
        return (NE, extra[key])
    if case_keys & _VIOLENT_KEYS:
        return (NE, Reason.VIOLENT_COCHARGE)
    if "550/7" in case_keys:
        return (NE, Reason.SECTION7)
    section, sub = key[4], key[6]
    minor = {"4": "abc" if day < CUTOVER else "ab", "5": "abc"}[section]
    vacate = {"4": "d" if day < CUTOVER else "cd", "5": "abc"}[section]
    if outcome == "none":
        if sub in minor + vacate:  # the outcome decides, and there is none
            return (NR, Reason.MISSING_DISPOSITION)
        return (NE, Reason.AMOUNT)
    if outcome == "non_conviction":
        return (NCM, None) if sub in minor else (NE, Reason.AMOUNT)
    if sub in vacate:
        return (MTV, None)
    return (CM, None) if sub in minor else (NE, Reason.AMOUNT)


def test_sample_clerk_cases_match_the_rules_written_out() -> None:
    """Every clerk charge of the sample, by case, against an independent oracle."""
    cases = _clerk_cases()
    assert len(cases) > 1000
    wrong = []
    seen: defaultdict[tuple[Any, ...], int] = defaultdict(int)
    for rows in cases.values():
        keys = {t["statute_key"] for _, t in rows}
        results = classify_case([c for c, _ in rows], shipped())
        for (c, t), r in zip(rows, results, strict=True):
            assert c.offense_date is not None
            expected = _expected(t, c.offense_date, keys)
            got = verdict(r)
            seen[expected] += 1
            if got != expected:
                wrong.append((c.statute, c.disposition, sorted(keys), expected, got))
    assert wrong == [], f"{len(wrong)} wrong: {wrong[:10]}"
    for needed in [(NCM, None), (CM, None), (MTV, None),
                   (NE, Reason.VIOLENT_COCHARGE), (NE, Reason.SECTION7),
                   (NR, Reason.MISSING_DISPOSITION)]:  # fmt: skip
        assert seen[needed] >= 5, needed


@pytest.mark.parametrize("source", ["clerk", "disposition"])
def test_sample_dispositions_agree_with_generator_truth(source: str) -> None:
    """Every disposition cell the generator wrote reads as the outcome it meant."""
    from app.samples.layouts import LAYOUTS
    from tests.matching.test_eligibility_statutes import sample_cells

    (layout,) = [la for la in LAYOUTS if la.source == source]
    with (SAMPLE / "charges_truth.csv").open(newline="", encoding="utf-8") as fh:
        truth = {int(t["record_id"]): t["outcome"] for t in csv.DictReader(fh)
                 if t["source"] == source}  # fmt: skip
    cells = sample_cells(layout, "disposition")
    wrong = [(cell, truth[rid]) for rid, cell in cells
             if shipped().outcomes.read(cell).outcome.value != truth[rid]]  # fmt: skip
    assert len(cells) > 1000
    assert wrong == [], f"{len(wrong)} of {len(cells)} disagree: {wrong[:20]}"

"""Guessing which column is which field, and the user's corrections to the guess.

A wrong guess is imported without complaint and then poisons every match, so
these tests pin the layouts the three agencies actually send.
"""

from __future__ import annotations

import doctest
import json

import pytest

import app.mapping
from app.errors import InputError
from app.mapping import ColumnGuess, Mapping, apply_overrides, guess_mapping

CLERK = (
    "CASE_NUM",
    "FILING_DATE",
    "DEF_NAME",
    "DEF_DOB",
    "DEF_SEX",
    "DEF_RACE",
    "DEF_ADDR",
    "DEF_CITY",
    "DEF_ST",
    "DEF_ZIP",
    "CHARGE_SEQ",
    "STATUTE",
    "CHARGE_DESC",
    "JUDGE",
)
POLICE = (
    "BOOKING #",
    "IR NO",
    "SID",
    "FBI #",
    "LNAME",
    "FNAME",
    "MNAME",
    "SFX",
    "DOB",
    "AGE",
    "SEX",
    "RACE",
    "RES ADDRESS",
    "CITY",
    "STATE",
    "ZIP CODE",
    "ARREST DATE",
    "OFFENSE",
    "STATUTE CITED",
    "SSN",
    "DL NO",
    "OFFICER",
)
COURT = (
    "Record ID",
    "Case Number",
    "Defendant Name",
    "Birth Date",
    "Gender",
    "Disposition Date",
    "Finding",
    "Statute",
    "Offense Description",
    "Sentence",
)


def test_court_clerk_layout() -> None:
    mapping, guesses = guess_mapping(CLERK, [])
    assert mapping.columns == {
        "case_number": "CASE_NUM",
        "event_date": "FILING_DATE",
        "full_name": "DEF_NAME",
        "dob": "DEF_DOB",
        "sex": "DEF_SEX",
        "race": "DEF_RACE",
        "street": "DEF_ADDR",
        "city": "DEF_CITY",
        "state": "DEF_ST",
        "zip": "DEF_ZIP",
        "statute": "STATUTE",
        "charge": "CHARGE_DESC",
    }
    assert mapping.unmapped(CLERK) == ["CHARGE_SEQ", "JUDGE"]
    used = set(mapping.columns.values())
    assert [g.column for g in guesses] == [c for c in CLERK if c in used]
    dob = next(g for g in guesses if g.field == "dob")
    assert dob.reason == "header 'DEF_DOB' read as 'dob'"
    assert dob.confidence < next(g for g in guesses if g.field == "statute").confidence


def test_police_arrest_layout() -> None:
    mapping, _ = guess_mapping(POLICE, [])
    assert mapping.columns == {
        "booking_number": "BOOKING #",
        "ir_number": "IR NO",
        "sid": "SID",
        "fbi_number": "FBI #",
        "last_name": "LNAME",
        "first_name": "FNAME",
        "middle_name": "MNAME",
        "suffix": "SFX",
        "dob": "DOB",
        "age": "AGE",
        "sex": "SEX",
        "race": "RACE",
        "street": "RES ADDRESS",
        "city": "CITY",
        "state": "STATE",
        "zip": "ZIP CODE",
        "event_date": "ARREST DATE",
        "charge": "OFFENSE",
        "statute": "STATUTE CITED",
        "id_ssn": "SSN",
        "id_dl": "DL NO",
    }
    assert mapping.unmapped(POLICE) == ["OFFICER"]


def test_court_disposition_layout() -> None:
    mapping, _ = guess_mapping(COURT, [])
    assert mapping.columns == {
        "record_id": "Record ID",
        "case_number": "Case Number",
        "full_name": "Defendant Name",
        "dob": "Birth Date",
        "sex": "Gender",
        "event_date": "Disposition Date",
        "disposition": "Finding",
        "statute": "Statute",
        "charge": "Offense Description",
    }
    assert mapping.unmapped(COURT) == ["Sentence"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Booking No.", "booking_number"),
        ("CB NO", "booking_number"),
        ("IR #", "ir_number"),
        ("ISP NO", "sid"),
        ("STATE ID", "sid"),
        ("FBI NO", "fbi_number"),
        ("DOCKET", "case_number"),
        ("CASE #", "case_number"),
        ("D.O.B.", "dob"),
        ("BIRTH_DT", "dob"),
        ("BDATE", "dob"),
        ("Date of Birth", "dob"),
        ("SURNAME", "last_name"),
        ("GIVEN NAME", "first_name"),
        ("MI", "middle_name"),
        ("NAME SUFFIX", "suffix"),
        ("ZIPCODE", "zip"),
        ("POSTAL", "zip"),
        ("ADDRESS1", "street"),
        ("ILCS", "statute"),
        ("CHAPTER", "statute"),
        ("OUTCOME", "disposition"),
        ("DISP", "disposition"),
        ("ROW ID", "record_id"),
        ("ID", "record_id"),
        ("SOCIAL SECURITY", "id_ssn"),
        ("DRIVERS LICENSE", "id_dl"),
        ("SUBJECT NAME", "full_name"),
        ("DEFENDANT", "full_name"),
        ("EVENT DATE", "event_date"),
        ("OFFENSE DT", "event_date"),
    ],
)
def test_header_synonyms(header: str, field: str) -> None:
    mapping, _ = guess_mapping([header], [])
    assert mapping.columns == {field: header}


def test_person_id_is_not_the_record_id() -> None:
    """PERSON_ID names a person in the agency's system, not the row."""
    mapping, _ = guess_mapping(["PERSON_ID", "NAME"], [])
    assert mapping.columns == {"full_name": "NAME"}


def test_offense_date_beats_filing_and_disposition_dates() -> None:
    headers = ["DISPOSITION DATE", "FILING DATE", "OFFENSE DATE"]
    mapping, _ = guess_mapping(headers, [])
    assert mapping.columns == {"event_date": "OFFENSE DATE"}
    mapping, _ = guess_mapping(headers[:2], [])
    assert mapping.columns == {"event_date": "FILING DATE"}


def test_one_column_per_field_and_field_per_column() -> None:
    mapping, guesses = guess_mapping(["DOB", "BIRTH DATE", "NAME"], [])
    assert mapping.columns == {"dob": "DOB", "full_name": "NAME"}
    assert len({g.column for g in guesses}) == len(guesses)


def test_name_parts_win_over_full_name() -> None:
    mapping, _ = guess_mapping(["NAME", "LAST NAME", "FIRST NAME"], [])
    assert mapping.columns == {"last_name": "LAST NAME", "first_name": "FIRST NAME"}
    assert mapping.unmapped(["NAME", "LAST NAME", "FIRST NAME"]) == ["NAME"]
    mapping, _ = guess_mapping(["NAME", "LAST NAME"], [])
    assert mapping.columns == {"full_name": "NAME", "last_name": "LAST NAME"}


# --- content ---------------------------------------------------------------------


def content_sample() -> list[list[str]]:
    rows = []
    for i in range(30):
        rows.append(
            [
                f"{10000 + i * 7}",  # unique 5 digits: an id, not a ZIP
                ["SMITH, JOHN", "MUÑOZ, JOSÉ A", "O'BRIEN, MARY-KATE"][i % 3],
                ["M", "F", "MALE", "female", ""][i % 5],
                f"{i % 12 + 1:02d}/{i % 28 + 1:02d}/{1960 + i}",  # births
                f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}",  # arrests
                f"606{i % 4:02d}",
                "IL",
                "",
            ]
        )
    return rows


def test_content_when_headers_are_silent() -> None:
    headers = ["COL1", "COL2", "COL3", "COL4", "COL5", "COL6", "COL7", "COL8"]
    mapping, guesses = guess_mapping(headers, content_sample())
    assert mapping.columns == {
        "full_name": "COL2",
        "sex": "COL3",
        "dob": "COL4",
        "zip": "COL6",
        "state": "COL7",
    }
    assert mapping.basis["sex"] == "content"
    sex = next(g for g in guesses if g.field == "sex")
    assert sex.reason.startswith("content: its 24 values")
    assert all(g.confidence < 0.9 for g in guesses)


def test_dates_of_birth_by_content_in_other_forms() -> None:
    births = ["1985-03-03", "3-MAR-1979", "19900704", "12/31/1966 00:00:00"] * 3
    mapping, _ = guess_mapping(["X"], [[v] for v in births])
    assert mapping.columns == {"dob": "X"}
    recent = ["2023-01-01", "2024-05-06", "2022-12-12"] * 3
    mapping, _ = guess_mapping(["X"], [[v] for v in recent])
    assert mapping.columns == {}


def test_content_never_overrides_a_header() -> None:
    rows = [[f"606{i:02d}", f"606{i % 3:02d}"] for i in range(10)]
    mapping, _ = guess_mapping(["ZIP", "OTHER"], rows)
    assert mapping.columns == {"zip": "ZIP"}


def test_content_needs_enough_values_and_tolerates_ragged_rows() -> None:
    mapping, _ = guess_mapping(["A", "B"], [["M"], ["F", "x"], []])
    assert mapping.columns == {}


# --- Mapping ---------------------------------------------------------------------


def test_json_round_trip() -> None:
    mapping, _ = guess_mapping(POLICE, [])
    text = mapping.to_json()
    assert json.loads(text)["booking_number"] == "BOOKING #"  # flat {field: column}
    again = Mapping.from_json(text)
    assert again == mapping
    assert again.columns == mapping.columns
    assert list(json.loads(text))[:2] == ["first_name", "middle_name"]


@pytest.mark.parametrize(
    "text", ['["dob"]', '{"dob": 3}', '{"shoe_size": "X"}', '{"dob": "A", "age": "A"}']
)
def test_from_json_rejects_bad_input(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Mapping.from_json(text)


def test_describe() -> None:
    mapping, _ = guess_mapping(CLERK, [])
    lines = mapping.describe(CLERK)
    assert lines[0] == "full_name      <- DEF_NAME (header)"
    assert "booking_number" not in "".join(lines)
    assert lines[-1] == "unmapped: CHARGE_SEQ, JUDGE"
    moved = apply_overrides(mapping, ["id_judge=JUDGE"], CLERK, path="clerk.csv")
    assert "id_judge       <- JUDGE (override)" in moved.describe(CLERK)
    assert Mapping({"dob": "GONE"}).describe(["A"]) == [
        "dob            <- GONE [not in this file]",
        "unmapped: A",
    ]


# --- overrides -------------------------------------------------------------------


def test_override_matches_case_insensitively_and_moves_the_column() -> None:
    mapping, _ = guess_mapping(CLERK, [])
    new = apply_overrides(
        mapping, ["event_date=def_dob", "DOB=", "record_id=CHARGE_SEQ"], CLERK, path="c"
    )
    assert new.columns["event_date"] == "DEF_DOB"
    assert "dob" not in new.columns
    assert new.columns["record_id"] == "CHARGE_SEQ"
    assert new.basis["event_date"] == "override"
    assert "FILING_DATE" in new.unmapped(CLERK)
    assert mapping.columns["dob"] == "DEF_DOB"  # the original is untouched


def test_override_prefers_the_exact_column() -> None:
    headers = ["Name", "NAME"]
    new = apply_overrides(Mapping({}), ["full_name=NAME"], headers, path="c")
    assert new.columns == {"full_name": "NAME"}
    with pytest.raises(InputError, match="matches columns Name, NAME"):
        apply_overrides(Mapping({}), ["full_name=name"], headers, path="c")


def test_unknown_field() -> None:
    with pytest.raises(InputError) as info:
        apply_overrides(Mapping({}), ["birthday=DOB"], ["DOB"], path="/x/clerk.csv")
    message = str(info.value)
    assert message.startswith("clerk.csv: unknown field 'birthday'")
    assert "dob" in message
    assert "id_NAME" in message


def test_unknown_column() -> None:
    with pytest.raises(InputError) as info:
        apply_overrides(Mapping({}), ["dob=BDAY"], ["A", "B", "C"], path="clerk.csv")
    assert str(info.value) == "clerk.csv: no column 'BDAY'; the columns are: A, B, C"


@pytest.mark.parametrize("bad", ["dob", "=DOB", "", "  =  "])
def test_malformed_override(bad: str) -> None:
    with pytest.raises(InputError, match="write FIELD=COLUMN"):
        apply_overrides(Mapping({}), [bad], ["DOB"], path="clerk.csv")


def test_contradicting_overrides() -> None:
    with pytest.raises(InputError, match="both use column DOB"):
        apply_overrides(Mapping({}), ["dob=DOB", "event_date=DOB"], ["DOB"], path="c")
    with pytest.raises(InputError, match="both set dob"):
        apply_overrides(Mapping({}), ["dob=A", "dob=B"], ["A", "B"], path="c")


def test_column_guess_is_frozen() -> None:
    guess = ColumnGuess("dob", "DOB", 0.95, "header 'DOB'")
    with pytest.raises(AttributeError):
        guess.field = "age"  # type: ignore[misc]


def test_docstring_examples() -> None:
    result = doctest.testmod(app.mapping)
    assert result.attempted > 0
    assert result.failed == 0

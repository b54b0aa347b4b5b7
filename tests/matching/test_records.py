"""Routing a row's mapped values through the normalisers."""

from __future__ import annotations

from datetime import date

from matching.records import STORED_FIELDS, normalise_record

TODAY = date(2026, 11, 25)


def norm(**raw: str) -> dict[str, object]:
    return normalise_record(raw, today=TODAY).as_dict()


def test_full_name_is_split_when_no_parts_are_mapped() -> None:
    out = norm(full_name="DE LA CRUZ, JUAN CARLOS JR")
    assert (out["first_name"], out["middle_name"], out["last_name"], out["suffix"]) == (
        "JUAN",
        "CARLOS",
        "DE LA CRUZ",
        "JR",
    )


def test_parts_win_over_full_name_when_both_are_present() -> None:
    out = norm(full_name="WRONG, NAME", first_name="Ana", last_name="Núñez")
    assert (out["first_name"], out["last_name"]) == ("ANA", "NUNEZ")


def test_two_digit_birth_year_is_not_after_the_event() -> None:
    assert norm(last_name="X", dob="01-MAY-05", event_date="1987-03-03")["dob"] == (
        "1905-05-01"
    )
    assert norm(last_name="X", dob="01-MAY-05")["dob"] == "2005-05-01"


def test_four_digit_birth_year_is_kept_even_after_a_wrong_event_date() -> None:
    result = normalise_record(
        {"last_name": "X", "dob": "01/05/2003", "event_date": "1987-03-03"}, today=TODAY
    )
    assert result.as_dict()["dob"] == "2003-01-05"
    assert result.problems == ()


def test_codes_identifiers_and_extra_ids() -> None:
    result = normalise_record(
        {
            "last_name": "X",
            "sex": "FEMALE",
            "race": "BLK",
            "sid": "il-12 345",
            "case_number": "15 CR 12345",
            "id_ssn": "123-45-6789",
        },
        today=TODAY,
    )
    out = result.as_dict()
    assert (out["sex"], out["race"], out["sid"]) == ("F", "B", "IL12345")
    assert out["case_number"] == "2015-CR-0012345"
    assert result.extra_ids == {"id_ssn": "123456789"}


def test_problems_name_the_field_and_keep_the_value_empty() -> None:
    result = normalise_record({"last_name": "X", "dob": "13/13/1999", "age": "abc"})
    assert result.as_dict()["dob"] is None
    assert [p.split(":")[0] for p in result.problems] == ["dob", "age"]


def test_values_hash_changes_with_any_value_and_only_then() -> None:
    a = normalise_record({"last_name": "SMITH", "dob": "1/2/1980"}, today=TODAY)
    b = normalise_record({"last_name": "smith ", "dob": "1980-01-02"}, today=TODAY)
    c = normalise_record({"last_name": "SMITH", "dob": "1/3/1980"}, today=TODAY)
    assert a.values_hash() == b.values_hash()
    assert a.values_hash() != c.values_hash()
    assert len(a.values) == len(STORED_FIELDS)

"""Sex and race codes."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.normalize import RACE_LABELS, SEX_LABELS, codes, race_code, sex_code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("M", "M"),
        ("m", "M"),
        (" Male ", "M"),
        ("MAN", "M"),
        ("1", "M"),
        ("boy", "M"),
        ("M.", "M"),
        ("F", "F"),
        ("Female", "F"),
        ("woman", "F"),
        ("2", "F"),
        ("GIRL", "F"),
        ("X", "X"),
        ("nonbinary", "X"),
        ("Non-Binary", "X"),
        ("NON BINARY", "X"),
        ("U", None),
        ("UNK", None),
        ("unknown", None),
        ("", None),
        ("  ", None),
        (None, None),
        ("3", None),
        ("Q", None),
    ],
)
def test_sex_code(raw: str | None, code: str | None) -> None:
    assert sex_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("W", "W"),
        ("White", "W"),
        ("caucasian", "W"),
        ("WHI", "W"),
        ("WHT", "W"),
        ("CAU", "W"),
        ("White, non-Hispanic", "W"),
        ("B", "B"),
        ("Black", "B"),
        ("African American", "B"),
        ("African-American", "B"),
        ("BLK", "B"),
        ("BLA", "B"),
        ("AA", "B"),
        ("Black not Hispanic", "B"),
        ("H", "H"),
        ("Hispanic", "H"),
        ("Latino", "H"),
        ("Hispanic/Latino", "H"),
        ("WHITE HISPANIC", "H"),
        ("BLACK HISPANIC", "H"),
        ("WWH", "H"),
        ("BWH", "H"),
        ("HIS", "H"),
        ("A", "A"),
        ("Asian", "A"),
        ("ASN", "A"),
        ("Asian/Pacific Islander", "A"),
        ("Asian or Pacific Islander", "A"),
        ("Asian Indian", "A"),
        ("I", "I"),
        ("American Indian", "I"),
        ("Alaska Native", "I"),
        ("American Indian or Alaska Native", "I"),
        ("Native American", "I"),
        ("AMI", "I"),
        ("IND", "I"),
        ("P", "P"),
        ("Native Hawaiian", "P"),
        ("Pacific Islander", "P"),
        ("Native Hawaiian or Other Pacific Islander", "P"),
        ("PI", "P"),
        ("O", "O"),
        ("Other", "O"),
        ("Multi", "O"),
        ("Multiracial", "O"),
        ("Two or more races", "O"),
        ("Black and White", "O"),
        ("U", None),
        ("UNK", None),
        ("Unknown", None),
        ("", None),
        (None, None),
        ("refused", None),
    ],
)
def test_race_code(raw: str | None, code: str | None) -> None:
    assert race_code(raw) == code


def test_every_code_has_a_label() -> None:
    assert set(SEX_LABELS) == {"M", "F", "X"}
    assert set(RACE_LABELS) == {"W", "B", "H", "A", "I", "P", "O"}
    assert all(label.strip() for label in (*SEX_LABELS.values(), *RACE_LABELS.values()))


@given(st.text(max_size=40))
def test_codes_are_idempotent_and_labelled(text: str) -> None:
    sex = sex_code(text)
    assert sex is None or (sex in SEX_LABELS and sex_code(sex) == sex)
    race = race_code(text)
    assert race is None or (race in RACE_LABELS and race_code(race) == race)


@given(st.sampled_from(["white", "black", "asian", "hispanic", "other"]))
def test_race_code_ignores_case_and_spacing(word: str) -> None:
    assert race_code(f"  {word.title()} ") == race_code(word.upper())


def test_docstring_examples() -> None:
    """The Example blocks other engineers read must stay true."""
    result = doctest.testmod(codes)
    assert result.attempted > 0
    assert result.failed == 0

"""Each comparison level on crafted pairs, plus the properties every level needs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matching.comparisons import (
    AddressComparison,
    DobComparison,
    EventIdComparison,
    FirstNameComparison,
    LastNameComparison,
    MiddleNameComparison,
    PersonIdComparison,
    SexComparison,
    SuffixComparison,
    comparison_from_dict,
    default_comparisons,
    level_matrix,
)
from matching.features import build_features


def levels_of(comparison, pairs: list[tuple[dict, dict]]) -> list[str | None]:
    """Level names for (left record, right record) pairs; None where -1."""
    left = pd.DataFrame([a for a, _ in pairs])
    right = pd.DataFrame([b for _, b in pairs])
    names = [lv.name for lv in comparison.levels()]
    return [names[i] if i >= 0 else None for i in comparison.compare(left, right)]


def first(name: str | None, last: str | None = "SMITH") -> dict:
    return {"first_name": name, "last_name": last}


def test_first_name_levels() -> None:
    """Why: every level must be reachable, or the model cannot learn its weight."""
    got = levels_of(
        FirstNameComparison("first_name"),
        [
            (first("WILLIAM"), first("WILLIAM")),
            (first("BILL"), first("WILLIAM")),
            (first("CHRISTOPHER"), first("CHRISTOHPER")),
            (first("MARTHA"), first("MARHTA")),
            (first("TONYA"), first("TANYA")),
            (first("ERIC"), first("ERICA")),
            (first("J"), first("JOHN")),
            (first("JOHN", "THOMAS"), first("THOMAS", "JOHN")),
            (first("JOHN", "THOMAS"), first("THOMAS", "JON")),  # swap with a typo
            (first("JOHN"), first("PETER")),
            (first(None), first("PETER")),
        ],
    )
    assert got == [
        "exact",
        "nickname",
        "jw_high",
        "jw_high",
        "jw_low",
        "gendered",
        "initial",
        "swapped",
        "swapped",
        "else",
        None,
    ]


def test_last_name_levels() -> None:
    got = levels_of(
        LastNameComparison("last_name"),
        [
            (first("ANA", "DE LA CRUZ"), first("ANA", "DE LA CRUZ")),
            (first("ANA", "DE LA CRUZ"), first("ANA", "DELACRUZ")),
            (first("ANA", "GARCIA LOPEZ"), first("ANA", "GARCIA")),
            (first("ANA", "GARCIA LOPEZ"), first("ANA", "LOPEZ")),
            (first("ANA", "JOHNSON"), first("ANA", "JOHNSTON")),
            (first("ANA", "KATZ"), first("ANA", "CATS")),
            (first("JOHN", "THOMAS"), first("THOMAS", "WILLIAMS")),  # half swap
            (
                first("JOHN", "THOMAS"),
                first("THOMAS", "JOHN"),
            ),  # full swap: scored once
            (first("ANA", "SMITH"), first("ANA", "OYELARAN")),
            (first("ANA", None), first("ANA", "SMITH")),
        ],
    )
    assert got == [
        "exact",
        "compact",
        "part",
        "part",
        "jw_high",
        "phonetic",
        "swapped",
        None,
        "else",
        None,
    ]


def test_middle_and_suffix_levels() -> None:
    middle = levels_of(
        MiddleNameComparison("middle_name"),
        [
            ({"middle_name": "LEE"}, {"middle_name": "LEE"}),
            ({"middle_name": "L"}, {"middle_name": "LEE"}),
            ({"middle_name": "LEE"}, {"middle_name": "ANN"}),
            ({"middle_name": None}, {"middle_name": "ANN"}),
        ],
    )
    assert middle == ["exact", "initial", "else", None]
    suffix = levels_of(
        SuffixComparison("suffix"),
        [
            ({"suffix": "JR"}, {"suffix": "JR"}),
            ({"suffix": "JR"}, {"suffix": "SR"}),
            ({"suffix": None}, {"suffix": "SR"}),
        ],
    )
    # A suffix on one record only is a level of its own: EM learns whether
    # these sources drop suffixes (neutral) or a bare name is the father.
    assert suffix == ["exact", "else", "one_side"]


def test_dob_levels() -> None:
    def dob(value: str | None, **extra: object) -> dict:
        return {"dob": value, **extra}

    got = levels_of(
        DobComparison("dob"),
        [
            (dob("1985-03-04"), dob("1985-03-04")),
            (dob("1985-03-04"), dob("1985-04-03")),  # day and month swapped
            (dob("1985-03-04"), dob("1985-03-05")),  # one digit
            (dob("1985-12-03"), dob("1985-12-30")),  # transposed digits
            (dob("1989-03-04"), dob("1990-03-04")),  # year off by one
            (dob("1985-03-04"), dob("1985-03-27")),  # same year and month
            (dob("1985-03-04"), dob("1988-07-21")),  # within five years
            (dob("1985-03-04"), dob("1955-07-21")),
            (dob(None), dob("1985-03-04")),
            # No dob on one side: birth years from age at the event stand in.
            (dob(None, age=30, event_date="2015-06-01"), dob("1985-03-04")),
            (dob(None, age=50, event_date="2015-06-01"), dob("1985-03-04")),
        ],
    )
    assert got == [
        "exact",
        "swapped",
        "one_digit",
        "one_digit",
        "year_off",
        "year_off",
        "close",
        "else",
        None,
        "age",
        "else",
    ]


def test_sex_address_and_identifier_levels() -> None:
    sex = levels_of(
        SexComparison("sex"),
        [
            ({"sex": "M"}, {"sex": "M"}),
            ({"sex": "M"}, {"sex": "F"}),
            ({"sex": "X"}, {"sex": "F"}),
        ],
    )
    assert sex == ["exact", "else", None]

    def addr(
        street: str | None, zip_: str | None = None, city: str | None = None
    ) -> dict:
        return {"street": street, "zip": zip_, "city": city}

    address = levels_of(
        AddressComparison("address"),
        [
            (addr("12 MAIN ST", "60601"), addr("12 MAIN ST", "60602")),
            (addr("12 PINKERTON CIRCUIT"), addr("12 PINKERTONCIRCUIT")),
            (addr("12 MAIN ST", "60601"), addr("99 OAK AVE", "60601")),
            (addr(None, None, "CHICAGO"), addr("99 OAK AVE", None, "CHICAGO")),
            (addr("12 MAIN ST", "60601"), addr("99 OAK AVE", "60699")),
            (addr("12 MAIN ST"), addr(None, "60601")),
        ],
    )
    assert address == ["street", "street_fuzzy", "zip", "city", "else", None]
    person = levels_of(
        PersonIdComparison("sid", column="sid"),
        [
            ({"sid": "12345678"}, {"sid": "12345678"}),
            ({"sid": "12345678"}, {"sid": "12345687"}),
            ({"sid": "12345678"}, {"sid": "99999999"}),
            ({"sid": None}, {"sid": "99999999"}),
        ],
    )
    assert person == ["exact", "one_edit", "else", None]
    event = levels_of(
        EventIdComparison("case_number", column="case_number"),
        [
            ({"case_number": "A1"}, {"case_number": "A1"}),
            ({"case_number": "A1"}, {"case_number": "B2"}),
        ],
    )
    assert event == ["exact", "else"]


def test_levels_are_symmetric() -> None:
    """Why: a pair's score must not depend on which record is 'left'."""
    rng = np.random.default_rng(3)
    names = ["JOHN", "JON", "JONATHAN", "BILL", "WILLIAM", "SMITH", "J", None]
    dobs = ["1985-03-04", "1985-04-03", "1985-03-05", "1986-03-04", None]
    frame = pd.DataFrame(
        {
            "first_name": rng.choice(names, 60),
            "last_name": rng.choice(names, 60),
            "dob": rng.choice(dobs, 60),
            "sex": rng.choice(["M", "F", None], 60),
        }
    )
    frame["source"] = "a"
    features = build_features(frame)
    a, b = np.arange(30), np.arange(30, 60)
    comps = default_comparisons()
    forward = level_matrix(comps, features, a, b)
    backward = level_matrix(comps, features, b, a)
    np.testing.assert_array_equal(forward, backward)


def test_comparisons_round_trip_json() -> None:
    comps = default_comparisons(("sid", "id_ssn", "case_number"))
    again = tuple(
        comparison_from_dict(json.loads(json.dumps(c.to_dict()))) for c in comps
    )
    assert again == comps
    assert isinstance(again[-1], EventIdComparison)
    with pytest.raises(ValueError, match="unknown comparison type"):
        comparison_from_dict({"type": "nope", "name": "x"})


def test_names_that_look_alike_are_not_typos() -> None:
    """Why: twins are named DEVON and DEVIN; a keying slip is written once.

    Two spellings both carried by several records are "alike" (two names);
    a spelling seen once is a typo; letters in another order are a slip
    whatever their counts (JMAES is never a second name)."""
    pairs = [
        (first("DEVON"), first("DEVIN")),
        (first("DEVON"), first("DEVQN")),  # one record: a slip
        (first("JAMES"), first("JMAES")),  # three records, but shuffled letters
    ]
    filler = [(first("DEVIN"), first("DEVON"))] * 3 + [
        (first("JMAES"), first("JAMES"))
    ] * 3
    got = levels_of(FirstNameComparison("first_name"), pairs + filler)
    assert got[:3] == ["alike", "jw_low", "jw_high"]

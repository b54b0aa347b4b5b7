"""Name cleaning, splitting and nickname equivalence."""

from __future__ import annotations

import doctest
import itertools
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.normalize import (
    NameParts,
    clean_name,
    compact_surname,
    given_name_variants,
    names,
    nickname_equivalent,
    nicknames,
    normalise_name_parts,
    split_full_name,
    surname_parts,
)

# Letters, accents, punctuation and spacing the sources actually produce.
name_text = st.text(
    alphabet=st.sampled_from(list("ABCMNOXYJRSacmnoxyjrséñüÉÑ'’-., /#0123")),
    max_size=24,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("José", "JOSE"),
        ("MUÑOZ", "MUNOZ"),
        ("O'Brien", "OBRIEN"),
        ("O’Brien", "OBRIEN"),
        ("D'Angelo", "DANGELO"),
        ("Garcia-Lopez", "GARCIA LOPEZ"),
        ("García–López", "GARCIA LOPEZ"),
        ("  mary   ann  ", "MARY ANN"),
        ("J.R.", "JR"),
        ("Mc Donald", "MCDONALD"),
        ("MAC DONALD", "MACDONALD"),
        ("O BRIEN", "OBRIEN"),
        ("O SMITH", "OSMITH"),
        ("JOHN O BRIEN", "JOHN OBRIEN"),
        ("JOHN O SMITH", "JOHN O SMITH"),
        ("MAC", "MAC"),
        ("MAC JOHNSON", "MAC JOHNSON"),
        ("O", "O"),
        ("Straße", "STRASSE"),
        ("Łukasz Ørsted", "LUKASZ ORSTED"),
        ("smith,john", "SMITH JOHN"),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "UNKNOWN",
        "unk",
        "None",
        "N/A",
        "NULL",
        "NFN",
        "NMN",
        "FNU",
        "LNU",
        "XXX",
        "xxxxx",
        "-",
        ".",
        "?",
    ],
)
def test_clean_name_placeholders_are_none(raw: str | None) -> None:
    assert clean_name(raw) is None


def test_clean_name_keeps_short_real_names() -> None:
    """NA is a Korean surname and X a real initial; they are not placeholders."""
    assert clean_name("Na") == "NA"
    assert clean_name("X") == "X"


@given(name_text)
def test_clean_name_is_idempotent(raw: str) -> None:
    once = clean_name(raw)
    assert clean_name(once) == once


@given(name_text)
def test_clean_name_output_is_plain_words(raw: str) -> None:
    cleaned = clean_name(raw)
    if cleaned is not None:
        assert cleaned == " ".join(cleaned.split())
        assert all(c.isascii() and (c.isalnum() or c == " ") for c in cleaned)
        assert cleaned == cleaned.upper()


@pytest.mark.parametrize(
    ("raw", "first", "middle", "last", "suffix"),
    [
        ("SMITH, JOHN A", "JOHN", "A", "SMITH", None),
        ("Smith, John Allen", "JOHN", "ALLEN", "SMITH", None),
        ("SMITH JR, JOHN", "JOHN", None, "SMITH", "JR"),
        ("Smith Jr., John", "JOHN", None, "SMITH", "JR"),
        ("Smith, John Jr.", "JOHN", None, "SMITH", "JR"),
        ("SMITH, JOHN, JR", "JOHN", None, "SMITH", "JR"),
        ("SMITH III, JOHN", "JOHN", None, "SMITH", "III"),
        ("SMITH, JOHN V", "JOHN", "V", "SMITH", None),
        ("SMITH, JOHN A V", "JOHN", "A", "SMITH", "V"),
        ("Garcia-Lopez, José Jr.", "JOSE", None, "GARCIA LOPEZ", "JR"),
        ("DE LA CRUZ, JUAN CARLOS", "JUAN", "CARLOS", "DE LA CRUZ", None),
        ("GARCIA Y LOPEZ, MARIA", "MARIA", None, "GARCIA LOPEZ", None),
        ("SMITH, NFN", None, None, "SMITH", None),
        ("LNU, JOHN", "JOHN", None, None, None),
        ("John Allen Smith Jr", "JOHN", "ALLEN", "SMITH", "JR"),
        ("JOHN SMITH", "JOHN", None, "SMITH", None),
        ("JOHN SMITH JUNIOR", "JOHN", None, "SMITH", "JR"),
        ("JOHN SMITH SENIOR", "JOHN", None, "SMITH", "SR"),
        ("JOHN SMITH 2ND", "JOHN", None, "SMITH", "II"),
        ("JOHN SMITH 3RD", "JOHN", None, "SMITH", "III"),
        ("JOHN SMITH IV", "JOHN", None, "SMITH", "IV"),
        ("JOHN SMITH V", "JOHN", None, "SMITH", "V"),
        ("JOHN V SMITH", "JOHN", "V", "SMITH", None),
        ("JUAN DE LA CRUZ", "JUAN", None, "DE LA CRUZ", None),
        ("Juan Carlos de los Santos", "JUAN", "CARLOS", "DE LOS SANTOS", None),
        ("MARIA GARCIA Y LOPEZ", "MARIA", None, "GARCIA LOPEZ", None),
        ("MARIA GARCIA LOPEZ", "MARIA", "GARCIA", "LOPEZ", None),
        ("LUDWIG VAN DER BERG", "LUDWIG", None, "VAN DER BERG", None),
        ("VINCENT VAN GOGH", "VINCENT", None, "VAN GOGH", None),
        ("JOHN ST JOHN", "JOHN", None, "ST JOHN", None),
        ("LUIZ DA SILVA", "LUIZ", None, "DA SILVA", None),
        ("AHMED BIN LADEN", "AHMED", None, "BIN LADEN", None),
        ("JOHN O BRIEN", "JOHN", None, "OBRIEN", None),
        ("MARY ANN MC DONALD", "MARY", "ANN", "MCDONALD", None),
        ("JOHN NMN SMITH", "JOHN", None, "SMITH", None),
        ("FNU SMITH", None, None, "SMITH", None),
        ("SMITH", None, None, "SMITH", None),
        ("DE LA CRUZ", None, None, "DE LA CRUZ", None),
    ],
)
def test_split_full_name(
    raw: str,
    first: str | None,
    middle: str | None,
    last: str | None,
    suffix: str | None,
) -> None:
    assert split_full_name(raw) == NameParts(first, middle, last, suffix)


@pytest.mark.parametrize("raw", [None, "", "  ", ",", "UNKNOWN", "N/A"])
def test_split_full_name_empty(raw: str | None) -> None:
    assert split_full_name(raw) == NameParts(None, None, None, None)


@pytest.mark.parametrize(
    ("given_parts", "expected"),
    [
        (("john", "a.", "smith", None), ("JOHN", "A", "SMITH", None)),
        (("JOHN", None, "SMITH JR", None), ("JOHN", None, "SMITH", "JR")),
        (("JOHN", None, "SMITH JR.", "III"), ("JOHN", None, "SMITH", "III")),
        (("JOHN JR", None, "SMITH", None), ("JOHN", None, "SMITH", "JR")),
        (("JOHN", None, "SMITH", "Junior"), ("JOHN", None, "SMITH", "JR")),
        (("JOHN", None, "SMITH", "3rd"), ("JOHN", None, "SMITH", "III")),
        (("JOHN", None, "SMITH", "esq."), ("JOHN", None, "SMITH", "ESQ")),
        (("JOHN A", None, "SMITH", None), ("JOHN", "A", "SMITH", None)),
        (("JOHN A", "ALLEN", "SMITH", None), ("JOHN", "ALLEN", "SMITH", None)),
        (("JOHN B", "ALLEN", "SMITH", None), ("JOHN B", "ALLEN", "SMITH", None)),
        (("MARY V", None, "JONES", None), ("MARY", "V", "JONES", None)),
        (("MARY ANN", None, "JONES", None), ("MARY ANN", None, "JONES", None)),
        (
            ("MARIA", None, "GARCIA Y LOPEZ", None),
            ("MARIA", None, "GARCIA LOPEZ", None),
        ),
        (("NFN", "NMN", "LNU", "UNK"), (None, None, None, None)),
        (("JOHN", None, "O SMITH JR", None), ("JOHN", None, "OSMITH", "JR")),
    ],
)
def test_normalise_name_parts(
    given_parts: tuple[str | None, ...], expected: tuple[str | None, ...]
) -> None:
    first, middle, last, suffix = given_parts
    assert normalise_name_parts(first, middle, last, suffix) == NameParts(*expected)


optional_name = st.one_of(st.none(), name_text)


@given(optional_name, optional_name, optional_name, optional_name)
def test_normalise_name_parts_is_idempotent(
    first: str | None, middle: str | None, last: str | None, suffix: str | None
) -> None:
    once = normalise_name_parts(first, middle, last, suffix)
    assert normalise_name_parts(once.first, once.middle, once.last, once.suffix) == once


@given(name_text)
def test_split_then_normalise_is_stable(raw: str) -> None:
    """The importer's path (split, then normalise) must not change on re-import."""
    parts = split_full_name(raw)
    once = normalise_name_parts(parts.first, parts.middle, parts.last, parts.suffix)
    assert normalise_name_parts(once.first, once.middle, once.last, once.suffix) == once


@pytest.mark.parametrize(
    ("last", "parts"),
    [
        ("GARCIA LOPEZ", ("GARCIA", "LOPEZ")),
        ("García-López", ("GARCIA", "LOPEZ")),
        ("GARCIA Y LOPEZ", ("GARCIA", "LOPEZ")),
        ("DE LA CRUZ", ("CRUZ",)),
        ("DELACRUZ", ("DELACRUZ",)),
        ("VAN DER BERG", ("BERG",)),
        ("DE LA", ("DE", "LA")),
        ("SMITH", ("SMITH",)),
        (None, ()),
        ("UNKNOWN", ()),
    ],
)
def test_surname_parts(last: str | None, parts: tuple[str, ...]) -> None:
    assert surname_parts(last) == parts


@pytest.mark.parametrize(
    ("last", "compact"),
    [
        ("DE LA CRUZ", "DELACRUZ"),
        ("DELACRUZ", "DELACRUZ"),
        ("De LaCruz", "DELACRUZ"),
        ("Mac Nab", "MACNAB"),
        ("GARCIA Y LOPEZ", "GARCIALOPEZ"),
        ("GARCIA-LOPEZ", "GARCIALOPEZ"),
        ("O'Brien", "OBRIEN"),
        (None, None),
        ("N/A", None),
    ],
)
def test_compact_surname(last: str | None, compact: str | None) -> None:
    assert compact_surname(last) == compact


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("BILL", "WILLIAM"),
        ("Billy", "william"),
        ("BOB", "ROBERT"),
        ("BOB", "ROB"),
        ("JIM", "JAMES"),
        ("PEGGY", "MARGARET"),
        ("ALLAN", "ALLEN"),
        ("MIKE", "MICHAEL"),
        ("PACO", "FRANCISCO"),
        ("PANCHO", "FRANCISCO"),
        ("PACO", "PANCHO"),
        ("PEPE", "JOSE"),
        ("CHUY", "JESUS"),
        ("LUPE", "GUADALUPE"),
        ("MEMO", "GUILLERMO"),
        ("NACHO", "IGNACIO"),
        ("LALO", "EDUARDO"),
        ("JOE", "JOSE"),
        ("SMITH", "SMITH"),
    ],
)
def test_nickname_equivalent(a: str, b: str) -> None:
    assert nickname_equivalent(a, b)
    assert nickname_equivalent(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("BILL", "ROBERT"),
        ("BILL", "BOB"),
        ("WILLIAM", "ROBERT"),
        ("BILL", "FRED"),
        ("JOE", "JOSH"),
        ("JOHN", "IVAN"),
        ("JOHN", "NATHAN"),
        ("PETER", "PATRICK"),
        ("ANN", "TONY"),
        ("EMILY", "EMMA"),
        ("LISA", "ALICE"),
        ("JOSE", "JOSEPH"),
        ("JOHN", "JAMES"),
        (None, "JOHN"),
        ("UNKNOWN", "UNKNOWN"),
    ],
)
def test_not_nickname_equivalent(a: str | None, b: str | None) -> None:
    assert not nickname_equivalent(a, b)
    assert not nickname_equivalent(b, a)


def test_given_name_variants() -> None:
    assert given_name_variants("WILLIAM") == frozenset({"WILLIAM"})
    assert {"BILL", "WILLIAM"} <= given_name_variants("bill")
    assert "ROBERT" not in given_name_variants("BILL")
    assert given_name_variants("Zyxwv") == frozenset({"ZYXWV"})
    assert given_name_variants(None) == frozenset()
    assert given_name_variants("NFN") == frozenset()


_COMMON_TEXT = (
    "JAMES ROBERT JOHN MICHAEL DAVID WILLIAM RICHARD JOSEPH THOMAS CHARLES "
    "CHRISTOPHER DANIEL MATTHEW ANTHONY MARK DONALD STEVEN PAUL ANDREW JOSHUA "
    "KENNETH KEVIN BRIAN GEORGE TIMOTHY RONALD EDWARD JASON JEFFREY RYAN JACOB "
    "GARY NICHOLAS ERIC STEPHEN LARRY JUSTIN SCOTT BRANDON BENJAMIN SAMUEL "
    "GREGORY ALEXANDER PATRICK RAYMOND DENNIS TYLER AARON ADAM NATHAN HENRY "
    "PETER CARL RANDY JOSE JUAN LUIS CARLOS JESUS FRANCISCO MIGUEL ANTONIO MANUEL "
    "MARY PATRICIA JENNIFER LINDA ELIZABETH BARBARA SUSAN JESSICA SARAH KAREN "
    "NANCY SANDRA ASHLEY KIMBERLY EMILY DONNA MICHELLE CAROL AMANDA MELISSA "
    "DEBORAH STEPHANIE REBECCA LAURA CYNTHIA KATHLEEN AMY ANGELA HANNAH EMMA "
    "ROSA ALICE GUADALUPE"
)
COMMON_FORMAL_NAMES = _COMMON_TEXT.split()


def test_common_formal_names_stay_apart() -> None:
    """No two distinct common formal names may become nickname-equivalent.

    A false equivalence raises the score of every pair of namesakes with
    those given names; the pruning in ``nicknames`` exists to prevent it.
    """
    tied = [
        (a, b)
        for a, b in itertools.combinations(COMMON_FORMAL_NAMES, 2)
        if nickname_equivalent(a, b)
    ]
    assert tied == []


@given(name_text, name_text)
def test_nickname_equivalence_is_symmetric(a: str, b: str) -> None:
    assert nickname_equivalent(a, b) == nickname_equivalent(b, a)


@given(name_text)
def test_variants_contain_the_cleaned_name(raw: str) -> None:
    cleaned = clean_name(raw)
    variants = given_name_variants(raw)
    assert (cleaned in variants) if cleaned else variants == frozenset()


@pytest.mark.parametrize("module", [names, nicknames])
def test_docstring_examples(module: ModuleType) -> None:
    """The Example blocks other engineers read must stay true."""
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0

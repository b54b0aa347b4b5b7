"""Sex and race codes: every agency's vocabulary mapped onto one small set.

Courts write MALE, jails write M, one police system writes 1; race comes as
W/B/H letters, as NCIC-style WHI/BLK, or spelled out. Matching and review need
one code per meaning, and "unknown" must be None (missing), not a code that
two unknown records would agree on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


SEX_LABELS: dict[str, str] = {"M": "Male", "F": "Female", "X": "Non-binary / other"}

RACE_LABELS: dict[str, str] = {
    "W": "White",
    "B": "Black",
    "H": "Hispanic",
    "A": "Asian",
    "I": "American Indian / Alaska Native",
    "P": "Native Hawaiian / Pacific Islander",
    "O": "Other / multiple",
}

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")

# Keys are uppercase with all punctuation and spaces removed.
_SEX: dict[str, str] = {
    **dict.fromkeys(("M", "MALE", "MAN", "1", "BOY", "MASC", "MASCULINE"), "M"),
    **dict.fromkeys(("F", "FEMALE", "WOMAN", "2", "GIRL", "FEM", "FEMININE"), "F"),
    **dict.fromkeys(("X", "NONBINARY", "NB", "INTERSEX", "OTHER"), "X"),
}

# Exact spellings, keyed as cleaned by ``_race_key`` (uppercase words).
_RACE: dict[str, str] = {
    **dict.fromkeys(("W", "WHITE", "CAUCASIAN", "WHI", "WHT", "CAU", "CAUC"), "W"),
    **dict.fromkeys(
        ("B", "BLACK", "BLK", "BLA", "AA", "AFRICAN AMERICAN", "NEGRO"), "B"
    ),
    **dict.fromkeys(
        (
            "H",
            "HISPANIC",
            "HIS",
            "HISP",
            "LATINO",
            "LATINA",
            "LATINX",
            "WWH",
            "BWH",
            "WH",
            "BH",
        ),
        "H",
    ),
    **dict.fromkeys(("A", "ASIAN", "ASN", "ASI", "ORIENTAL", "AP", "API"), "A"),
    **dict.fromkeys(
        ("I", "AMI", "IND", "AI", "AIAN", "NATIVE", "NATIVE AMERICAN"), "I"
    ),
    **dict.fromkeys(("P", "PI", "PAC", "NHPI", "HAWAIIAN", "SAMOAN"), "P"),
    **dict.fromkeys(
        ("O", "OTHER", "OTH", "MULTI", "MULTIRACIAL", "MIXED", "BIRACIAL"), "O"
    ),
}

# Words that decide a spelled-out description. "NATIVE" alone decides nothing
# (NATIVE AMERICAN, ALASKA NATIVE, NATIVE HAWAIIAN), nor does "OTHER"
# (NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER) unless no group is named.
_RACE_WORDS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"HISPANIC", "LATINO", "LATINA", "LATINX", "MEXICAN"}), "H"),
    (frozenset({"ASIAN", "CHINESE", "JAPANESE", "KOREAN", "VIETNAMESE"}), "A"),
    (frozenset({"HAWAIIAN", "PACIFIC", "SAMOAN", "GUAMANIAN"}), "P"),
    (frozenset({"INDIAN", "ALASKA", "ALASKAN", "AMERINDIAN"}), "I"),
    (frozenset({"BLACK", "AFRICAN"}), "B"),
    (frozenset({"WHITE", "CAUCASIAN"}), "W"),
)
_NOT_HISPANIC = re.compile(r"\bNO[NT] ?(?:HISPANIC|LATINO|LATINA|LATINX)\b")
_OTHER_WORDS = frozenset({"OTHER", "MULTI", "MULTIRACIAL", "MIXED", "TWO", "BIRACIAL"})
# Two groups named together that still mean one: ASIAN/PACIFIC ISLANDER is
# filed as Asian (the combined pre-1997 category), ASIAN INDIAN is Asian.
_COMBINED = {frozenset("AP"): "A", frozenset("AI"): "A"}


@_cached
def sex_code(text: str | None) -> str | None:
    """M, F or X for any common spelling; None for unknown or unreadable.

    Example:
        >>> sex_code("Male"), sex_code("2"), sex_code("non-binary"), sex_code("U")
        ('M', 'F', 'X', None)
    """
    if text is None:
        return None
    return _SEX.get(_NON_ALNUM.sub("", text.upper()))


@_cached
def race_code(text: str | None) -> str | None:
    """A census-style race group (see ``RACE_LABELS``) for any common spelling.

    Exact codes and words are looked up first; a longer description is read
    by its words: Hispanic wins ("WHITE HISPANIC" -> H, since agencies record
    ethnicity inside race), and a description naming two different groups
    ("BLACK AND WHITE") is O.

    Returns:
        One of W, B, H, A, I, P, O, or None for unknown or unreadable values.

    Example:
        >>> race_code("Caucasian"), race_code("BLK"), race_code("White Hispanic")
        ('W', 'B', 'H')
        >>> race_code("Asian/Pacific Islander"), race_code("unknown")
        ('A', None)
    """
    if text is None:
        return None
    key = " ".join(_NON_ALNUM.sub(" ", text.upper()).split())
    if not key:
        return None
    exact = _RACE.get(key)
    if exact is not None:
        return exact
    # "WHITE, NON-HISPANIC" says White; the negated ethnicity must not count.
    words = set(_NOT_HISPANIC.sub(" ", key).split())
    found = {code for group, code in _RACE_WORDS if not group.isdisjoint(words)}
    if "H" in found:  # ethnicity recorded inside race: WHITE HISPANIC
        return "H"
    if len(found) == 1:
        return found.pop()
    if found:
        return _COMBINED.get(frozenset(found), "O")
    return "O" if not _OTHER_WORDS.isdisjoint(words) else None

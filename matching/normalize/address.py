"""Street, city, state and ZIP in one USPS-like spelling.

Addresses are weak evidence that still separates namesakes; they only help
if "123 North Main Street, Apt. 4" and "123 N MAIN ST #4" compare equal, so
words are abbreviated the USPS way and punctuation goes.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


# Periods and apostrophes vanish (N.W. -> NW); the rest splits words. In a
# street, '#' is a unit number.
_TABLE = str.maketrans({c: ("" if c in ".'`" else " ") for c in string.punctuation})
_STREET_TABLE = str.maketrans({**_TABLE, ord("#"): " APT "})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

_STREET_WORDS: dict[str, str] = {
    "STREET": "ST",
    "STR": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "AVN": "AVE",
    "BOULEVARD": "BLVD",
    "BLV": "BLVD",
    "ROAD": "RD",
    "DRIVE": "DR",
    "DRV": "DR",
    "LANE": "LN",
    "COURT": "CT",
    "CRT": "CT",
    "PLACE": "PL",
    "PARKWAY": "PKWY",
    "PKY": "PKWY",
    "TERRACE": "TER",
    "TERR": "TER",
    "HIGHWAY": "HWY",
    "CIRCLE": "CIR",
    "SQUARE": "SQ",
    "TRAIL": "TRL",
    "EXPRESSWAY": "EXPY",
    "FREEWAY": "FWY",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
    "APARTMENT": "APT",
    "UNIT": "APT",
    "SUITE": "STE",
    "SAINT": "ST",
    "MOUNT": "MT",
    "FORT": "FT",
    "FIRST": "1ST",
    "SECOND": "2ND",
    "THIRD": "3RD",
    "FOURTH": "4TH",
    "FIFTH": "5TH",
    "SIXTH": "6TH",
    "SEVENTH": "7TH",
    "EIGHTH": "8TH",
    "NINTH": "9TH",
    "TENTH": "10TH",
}
_CITY_WORDS: dict[str, str] = {"SAINT": "ST", "FORT": "FT", "MOUNT": "MT"}

# Values that are not a place two people could share: a homeless or refused
# address must not count as agreement between two records.
_PLACEHOLDERS = frozenset(
    {
        "UNKNOWN",
        "UNK",
        "NONE",
        "N A",
        "NA",
        "NULL",
        "REFUSED",
        "NOT GIVEN",
        "NONE GIVEN",
        "NO ADDRESS",
        "HOMELESS",
        "TRANSIENT",
        "NFA",
        "NO FIXED ADDRESS",
        "GENERAL DELIVERY",
    }
)

_STATES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR",
    "CALIFORNIA": "CA", "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE",
    "DISTRICT OF COLUMBIA": "DC", "WASHINGTON DC": "DC", "FLORIDA": "FL",
    "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY",
    "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA",
    "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO",
    "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH",
    "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY",
    "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK",
    "OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI",
    "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN",
    "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA",
    "WASHINGTON": "WA", "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY",
    "PUERTO RICO": "PR", "GUAM": "GU", "VIRGIN ISLANDS": "VI",
    "US VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS",
    "NORTHERN MARIANA ISLANDS": "MP",
    # Old GPO abbreviations still typed by hand.
    "ALA": "AL", "ARIZ": "AZ", "ARK": "AR", "CAL": "CA", "CALIF": "CA",
    "COLO": "CO", "CONN": "CT", "DEL": "DE", "FLA": "FL", "ILL": "IL",
    "IND": "IN", "KAN": "KS", "KANS": "KS", "MASS": "MA", "MICH": "MI",
    "MINN": "MN", "MISS": "MS", "NEB": "NE", "NEBR": "NE", "NEV": "NV",
    "OKLA": "OK", "ORE": "OR", "PENN": "PA", "PENNA": "PA", "TENN": "TN",
    "TEX": "TX", "WASH": "WA", "WIS": "WI", "WISC": "WI", "WYO": "WY",
}  # fmt: skip
_STATE_CODES = frozenset(_STATES.values()) | {"AA", "AE", "AP"}  # + military

_ZIP = re.compile(r"(\d{4,5})(?:[\s-]*\d{4})?")


def _words(text: str, table: Mapping[int, str | None] = _TABLE) -> list[str]:
    """Uppercase ASCII words: accents stripped, punctuation as in ``table``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = _NON_ASCII.sub(
            lambda m: "" if unicodedata.combining(m.group()) else " ", text
        )
    return text.upper().translate(table).split()


@_cached
def clean_street(text: str | None) -> str | None:
    """A street address with USPS abbreviations and a uniform unit marker.

    Apartment, unit and '#' all become APT, so "UNIT 4", "APT #4" and "# 4"
    agree. Homeless, transient and refused values are None: they are not a
    place two records could share.

    Example:
        >>> clean_street("123 North Main Street, Apt. #4B")
        '123 N MAIN ST APT 4B'
        >>> clean_street("P.O. Box 12"), clean_street("homeless")
        ('PO BOX 12', None)
    """
    if text is None:
        return None
    words: list[str] = []
    for word in _words(text, _STREET_TABLE):
        word = _STREET_WORDS.get(word, word)
        if word == "APT" and words and words[-1] == "APT":
            continue
        words.append(word)
    if len(words) >= 3 and words[0] == "P" and words[1] == "O":
        words[0:2] = ["PO"]  # "P O BOX" and "P.O. BOX" agree
    cleaned = " ".join(words)
    if not cleaned or cleaned in _PLACEHOLDERS:
        return None
    return cleaned


@_cached
def clean_city(text: str | None) -> str | None:
    """A city name in uppercase ASCII, SAINT/FORT/MOUNT abbreviated.

    Example:
        >>> clean_city("Saint Louis"), clean_city("st. louis"), clean_city("unk")
        ('ST LOUIS', 'ST LOUIS', None)
    """
    if text is None:
        return None
    cleaned = " ".join(_CITY_WORDS.get(w, w) for w in _words(text))
    if not cleaned or cleaned in _PLACEHOLDERS:
        return None
    return cleaned


@_cached
def clean_state(text: str | None) -> str | None:
    """A two-letter USPS state code from a code, a full name or an old abbreviation.

    Covers the 50 states, DC, the territories and the military codes.

    Returns:
        The code, or None for anything that is not a state.

    Example:
        >>> clean_state("Illinois"), clean_state("il"), clean_state("D.C.")
        ('IL', 'IL', 'DC')
    """
    if text is None:
        return None
    key = " ".join(_words(text))
    if key in _STATE_CODES:
        return key
    return _STATES.get(key)


@_cached
def clean_zip(text: str | None) -> str | None:
    """The five-digit ZIP code; ZIP+4 is cut and a lost leading zero restored.

    Spreadsheets store 02134 as the number 2134 (New England, New Jersey,
    Puerto Rico), so a four-digit value is padded back.

    Returns:
        Five digits, or None for anything else (and for 00000 and 99999).

    Example:
        >>> clean_zip("60601-1234"), clean_zip("2134"), clean_zip("6060A")
        ('60601', '02134', None)
    """
    if text is None:
        return None
    text = text.strip()
    if text.endswith(".0"):  # a float column: "60601.0"
        text = text[:-2]
    m = _ZIP.fullmatch(text)
    if m is None:
        return None
    code = m[1].zfill(5)
    return None if code in ("00000", "99999") else code

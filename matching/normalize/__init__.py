"""Normalisers: raw source values -> the one spelling matching compares.

Every function is pure, cheap on a cache miss (a few µs) and cached on its
input, because the importer calls them for every cell of every row and
values repeat heavily. Empty and placeholder values (UNKNOWN, N/A, 00000)
become None, never a value two records could agree on.
"""

from __future__ import annotations

from matching.normalize.address import clean_city, clean_state, clean_street, clean_zip
from matching.normalize.codes import RACE_LABELS, SEX_LABELS, race_code, sex_code
from matching.normalize.dates import (
    DateKind,
    DateResult,
    parse_age,
    parse_date,
    swap_day_month,
)
from matching.normalize.identifiers import case_number, clean_identifier
from matching.normalize.names import (
    NameParts,
    clean_name,
    compact_surname,
    normalise_name_parts,
    split_full_name,
    surname_parts,
)
from matching.normalize.nicknames import given_name_variants, nickname_equivalent

__all__ = [
    "RACE_LABELS",
    "SEX_LABELS",
    "DateKind",
    "DateResult",
    "NameParts",
    "case_number",
    "clean_city",
    "clean_identifier",
    "clean_name",
    "clean_state",
    "clean_street",
    "clean_zip",
    "compact_surname",
    "given_name_variants",
    "nickname_equivalent",
    "normalise_name_parts",
    "parse_age",
    "parse_date",
    "race_code",
    "sex_code",
    "split_full_name",
    "surname_parts",
    "swap_day_month",
]

"""Blocking rules: which keys two records must share to be compared.

A rule is a frozen dataclass (Splink's ``block_on``); ``DEFAULT_RULES`` is the
union the product uses, each rule there for one kind of damage the others do
not survive. How the rules are run is :mod:`matching.blocking`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """Pairs of records that agree on every key in ``on``.

    Attributes:
        name: shown in the run statistics.
        on: feature names (see :mod:`matching.features`); a multi-valued key
            such as ``first_variants`` matches when any of its values agree.
        split_on: further single-valued keys, tried in order, to split a block
            that is larger than the cap.
        differ_on: single-valued keys the two records must NOT share: a rule
            for swapped names keeps only pairs whose first names differ, so it
            pays only for the pairs it exists to find.
        max_year_gap: drop pairs whose birth years are both known and further
            apart than this: a name rule exists for a damaged or missing birth
            date, not for the thousand JAMES SMITHs born in other decades.
    """

    name: str
    on: tuple[str, ...]
    split_on: tuple[str, ...] = ("birth_year", "first_initial", "last_initial")
    differ_on: tuple[str, ...] = ()
    max_year_gap: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "on": list(self.on),
            "split_on": list(self.split_on),
            "differ_on": list(self.differ_on),
            "max_year_gap": self.max_year_gap,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockingRule:
        gap = data.get("max_year_gap")
        return cls(
            str(data["name"]),
            tuple(data["on"]),
            tuple(data["split_on"]),
            tuple(data.get("differ_on", ())),
            None if gap is None else float(gap),
        )


def block_on(
    *keys: str,
    name: str | None = None,
    split_on: Sequence[str] | None = None,
    differ_on: Sequence[str] = (),
    max_year_gap: float | None = None,
) -> BlockingRule:
    """Declare a blocking rule on one or more feature keys.

    Args:
        *keys: feature names, each a separate argument.
        name: label for statistics; defaults to the keys joined by " + ".
        split_on: keys that split an oversized block (default: birth year, then
            first and last initials).
        differ_on: keys on which the two records must differ.
        max_year_gap: largest gap between known birth years kept.

    Example:
        >>> block_on("dob", "first_initial").name
        'dob + first_initial'
    """
    if not keys or not all(isinstance(k, str) for k in keys):
        raise TypeError(
            'pass each key as its own argument: block_on("dob", "first_initial"), '
            "not a list"
        )
    split = BlockingRule.__dataclass_fields__["split_on"].default
    return BlockingRule(
        name or " + ".join(keys),
        tuple(keys),
        split if split_on is None else tuple(split_on),
        tuple(differ_on),
        max_year_gap,
    )


# Name rules are for a damaged or missing birth date: a keying slip moves the
# year by less than this (a transposed decade keeps the month and day, which
# the "surname sound + birth month-day" rule catches).
_NAME_RULE_YEARS = 10.0

# Ordered from most to least specific; each is there for a field the others
# need intact (the comment says which damage it survives). Rules on coarse
# keys (ZIP, surname) stay affordable at a million records because oversized
# blocks are split by birth year, then initials.
DEFAULT_RULES: tuple[BlockingRule, ...] = (
    # Any name or birth-date damage: the person carries the same SID/FBI/SSN/case.
    BlockingRule("shared identifier", ("identifier",), ("first_initial", "birth_year")),
    # Everything damaged but a person identifier mistyped by one keystroke.
    BlockingRule(
        "identifier one keystroke apart", ("identifier_near",), ("first_initial",)
    ),
    # Surname changed (married name, typo) or missing. The key also holds the
    # (dob, initial) of records sharing a case or person number, so a
    # disposition without a dob, or under an alias, is still reached.
    block_on("dob_first_linked", name="dob + first initial"),
    # First name changed (alias, typo, initial only) or missing.
    block_on("dob_last_linked", name="dob + surname initial"),
    # Both names changed (an alias), the middle name kept.
    block_on("dob", "middle_initial", name="dob + middle initial"),
    # Names swapped, even with typos: {first initial, last initial} is order-free.
    block_on("dob", "initials_pair", name="dob + initials either way round"),
    # Dob damaged or missing: nickname-canonical first name + surname.
    block_on(
        "first_variants",
        "last_compact",
        name="first name (nickname) + surname",
        max_year_gap=_NAME_RULE_YEARS,
    ),
    # Dob missing and the first name mistyped.
    block_on(
        "last_compact",
        "first_phonetic",
        name="surname + first name sound",
        differ_on=("first_name",),
        max_year_gap=_NAME_RULE_YEARS,
    ),
    # First name damaged and the day (or the year) of birth mistyped.
    block_on("last_phonetic", "birth_month", name="surname sound + birth year-month"),
    block_on("last_phonetic", "birth_day", name="surname sound + birth month-day"),
    # First and last name entered the wrong way round, no dob.
    block_on(
        "name_pair",
        name="swapped first/last name",
        differ_on=("first_name",),
        max_year_gap=_NAME_RULE_YEARS,
    ),
    # Day and month transposed (03/04 vs 04/03) with a surname that sounds alike.
    block_on(
        "dob_pair",
        "last_phonetic",
        name="day/month-swapped dob + surname sound",
        differ_on=("dob",),
    ),
    # Compound / married surnames: GARCIA LOPEZ vs LOPEZ, DE LA CRUZ vs CRUZ.
    # A full name split with a compound's first surname in the middle name
    # (DONALD JOHN ROMERO / MORALES): "surname_tokens" has that word too.
    block_on(
        "surname_tokens",
        "first_phonetic",
        name="surname part + first name sound",
        differ_on=("last_compact",),
        max_year_gap=_NAME_RULE_YEARS,
    ),
    # Same address or place, names and dob damaged: each pairs a place key with
    # a person key, so no rule is "everyone in this ZIP".
    block_on("last_compact", "street_number", name="surname + house number"),
    block_on("dob", "street_number", name="dob + house number"),
    block_on("dob", "zip", name="dob + ZIP"),
    block_on("street_key", "zip", name="street start + ZIP"),
    block_on("street_key", "first_initial", name="street start + first initial"),
    block_on("street_key", "last_initial", name="street start + surname initial"),
    block_on("first_variants", "zip", "birth_decade", name="first name + ZIP + decade"),
)

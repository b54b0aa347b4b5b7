"""Comparisons of birth date, sex, address and identifiers.

A missing value is never evidence against a match; the model gives -1 a
weight of zero. Where the clerk's keying slips have a recognisable shape
(a transposed day and month, a digit off) they are levels of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from matching import similarity as sim
from matching.comparison_base import Comparison, Level, Side, _both, _fill


@dataclass(frozen=True, slots=True)
class DobComparison(Comparison):
    """Date of birth, with the keying slips clerks make as their own levels.

    Where a date is missing on either side, birth years inferred from the age
    at each event stand in: agreeing within a year gives the "age" level,
    otherwise "different"; with neither a date nor an age the pair is
    neutral. Two dates a few years apart ("close") are a level apart from
    the ages: a disposition's age is about as telling as a date, while two
    JAMES SMITHs born three years apart are common.
    """

    close_years: float = 5.0
    age_years: float = 1.0
    kind: ClassVar[str] = "dob"
    # "Born the same day, up to a keying slip" (or of one age, where a date
    # is missing): what twins share.
    twin_levels: ClassVar[tuple[int, ...]] = (0, 1, 2, 3, 4)

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same date of birth", 0.85),
            Level("swapped", "Day and month swapped", 0.02),
            Level("one_digit", "One digit off or two digits transposed", 0.05),
            Level("year_off", "Same year and month, or year off by one", 0.03),
            Level(
                "age",
                f"A date missing; ages agree within {self.age_years:g} year",
                0.03,
            ),
            Level("close", f"Born within {self.close_years:g} years", 0.01),
            Level("else", "Different date of birth", 0.02),
        )

    def columns(self) -> tuple[str, ...]:
        return ("dob", "birth_year")

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("dob"), right.codes("dob")
        years = left.features.birth_year
        ya, yb = years[left.rows], years[right.rows]
        gap = np.abs(ya - yb)
        has_years = ~np.isnan(gap)
        both = _both(a, b)
        out = _fill(a.size, has_years, 6)
        # Either date missing: compare the birth years inferred from ages.
        out[~both & has_years & (gap <= self.age_years)] = 4
        idx = np.flatnonzero(both & (a != b))
        level = np.full(idx.size, 6, dtype=np.int8)
        level[gap[idx] <= self.close_years] = 5
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        dates = left.values("dob")
        ymd = left.features.dob_parts
        same_year = ymd[ua, 0] == ymd[ub, 0]
        same_month = ymd[ua, 1] == ymd[ub, 1]
        same_md = same_month & (ymd[ua, 2] == ymd[ub, 2])
        year_off = np.abs(ymd[ua, 0] - ymd[ub, 0]) == 1
        near = (same_year & same_month) | (year_off & same_md)
        unique_level = np.full(ua.size, 6, dtype=np.int8)
        unique_level[near] = 3
        unique_level[sim.edit_distance(dates, ua, ub) == 1] = 2
        per_pair = unique_level[inv]
        level = np.minimum(level, per_pair)
        swap_a = left.codes("dob_swapped")[idx]
        level[(swap_a == b[idx]) & (swap_a >= 0)] = 1
        out[idx] = level
        out[both & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class SexComparison(Comparison):
    """Sex: equal or different. 'X' (unknown / not recorded) counts as missing."""

    kind: ClassVar[str] = "sex"

    def levels(self) -> tuple[Level, ...]:
        return (Level("exact", "Same sex", 0.97), Level("else", "Different sex", 0.03))

    def columns(self) -> tuple[str, ...]:
        return ("sex",)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        values = left.values("sex")
        unknown = np.flatnonzero(values == "X")
        a, b = left.codes("sex"), right.codes("sex")
        ok = _both(a, b) & ~np.isin(a, unknown) & ~np.isin(b, unknown)
        out = _fill(a.size, ok, 1)
        out[ok & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class AddressComparison(Comparison):
    """Address: same street, similar street, same ZIP, same city, else.

    Neutral unless both sides have at least one of street, ZIP or city in
    common use. People move, so "else" is only mild evidence against; the
    model learns how mild.
    """

    street_similarity: float = 0.85
    kind: ClassVar[str] = "address"
    household_levels: ClassVar[tuple[int, ...]] = (0, 1)

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("street", "Same street address", 0.5),
            Level("street_fuzzy", "Similar street address", 0.15),
            Level("zip", "Same ZIP code", 0.1),
            Level("city", "Same city", 0.1),
            Level("else", "Different address", 0.15),
        )

    def columns(self) -> tuple[str, ...]:
        return ("street", "zip", "city")

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        comparable = np.zeros(left.rows.size, dtype=bool)
        for col in ("street", "zip", "city"):
            comparable |= _both(left.codes(col), right.codes(col))
        out = _fill(left.rows.size, comparable, 4)
        for level, col in ((3, "city"), (2, "zip")):
            a, b = left.codes(col), right.codes(col)
            out[_both(a, b) & (a == b)] = level
        a, b = left.codes("street"), right.codes("street")
        idx = np.flatnonzero(_both(a, b) & (a != b))
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        fuzzy = (
            sim.indel_similarity(left.values("street"), ua, ub)
            >= self.street_similarity
        )
        out[idx[fuzzy[inv]]] = 1
        out[_both(a, b) & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class PersonIdComparison(Comparison):
    """An identifier that names a person (SID, FBI, IR, SSN): different is evidence.

    One edit apart (a mistyped or transposed digit) is its own level: usually
    the same person, occasionally two people with neighbouring numbers.
    """

    column: str = ""
    kind: ClassVar[str] = "person_id"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", f"Same {self.column}", 0.9),
            Level("one_edit", f"{self.column} one keystroke apart", 0.05),
            Level("else", f"Different {self.column}", 0.05),
        )

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes(self.column), right.codes(self.column)
        ok = _both(a, b)
        out = _fill(a.size, ok, 2)
        idx = np.flatnonzero(ok & (a != b))
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        close = sim.edit_distance(left.values(self.column), ua, ub) == 1
        out[idx[close[inv]]] = 1
        out[ok & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class EventIdComparison(Comparison):
    """An identifier that names an event (booking, case): only equality speaks.

    One person has many cases, so a different case number is not evidence
    against; its level exists so the model can learn that it is (nearly)
    neutral rather than being told.
    """

    column: str = ""
    kind: ClassVar[str] = "event_id"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", f"Same {self.column}", 0.3),
            Level("else", f"Different {self.column}", 0.7),
        )

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes(self.column), right.codes(self.column)
        out = _fill(a.size, _both(a, b), 1)
        out[_both(a, b) & (a == b)] = 0
        return out

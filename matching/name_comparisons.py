"""Name comparisons: first, last and middle name, generational suffix.

Levels are computed on codes from :mod:`matching.features`: equality tests are
numpy comparisons per pair, and string similarity runs once per distinct value
pair (:mod:`matching.similarity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from matching import similarity as sim
from matching.comparison_base import Comparison, Level, Side, _both, _fill


def name_swap(
    left: Side, right: Side, rows: np.ndarray, jw: float = 0.85
) -> np.ndarray:
    """Swap state of first/last names for pairs ``rows``: 0 none, 1 half, 2 full.

    Full: each record's first name is the other's surname, one side exact and
    the other at least similar (SMITH JON / JOHN SMITH), so a typo does not
    hide a swap. Half: one name crosses over, the other does not.
    """
    fa, la = left.codes("first_name")[rows], left.codes("last_name")[rows]
    fb, lb = right.codes("first_name")[rows], right.codes("last_name")[rows]
    ok = (fa >= 0) & (la >= 0) & (fb >= 0) & (lb >= 0)
    cross_a = ok & (fa == lb)  # my first name is your surname
    cross_b = ok & (la == fb)  # my surname is your first name
    state = np.where(cross_a | cross_b, 1, 0).astype(np.int8)
    state[cross_a & cross_b] = 2
    half = np.flatnonzero(state == 1)
    if half.size:
        # The name that did not cross exactly may still be the same, misspelt.
        x = np.where(cross_a[half], la[half], fa[half])
        y = np.where(cross_a[half], fb[half], lb[half])
        ux, uy, inv = sim.unique_pairs(x, y)
        close = sim.jaro_winkler(left.values("first_name"), ux, uy) >= jw
        state[half[close[inv]]] = 2
    return state


def _gendered(x: str, y: str) -> bool:
    """Male and female forms of one name: ERIC/ERICA, MARIO/MARIA, CARLOS/CARLA.

    Twins are often named so, and one letter apart they look like a typo;
    as their own level the model (and the household guard) can tell them apart.
    """
    for m, f in ((x, y), (y, x)):
        if len(m) < 3 or not f.endswith("A"):
            continue
        stem = f[:-1]
        if m == stem or m in (stem + "O", stem + "OS", stem + "US"):
            return True
    return False


@dataclass(frozen=True, slots=True)
class FirstNameComparison(Comparison):
    """First name: exact, nickname, alike, fuzzy, initial only, swapped.

    Two spellings a few letters apart are either one name mistyped or two
    names that look alike (DANIEL / DANIELLE, DEVON / DEVIN, JAZMIN /
    JASMINE), which is how parents name twins. A keying slip is written
    once, on one record; a name is written on every record of its bearer.
    So a similar pair whose spellings are both *established* (each on at
    least three records, the rarer at least a twentieth as common as the
    other) is "alike", a level of its own, and EM learns that it is weak
    evidence, while a slip stays a "nearly the same" typo. (The same slip
    of a common name recurs, JMAES for JAMES, but never as one in twenty.)
    """

    jw_high: float = 0.92
    jw_low: float = 0.85
    kind: ClassVar[str] = "first_name"
    # "Called the same": what a father and son (or two JAMES SMITHs) share.
    same_levels: ClassVar[tuple[int, ...]] = (0, 1)

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same first name", 0.85, tf=True),
            Level("nickname", "Nickname of each other (BILL / WILLIAM)", 0.04),
            Level("gendered", "Male and female form of one name (ERIC / ERICA)", 0.005),
            Level("jw_high", f"Nearly the same (Jaro-Winkler >= {self.jw_high})", 0.04),
            Level("jw_low", f"Similar (Jaro-Winkler >= {self.jw_low})", 0.02),
            Level("alike", "Two names that look alike (DEVON / DEVIN)", 0.005),
            Level("initial", "Only an initial, and it agrees", 0.02),
            Level("swapped", "First and last names swapped", 0.01),
            Level("else", "Different first names", 0.02),
        )

    def columns(self) -> tuple[str, ...]:
        return ("first_name",)

    @property
    def tf_column(self) -> str | None:
        return "first_name"

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("first_name"), right.codes("first_name")
        out = _fill(a.size, _both(a, b), 8)
        out[_both(a, b) & (a == b)] = 0
        idx = np.flatnonzero(out == 8)
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        names = left.values("first_name")
        jw = sim.jaro_winkler(names, ua, ub)
        lengths = left.features.name_lengths
        short = (lengths[ua] == 1) | (lengths[ub] == 1)
        level = np.full(ua.size, 8, dtype=np.int8)
        level[jw >= self.jw_low] = 4
        level[jw >= self.jw_high] = 3
        counts = _records_per_value(left.features.columns["first_name"].codes, names)
        ca, cb = counts[ua], counts[ub]
        lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
        established = (lo >= _NAME_RECORDS) & (lo >= _NAME_SHARE * hi)
        level[(jw >= self.jw_low) & established] = 5
        similar = np.flatnonzero(jw >= self.jw_low)  # few: a loop over them is cheap
        gendered = [_gendered(names[ua[i]], names[ub[i]]) for i in similar]
        level[similar[np.array(gendered, dtype=bool)]] = 2
        # Letters in another order are a keying slip, never a second name.
        shuffled = [sorted(names[ua[i]]) == sorted(names[ub[i]]) for i in similar]
        slip = similar[np.array(shuffled, dtype=bool)]
        level[slip] = np.where(jw[slip] >= self.jw_high, 3, 4)
        level[sim.share_key(left.features.multi["first_variants"], ua, ub)] = 1
        per_pair = level[inv]
        ia, ib = left.codes("first_initial")[idx], right.codes("first_initial")[idx]
        per_pair[(per_pair == 8) & short[inv] & (ia == ib)] = 6
        swapped = (per_pair == 8) & (name_swap(left, right, idx) == 2)
        per_pair[swapped] = 7
        out[idx] = per_pair
        return out


# What makes a spelling an established name rather than a keying slip.
_NAME_RECORDS = 3
_NAME_SHARE = 0.05


def _records_per_value(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many records carry each value of a column's vocabulary."""
    return np.bincount(codes[codes >= 0], minlength=values.size)


@dataclass(frozen=True, slots=True)
class LastNameComparison(Comparison):
    """Surname: exact, compact, shared compound part, fuzzy, phonetic, swapped.

    A full first/last swap (JOHN SMITH / SMITH JON, see :func:`name_swap`) is
    one fact, scored once by the first-name comparison; here it is neutral
    (-1) unless the surnames agree anyway, or CI would count it twice. The
    "swapped" level is the half swap: this surname is the other's first name
    while the other names differ.

    Levels in ``family_levels`` mean "same family name, up to spelling" (a
    typo does not make two relatives strangers); the model conditions
    household facts (address, birth date) on them, see :mod:`matching.model`.
    """

    jw_high: float = 0.92
    jw_low: float = 0.85
    kind: ClassVar[str] = "last_name"
    family_levels: ClassVar[tuple[int, ...]] = (0, 1, 2, 3, 4, 5)

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same surname", 0.85, tf=True),
            Level(
                "compact", "Same surname written apart (DE LA CRUZ / DELACRUZ)", 0.03
            ),
            Level(
                "part", "Shares a compound surname part (GARCIA LOPEZ / GARCIA)", 0.02
            ),
            Level("jw_high", f"Nearly the same (Jaro-Winkler >= {self.jw_high})", 0.04),
            Level("jw_low", f"Similar (Jaro-Winkler >= {self.jw_low})", 0.02),
            Level("phonetic", "Sounds the same", 0.01),
            Level("swapped", "Surname is the other's first name", 0.01),
            Level("else", "Different surnames", 0.02),
        )

    def columns(self) -> tuple[str, ...]:
        return ("last_name",)

    @property
    def tf_column(self) -> str | None:
        return "last_name"

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("last_name"), right.codes("last_name")
        out = _fill(a.size, _both(a, b), 7)
        out[_both(a, b) & (a == b)] = 0
        idx = np.flatnonzero(out == 7)
        ca, cb = left.codes("last_compact")[idx], right.codes("last_compact")[idx]
        ua, ub, inv = sim.unique_pairs(ca, cb)
        jw = sim.jaro_winkler(left.values("last_compact"), ua, ub)
        level = np.full(ua.size, 7, dtype=np.int8)
        level[jw >= self.jw_low] = 4
        level[jw >= self.jw_high] = 3
        per_pair = level[inv]
        phon_a = left.codes("last_phonetic")[idx]
        phonetic = (phon_a == right.codes("last_phonetic")[idx]) & (phon_a >= 0)
        per_pair[phonetic & (per_pair == 7)] = 5
        na, nb, ninv = sim.unique_pairs(a[idx], b[idx])
        parts = sim.share_key(left.features.multi["last_parts"], na, nb)[ninv]
        per_pair[parts] = 2
        per_pair[ca == cb] = 1
        swap = name_swap(left, right, idx)
        per_pair[(swap == 1) & (per_pair == 7)] = 6
        per_pair[(swap == 2) & (per_pair >= 3)] = -1
        out[idx] = per_pair
        return out


@dataclass(frozen=True, slots=True)
class MiddleNameComparison(Comparison):
    """Middle name: exact, initial agrees (one side only an initial), else."""

    kind: ClassVar[str] = "middle_name"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same middle name", 0.7),
            Level("initial", "Middle initial agrees", 0.2),
            Level("else", "Different middle names", 0.1),
        )

    def columns(self) -> tuple[str, ...]:
        return ("middle_name",)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("middle_name"), right.codes("middle_name")
        ok = _both(a, b)
        out = _fill(a.size, ok, 2)
        lengths = left.features.name_lengths
        short = ok & (
            (lengths[np.maximum(a, 0)] == 1) | (lengths[np.maximum(b, 0)] == 1)
        )
        ia, ib = left.codes("middle_initial"), right.codes("middle_initial")
        out[short & (ia == ib)] = 1
        out[ok & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class SuffixComparison(Comparison):
    """Generational suffix: equal, different (JR vs SR: father and son), or
    written on one record only.

    Whether a suffix on one side only means anything depends on the
    sources: where clerks drop suffixes freely it is nearly neutral, where
    every record of JR carries it, a bare name beside it is the father. It
    is a level of its own so EM measures which.
    """

    kind: ClassVar[str] = "suffix"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same suffix", 0.95),
            Level("else", "Different suffix (JR / SR: father and son?)", 0.01),
            Level("one_side", "Suffix on one record only", 0.04),
        )

    def columns(self) -> tuple[str, ...]:
        return ("suffix",)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("suffix"), right.codes("suffix")
        out = np.full(a.size, -1, dtype=np.int8)
        out[(a >= 0) != (b >= 0)] = 2
        out[_both(a, b)] = 1
        out[_both(a, b) & (a == b)] = 0
        return out

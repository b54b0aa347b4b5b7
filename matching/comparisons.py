"""Comparisons: how two records agree on one aspect, as an ordered list of levels.

Each comparison is a small frozen dataclass (Splink's ``Comparison`` with its
``ComparisonLevel`` list): ``compare(left, right)`` returns, per pair, the index
of the first level that holds, or -1 when either side lacks the value. A
missing value is never evidence against a match; the model gives -1 a weight
of zero. The model learns, per level, how often true matches (m) and random
pairs (u) land there, so levels only need to be *distinguishable*, not scored.

Levels are computed on codes from :mod:`matching.features`: equality tests are
numpy comparisons per pair, and string similarity runs once per distinct value
pair (:mod:`matching.similarity`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from matching import similarity as sim
from matching.features import Features, build_features

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Level:
    """One outcome of a comparison.

    Attributes:
        name: stable machine name ("exact", "nickname"), used in JSON.
        label: what the review screen shows.
        m: starting guess of P(level | match) for EM.
        tf: exact agreement on a value whose weight depends on how common the
            value is (term-frequency adjustment: SMITH counts less than OYELARAN).
    """

    name: str
    label: str
    m: float
    tf: bool = False


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a batch of pairs: the records at ``rows`` of ``features``.

    ``compare(left, right)`` pairs ``left.rows[i]`` with ``right.rows[i]``.
    """

    features: Features
    rows: np.ndarray

    def codes(self, column: str) -> np.ndarray:
        enc = self.features.columns.get(column)
        if enc is None:
            return np.full(self.rows.shape[0], -1, dtype=np.int32)
        return enc.codes[self.rows]

    def values(self, column: str) -> np.ndarray:
        return self.features.columns[column].values


def pair_sides(left: pd.DataFrame, right: pd.DataFrame) -> tuple[Side, Side]:
    """Sides for row-aligned frames: row i of ``left`` pairs with row i of ``right``."""
    import pandas as pd

    if len(left) != len(right):
        raise ValueError("left and right must have the same number of rows")
    both = pd.concat([left, right], ignore_index=True)
    if "source" not in both.columns:
        both["source"] = ["left"] * len(left) + ["right"] * len(right)
    both.index = both.index.astype(np.int64)
    features = build_features(both)
    k = len(left)
    return Side(features, np.arange(k)), Side(features, np.arange(k, 2 * k))


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a >= 0) & (b >= 0)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Base class: a named comparison producing one level index per pair."""

    name: str
    kind: ClassVar[str] = ""

    def levels(self) -> tuple[Level, ...]:
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:
        """Feature columns read; the comparison is dropped if none has data."""
        raise NotImplementedError

    @property
    def tf_column(self) -> str | None:
        """Column whose value frequencies adjust the ``tf`` levels, if any."""
        return None

    def compare(
        self, left: Side | pd.DataFrame, right: Side | pd.DataFrame
    ) -> np.ndarray:
        """Level index per pair (int8), -1 where either value is missing.

        Args:
            left, right: the two sides, as :class:`Side` (the engine) or as
                row-aligned DataFrames of normalised records (tests, tools).

        Example:
            >>> import pandas as pd
            >>> l = pd.DataFrame({"sex": ["M", "M", None]})
            >>> r = pd.DataFrame({"sex": ["M", "F", "F"]})
            >>> SexComparison("sex").compare(l, r).tolist()
            [0, 1, -1]
        """
        if not isinstance(left, Side) or not isinstance(right, Side):
            left, right = pair_sides(left, right)  # type: ignore[arg-type]
        if left.features is not right.features:
            raise ValueError("both sides must come from the same Features")
        return self._levels(left, right)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, **asdict(self)}


def _fill(shape: int, ok: np.ndarray, else_level: int) -> np.ndarray:
    out = np.full(shape, -1, dtype=np.int8)
    out[ok] = else_level
    return out


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
    """First name: exact, nickname, fuzzy, initial only, swapped with surname."""

    jw_high: float = 0.92
    jw_low: float = 0.85
    kind: ClassVar[str] = "first_name"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same first name", 0.85, tf=True),
            Level("nickname", "Nickname of each other (BILL / WILLIAM)", 0.04),
            Level("gendered", "Male and female form of one name (ERIC / ERICA)", 0.005),
            Level("jw_high", f"Nearly the same (Jaro-Winkler >= {self.jw_high})", 0.04),
            Level("jw_low", f"Similar (Jaro-Winkler >= {self.jw_low})", 0.02),
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
        out = _fill(a.size, _both(a, b), 7)
        out[_both(a, b) & (a == b)] = 0
        idx = np.flatnonzero(out == 7)
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        names = left.values("first_name")
        jw = sim.jaro_winkler(names, ua, ub)
        lengths = left.features.name_lengths
        short = (lengths[ua] == 1) | (lengths[ub] == 1)
        level = np.full(ua.size, 7, dtype=np.int8)
        level[jw >= self.jw_low] = 4
        level[jw >= self.jw_high] = 3
        similar = np.flatnonzero(jw >= self.jw_low)  # few: a loop over them is cheap
        gendered = [_gendered(names[ua[i]], names[ub[i]]) for i in similar]
        level[similar[np.array(gendered, dtype=bool)]] = 2
        level[sim.share_key(left.features.multi["first_variants"], ua, ub)] = 1
        per_pair = level[inv]
        ia, ib = left.codes("first_initial")[idx], right.codes("first_initial")[idx]
        per_pair[(per_pair == 7) & short[inv] & (ia == ib)] = 5
        swapped = (per_pair == 7) & (name_swap(left, right, idx) == 2)
        per_pair[swapped] = 6
        out[idx] = per_pair
        return out


@dataclass(frozen=True, slots=True)
class LastNameComparison(Comparison):
    """Surname: exact, compact, shared compound part, fuzzy, phonetic, swapped.

    A full first/last swap (JOHN SMITH / SMITH JON, see :func:`name_swap`) is
    one fact, scored once by the first-name comparison; here it is neutral
    (-1) unless the surnames agree anyway, or CI would count it twice. The
    "swapped" level is the half swap: this surname is the other's first name
    while the other names differ.

    Levels in ``family_levels`` mean "same family name"; the model conditions
    household facts (address, birth date) on them, see :mod:`matching.model`.
    """

    jw_high: float = 0.92
    jw_low: float = 0.85
    kind: ClassVar[str] = "last_name"
    family_levels: ClassVar[tuple[int, ...]] = (0, 1)

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
    """Generational suffix: equal, or different (JR vs SR: father and son).

    A suffix on one side only is treated as missing: clerks drop it freely.
    """

    kind: ClassVar[str] = "suffix"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same suffix", 0.95),
            Level("else", "Different suffix (JR / SR: father and son?)", 0.05),
        )

    def columns(self) -> tuple[str, ...]:
        return ("suffix",)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        a, b = left.codes("suffix"), right.codes("suffix")
        out = _fill(a.size, _both(a, b), 1)
        out[_both(a, b) & (a == b)] = 0
        return out


@dataclass(frozen=True, slots=True)
class DobComparison(Comparison):
    """Date of birth, with the keying slips clerks make as their own levels.

    Where a date is missing on either side, birth years inferred from the age
    at each event stand in: agreeing within a year gives the "close" level,
    otherwise "different"; with neither a date nor an age the pair is neutral.
    """

    close_years: float = 5.0
    age_years: float = 1.0
    kind: ClassVar[str] = "dob"

    def levels(self) -> tuple[Level, ...]:
        return (
            Level("exact", "Same date of birth", 0.85),
            Level("swapped", "Day and month swapped", 0.02),
            Level("one_digit", "One digit off or two digits transposed", 0.05),
            Level("year_off", "Same year and month, or year off by one", 0.03),
            Level(
                "close",
                f"Born within {self.close_years:g} years "
                f"(or ages agree within {self.age_years:g} year)",
                0.03,
            ),
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
        out = _fill(a.size, has_years, 5)
        # Either date missing: compare the birth years inferred from ages.
        out[~both & has_years & (gap <= self.age_years)] = 4
        idx = np.flatnonzero(both & (a != b))
        level = np.full(idx.size, 5, dtype=np.int8)
        level[gap[idx] <= self.close_years] = 4
        ua, ub, inv = sim.unique_pairs(a[idx], b[idx])
        dates = left.values("dob")
        ymd = left.features.dob_parts
        same_year = ymd[ua, 0] == ymd[ub, 0]
        same_month = ymd[ua, 1] == ymd[ub, 1]
        same_md = same_month & (ymd[ua, 2] == ymd[ub, 2])
        year_off = np.abs(ymd[ua, 0] - ymd[ub, 0]) == 1
        near = (same_year & same_month) | (year_off & same_md)
        unique_level = np.full(ua.size, 5, dtype=np.int8)
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


COMPARISON_TYPES: dict[str, type[Comparison]] = {
    cls.kind: cls
    for cls in (
        FirstNameComparison,
        LastNameComparison,
        MiddleNameComparison,
        SuffixComparison,
        DobComparison,
        SexComparison,
        AddressComparison,
        PersonIdComparison,
        EventIdComparison,
    )
}


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
    """Rebuild a comparison from :meth:`Comparison.to_dict` output."""
    fields = dict(data)
    kind = fields.pop("type")
    if kind not in COMPARISON_TYPES:
        raise ValueError(
            f"unknown comparison type {kind!r}; known: {sorted(COMPARISON_TYPES)}"
        )
    return COMPARISON_TYPES[kind](**fields)


def default_comparisons(id_columns: tuple[str, ...] = ()) -> tuple[Comparison, ...]:
    """The standard comparisons, plus one per identifier column present.

    Args:
        id_columns: identifier columns in the data (``Features.id_columns``);
            ``booking_number`` and ``case_number`` are event ids, the rest
            (SID, FBI, IR and every ``id_*``) name a person.
    """
    from matching.features import EVENT_ID_COLUMNS

    out: list[Comparison] = [
        FirstNameComparison("first_name"),
        LastNameComparison("last_name"),
        MiddleNameComparison("middle_name"),
        SuffixComparison("suffix"),
        DobComparison("dob"),
        SexComparison("sex"),
        AddressComparison("address"),
    ]
    for col in id_columns:
        if col in EVENT_ID_COLUMNS:
            out.append(EventIdComparison(col, column=col))
        else:
            out.append(PersonIdComparison(col, column=col))
    return tuple(out)


def level_matrix(
    comparisons: tuple[Comparison, ...] | list[Comparison],
    features: Features,
    left: np.ndarray,
    right: np.ndarray,
    *,
    batch: int = 2_000_000,
    on_batch: Any = None,
    cancel: Any = None,
) -> np.ndarray:
    """Levels of every comparison for pairs of record positions.

    Args:
        comparisons: the comparisons, in column order.
        features: the records' features.
        left, right: record positions of each pair.
        batch: pairs per batch; bounds the temporary memory of the kernels.
        on_batch: called with the number of pairs done after each batch.
        cancel: polled between batches (see :mod:`matching.progress`).

    Returns:
        int8 array (n_pairs, n_comparisons).
    """
    from matching.progress import check_cancel

    n = int(left.shape[0])
    out = np.empty((n, len(comparisons)), dtype=np.int8)
    for start in range(0, n, batch):
        check_cancel(cancel)
        stop = min(start + batch, n)
        a = Side(features, left[start:stop])
        b = Side(features, right[start:stop])
        for k, comp in enumerate(comparisons):
            out[start:stop, k] = comp.compare(a, b)
        if on_batch is not None:
            on_batch(stop)
    return out

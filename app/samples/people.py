"""The synthetic population, as numpy arrays of small integers.

A person is a row across these arrays: names are indices into `FIRST_NAMES`
and `SURNAMES`, dates are proleptic ordinals. Keeping strings out lets a
quarter of a million people live in a few megabytes while the agency files
are streamed, and lets the look-alike groups be made by copying columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from app.samples import names
from app.samples.places import CHICAGO_STREETS, CITIES, SUBURB_STREETS

RACES: tuple[str, ...] = ("B", "H", "W", "A", "I")
_RACE_P = (0.50, 0.27, 0.19, 0.03, 0.01)
GROUPS: tuple[str, ...] = (
    "none",
    "father_son",
    "twin",
    "sibling",
    "common_name",
    "compound_surname",
    "married_name",
)
G_NONE, G_FATHER_SON, G_TWIN, G_SIBLING, G_COMMON, G_COMPOUND, G_MARRIED = range(7)

FIRST_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(
        names.MALE_GENERAL
        + names.MALE_BLACK
        + names.MALE_HISPANIC
        + names.MALE_ASIAN
        + names.FEMALE_GENERAL
        + names.FEMALE_BLACK
        + names.FEMALE_HISPANIC
        + names.FEMALE_ASIAN
        + tuple(n for pair in names.TWIN_NAME_PAIRS for n in (pair[0], pair[2]))
    )
)
SURNAMES: tuple[str, ...] = tuple(
    dict.fromkeys(
        names.SURNAMES_GENERAL
        + names.SURNAMES_HISPANIC
        + names.SURNAMES_ASIAN
        + names.SURNAMES_RARE
        + names.SURNAMES_HISPANIC_RARE
    )
)
STREETS: tuple[tuple[str, str, str], ...] = CHICAGO_STREETS + SUBURB_STREETS
FIRST_POS = {n: i for i, n in enumerate(FIRST_NAMES)}
SUR_POS = {n: i for i, n in enumerate(SURNAMES)}
_EARLIEST_DOB = date(1925, 1, 1).toordinal()
LATEST_DOB = date(2001, 12, 31).toordinal()
YEAR = 365.25


class _Pool:
    """Indices into a name table with Zipf weights, ready for `rng.choice`."""

    def __init__(self, table: dict[str, int], members: tuple[str, ...]) -> None:
        self.idx = np.array([table[m] for m in members], dtype=np.int32)
        w = np.array(names.zipf_weights(len(members)))
        self.p = w / w.sum()

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self.idx, size=size, p=self.p)


_FIRST_POOLS = {
    (sex, kind): _Pool(FIRST_POS, members)
    for (sex, kind), members in {
        (0, "gen"): names.MALE_GENERAL,
        (0, "blk"): names.MALE_BLACK,
        (0, "his"): names.MALE_HISPANIC,
        (0, "asn"): names.MALE_ASIAN,
        (1, "gen"): names.FEMALE_GENERAL,
        (1, "blk"): names.FEMALE_BLACK,
        (1, "his"): names.FEMALE_HISPANIC,
        (1, "asn"): names.FEMALE_ASIAN,
    }.items()
}
SUR_POOLS = {
    "gen": _Pool(SUR_POS, names.SURNAMES_GENERAL),
    "his": _Pool(SUR_POS, names.SURNAMES_HISPANIC),
    "asn": _Pool(SUR_POS, names.SURNAMES_ASIAN),
}
_RARE_IDX = np.array([SUR_POS[r] for r in names.SURNAMES_RARE], dtype=np.int32)
_HIS_RARE_IDX = np.array(
    [SUR_POS[r] for r in names.SURNAMES_HISPANIC_RARE], dtype=np.int32
)
# Which first-name list each race draws from, as (list, share) pairs.
_FIRST_MIX = {0: (("blk", 0.4),), 1: (("his", 0.75),), 2: (), 3: (("asn", 0.5),)}
_KINDS = ("gen", "blk", "his", "asn")
_SUR_MIX = {0: "gen", 1: "his", 2: "gen", 3: "asn", 4: "gen"}


@dataclass(frozen=True, slots=True)
class People:
    """Column arrays of the true attributes, one entry per person."""

    sex: np.ndarray  # 0 male, 1 female
    race: np.ndarray  # index into RACES
    first: np.ndarray
    middle: np.ndarray  # -1: none
    last: np.ndarray
    last2: np.ndarray  # second surname of a compound surname, -1: none
    suffix: np.ndarray  # index into names.SUFFIXES
    dob: np.ndarray  # ordinal
    street_no: np.ndarray
    street: np.ndarray  # index into STREETS
    apt: np.ndarray  # 0: none
    city: np.ndarray  # index into CITIES
    zip: np.ndarray
    alt_street_no: np.ndarray
    alt_street: np.ndarray
    alt_city: np.ndarray
    alt_zip: np.ndarray
    moved_on: np.ndarray  # ordinal from which the alt address applies, 0: never
    sid: np.ndarray  # 0: none
    fbi: np.ndarray  # 0: none
    ir: np.ndarray  # 0: none
    group: np.ndarray  # index into GROUPS
    group_id: np.ndarray  # shared by the members of one look-alike group, -1
    alias_first: np.ndarray  # -1: no alias
    alias_last: np.ndarray  # -1: alias keeps the surname
    married_last: np.ndarray  # -1: none
    married_on: np.ndarray  # ordinal, 0: never

    def __len__(self) -> int:
        return len(self.sex)


def compact(values: np.ndarray) -> np.ndarray:
    """The smallest of int8/int16/int32 that holds integer `values` unchanged.

    A quarter of a million people and their events stay in memory while the
    files stream out, so the columns should not be int64 by default.
    """
    if values.dtype.kind not in "iu" or not len(values):
        return values
    lo, hi = int(values.min()), int(values.max())
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return values.astype(dtype)
    return values


def draw_first(
    rng: np.random.Generator, sex: np.ndarray, race: np.ndarray
) -> np.ndarray:
    """Given names by sex and race: each race mixes its own list with the general."""
    n = len(sex)
    kind = np.zeros(n, dtype=np.int8)
    u = rng.random(n)
    for r, mixes in _FIRST_MIX.items():
        for list_name, share in mixes:
            kind[(race == r) & (u < share)] = _KINDS.index(list_name)
    out = np.empty(n, dtype=np.int32)
    for s in (0, 1):
        for code, list_name in enumerate(_KINDS):
            pick = (sex == s) & (kind == code)
            if pick.any():
                out[pick] = _FIRST_POOLS[(s, list_name)].draw(rng, int(pick.sum()))
    return out


def draw_surname(rng: np.random.Generator, race: np.ndarray) -> np.ndarray:
    """Surnames by race; a share come from the rare tail of each tradition."""
    out = np.empty(len(race), dtype=np.int32)
    for r in range(len(RACES)):
        sel = race == r
        if sel.any():
            out[sel] = SUR_POOLS[_SUR_MIX[r]].draw(rng, int(sel.sum()))
    u = rng.random(len(race))
    rare = (race != 1) & (u < 0.25)
    out[rare] = rng.choice(_RARE_IDX, int(rare.sum()))
    his_rare = (race == 1) & (u < 0.12)
    out[his_rare] = rng.choice(_HIS_RARE_IDX, int(his_rare.sum()))
    return out


def _draw_address(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Street number, street, city and ZIP; Chicago streets only in Chicago."""
    w = np.array([c[2] for c in CITIES])
    city = rng.choice(len(CITIES), size=n, p=w / w.sum())
    chicago = city == 0
    street = np.where(
        chicago,
        rng.integers(0, len(CHICAGO_STREETS), n),
        len(CHICAGO_STREETS) + rng.integers(0, len(SUBURB_STREETS), n),
    )
    number = np.where(chicago, rng.integers(100, 13000, n), rng.integers(1, 22000, n))
    zip_ = np.empty(n, dtype=np.int64)
    for c, (_, zips, _) in enumerate(CITIES):
        sel = city == c
        zip_[sel] = rng.choice(np.array(zips, dtype=np.int64), int(sel.sum()))
    return number, street, city, zip_


def _unique_ids(
    rng: np.random.Generator, n: int, share: float, lo: int, span: int
) -> np.ndarray:
    """Distinct identifiers in [lo, lo + span) for a share of people (0 = none).

    An affine map `(i * a + b) mod span` with `a` coprime to `span` is a
    bijection, so the ids are distinct without `choice(replace=False)`, which
    materialises the whole span (72 MB for seven-digit IR numbers).
    """
    if n > span:
        raise ValueError(f"cannot draw {n} distinct ids from {span}")
    a = int(rng.integers(span // 3, span))
    while math.gcd(a, span) != 1:
        a += 1
    b = int(rng.integers(0, span))
    ids = (rng.permutation(n).astype(np.int64) * a + b) % span + lo
    ids[rng.random(n) >= share] = 0
    return ids


def base_columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Draw `n` independent people; look-alike groups are made from these later."""
    race = rng.choice(len(RACES), size=n, p=_RACE_P).astype(np.int8)
    sex = (rng.random(n) < 0.22).astype(np.int8)
    birth_years = 1925 + 77 * rng.beta(2.2, 1.6, n)
    dob = (_EARLIEST_DOB + (birth_years - 1925) * YEAR).astype(np.int64)
    dob = np.clip(dob, _EARLIEST_DOB, LATEST_DOB)
    first = draw_first(rng, sex, race)
    middle = np.where(rng.random(n) < 0.7, draw_first(rng, sex, race), -1)
    last = draw_surname(rng, race)
    his_second = SUR_POOLS["his"].draw(rng, n)
    compound = (race == 1) & (rng.random(n) < 0.3) & (his_second != last)
    u = rng.random(n)
    suffix = np.select([u < 0.03, u < 0.036, u < 0.04, u < 0.041], [1, 4, 3, 5], 0)
    suffix[sex == 1] = 0
    number, street, city, zip_ = _draw_address(rng, n)
    alt_number, alt_street, alt_city, alt_zip = _draw_address(rng, n)
    lo, hi = date(1986, 1, 1).toordinal(), date(2019, 1, 1).toordinal()
    moved_on = np.where(rng.random(n) < 0.35, rng.integers(lo, hi, n), 0)
    ir = _unique_ids(rng, n, 0.6, 1_000_000, 9_000_000)
    ir[(city != 0) & (rng.random(n) < 0.8)] = 0  # IR numbers are Chicago PD's
    alias = rng.random(n) < 0.03
    alias_last = np.where(alias & (rng.random(n) < 0.5), draw_surname(rng, race), -1)
    return {
        "sex": sex,
        "race": race,
        "first": first,
        "middle": middle.astype(np.int32),
        "last": last,
        "last2": np.where(compound, his_second, -1).astype(np.int32),
        "suffix": suffix.astype(np.int8),
        "dob": dob,
        "street_no": number,
        "street": street,
        "apt": np.where(rng.random(n) < 0.18, rng.integers(1, 60, n), 0),
        "city": city,
        "zip": zip_,
        "alt_street_no": alt_number,
        "alt_street": alt_street,
        "alt_city": alt_city,
        "alt_zip": alt_zip,
        "moved_on": moved_on,
        "sid": _unique_ids(rng, n, 0.9, 10_000_000, 90_000_000),
        "fbi": _unique_ids(rng, n, 0.7, 0, 6_760_000_000),
        "ir": ir,
        "group": np.zeros(n, dtype=np.int8),
        "group_id": np.full(n, -1, dtype=np.int32),
        "alias_first": np.where(alias, draw_first(rng, sex, race), -1).astype(np.int32),
        "alias_last": alias_last.astype(np.int32),
        "married_last": np.full(n, -1, dtype=np.int32),
        "married_on": np.zeros(n, dtype=np.int64),
    }

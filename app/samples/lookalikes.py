"""Hard look-alikes: different people whose records a matcher could merge.

A matcher that only ever sees easy strangers looks perfect. Real rosters hold
fathers and sons with one name at one address, twins with one birth date,
siblings, dozens of JAMES SMITHs, and women whose surname changed mid-history.
Each kind is made by overwriting columns of independently drawn people, so the
members of one group are disjoint from every other group.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np

from app.samples import names
from app.samples.people import (
    FIRST_POS,
    G_COMMON,
    G_COMPOUND,
    G_FATHER_SON,
    G_MARRIED,
    G_NONE,
    G_SIBLING,
    G_TWIN,
    LATEST_DOB,
    RACES,
    SUR_POS,
    YEAR,
    People,
    base_columns,
    compact,
    draw_first,
    draw_surname,
)

_JR, _SR, _II = (names.SUFFIXES.index(s) for s in ("JR", "SR", "II"))
_HOUSEHOLD = ("last", "last2", "race", "street_no", "street", "apt", "city", "zip")


class _Taker:
    """Hands out consecutive slices of a permutation, so groups never overlap."""

    def __init__(self, perm: np.ndarray) -> None:
        self.perm = perm
        self.pos = 0

    def __call__(self, k: int) -> np.ndarray:
        out = self.perm[self.pos : self.pos + k]
        self.pos += len(out)
        return out


def build_people(rng: np.random.Generator, n: int) -> People:
    """Draw `n` people and turn a few percent of them into look-alike groups."""
    cols = base_columns(rng, n)
    take = _Taker(rng.permutation(n))
    next_id = 0
    for make, share in (
        (_fathers_and_sons, 0.015),
        (_twins, 0.01),
        (_siblings, 0.015),
    ):
        k = round(share * n)
        a, b = take(k), take(k)
        if len(b) < k:
            break
        make(rng, cols, a, b)
        ids = np.arange(next_id, next_id + k, dtype=np.int32)
        cols["group_id"][a] = cols["group_id"][b] = ids
        next_id += k
    members = take(round(0.04 * n))
    next_id = _common_names(rng, cols, members, next_id)
    compound = (cols["group"] == G_NONE) & (cols["last2"] >= 0)
    cols["group"][compound] = G_COMPOUND
    cols["group_id"][compound] = next_id + np.arange(int(compound.sum()))
    _fix_sex_dependent(rng, cols)
    return People(**{key: compact(values) for key, values in cols.items()})


def _household(cols: dict[str, np.ndarray], src: np.ndarray, dst: np.ndarray) -> None:
    """Give `dst` the surname, race and home address of `src`."""
    for key in _HOUSEHOLD:
        cols[key][dst] = cols[key][src]


def _fathers_and_sons(
    rng: np.random.Generator,
    cols: dict[str, np.ndarray],
    dad: np.ndarray,
    son: np.ndarray,
) -> None:
    """Same first and last name and address, 18-35 years apart; JR/SR only sometimes."""
    k = len(dad)
    son_dob = rng.integers(date(1966, 1, 1).toordinal(), LATEST_DOB, k)
    cols["dob"][son] = son_dob
    cols["dob"][dad] = son_dob - (rng.uniform(18, 35, k) * YEAR).astype(np.int64)
    cols["sex"][dad] = cols["sex"][son] = 0
    _household(cols, dad, son)
    race = cols["race"][dad]
    male = np.zeros(k, dtype=np.int8)
    cols["first"][dad] = cols["first"][son] = draw_first(rng, male, race)
    dad_middle = np.where(rng.random(k) < 0.7, draw_first(rng, male, race), -1)
    own_middle = np.where(rng.random(k) < 0.7, draw_first(rng, male, race), -1)
    cols["middle"][dad] = dad_middle
    cols["middle"][son] = np.where(rng.random(k) < 0.35, dad_middle, own_middle)
    u = rng.random(k)
    cols["suffix"][son] = np.select([u < 0.65, u < 0.7], [_JR, _II], 0)
    cols["suffix"][dad] = np.where(rng.random(k) < 0.3, _SR, 0)
    cols["group"][dad] = cols["group"][son] = G_FATHER_SON


def _twins(
    rng: np.random.Generator, cols: dict[str, np.ndarray], a: np.ndarray, b: np.ndarray
) -> None:
    """Same surname, birth date and address; half get matching names."""
    k = len(a)
    _household(cols, a, b)
    cols["dob"][b] = cols["dob"][a]
    cols["sex"][b] = np.where(rng.random(k) < 0.5, cols["sex"][a], 1 - cols["sex"][a])
    cols["first"][b] = _different_first(rng, cols, a, b)
    similar = np.flatnonzero(rng.random(k) < 0.5)
    pairs = rng.integers(0, len(names.TWIN_NAME_PAIRS), len(similar))
    for i, p in zip(similar.tolist(), pairs.tolist(), strict=True):
        n1, s1, n2, s2 = names.TWIN_NAME_PAIRS[p]
        cols["first"][a[i]], cols["sex"][a[i]] = FIRST_POS[n1], "MF".index(s1)
        cols["first"][b[i]], cols["sex"][b[i]] = FIRST_POS[n2], "MF".index(s2)
    cols["group"][a] = cols["group"][b] = G_TWIN


def _siblings(
    rng: np.random.Generator, cols: dict[str, np.ndarray], a: np.ndarray, b: np.ndarray
) -> None:
    """Same surname and address, born 1-10 years apart."""
    _household(cols, a, b)
    gap = (rng.uniform(1, 10, len(a)) * YEAR).astype(np.int64)
    later = cols["dob"][a] + gap
    cols["dob"][b] = np.where(later <= LATEST_DOB, later, cols["dob"][a] - gap)
    cols["first"][b] = _different_first(rng, cols, a, b)
    cols["group"][a] = cols["group"][b] = G_SIBLING


def _different_first(
    rng: np.random.Generator, cols: dict[str, np.ndarray], a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """First names for `b` (by its own sex) that differ from `a`'s."""
    first = draw_first(rng, cols["sex"][b], cols["race"][b])
    for _ in range(5):
        same = first == cols["first"][a]
        if not same.any():
            break
        first[same] = draw_first(rng, cols["sex"][b][same], cols["race"][b][same])
    return first


def _common_names(
    rng: np.random.Generator,
    cols: dict[str, np.ndarray],
    members: np.ndarray,
    next_id: int,
) -> int:
    """Clusters of distinct people with one very common full name.

    Three in ten members get a birth date close to an earlier member's (a few
    weeks apart, or the same day a year or more apart), the cases where name
    plus a slightly wrong birth date is not enough.
    """
    n_clusters = int(np.clip(len(cols["sex"]) // 500, 3, len(names.COMMON_FULL_NAMES)))
    m = len(members)
    cluster = np.arange(m) % n_clusters
    for c in range(n_clusters):
        first, last, sex, race = names.COMMON_FULL_NAMES[c]
        sel = members[cluster == c]
        cols["first"][sel] = FIRST_POS[first]
        cols["last"][sel] = SUR_POS[last]
        cols["sex"][sel] = "MF".index(sex)
        cols["race"][sel] = RACES.index(race)
    cols["last2"][members] = -1
    cols["suffix"][members] = 0
    close = rng.random(m) < 0.3
    near = rng.integers(-45, 46, m)
    years = rng.integers(1, 4, m) * np.where(rng.random(m) < 0.5, -1, 1)
    dob = cols["dob"]
    for j in np.flatnonzero(close[n_clusters:]) + n_clusters:
        ref = int(dob[members[j - n_clusters]])
        if near[j] % 2:
            new = ref + int(near[j])
        else:
            d = date.fromordinal(ref)
            day = 28 if (d.month, d.day) == (2, 29) else d.day
            new = d.replace(year=d.year + int(years[j]), day=day).toordinal()
        dob[members[j]] = min(new, LATEST_DOB)
    cols["group"][members] = G_COMMON
    cols["group_id"][members] = next_id + cluster
    return next_id + n_clusters


def _fix_sex_dependent(rng: np.random.Generator, cols: dict[str, np.ndarray]) -> None:
    """Redraw middle names and aliases of people whose sex a group changed."""
    grouped = np.flatnonzero(cols["group"] != G_NONE)
    sex, race = cols["sex"][grouped], cols["race"][grouped]
    keep_dad = cols["group"][grouped] == G_FATHER_SON
    middle = np.where(cols["middle"][grouped] >= 0, draw_first(rng, sex, race), -1)
    cols["middle"][grouped] = np.where(keep_dad, cols["middle"][grouped], middle)
    alias = np.where(cols["alias_first"][grouped] >= 0, draw_first(rng, sex, race), -1)
    cols["alias_first"][grouped] = alias
    cols["suffix"][cols["sex"] == 1] = 0


def with_marriages(
    rng: np.random.Generator,
    people: People,
    first_event: np.ndarray,
    last_event: np.ndarray,
) -> People:
    """Marry about 2% of people (women) between their first and last event.

    Records after `married_on` carry the new surname, so the marriage must fall
    inside the person's record history to make a look-alike at all.
    """
    n = len(people)
    eligible = (
        (people.sex == 1)
        & (people.group == G_NONE)
        & (last_event - first_event > 365)
        & (people.alias_first < 0)
    )
    share = min(1.0, 0.02 * n / max(1, int(eligible.sum())))
    chosen = np.flatnonzero(eligible & (rng.random(n) < share))
    k = len(chosen)
    married_last = people.married_last.astype(np.int32)
    married_on = people.married_on.astype(np.int32)
    group, group_id = people.group.copy(), people.group_id.astype(np.int32)
    new_last = draw_surname(rng, people.race[chosen])
    same = new_last == people.last[chosen]
    new_last[same] = draw_surname(rng, people.race[chosen][same])
    married_last[chosen] = new_last
    span = (last_event - first_event)[chosen]
    offset = 1 + (rng.random(k) * (span - 1)).astype(np.int64)
    married_on[chosen] = first_event[chosen] + offset
    group[chosen] = G_MARRIED
    group_id[chosen] = int(group_id.max()) + 1 + np.arange(k, dtype=np.int32)
    return dataclasses.replace(
        people,
        married_last=compact(married_last),
        married_on=compact(married_on),
        group=group,
        group_id=compact(group_id),
    )

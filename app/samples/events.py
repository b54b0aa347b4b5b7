"""Incidents, arrests, court cases and charges, as numpy columns.

Everything the three agency files say about an event is decided here, once,
so the clerk row, the arrest row and the disposition row of one charge agree
on the truth while each writer adds its own noise. Case and booking numbers
are assigned in date order, as a clerk's docket and a jail's log would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from app.samples.people import YEAR, People, compact
from app.samples.statutes import (
    AGG_BATTERY,
    AGG_BATTERY_OLD,
    AGG_BATTERY_RENUMBERED_ORDINAL,
    CASE_TYPES,
    CHARGES,
    POSSESSION_REBANDED_ORDINAL,
)

FIRST_OFFENSE = date(1985, 1, 1).toordinal()
LAST_OFFENSE = date(2019, 12, 31).toordinal()
_EPOCH = date(1970, 1, 1).toordinal()
OUT_CONVICTION, OUT_NON_CONVICTION, OUT_NONE = 0, 1, 2
DISP_NONE, DISP_PER_CASE, DISP_PER_CHARGE = 0, 1, 2

_CHARGE_P = np.array([c.weight for c in CHARGES]) / sum(c.weight for c in CHARGES)
_CHARGE_TYPE = np.array([CASE_TYPES.index(c.case_type) for c in CHARGES])
# (lo, hi) grams per [offences before, on or after 2016-07-29][charge]; NaN
# for charges not by weight.
_GRAMS = np.array(
    [
        [c.on(day).grams or (np.nan, np.nan) for c in CHARGES]
        for day in (POSSESSION_REBANDED_ORDINAL - 1, POSSESSION_REBANDED_ORDINAL)
    ]
)
_DELIVERY = np.array([c.key.startswith("550/5") for c in CHARGES])


@dataclass(frozen=True, slots=True)
class Events:
    """Arrests, cases and charges; indices refer to people and to each other."""

    arrest_person: np.ndarray
    arrest_date: np.ndarray  # ordinal
    arrest_booking: np.ndarray  # sequence within the day
    arrest_charge: np.ndarray  # index into CHARGES
    arrest_grams: np.ndarray  # nan: not cannabis by weight
    arrest_attempt: np.ndarray
    arrest_case: np.ndarray  # -1: never charged
    case_person: np.ndarray
    case_offense: np.ndarray
    case_filing: np.ndarray
    case_type: np.ndarray  # index into CASE_TYPES
    case_year: np.ndarray
    case_seq: np.ndarray
    case_first_charge: np.ndarray
    case_n_charges: np.ndarray
    case_disp_date: np.ndarray
    case_disp_record: np.ndarray  # DISP_*
    charge_case: np.ndarray
    charge_seq: np.ndarray  # 1-based within the case
    charge_code: np.ndarray
    charge_grams: np.ndarray
    charge_attempt: np.ndarray
    charge_outcome: np.ndarray  # OUT_*
    charge_disp_date: np.ndarray
    person_first_event: np.ndarray
    person_last_event: np.ndarray


def years_of(ordinals: np.ndarray) -> np.ndarray:
    """Calendar years of proleptic ordinals, vectorised."""
    days = (ordinals - _EPOCH).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _rank_within(keys: np.ndarray, order: np.ndarray) -> np.ndarray:
    """0-based rank of each item among those with the same key, in `order`."""
    sorted_keys = keys[order]
    first = np.searchsorted(sorted_keys, sorted_keys, side="left")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - first
    return rank


def _draw_charges(
    rng: np.random.Generator, offense: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Statute, grams and attempt flag for charges with these offense dates."""
    n = len(offense)
    code = rng.choice(len(CHARGES), size=n, p=_CHARGE_P)
    renamed = (code == AGG_BATTERY) & (offense < AGG_BATTERY_RENUMBERED_ORDINAL)
    code[renamed] = AGG_BATTERY_OLD
    period = (offense >= POSSESSION_REBANDED_ORDINAL).astype(np.intp)
    lo, hi = _GRAMS[period, code, 0], _GRAMS[period, code, 1]
    log_lo, log_hi = np.log(lo), np.log(hi)  # NaN for charges not by weight
    grams = np.round(np.exp(log_lo + rng.random(n) * (log_hi - log_lo)), 1)
    # Bands are "more than lo, up to hi": an amount rounded onto lo would
    # belong to the band below, so it is nudged up by 0.1 g.
    grams = np.where(grams <= lo, np.round(lo + 0.1, 1), grams)
    attempt = rng.random(n) < np.where(_DELIVERY[code], 0.06, 0.025)
    return code, grams, attempt


def build_events(rng: np.random.Generator, people: People) -> Events:
    """Give every person one or more incidents, then arrests, cases and charges."""
    person, offense, first_event, last_event = _incidents(rng, people)
    m = len(person)
    u = rng.random(m)
    has_arrest, has_case = u < 0.85, (u < 0.55) | (u >= 0.85)
    late = rng.random(m) < 0.15
    arrest_date = offense + np.where(late, rng.integers(1, 90, m, dtype=np.int32), 0)
    filing = np.where(
        has_arrest,
        arrest_date + rng.integers(0, 4, m, dtype=np.int32),
        offense + rng.integers(7, 120, m, dtype=np.int32),
    )
    inc_case = np.flatnonzero(has_case)
    cases = _cases(rng, offense[inc_case], filing[inc_case])
    cases["case_person"] = person[inc_case]
    arrests = _arrests(rng, cases, inc_case, np.flatnonzero(has_arrest), m, offense)
    arrests["arrest_person"] = person[arrests.pop("incident")]
    arrests["arrest_date"] = arrest_date[np.flatnonzero(has_arrest)]
    order = np.lexsort(
        (rng.random(len(arrests["arrest_date"])), arrests["arrest_date"])
    )
    arrests["arrest_booking"] = _rank_within(arrests["arrest_date"], order) + 1
    return Events(
        **{key: compact(v) for key, v in (cases | arrests).items()},
        person_first_event=first_event,
        person_last_event=last_event,
    )


def _incidents(rng: np.random.Generator, people: People) -> tuple[np.ndarray, ...]:
    """(person, offense date) per incident, 1-8 per person, from age 17 to 65.

    Dates lean early in each person's window, as offending peaks young.
    """
    n = len(people)
    n_inc = np.minimum(rng.geometric(0.68, n), 8)
    person = np.repeat(np.arange(n, dtype=np.int32), n_inc)
    dob = people.dob[person].astype(np.int32)
    start = np.maximum(FIRST_OFFENSE, dob + int(17 * YEAR))
    end = np.maximum(np.minimum(LAST_OFFENSE, dob + int(65 * YEAR)), start)
    offense = start + (rng.beta(1.3, 2.2, len(person)) * (end - start)).astype(np.int32)
    starts = np.r_[0, np.cumsum(n_inc)[:-1]]
    first_event = np.minimum.reduceat(offense, starts)
    last_event = np.maximum.reduceat(offense, starts)
    return person, offense, first_event, last_event


def _cases(
    rng: np.random.Generator, offense: np.ndarray, filing: np.ndarray
) -> dict[str, np.ndarray]:
    """Court cases with 1-4 charges each, their outcomes and docket numbers."""
    k = len(offense)
    n_charges = rng.choice(np.array([1, 2, 3, 4], dtype=np.int8), size=k,
                           p=[0.5, 0.3, 0.14, 0.06])  # fmt: skip
    charge_case = np.repeat(np.arange(k, dtype=np.int32), n_charges)
    first_charge = np.r_[0, np.cumsum(n_charges, dtype=np.int32)[:-1]].astype(np.int32)
    charge_seq = (
        np.arange(len(charge_case), dtype=np.int32) - first_charge[charge_case] + 1
    )
    code, grams, attempt = _draw_charges(rng, offense[charge_case])
    case_type = np.maximum.reduceat(_CHARGE_TYPE[code], first_charge)

    lead = charge_seq == 1
    u = rng.random(len(charge_case))
    conv = np.where(lead, 0.58, 0.22)
    outcome = np.select(
        [u < conv, u < 0.95], [OUT_CONVICTION, OUT_NON_CONVICTION], OUT_NONE
    )
    disp_date = filing + rng.integers(20, 500, k, dtype=np.int32)
    charge_disp = disp_date[charge_case]
    # Some secondary counts are dropped before the case ends.
    early = (~lead) & (outcome == OUT_NON_CONVICTION) & (rng.random(len(u)) < 0.1)
    span = charge_disp - filing[charge_case]
    cut = (rng.random(len(u)) * span * 0.8).astype(np.int32)
    charge_disp = np.where(early, charge_disp - cut, charge_disp)
    known = np.maximum.reduceat((outcome != OUT_NONE).astype(np.int8), first_charge) > 0
    style = np.where(rng.random(k) < 0.5, DISP_PER_CASE, DISP_PER_CHARGE)
    case_year = years_of(filing)
    return {
        "case_offense": offense,
        "case_filing": filing,
        "case_type": case_type,
        "case_year": case_year,
        "case_seq": _case_numbers(rng, case_year * 3 + case_type, filing),
        "case_first_charge": first_charge,
        "case_n_charges": n_charges,
        "case_disp_date": disp_date,
        "case_disp_record": np.where(known & (rng.random(k) < 0.7), style, DISP_NONE),
        "charge_case": charge_case,
        "charge_seq": charge_seq,
        "charge_code": code,
        "charge_grams": grams,
        "charge_attempt": attempt,
        "charge_outcome": outcome,
        "charge_disp_date": charge_disp,
    }


def _arrests(
    rng: np.random.Generator,
    cases: dict[str, np.ndarray],
    inc_case: np.ndarray,
    inc_arrest: np.ndarray,
    m: int,
    offense: np.ndarray,
) -> dict[str, np.ndarray]:
    """Arrests; one that led to a case books the case's lead charge."""
    code, grams, attempt = _draw_charges(rng, offense[inc_arrest])
    case_of_incident = np.full(m, -1, dtype=np.int32)
    case_of_incident[inc_case] = np.arange(len(inc_case), dtype=np.int32)
    a_case = case_of_incident[inc_arrest]
    charged = a_case >= 0
    lead = cases["case_first_charge"][a_case[charged]]
    code[charged] = cases["charge_code"][lead]
    grams[charged] = cases["charge_grams"][lead]
    attempt[charged] = cases["charge_attempt"][lead]
    return {
        "incident": inc_arrest,
        "arrest_charge": code,
        "arrest_grams": grams,
        "arrest_attempt": attempt,
        "arrest_case": a_case,
    }


def _case_numbers(
    rng: np.random.Generator, group: np.ndarray, filing: np.ndarray
) -> np.ndarray:
    """Docket numbers rising with filing date within each year and case type.

    Gaps between our numbers stand for the county's other cases, so numbers look
    like a real docket rather than 1, 2, 3.
    """
    n = len(group)
    order = np.lexsort((rng.random(n), filing, group))
    gaps = rng.integers(1, 40, n)
    sorted_group = group[order]
    csum = np.cumsum(gaps)
    group_start = np.searchsorted(sorted_group, sorted_group, side="left")
    before = csum[group_start] - gaps[group_start]
    base = rng.integers(100, 5000, n)[group_start]  # per group: same start index
    seq = np.empty(n, dtype=np.int64)
    seq[order] = csum - before + base
    return seq

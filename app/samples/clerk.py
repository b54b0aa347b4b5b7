"""clerk.csv: the circuit clerk's case records, one row per charge.

Every charge of a case repeats the case number, name, birth date and address
exactly as keyed once at filing, so the noise is drawn per case, not per row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.samples import noise
from app.samples.events import OUT_CONVICTION, OUT_NONE, Events
from app.samples.people import RACES, People
from app.samples.sinks import (
    CsvRows,
    TruthSink,
    addresses,
    case_key,
    chunks,
    expand,
    mdy,
    mistype_digits,
    name_keys,
)
from app.samples.statutes import (
    CASE_TYPES,
    CHARGES,
    CONVICTION,
    NO_OUTCOME,
    NON_CONVICTION,
    cite,
    wording_for,
)

SOURCE = "clerk"
HEADER = (
    "CASE_NO", "CHARGE_SEQ", "DEF_NAME", "DOB", "SEX", "RACE", "ADDR", "CITY", "ST",
    "ZIP", "SID", "STATUTE", "CHARGE_DESC", "OFFENSE_DT", "FILING_DT", "DISP",
    "DISP_DT",
)  # fmt: skip


def def_name(
    first: str, middle: str, last: str, suffix: str, rng: random.Random
) -> str:
    """'LAST, FIRST MIDDLE SUFFIX'; clerks sometimes hang the suffix on the surname."""
    given = f"{first} {middle}" if middle else first
    if not suffix or rng.random() < 0.3:
        return f"{last}, {given}"
    if rng.random() < 0.3:
        return f"{last} {suffix}, {given}"
    return f"{last}, {given} {suffix}"


def write_clerk(
    path: Path, people: People, ev: Events, rng: random.Random, truth: TruthSink
) -> int:
    """Write clerk.csv in docket order and return its number of records."""
    profile = noise.PROFILES[SOURCE]
    order = np.lexsort((ev.case_seq, ev.case_type, ev.case_year))
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = CsvRows(fh, quoting=1, lineterminator="\n")  # csv.QUOTE_ALL
        out.header(HEADER)
        for chunk in chunks(order):
            person = ev.case_person[chunk]
            filing = ev.case_filing[chunk]
            charges = expand(ev.case_first_charge[chunk], ev.case_n_charges[chunk])
            ch = zip(
                ev.charge_seq[charges].tolist(),
                ev.charge_code[charges].tolist(),
                ev.charge_grams[charges].tolist(),
                ev.charge_attempt[charges].tolist(),
                ev.charge_outcome[charges].tolist(),
                ev.charge_disp_date[charges].tolist(),
                strict=True,
            )
            for row in zip(
                person.tolist(),
                name_keys(people, person),
                addresses(people, person, filing),
                people.dob[person].tolist(),
                people.sex[person].tolist(),
                people.race[person].tolist(),
                people.sid[person].tolist(),
                ev.case_year[chunk].tolist(),
                ev.case_type[chunk].tolist(),
                ev.case_seq[chunk].tolist(),
                ev.case_offense[chunk].tolist(),
                filing.tolist(),
                ev.case_n_charges[chunk].tolist(),
                strict=True,
            ):
                _write_case(out, truth, row, ch, profile, rng)
    return out.rows


def _write_case(
    out: CsvRows,
    truth: TruthSink,
    row: tuple[Any, ...],
    charges: Iterator[tuple[int, int, float, bool, int, int]],
    profile: noise.Profile,
    rng: random.Random,
) -> None:
    """The rows of one case: person fields drawn once, then one row per charge."""
    p, name, addr, dob, sex, race, sid, year, ctype, seq, offense, filing, n = row
    first, middle, last, suffix = noise.person_name(name, filing, profile, rng)
    born = noise.birth_date(dob, profile, rng)
    place = noise.address(addr, profile, rng) or ("", "", "")
    race_code = RACES[race]
    if race_code == "H" and rng.random() < 0.25:
        race_code = "W"
    sid_text = (
        mistype_digits(str(sid), 0.01, rng) if sid and rng.random() < 0.35 else ""
    )
    key = case_key(year, CASE_TYPES[ctype], seq)
    who = (
        def_name(first, middle, last, suffix, rng),
        mdy(born) if born else "",
        "MF"[sex] if rng.random() > 0.003 else "",
        race_code,
    )
    where = (place[0], place[1], "IL" if place[0] else "", place[2], sid_text)
    offense_text = mdy(date.fromordinal(offense))
    filing_text = mdy(date.fromordinal(filing))
    for _ in range(n):
        charge_seq, code, grams, attempt, outcome, disp_on = next(charges)
        charge = CHARGES[code]
        statute = cite(
            charge, source=SOURCE, offense_ordinal=offense, attempt=attempt, rng=rng
        )
        described = charge.on(offense).clerk_desc
        desc = f"ATTEMPT {described}" if attempt and rng.random() < 0.6 else described
        disp, disp_dt, written = "", "", NO_OUTCOME
        if outcome != OUT_NONE and rng.random() >= 0.04:
            written = CONVICTION if outcome == OUT_CONVICTION else NON_CONVICTION
            disp = wording_for(charge, written, rng).text
            disp_dt = mdy(date.fromordinal(disp_on))
        record_id = out.record(
            (key, charge_seq, *who, *where, statute, desc, offense_text, filing_text,
             disp, disp_dt)
        )  # fmt: skip
        truth.add(SOURCE, record_id, p, key, charge.key, grams, attempt, written)

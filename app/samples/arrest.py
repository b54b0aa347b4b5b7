"""arrest.csv: the police department's arrest log, one row per arrest.

A Windows export: Windows-1252 bytes (Ñ is 0xD1), CRLF line ends, headers with
'#' and spaces, two birth-date formats, and a free-text remarks column with
commas and the odd line break. It is also the only file carrying the person
identifiers (SID, FBI, IR) and the booking number.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.samples import noise
from app.samples.events import Events
from app.samples.people import RACES, People
from app.samples.sinks import (
    CsvRows,
    TruthSink,
    addresses,
    case_key,
    chunks,
    dd_mon_yy,
    fbi_text,
    mistype_digits,
    name_keys,
)
from app.samples.statutes import CASE_TYPES, CHARGES, NO_OUTCOME, cite

SOURCE = "arrest"
HEADER = (
    "Booking #", "IR #", "Last Name", "First Name", "Middle", "Date of Birth", "Gender",
    "Race", "Address", "City", "Arrest Date", "Statute", "Offense", "SID", "FBI #",
    "Remarks",
)  # fmt: skip
_RACE_WORDS = {
    "B": (("BLACK", 1.0),),
    "W": (("WHITE", 1.0),),
    "H": (("WHITE HISPANIC", 0.7), ("BLACK HISPANIC", 0.1), ("WHITE", 0.2)),
    "A": (("ASIAN", 0.6), ("ASIAN/PACIFIC ISLANDER", 0.4)),
    "I": (("AMER IND/ALASKAN NATIVE", 1.0),),
}
_REMARKS = (
    "SUBJ OBSERVED IN HAND-TO-HAND TRANSACTION, FLED ON FOOT",
    "TRAFFIC STOP, ODOR OF CANNABIS, SEARCH INCIDENT TO ARREST",
    "ARRESTED ON WARRANT, NO BOND",
    "VICTIM SIGNED COMPLAINTS, TRANSPORTED TO DIST {d:03d}",
    "HOLD FOR OUTSIDE AGENCY",
    "REFUSED TO GIVE ADDRESS",
    "CALLED IN BY BEAT {d:03d}2, PROCESSED",
)
_CANNABIS_REMARKS = (
    "RECOVERED {g} GRAMS SUSPECT CANNABIS, {b} BAGS",
    "EST WT {g} G",
    "INVENTORY #{inv}, {g}G CANNABIS",
)
_MULTILINE = "TRANSPORTED TO DIST {d:03d}\nBOND SET BY JUDGE, $5,000 D-BOND"


def _race(code: str, rng: random.Random) -> str:
    """Race as the jail system spells it; Hispanic arrestees are often 'WHITE'."""
    words = _RACE_WORDS[code]
    return rng.choices([w for w, _ in words], weights=[p for _, p in words])[0]


def _remarks(grams: float, force_newline: bool, rng: random.Random) -> str:
    """Free text: often blank, commas common, a line break now and then."""
    d = rng.randrange(1, 26)
    if force_newline or rng.random() < 0.001:
        return _MULTILINE.format(d=d)
    u = rng.random()
    if grams == grams and u < 0.5:  # cannabis by weight: officers note it
        template = rng.choice(_CANNABIS_REMARKS)
        return template.format(
            g=grams, b=rng.randrange(1, 12), inv=rng.randrange(10**7)
        )
    if u < 0.75:
        return ""
    return rng.choice(_REMARKS).format(d=d)


def _case_keys(ev: Events, case: np.ndarray) -> list[str]:
    """The case number each arrest led to, '' for arrests never charged."""
    if not len(ev.case_year):
        return [""] * len(case)
    safe = np.maximum(case, 0)
    return [
        case_key(y, CASE_TYPES[t], s) if c >= 0 else ""
        for c, y, t, s in zip(
            case.tolist(),
            ev.case_year[safe].tolist(),
            ev.case_type[safe].tolist(),
            ev.case_seq[safe].tolist(),
            strict=True,
        )
    ]


def write_arrest(
    path: Path, people: People, ev: Events, rng: random.Random, truth: TruthSink
) -> int:
    """Write arrest.csv in booking order and return its number of records."""
    profile = noise.PROFILES[SOURCE]
    order = np.lexsort((ev.arrest_booking, ev.arrest_date))
    with path.open("w", encoding="cp1252", newline="") as fh:
        out = CsvRows(fh, lineterminator="\r\n")
        out.header(HEADER)
        for chunk in chunks(order):
            person = ev.arrest_person[chunk]
            on = ev.arrest_date[chunk]
            case = ev.arrest_case[chunk]
            for row in zip(
                person.tolist(),
                name_keys(people, person),
                addresses(people, person, on),
                people.dob[person].tolist(),
                people.sex[person].tolist(),
                people.race[person].tolist(),
                people.sid[person].tolist(),
                people.fbi[person].tolist(),
                people.ir[person].tolist(),
                on.tolist(),
                ev.arrest_booking[chunk].tolist(),
                ev.arrest_charge[chunk].tolist(),
                ev.arrest_grams[chunk].tolist(),
                ev.arrest_attempt[chunk].tolist(),
                _case_keys(ev, case),
                strict=True,
            ):
                _write_arrest(out, truth, row, profile, rng)
    return out.rows


def _write_arrest(
    out: CsvRows,
    truth: TruthSink,
    row: tuple[Any, ...],
    profile: noise.Profile,
    rng: random.Random,
) -> None:
    (
        p,
        name,
        addr,
        dob,
        sex,
        race,
        sid,
        fbi,
        ir,
        on,
        booking,
        code,
        grams,
        attempt,
        key,
    ) = row
    first, middle, last, suffix = noise.person_name(name, on, profile, rng)
    if suffix and rng.random() < 0.6:
        last = f"{last} {suffix}"
    born = noise.birth_date(dob, profile, rng)
    if born is None:
        born_text = ""
    elif rng.random() < 0.6:
        born_text = born.isoformat()
    else:
        born_text = dd_mon_yy(born)
    if rng.random() < 0.01:
        street, city = "HOMELESS", ""
    else:
        street, city, _ = noise.address(addr, profile, rng) or ("", "", "")
        if city == "CHICAGO" and rng.random() < 0.1:
            city = "CHGO"
    arrested = date.fromordinal(on)
    charge = CHARGES[code]
    described = charge.on(on).arrest_desc  # the arrest date stands for the offence
    offense = f"ATT {described}" if attempt and rng.random() < 0.5 else described
    remarks = _remarks(grams, out.rows == 1, rng)
    record_id = out.record(
        (
            f"{arrested:%Y%m%d}{booking:03d}",
            mistype_digits(str(ir), 0.005, rng) if ir and rng.random() > 0.05 else "",
            last,
            first,
            middle,
            born_text,
            ("MALE", "FEMALE")[sex] if rng.random() > 0.003 else "",
            _race(RACES[race], rng),
            street,
            city,
            f"{arrested.isoformat()} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
            cite(charge, source=SOURCE, offense_ordinal=on, attempt=attempt, rng=rng),
            offense,
            mistype_digits(str(sid), 0.01, rng) if sid and rng.random() > 0.08 else "",
            fbi_text(fbi) if fbi and rng.random() > 0.2 else "",
            remarks,
        )
    )
    truth.add(SOURCE, record_id, p, key, charge.key, grams, attempt, NO_OUTCOME)

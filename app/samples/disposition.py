"""disposition.csv (or .xlsx): the court's disposition system.

It knows cases, not people: a case number in its own spelling, a name as one
string 'FIRST MIDDLE LAST SUFFIX', often no birth date but an age, and no
identifiers. Some cases get one row (the lead charge), others one row per
charge with the charge number appended to the case number.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.samples import noise
from app.samples.events import (
    DISP_NONE,
    DISP_PER_CASE,
    OUT_CONVICTION,
    OUT_NONE,
    Events,
)
from app.samples.people import People
from app.samples.sinks import (
    CsvRows,
    TruthSink,
    XlsxRows,
    age_on,
    case_key,
    chunks,
    name_keys,
)
from app.samples.statutes import (
    CASE_TYPES,
    CHARGES,
    CONVICTION,
    NO_OUTCOME,
    NON_CONVICTION,
    SENTENCES,
    cite,
    wording_for,
)

SOURCE = "disposition"
HEADER = (
    "CASE NUMBER", "DEFENDANT", "BIRTH DATE", "AGE", "STATUTE", "DISPOSITION",
    "DISPOSITION DATE",
)  # fmt: skip


def spell_case(
    year: int, ctype: str, seq: int, charge: int | None, rng: random.Random
) -> str:
    """'15CR0012345-01' for a charge row; '15 CR 12345' or '2015CR12345' for a case."""
    if charge is not None:
        return f"{year % 100:02d}{ctype}{seq:07d}-{charge:02d}"
    if rng.random() < 0.8:
        return f"{year % 100:02d} {ctype} {seq}"
    return f"{year}{ctype}{seq}"


def disposition_text(
    charge_code: int, outcome: int, rng: random.Random
) -> tuple[str, str]:
    """(text, outcome class) as the disposition system writes it."""
    if outcome == OUT_NONE:
        return "", NO_OUTCOME
    written = CONVICTION if outcome == OUT_CONVICTION else NON_CONVICTION
    text = wording_for(CHARGES[charge_code], written, rng).text
    if written == CONVICTION and rng.random() < 0.4:
        text += rng.choice((" - ", "; ", ", ")) + rng.choice(SENTENCES)
    return text, written


def write_disposition(
    path: Path,
    people: People,
    ev: Events,
    rng: random.Random,
    truth: TruthSink,
    *,
    xlsx: bool = False,
) -> int:
    """Write the disposition file in disposition-date order; return its record count."""
    cases = np.flatnonzero(ev.case_disp_record != DISP_NONE)
    cases = cases[np.lexsort((ev.case_seq[cases], ev.case_disp_date[cases]))]
    if xlsx:
        sheet = XlsxRows(path, "Dispositions")
        _write_all(sheet, people, ev, cases, rng, truth, xlsx=True)
        sheet.close()
        return sheet.rows
    with path.open("w", encoding="utf-8", newline="") as fh:
        rows = CsvRows(fh, delimiter=";", lineterminator="\r\n")
        _write_all(rows, people, ev, cases, rng, truth, xlsx=False)
    return rows.rows


def _write_all(
    sink: CsvRows | XlsxRows,
    people: People,
    ev: Events,
    cases: np.ndarray,
    rng: random.Random,
    truth: TruthSink,
    *,
    xlsx: bool,
) -> None:
    """Every disposition record, in the order of `cases`."""
    profile = noise.PROFILES[SOURCE]
    sink.header(HEADER)
    for chunk in chunks(cases):
        person = ev.case_person[chunk]
        for row in zip(
            person.tolist(),
            name_keys(people, person),
            people.dob[person].tolist(),
            ev.case_year[chunk].tolist(),
            ev.case_type[chunk].tolist(),
            ev.case_seq[chunk].tolist(),
            ev.case_offense[chunk].tolist(),
            ev.case_disp_date[chunk].tolist(),
            ev.case_disp_record[chunk].tolist(),
            ev.case_first_charge[chunk].tolist(),
            ev.case_n_charges[chunk].tolist(),
            strict=True,
        ):
            _write_case(sink, truth, ev, row, profile, rng, xlsx=xlsx)


def _write_case(
    sink: CsvRows | XlsxRows,
    truth: TruthSink,
    ev: Events,
    row: tuple[Any, ...],
    profile: noise.Profile,
    rng: random.Random,
    *,
    xlsx: bool,
) -> None:
    """One row for the lead charge, or one per charge, sharing the defendant."""
    p, name, dob, year, ctype, seq, offense, disp_on, style, first_charge, n = row
    first, middle, last, suffix = noise.person_name(name, disp_on, profile, rng)
    defendant = " ".join(part for part in (first, middle, last, suffix) if part)
    born = noise.birth_date(dob, profile, rng)
    age: int | str = age_on(date.fromordinal(dob), date.fromordinal(disp_on))
    if rng.random() < 0.02:
        age = ""
    born_text = f"{born:%Y%m%d}" if born else ""
    type_text = CASE_TYPES[ctype]
    key = case_key(year, type_text, seq)
    per_case = style == DISP_PER_CASE
    for c in range(first_charge, first_charge + (1 if per_case else n)):
        code = int(ev.charge_code[c])
        attempt = bool(ev.charge_attempt[c])
        on = date.fromordinal(disp_on if per_case else int(ev.charge_disp_date[c]))
        text, written = disposition_text(code, int(ev.charge_outcome[c]), rng)
        charge_no = None if per_case else int(ev.charge_seq[c])
        record_id = sink.record(
            (
                spell_case(year, type_text, seq, charge_no, rng),
                defendant,
                born_text,
                age if xlsx else str(age),
                cite(CHARGES[code], source=SOURCE, offense_ordinal=offense,
                     attempt=attempt, rng=rng),
                text,
                on if xlsx else f"{on.month}/{on.day}/{on.year}",
            )
        )  # fmt: skip
        grams = float(ev.charge_grams[c])
        truth.add(SOURCE, record_id, p, key, CHARGES[code].key, grams, attempt, written)

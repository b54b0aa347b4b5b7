"""people.csv: every person's true attributes and look-alike group.

This is the answer key a reviewer or a benchmark reads next to a doubtful
match: it says that two records belong to a father and his son (same
group_id) rather than to one man.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np

from app.samples import names
from app.samples.people import FIRST_NAMES, GROUPS, RACES, STREETS, SURNAMES, People
from app.samples.places import CITIES
from app.samples.sinks import CHUNK, fbi_text, person_id

HEADER = (
    "person_id", "first", "middle", "last", "suffix", "sex", "race", "dob", "street",
    "city", "state", "zip", "sid", "fbi", "ir", "alias_first", "alias_last",
    "married_last", "married_on", "group", "group_id",
)  # fmt: skip


def _street(number: int, street: int, apt: int) -> str:
    direction, name, kind = STREETS[street]
    line = " ".join(p for p in (str(number), direction, name, kind) if p)
    return f"{line} APT {apt}" if apt else line


def write_people(path: Path, people: People) -> int:
    """Write people.csv (UTF-8, accents kept) and return the number of people."""
    n = len(people)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        for start in range(0, n, CHUNK):
            sl = slice(start, min(n, start + CHUNK))
            cols = [getattr(people, f)[sl].tolist() for f in _FIELDS]
            for i, row in enumerate(zip(*cols, strict=True), start=start):
                out.writerow(_person_row(i, *row))
    return n


_FIELDS = (
    "first", "middle", "last", "last2", "suffix", "sex", "race", "dob", "street_no",
    "street", "apt", "city", "zip", "sid", "fbi", "ir", "alias_first", "alias_last",
    "married_last", "married_on", "group", "group_id",
)  # fmt: skip


def _person_row(
    i: int,
    first: int,
    middle: int,
    last: int,
    last2: int,
    suffix: int,
    sex: int,
    race: int,
    dob: int,
    street_no: int,
    street: int,
    apt: int,
    city: int,
    zip_: int,
    sid: int,
    fbi: int,
    ir: int,
    alias_first: int,
    alias_last: int,
    married_last: int,
    married_on: int,
    group: int,
    group_id: int,
) -> tuple[object, ...]:
    surname = SURNAMES[last] + (f" {SURNAMES[last2]}" if last2 >= 0 else "")
    return (
        person_id(i),
        FIRST_NAMES[first],
        FIRST_NAMES[middle] if middle >= 0 else "",
        surname,
        names.SUFFIXES[suffix],
        "MF"[sex],
        RACES[race],
        date.fromordinal(dob).isoformat(),
        _street(street_no, street, apt),
        CITIES[city][0],
        "IL",
        f"{zip_:05d}",
        sid or "",
        fbi_text(fbi) if fbi else "",
        ir or "",
        FIRST_NAMES[alias_first] if alias_first >= 0 else "",
        SURNAMES[alias_last] if alias_last >= 0 else "",
        SURNAMES[married_last] if married_last >= 0 else "",
        date.fromordinal(married_on).isoformat() if married_on else "",
        GROUPS[group],
        f"G{group_id:06d}" if group_id >= 0 else "",
    )


def group_counts(people: People) -> dict[str, int]:
    """How many people are in each look-alike group (for reports and tests)."""
    counts = np.bincount(people.group, minlength=len(GROUPS))
    return {g: int(c) for g, c in zip(GROUPS, counts, strict=True)}

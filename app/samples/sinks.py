"""Where rows go: agency files, the truth files, and the shared row plumbing.

The importer identifies a CSV record by the physical line it starts on, so the
CSV sink counts lines (a quoted newline makes a row two lines long) and hands
the record id back to the writer, which puts it straight into the truth files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np

from app.samples.people import People

CHUNK = 20_000
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
           "DEC")  # fmt: skip
TRUTH_HEADER = ("source", "record_id", "person_id")
CHARGES_HEADER = (
    "source",
    "record_id",
    "person_id",
    "case_key",
    "statute_key",
    "grams",
    "attempt",
    "outcome",
)


class CsvRows:
    """A csv.writer that returns the physical line each record starts on.

    Lines are counted in the text actually written, so a line break inside any
    quoted field moves every later record id, exactly as the importer sees it.
    """

    def __init__(self, fh: IO[str], **fmt: Any) -> None:
        self._fh = fh
        self._writer = csv.writer(self, **fmt)
        self._lines = 0  # complete lines written so far
        self.rows = 0  # records, not counting the header

    def write(self, text: str) -> int:
        """File protocol for csv.writer: pass through, counting line breaks."""
        self._lines += text.count("\n")
        return self._fh.write(text)

    def header(self, row: Sequence[str]) -> None:
        """Write the header (line 1)."""
        self._writer.writerow(row)

    def record(self, row: Sequence[object]) -> int:
        """Write one record and return the line it starts on."""
        record_id = self._lines + 1
        self._writer.writerow(row)
        self.rows += 1
        return record_id


class XlsxRows:
    """Rows of one write-only worksheet; the record id is the sheet row number."""

    def __init__(self, path: Path, title: str) -> None:
        # Imported here: only the --xlsx path needs it.
        from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]

        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title)
        self._row = 1
        self.rows = 0

    def header(self, row: Sequence[str]) -> None:
        """Write the header (row 1)."""
        self._sheet.append(list(row))
        self._row += 1

    def record(self, row: Sequence[object]) -> int:
        """Write one record and return its sheet row number."""
        record_id = self._row
        # An empty cell, not an empty string, is what a database export leaves.
        self._sheet.append([None if value == "" else value for value in row])
        self._row += 1
        self.rows += 1
        return record_id

    def close(self) -> None:
        """Save the workbook; nothing is on disk before this."""
        self._book.save(self._path)


class TruthSink:
    """Appends to truth.csv and charges_truth.csv as the agency files are written."""

    def __init__(self, truth: IO[str], charges: IO[str]) -> None:
        self._truth = csv.writer(truth, lineterminator="\n")
        self._charges = csv.writer(charges, lineterminator="\n")
        self._truth.writerow(TRUTH_HEADER)
        self._charges.writerow(CHARGES_HEADER)

    def add(
        self,
        source: str,
        record_id: int,
        person: int,
        case_key: str,
        statute_key: str,
        grams: float,
        attempt: bool,
        outcome: str,
    ) -> None:
        """Record which person a row belongs to and what its charge really is."""
        pid = person_id(person)
        self._truth.writerow((source, record_id, pid))
        g = "" if grams != grams else f"{grams:.1f}"  # NaN: no weight
        self._charges.writerow(
            (source, record_id, pid, case_key, statute_key, g,
             "true" if attempt else "false", outcome)
        )  # fmt: skip


def person_id(index: int) -> str:
    """The ground-truth id of person `index` (0-based)."""
    return f"P{index + 1:07d}"


def chunks(order: np.ndarray) -> Iterator[np.ndarray]:
    """Slices of `order` small enough to turn into Python lists cheaply."""
    for start in range(0, len(order), CHUNK):
        yield order[start : start + CHUNK]


def expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ranges [start, start+count) without a Python loop."""
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(
        int(ends[-1]) if len(ends) else 0
    )


def name_keys(people: People, idx: np.ndarray) -> list[tuple[int, ...]]:
    """Per record, the tuple `noise.person_name` expects."""
    return list(
        zip(
            people.first[idx].tolist(),
            people.middle[idx].tolist(),
            people.last[idx].tolist(),
            people.last2[idx].tolist(),
            people.suffix[idx].tolist(),
            people.alias_first[idx].tolist(),
            people.alias_last[idx].tolist(),
            people.married_last[idx].tolist(),
            people.married_on[idx].tolist(),
            strict=True,
        )
    )


def addresses(people: People, idx: np.ndarray, on: np.ndarray) -> list[tuple[int, ...]]:
    """Per record, the address the person lived at on date `on`."""
    moved = (people.moved_on[idx] > 0) & (on >= people.moved_on[idx])
    cols = (
        np.where(moved, people.alt_street_no[idx], people.street_no[idx]),
        np.where(moved, people.alt_street[idx], people.street[idx]),
        np.where(moved, 0, people.apt[idx]),
        np.where(moved, people.alt_city[idx], people.city[idx]),
        np.where(moved, people.alt_zip[idx], people.zip[idx]),
    )
    return list(zip(*(c.tolist() for c in cols), strict=True))


def fbi_text(value: int) -> str:
    """An FBI number like '123456AB7' from its integer code."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        f"{value // 6760:06d}{letters[value // 260 % 26]}{letters[value // 10 % 26]}"
        f"{value % 10}"
    )


def case_key(year: int, case_type: str, seq: int) -> str:
    """The canonical case number, as the clerk writes it: '2015-CR-0012345'."""
    return f"{year}-{case_type}-{seq:07d}"


def mdy(d: date) -> str:
    """MM/DD/YYYY."""
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def dd_mon_yy(d: date) -> str:
    """DD-MON-YY, Oracle's default (the century is lost, as in real exports)."""
    return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year % 100:02d}"


def age_on(dob: date, on: date) -> int:
    """Whole years between `dob` and `on`."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def mistype_digits(text: str, rate: float, rng: Any) -> str:
    """An identifier with one digit changed, at `rate`."""
    if rng.random() >= rate or len(text) < 2:
        return text
    i = rng.randrange(len(text))
    if not text[i].isdigit():
        return text
    return text[:i] + str((int(text[i]) + rng.randrange(1, 10)) % 10) + text[i + 1 :]

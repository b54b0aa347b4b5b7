"""Rows, the reader protocol, and the header checks every format shares."""

from __future__ import annotations

import re
import weakref
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from app.errors import InputError

DELIMITERS = ",;\t|"
_CHUNK = 1 << 20  # encoding scans read 1 MiB at a time: cheap, bounded memory
_HEAD = 64 * 1024  # bytes used to tell binary from text and to sniff the delimiter
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, or any encrypted Office file
_NUMBER = re.compile(r"[-+]?\$?(\d[\d,]*)?\.?\d+%?")
_DATE = re.compile(
    r"(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[- ]?[A-Za-z]{3}[- ]?\d{2,4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
)
_ESCAPED = re.compile("[\udc80-\udcff]")  # undecodable bytes under surrogateescape
_RESAVE = "open it in Excel and save it as .xlsx or as CSV UTF-8"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as it stands in the file, before any mapping or cleaning.

    `line` is the 1-based physical line the row starts on (the spreadsheet row
    for XLSX): a quoted field may span lines, so it is not the row's index.
    `text` is the raw text (without the final line break) for the rejects list.
    """

    line: int
    values: tuple[str, ...]
    text: str


class TableReader(Protocol):
    """What the importer needs from a file, whatever its format.

    Iterating yields the data rows (never the header) from the start of the
    file each time, so a caller can take a sample for column guessing and then
    read everything. `blank_lines` counts the blank rows skipped so far.
    """

    path: Path
    format: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    headers: tuple[str, ...]
    header_line: int
    blank_lines: int

    def __iter__(self) -> Iterator[RawRow]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class _Reader:
    """Shared plumbing: attributes, closing, and the header checks."""

    format: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.headers: tuple[str, ...] = ()
        self.header_line = 0
        self.blank_lines = 0
        # Iterations still running; close() ends them so their files close too.
        self._active: weakref.WeakSet[Any] = weakref.WeakSet()

    def __iter__(self) -> Generator[RawRow, None, None]:
        self.blank_lines = 0  # counted afresh on each pass over the file
        rows = self._rows()
        self._active.add(rows)
        for row in rows:  # up to and including the header
            if row.line >= self.header_line:
                break
            self.blank_lines += 1  # a row of empty fields above the header
        return rows

    def _rows(self) -> Generator[RawRow, None, None]:
        raise NotImplementedError

    def close(self) -> None:
        for rows in list(self._active):
            rows.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _read_header(self, *, trim: bool, empty: str) -> int:
        """Find and check the header row; return how many blank names trail it.

        Blank names at the end come from exports that end every line with a
        delimiter: the CSV reader drops the matching empty trailing fields
        instead of calling every row ragged.
        """
        rows = self._rows()
        try:
            # Excel saves empty rows above a table as ",,,": not the header.
            first = next((r for r in rows if "".join(r.values).strip()), None)
            if first is None:
                raise InputError(self.path, empty)
            second = next(rows, None)
        finally:
            rows.close()
        cells = [v.strip() for v in first.values]
        if cells and cells[0].startswith("\ufeff"):  # a BOM under a forced encoding
            cells[0] = cells[0][1:].strip()
        while cells and not cells[-1]:
            cells.pop()
        self.headers = tuple(cells)
        self.header_line = first.line
        _check_header(self.path, first.line, self.headers, second)
        return len(first.values) - len(cells) if trim else 0


def _check_header(
    path: Path, line: int, headers: Sequence[str], second: RawRow | None
) -> None:
    """Refuse a first row that cannot be the column names.

    Mapping works on header names, so a file without a usable header would be
    imported column by column into the wrong fields. Better to stop and ask.
    """
    filled = [h for h in headers if h]
    dates = sum(bool(_DATE.fullmatch(h)) for h in filled)
    numbers = sum(bool(_NUMBER.fullmatch(h)) for h in filled)
    if dates or (numbers and 2 * numbers >= len(filled)):
        raise InputError(
            path,
            f"the first row looks like data, not column names ({dates + numbers} of"
            f" its {len(filled)} cells are numbers or dates); add a header row that"
            " names each column",
            line=line,
        )
    others = 0 if second is None else sum(1 for v in second.values if v.strip())
    if len(filled) == 1 and others > 1:
        raise InputError(
            path,
            f"the first row has 1 cell but the next row has {others}; if it is a"
            " title, delete the lines above the column names",
            line=line,
        )
    blank = [str(i) for i, h in enumerate(headers, 1) if not h]
    if blank:
        raise InputError(
            path,
            f"the header row has blank column names (column{'s' * (len(blank) > 1)}"
            f" {', '.join(blank)}); give every column a name",
            line=line,
        )
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(headers, 1):
        seen.setdefault(h.casefold(), []).append(i)
    dupes = [
        f"{headers[cols[0] - 1]} (columns {', '.join(map(str, cols))})"
        for cols in seen.values()
        if len(cols) > 1
    ]
    if dupes:
        raise InputError(
            path,
            f"duplicate column names: {'; '.join(dupes)}; rename them so each"
            " column has its own name",
            line=line,
        )


# --- CSV -------------------------------------------------------------------------

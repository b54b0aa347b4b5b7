"""Streaming readers for the agencies' CSV and XLSX exports.

Exports run to a million rows, so nothing here holds a whole file: CSV is parsed
line by line from a text stream and XLSX through openpyxl's read-only mode.
Every row keeps its physical line number and raw text so the importer can list
rejects in terms the user can find in the file. Anything wrong with the file
itself (empty, binary, no header, undecodable bytes) is an `InputError` that
says how to fix it, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import weakref
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from app.errors import InputError

__all__ = ["DELIMITERS", "RawRow", "TableReader", "open_table"]

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


def open_table(
    path: str | os.PathLike[str], *, encoding: str | None = None
) -> TableReader:
    """Open a CSV or XLSX export, choosing the format from its content.

    Extensions lie (web systems save HTML or CSV as ".xls"), so the first bytes
    decide: a ZIP is read as XLSX, anything else as delimited text.

    Args:
        path: the file to read.
        encoding: a text encoding to use instead of detecting one, for the rare
            file the detection gets wrong. Ignored for XLSX.

    Returns:
        An open `TableReader`; close it, or use it in a `with` block.

    Raises:
        InputError: the file is missing, empty, binary, an old .xls, has no
            proper header row, or cannot be decoded.

    Example:
        >>> with open_table("clerk.csv") as table:  # doctest: +SKIP
        ...     for row in table:
        ...         print(row.line, dict(zip(table.headers, row.values)))
    """
    path = Path(path)
    head = _read_head(path)
    if head.startswith(_ZIP_MAGIC):
        return XlsxReader(path)
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            path,
            "this is an old Excel 97-2003 (.xls) workbook or a password-protected"
            f" file, which can't be read; {_RESAVE} (without a password)",
        )
    return CsvReader(path, head, encoding=encoding)


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


class CsvReader(_Reader):
    """Delimited text, parsed by the csv module over a decoded text stream."""

    format: Literal["csv", "xlsx"] = "csv"

    def __init__(self, path: Path, head: bytes, *, encoding: str | None) -> None:
        super().__init__(path)
        if encoding is None:
            self.encoding, self._codec = _detect_encoding(path, head)
        else:
            try:
                self._codec = self.encoding = codecs.lookup(encoding).name
            except LookupError:
                raise InputError(path, f"unknown encoding {encoding!r}") from None
        decoder = codecs.getincrementaldecoder(self._codec)("replace")
        sample = decoder.decode(head, final=len(head) < _HEAD)
        if len(head) == _HEAD and "\n" in sample:  # drop the cut-off last line
            sample = sample[: sample.rindex("\n") + 1]
        self.delimiter = _sniff_delimiter(sample)
        self._trailing = 0
        self._trailing = self._read_header(
            trim=True, empty="file is empty (it has only blank lines)"
        )

    def _rows(self) -> Generator[RawRow, None, None]:
        """Yield every non-blank row, header included, counting the blank ones."""
        pending: list[str] = []  # the physical lines of the row being parsed
        eof = False

        def lines(stream: io.TextIOWrapper) -> Iterator[str]:
            nonlocal eof
            for line in stream:
                pending.append(line)
                yield line
            eof = True

        n_full = len(self.headers) + self._trailing
        n_named = len(self.headers)
        start = next_line = 1
        with self.path.open(encoding=self._codec, newline="") as stream:
            reader = csv.reader(lines(stream), delimiter=self.delimiter or ",")
            try:
                for values in reader:
                    start = next_line
                    next_line += len(pending)
                    text = pending[0] if len(pending) == 1 else "".join(pending)
                    pending.clear()
                    if eof:  # the parser needed more lines than there are
                        raise InputError(
                            self.path,
                            "a quoted field starting on this line never ends; look for"
                            ' a stray quote (")',
                            line=start,
                        )
                    if not text.strip():  # a row of empty fields (",,") is a row
                        self.blank_lines += 1
                        continue
                    if (
                        self._trailing
                        and len(values) == n_full
                        and not "".join(values[n_named:]).strip()
                    ):
                        del values[n_named:]
                    yield RawRow(start, tuple(values), text.rstrip("\r\n"))
            except UnicodeDecodeError:
                line, byte = _find_bad_byte(self.path, self._codec) or (next_line, 0)
                raise InputError(
                    self.path,
                    f"byte 0x{byte:02X} can't be read as {self.encoding}; save the"
                    " file as UTF-8, or choose the encoding it was written in",
                    line=line,
                ) from None
            except csv.Error as e:
                raise InputError(self.path, _csv_problem(e), line=next_line) from None


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a field is longer than {csv.field_size_limit()} characters; a quote"
            ' (") that never closes probably starts on this line'
        )
    return f"can't read this row as CSV ({error})"


def _read_head(path: Path) -> bytes:
    """Read the first bytes, turning every way of not having a file into a message."""
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "this is a folder, not a file") from None
    except PermissionError:
        raise InputError(path, "can't read the file: permission denied") from None
    except OSError as e:
        raise InputError(path, f"can't read the file: {e.strerror}") from None
    if not head:
        raise InputError(path, "file is empty")
    return head


def _detect_encoding(path: Path, head: bytes) -> tuple[str, str]:
    """Return (encoding to report, codec to read with) for a text file.

    Order: a BOM; strict UTF-8 checked over the whole file; Windows-1252 if
    every byte decodes; charset-normalizer's guess. A file that is UTF-8 apart
    from a few bad bytes is an error, because reading it as Windows-1252 would
    silently turn every accented UTF-8 name into mojibake (MUÃ‘OZ).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", "utf-16"  # "utf-16" reads the BOM and drops it
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", "utf-16"
    _reject_non_text(path, head)
    first_bad = _find_bad_byte(path, "utf-8")  # the common case: one fast pass
    if first_bad is None:
        return "utf-8", "utf-8"
    bad, good, bad_at = _count_utf8(path)
    if good > bad:
        raise InputError(
            path,
            f"byte 0x{first_bad[1]:02X} is not valid UTF-8, though the rest of the"
            f" file is UTF-8 ({bad} bad byte(s) in all); fix the line or save the"
            " file as UTF-8 again",
            line=first_bad[0],
        )
    if _find_bad_byte(path, "cp1252") is None:
        return "cp1252", "cp1252"
    from charset_normalizer import from_bytes  # only for odd files

    with path.open("rb") as f:
        f.seek(bad_at)
        best = from_bytes(f.read(_CHUNK)).best()
    if best is None:
        raise InputError(path, "this is not a text file in any encoding we know")
    return best.encoding, best.encoding


def _reject_non_text(path: Path, head: bytes) -> None:
    """Name the common non-CSV files people pick by mistake."""
    if head.startswith(_OLE_MAGIC):
        return  # open_table has the better message
    if head.startswith(b"%PDF"):
        raise InputError(path, "this is a PDF, not a table; export the data as CSV")
    start = head.lstrip()[:256].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise InputError(
            path, f"this is a web page or XML file, not CSV or XLSX; {_RESAVE}"
        )
    if b"\0" in head:
        raise InputError(
            path,
            "this looks like a binary file, not CSV or XLSX; if it is text"
            " (UTF-16 without a byte-order mark), save it as CSV UTF-8",
        )


def _count_utf8(path: Path) -> tuple[int, int, int]:
    """Return (invalid bytes, valid non-ASCII characters, offset of the first
    chunk with an invalid byte), to tell damaged UTF-8 from another encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    bad = good = offset = 0
    bad_at = -1
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if not text.isascii():
                n_bad = len(_ESCAPED.findall(text))
                good += len(text) - len(text.encode("ascii", "ignore")) - n_bad
                bad_at = offset if n_bad and bad_at < 0 else bad_at
                bad += n_bad
            if not chunk:
                return bad, good, max(bad_at, 0)
            offset += len(chunk)


def _find_bad_byte(path: Path, codec: str) -> tuple[int, int] | None:
    """Return (line, byte value) of the first byte `codec` can't decode, or None."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    lines = _LineCounter()
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            state = decoder.getstate()
            try:
                lines.feed(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as e:
                decoder.setstate(state)  # decode the good part to count its lines
                good = max(0, e.start - len(state[0]))
                line = lines.feed(decoder.decode(chunk[:good])) + 1
                return line, e.object[e.start]
            if not chunk:
                return None


class _LineCounter:
    """Counts line breaks as the csv reader does: \\n, \\r\\n and a lone \\r."""

    def __init__(self) -> None:
        self.count = 0
        self._after_cr = False

    def feed(self, text: str) -> int:
        if text:
            self.count += text.count("\n") + text.count("\r") - text.count("\r\n")
            self.count -= self._after_cr and text[0] == "\n"
            self._after_cr = text[-1] == "\r"
        return self.count


def _sniff_delimiter(sample: str) -> str:
    """Pick the delimiter: csv.Sniffer if its choice holds up, else the most
    consistent one (the same field count as the header on most lines)."""
    scores = {d: _consistency(sample, d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in scores and scores[sniffed] >= (0.9, 2):
        return sniffed
    best = max(DELIMITERS, key=lambda d: scores[d])
    return best if scores[best][1] >= 2 else ","


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of rows with the header's field count, header field count)."""
    rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(r)]
    if not rows or len(rows[0]) < 2:
        return (0.0, len(rows[0]) if rows else 0)
    width = len(rows[0])
    return (sum(len(r) == width for r in rows) / len(rows), width)


# --- XLSX ------------------------------------------------------------------------


class XlsxReader(_Reader):
    """The first visible worksheet (`sheet`), through openpyxl's read-only mode."""

    format: Literal["csv", "xlsx"] = "xlsx"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

        # A file object, because openpyxl refuses names not ending in .xlsx and
        # the content, not the name, has already said this is a workbook.
        self._file = path.open("rb")
        try:
            self._book = load_workbook(self._file, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises a zoo of types on a bad archive
            self._file.close()
            raise InputError(
                path, f"this is a ZIP file but not a readable Excel workbook; {_RESAVE}"
            ) from e
        try:
            names = self._book.sheetnames
            # The first sheet the user sees in Excel: hidden ones hold lookups.
            sheets = self._book.worksheets
            visible = [ws for ws in sheets if ws.sheet_state == "visible"]
            if not sheets:
                raise InputError(path, "the workbook has no worksheets")
            self._sheet = (visible or sheets)[0]
            self.sheet: str = self._sheet.title
            # Some writers store a wrong used range; read what is really there.
            self._sheet.reset_dimensions()
            empty = f"file is empty (its sheet {self._sheet.title} has no rows)"
            if len(names) > 1:
                empty = (
                    f"the first sheet ({self._sheet.title}) is empty; move the data"
                    f" to the first sheet (the sheets are: {', '.join(names)})"
                )
            self._read_header(trim=False, empty=empty)
        except BaseException:
            self.close()
            raise

    def _rows(self) -> Generator[RawRow, None, None]:
        width = len(self.headers)
        rows = self._sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        for number, cells in enumerate(rows, 1):
            values = [_cell_text(v) for v in cells]
            while values and not values[-1]:
                values.pop()
            if not "".join(values).strip():
                self.blank_lines += 1
                continue
            text = ",".join(values)
            if len(values) < width:
                values.extend([""] * (width - len(values)))
            yield RawRow(number, tuple(values), text)

    def close(self) -> None:
        super().close()
        self._book.close()
        self._file.close()


def _cell_text(value: object) -> str:
    """Render a cell as the user sees it in Excel, without float noise."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    render = _RENDER.get(type(value))
    return render(value) if render else str(value)


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _datetime_text(value: dt.datetime) -> str:
    value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat(sep=" ")


_RENDER: dict[type, Callable[[Any], str]] = {
    bool: lambda v: "TRUE" if v else "FALSE",
    int: str,
    float: _float_text,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: lambda v: v.isoformat(timespec="seconds"),
}

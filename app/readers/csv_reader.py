"""Delimited text: any delimiter, quoted newlines, physical line numbers."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Literal

from app.errors import InputError
from app.readers.base import _HEAD, DELIMITERS, RawRow, _Reader
from app.readers.encoding import _detect_encoding, _find_bad_byte


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

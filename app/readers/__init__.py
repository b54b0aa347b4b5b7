"""Streaming readers for the agencies' CSV and XLSX exports.

Exports run to a million rows, so nothing here holds a whole file: CSV is parsed
line by line from a text stream and XLSX through openpyxl's read-only mode.
Every row keeps its physical line number and raw text so the importer can list
rejects in terms the user can find in the file. Anything wrong with the file
itself (empty, binary, no header, undecodable bytes) is an `InputError` that
says how to fix it, never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import InputError
from app.readers.base import (
    _OLE_MAGIC,
    _RESAVE,
    _ZIP_MAGIC,
    DELIMITERS,
    RawRow,
    TableReader,
)
from app.readers.csv_reader import CsvReader
from app.readers.encoding import _read_head
from app.readers.xlsx_reader import XlsxReader

__all__ = ["DELIMITERS", "RawRow", "TableReader", "open_table"]


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

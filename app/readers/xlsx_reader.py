"""XLSX through openpyxl read-only mode: cells to the text a CSV would hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, Literal

from app.errors import InputError
from app.readers.base import _RESAVE, RawRow, _Reader


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

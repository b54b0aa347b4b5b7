"""The eligibility list written to CSV or XLSX, and logged as a dissemination.

The command line (``recordmatch eligible``) and the workstation's
"Export eligible…" both call :func:`export_eligible`, so a list from either
holds the same rows and leaves the same record in the log.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.eligibility import iter_eligible_rows
from app.eligibility_dissemination import (
    check_recipient,
    check_writable,
    disseminate,
    sha256_of,
    staged_file,
)
from app.eligibility_people import EligibilityFilter, filtered_rows
from app.eligibility_row import HEADER, EligibleRow, default_rules
from app.errors import UserError
from app.export import spreadsheet_safe
from app.workspace.core import Connection
from matching.eligibility import Category, RuleSet
from matching.progress import CancelFn, ProgressFn

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True, slots=True)
class EligibleExport:
    """What an eligibility export wrote, and to whom it was logged as sent."""

    path: Path
    fmt: Format
    rows: int
    people: int  # distinct identities
    by_category: dict[str, int]  # rows per category, every category listed
    rules_version: str
    recipient: str
    method: str
    sha256: str


def format_for(path: Path) -> Format:
    """The export format a file name asks for: ``.csv`` or ``.xlsx``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise UserError(f"{Path(path).name}: name the file .csv or .xlsx")


def export_eligible(
    conn: Connection,
    out: Path,
    *,
    fmt: Format,
    recipient: str,
    method: str,
    rules: RuleSet | None = None,
    where: EligibilityFilter | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> EligibleExport:
    """Write the eligibility list and log its dissemination.

    The file is written beside ``out`` and renamed into place in the same
    transaction that appends the ``dissemination`` log entry (date, actor,
    recipient, method, rows, people, rules version, file hash), so a list
    never leaves without its record, nor a record without its list.

    Args:
        out: the file to write (replaced if it exists).
        fmt: ``csv`` or ``xlsx`` (one sheet, header row frozen).
        recipient: the agency receiving the list; required.
        method: how it is sent ("file", "email", "sftp", ...).
        rules: the rule set; None reads the office's rule file.
        where: only the people and cases this filter keeps (the screen's
            filters); None or an all-filter writes every row. The log says
            which.
        on_progress, cancel: as for :func:`app.eligibility.iter_eligible_rows`;
            a cancelled export writes and logs nothing.

    Raises:
        UserError: no recipient or method, a bad format or folder, or a
            workspace open read-only (the dissemination could not be logged).
    """
    recipient, method = check_recipient(recipient, method)
    if fmt not in ("csv", "xlsx"):
        raise UserError(f"unknown format {fmt!r}; use csv or xlsx")
    check_writable(conn)
    rules = rules or default_rules()
    out = Path(out)
    counts = {c.value: 0 for c in Category}
    people: set[int] = set()

    def tally(rows: Iterable[EligibleRow]) -> Iterator[EligibleRow]:
        for row in rows:
            counts[row.category.value] += 1
            people.add(row.identity_id)
            yield row

    with staged_file(out) as tmp:
        rows = iter_eligible_rows(
            conn, rules=rules, on_progress=on_progress, cancel=cancel
        )
        if where is not None and not where.is_all:
            rows = filtered_rows(rows, where)
        write = _write_csv if fmt == "csv" else _write_xlsx
        write(tmp, tally(rows))
        digest = sha256_of(tmp)
        details: dict[str, object] = {
            "what": "eligible",
            "file_name": out.name,
            "format": fmt,
            "rows": sum(counts.values()),
            "people": len(people),
            "by_category": counts,
            "recipient": recipient,
            "method": method,
            "rules_version": rules.version,
            "sha256": digest,
        }
        if where is not None and not where.is_all:
            details["filters"] = where.describe()
        disseminate(conn, tmp, out, details)
    return EligibleExport(
        out,
        fmt,
        sum(counts.values()),
        len(people),
        counts,
        rules.version,
        recipient,
        method,
        digest,
    )


def _write_csv(path: Path, rows: Iterable[EligibleRow]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([spreadsheet_safe(v) for v in row.cells()] for row in rows)


_WIDTHS = {"case_number": 18, "category": 22, "reason": 20, "statute": 24,
           "disposition": 26, "rule_id": 20, "last_name": 18, "first_name": 14,
           "record_ids": 30, "why": 80, "summary": 40}  # fmt: skip


def _write_xlsx(path: Path, rows: Iterable[EligibleRow]) -> None:
    """One write-only sheet; every text cell is typed as text, never a formula.

    Control characters (which XLSX cannot hold) are dropped; the CSV keeps them.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.cell.cell import (  # type: ignore[import-untyped,unused-ignore]
        ILLEGAL_CHARACTERS_RE,
    )
    from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Eligible")
    sheet.freeze_panes = "A2"
    for i, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 12)
    bold = Font(bold=True)

    def cell(value: str | int, *, font: Font | None = None) -> WriteOnlyCell:
        if isinstance(value, str):  # control characters cannot be stored
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # agency text such as '=...' must stay text
        if font is not None:
            c.font = font
        return c

    sheet.append([cell(name, font=bold) for name in HEADER])
    for row in rows:
        sheet.append([cell(v) for v in row.cells()])
    book.save(path)

"""The cannabis eligibility list: one row per case, and its logged export.

Each identity's records are grouped into cases the way the classifier groups
them (:func:`matching.eligibility.classify_person`): clerk rows and
disposition rows of one case share the canonical case number, and an arrest
joins the one case that charged the same offence shortly after it, or stands
alone. Every case with a cannabis charge, or with a statute nobody can read
(it might be cannabis), becomes a row, classified with the office's rule file.

**Confirmed.** A row is ``confirmed`` when a person stands behind every link
that made its records one identity: the identity's records are connected
using only standing human must-links (``match`` decisions and ``merge``
entries of the ledger, reversals applied, see
:func:`app.workspace.ledger.constraints`). Automatic links (``auto-link``
entries) never confirm. An identity of one record has no links and is
confirmed. A row that is not confirmed and has anything clearable or to
review goes to ``needs_review/unconfirmed_links``
(:func:`matching.eligibility.combine_person`); ``if_confirmed`` says what it
would be once a person confirms the links.

**Offence dates.** The weight table depends on the offence date, never a
later one, so a record's ``event_date`` counts only when its import mapped it
from an offence or arrest column, not from a filing, disposition or sentence
date, and, for a disposition source, only when the header says offence,
arrest or incident. The classifier lends the case's offence date to the rest.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from itertools import groupby
from pathlib import Path
from typing import Literal

from app.errors import UserError
from app.workspace import eligibility_sql as store
from app.workspace import ledger
from app.workspace.core import Connection
from matching.eligibility import (
    ARREST_WINDOW_DAYS,
    CLEARABLE,
    Category,
    ChargeInput,
    ChargeResult,
    PersonSummary,
    Reason,
    RuleSet,
    classify_case,
    combine_person,
    parse_rules,
    parse_statute,
)

# The classifier's own grouping of a person's records into cases, so that the
# rows are exactly the cases classify_person judges (a test holds them equal).
from matching.eligibility.outcomes import DECISIVE
from matching.eligibility.person import group_cases

Format = Literal["csv", "xlsx"]
RULES_FILE = "illinois_cannabis.toml"
HEADER: tuple[str, ...] = (
    "identity_id", "case_number", "category", "reason", "statute", "offense_date",
    "disposition", "rule_id", "confirmed", "last_name", "first_name", "middle_name",
    "dob", "sources", "record_ids", "case_number_canonical", "records",
    "if_confirmed", "why", "summary", "rules_version",
)  # fmt: skip
# Whose record speaks for a case: the clerk's, then the court's, then police.
_KIND_RANK = {"clerk": 0, "disposition": 1, "other": 2, "arrest": 3}
_LATER_DATE = re.compile(r"DISP|FIL|SENTENC|JUDG|VERDICT|CLOS")
_OFFENCE_DATE = re.compile(r"OFFEN|ARREST|INCIDENT|CRIME|VIOLATION")


def default_rules() -> RuleSet:
    """The office's rule file, ``resources/rules/illinois_cannabis.toml``.

    Raises:
        UserError: the file does not validate; the message names the rule.
    """
    text = files("resources").joinpath("rules", RULES_FILE).read_text("utf-8")
    try:
        return parse_rules(text)
    except ValueError as exc:
        raise UserError(f"{RULES_FILE}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class EligibleRow:
    """One case of one identity with a cannabis charge, as the list shows it.

    ``statute``, ``disposition`` and ``rule_id`` are those of the record that
    decided the category (the clerk's first); ``case_number`` is spelled as
    the clerk's file wrote it, ``case_number_canonical`` as records compare.
    """

    identity_id: int
    case_number: str
    category: Category
    reason: Reason | None
    statute: str
    offense_date: date | None
    disposition: str
    rule_id: str
    confirmed: bool
    last_name: str
    first_name: str
    middle_name: str
    dob: str
    sources: tuple[str, ...]
    record_ids: tuple[str, ...]  # 'source:record_id'
    case_number_canonical: str
    if_confirmed: Category
    why: str
    summary: str
    rules_version: str
    record_keys: tuple[int, ...]  # the case's records, the clerk's first
    results: tuple[ChargeResult, ...]  # one per record key: each charge's why

    @property
    def clearable(self) -> bool:
        return self.category in CLEARABLE

    def cells(self) -> list[str | int]:
        """The row in ``HEADER`` order, as written to CSV and XLSX."""
        return [
            self.identity_id, self.case_number, self.category.value,
            self.reason.value if self.reason else "", self.statute,
            self.offense_date.isoformat() if self.offense_date else "",
            self.disposition, self.rule_id, "yes" if self.confirmed else "no",
            self.last_name, self.first_name, self.middle_name, self.dob,
            ";".join(self.sources), ";".join(self.record_ids),
            self.case_number_canonical, len(self.record_keys),
            self.if_confirmed.value, self.why, self.summary, self.rules_version,
        ]  # fmt: skip


def eligible_rows(
    conn: Connection, *, rules: RuleSet | None = None
) -> list[EligibleRow]:
    """Every case with a cannabis charge, classified, one row per identity and case.

    Args:
        conn: the workspace (read-only will do).
        rules: the rule set; None reads the office's rule file.

    Returns:
        Rows ordered by identity, then offence date and case number. A lone
        arrest (no case joined it) is a row with an empty case number.
    """
    return list(iter_eligible_rows(conn, rules=rules))


def iter_eligible_rows(
    conn: Connection, *, rules: RuleSet | None = None, batch: int = 2000
) -> Iterator[EligibleRow]:
    """:func:`eligible_rows` as a stream, for exports of a large workspace.

    Identities are read in order and finished ``batch`` cases at a time, so
    memory does not grow with the workspace. Everything is read in one
    snapshot (a read transaction, held until the stream ends or is closed),
    so other connections may write meanwhile; this one must not.
    """
    rules = rules or default_rules()
    db = conn.conn
    with store.read_snapshot(db):
        layouts = store.import_layouts(db)
        links = _MustLinks(ledger.constraints(db)[0])
        dated: dict[tuple[int, str], bool] = {}
        pending: list[_Case] = []
        for identity_id, group in groupby(
            store.iter_charge_records(db), key=lambda r: r.identity_id
        ):
            records = list(group)
            if not any(_could_be_cannabis(r.statute, rules) for r in records):
                continue
            for r in records:
                if (r.import_id, r.kind) not in dated:
                    layout = layouts.get(r.import_id)
                    dated[(r.import_id, r.kind)] = _offence_dated(layout, r.kind)
            confirmed = links.connect([r.key for r in records])
            pending += _cases(identity_id, records, dated, rules, confirmed=confirmed)
            if len(pending) >= batch:
                yield from _finish(db, pending, layouts, rules)
                pending = []
        yield from _finish(db, pending, layouts, rules)


def _could_be_cannabis(statute: str | None, rules: RuleSet) -> bool:
    """A cannabis citation, or written text that no one can read as a statute."""
    if statute is None or not statute.strip():
        return False
    citation = parse_statute(statute)
    return citation is None or citation.act == rules.act


class _MustLinks:
    """Which records human must-links alone connect (union-find)."""

    def __init__(self, pairs: Sequence[tuple[int, int]]) -> None:
        self.parent: dict[int, int] = {}
        for a, b in pairs:
            ra, rb = self.root(a), self.root(b)
            if ra != rb:
                self.parent[ra] = rb

    def root(self, key: int) -> int:
        top = key
        while (up := self.parent.get(top, top)) != top:
            top = up
        while key != top:  # path compression
            self.parent[key], key = top, self.parent[key]
        return top

    def connect(self, keys: Sequence[int]) -> bool:
        """True when the must-links join all of ``keys`` into one group."""
        return len({self.root(k) for k in keys}) <= 1


def _offence_dated(layout: store.ImportLayout | None, kind: str) -> bool:
    """Whether the import's event_date column holds an offence (or arrest) date."""
    header = (layout.mapping.get("event_date") if layout else None) or ""
    word = re.sub(r"[^A-Z]", "", header.upper())
    if _LATER_DATE.search(word):
        return False
    return kind != "disposition" or bool(_OFFENCE_DATE.search(word))


@dataclass(frozen=True, slots=True)
class _Case:
    """One case of one identity, classified; becomes a row once spelled.

    ``records`` and the results are in speaking order: the clerk's first.
    """

    identity_id: int
    records: list[store.ChargeRecord]
    offence: date | None
    summary: PersonSummary
    full: PersonSummary  # as if every link were confirmed
    confirmed: bool

    @property
    def numbered(self) -> store.ChargeRecord | None:
        """The record whose file spells the case number for the row."""
        return next((r for r in self.records if r.case_number), None)

    def decisive(self) -> int:
        """The record whose result gave the case its category (or would)."""
        s = self.full
        for i, r in enumerate(s.results):
            if r.category is s.category and (s.reason is None or r.reason is s.reason):
                return i
        return 0

    def row(self, spelled: dict[int, str], rules: RuleSet) -> EligibleRow:
        i = self.decisive()
        record, result, head = self.records[i], self.full.results[i], self.records[0]
        numbered = self.numbered
        canonical = (numbered.case_number or "") if numbered else ""
        why = result.why
        if self.summary.reason is Reason.UNCONFIRMED_LINKS:
            why = f"links not confirmed by a person; once confirmed: {why}"
        return EligibleRow(
            identity_id=self.identity_id,
            case_number=spelled.get(numbered.key, canonical) if numbered else "",
            category=self.summary.category,
            reason=self.summary.reason,
            statute=record.statute or "",
            offense_date=self.offence,
            disposition=record.disposition or self._lent_disposition(i, rules) or "",
            rule_id=result.rule_id,
            confirmed=self.confirmed,
            last_name=head.last_name or "",
            first_name=head.first_name or "",
            middle_name=head.middle_name or "",
            dob=head.dob or "",
            sources=tuple(dict.fromkeys(r.source for r in self.records)),
            record_ids=tuple(f"{r.source}:{r.record_id}" for r in self.records),
            case_number_canonical=canonical,
            if_confirmed=self.full.category,
            why=why,
            summary=self.summary.why,
            rules_version=rules.version,
            record_keys=tuple(r.key for r in self.records),
            results=self.summary.results,
        )

    def _lent_disposition(self, i: int, rules: RuleSet) -> str | None:
        """The disposition the classifier borrowed for record ``i``, if it did.

        A record without one takes its charge's outcome from another source's
        record of the same charge; show that record's wording.
        """
        mine = self.full.results[i]
        if mine.citation is None or mine.outcome not in DECISIVE:
            return None
        charge = (mine.citation.key, mine.citation.attempt)
        for record, result in zip(self.records, self.full.results, strict=True):
            cit = result.citation
            if (
                cit is not None
                and (cit.key, cit.attempt) == charge
                and rules.outcomes.read(record.disposition).outcome is mine.outcome
            ):
                return record.disposition
        return None


def _cases(
    identity_id: int,
    records: list[store.ChargeRecord],
    dated: dict[tuple[int, str], bool],
    rules: RuleSet,
    *,
    confirmed: bool,
) -> list[_Case]:
    """The identity's cases with a cannabis (or unreadable) charge, classified."""
    inputs = [
        ChargeInput(
            statute=r.statute,
            offense_date=date.fromisoformat(r.event_date)
            if r.event_date and dated[(r.import_id, r.kind)]
            else None,
            disposition=r.disposition,
            case=r.case_number,
            source=r.source,
            record_id=r.key,
        )
        for r in records
    ]
    out = []
    for members in group_cases(inputs, ARREST_WINDOW_DAYS):
        if not any(_could_be_cannabis(records[i].statute, rules) for i in members):
            continue
        members.sort(key=lambda i: (_KIND_RANK.get(records[i].kind, 2), i))
        results = classify_case([inputs[i] for i in members], rules)
        summary = combine_person(results, links_confirmed=confirmed)
        full = summary if confirmed else combine_person(results, links_confirmed=True)
        days = [d for i in members if (d := inputs[i].offense_date) is not None]
        out.append(
            _Case(
                identity_id,
                [records[i] for i in members],
                min(days, default=None),
                summary,
                full,
                confirmed,
            )
        )
    return out


def _finish(
    db: sqlite3.Connection,
    cases: Sequence[_Case],
    layouts: dict[int, store.ImportLayout],
    rules: RuleSet,
) -> list[EligibleRow]:
    """Rows of whole identities, with case numbers as their files spell them."""
    numbered = [r for case in cases if (r := case.numbered) is not None]
    raw = store.raw_rows(db, [r.key for r in numbered])
    spelled: dict[int, str] = {}
    for r in numbered:
        layout = layouts.get(r.import_id)
        column = layout.column("case_number") if layout else None
        values = raw.get(r.key, [])
        if column is not None and column < len(values) and values[column]:
            spelled[r.key] = str(values[column]).strip()
    rows = [case.row(spelled, rules) for case in cases]
    rows.sort(key=lambda r: (r.identity_id, r.offense_date or date.max, r.case_number))
    return rows


# --- the export -------------------------------------------------------------


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

    Raises:
        UserError: no recipient or method, a bad format or folder, or a
            workspace open read-only (the dissemination could not be logged).
    """
    recipient, method = recipient.strip(), method.strip()
    if not recipient:
        raise UserError(
            "name the agency receiving the list (recipient): the office must "
            "record every dissemination"
        )
    if not method:
        raise UserError("say how the list is sent (method), e.g. file or email")
    if fmt not in ("csv", "xlsx"):
        raise UserError(f"unknown format {fmt!r}; use csv or xlsx")
    if conn.readonly:
        raise UserError(f"{conn.path.name} is open read-only; an export must be logged")
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
        write = _write_csv if fmt == "csv" else _write_xlsx
        write(tmp, tally(iter_eligible_rows(conn, rules=rules)))
        digest = _sha256(tmp)
        details = {
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def disseminate(
    conn: Connection, staged: Path, out: Path, details: dict[str, object]
) -> None:
    """Move a finished file into place and log its dissemination, both or neither.

    For any file that leaves the office (the list, an evidence packet):
    write it to :func:`staged_file`, then call this with what the log must
    say (recipient, method, counts; never personal data). If the log cannot
    be committed after the rename, the file is removed: nothing may leave
    unrecorded.
    """
    placed = False
    try:
        with conn.transaction():
            conn.log(store.DISSEMINATION, details)
            os.replace(staged, out)
            placed = True
    except BaseException:
        if placed:
            out.unlink(missing_ok=True)
        raise


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, removed unless the block moved it."""
    if path.is_dir():
        raise UserError(f"{path.name} is a folder; give a file name to write")
    if not path.parent.exists():
        raise UserError(f"{path.name}: the folder {path.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _write_csv(path: Path, rows: Iterable[EligibleRow]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(row.cells() for row in rows)


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

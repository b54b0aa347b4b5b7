"""From one identity's records to its classified cases, and from cases to rows.

Each identity's records are grouped into cases the way the classifier groups
them (:func:`matching.eligibility.person.group_cases`), so the rows are
exactly the cases :func:`matching.eligibility.classify_person` judges (a
test holds them equal). :class:`CaseReader` carries what every identity
needs (import layouts, human must-links, the rule set), so the whole list
(:mod:`app.eligibility`) and one person's charges
(:mod:`app.eligibility_person`) are built by the same code.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.eligibility_row import EligibleRow
from app.workspace import eligibility_sql as store
from app.workspace.confirmed import confirmed_links
from matching.eligibility import (
    ARREST_WINDOW_DAYS,
    ChargeInput,
    PersonSummary,
    Reason,
    RuleSet,
    classify_case,
    combine_person,
    parse_statute,
)
from matching.eligibility.outcomes import DECISIVE
from matching.eligibility.person import group_cases

# Whose record speaks for a case: the clerk's, then the court's, then police.
_KIND_RANK = {"clerk": 0, "disposition": 1, "other": 2, "arrest": 3}
_LATER_DATE = re.compile(r"DISP|FIL|SENTENC|JUDG|VERDICT|CLOS")
_OFFENCE_DATE = re.compile(r"OFFEN|ARREST|INCIDENT|CRIME|VIOLATION")


def could_be_cannabis(statute: str | None, rules: RuleSet) -> bool:
    """A cannabis citation, or written text that no one can read as a statute."""
    if statute is None or not statute.strip():
        return False
    citation = parse_statute(statute)
    return citation is None or citation.act == rules.act


class MustLinks:
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


def offence_dated(layout: store.ImportLayout | None, kind: str) -> bool:
    """Whether the import's event_date column holds an offence (or arrest) date."""
    header = (layout.mapping.get("event_date") if layout else None) or ""
    word = re.sub(r"[^A-Z]", "", header.upper())
    if _LATER_DATE.search(word):
        return False
    return kind != "disposition" or bool(_OFFENCE_DATE.search(word))


@dataclass(frozen=True, slots=True)
class Case:
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


class CaseReader:
    """Classifies identities' cases with what every identity shares.

    Build it inside a read snapshot: the layouts and must-links it reads
    must be of the same state of the file as the records given to it.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        rules: RuleSet,
        *,
        keys: Sequence[int] | None = None,
    ) -> None:
        """``keys``: the only records whose cases will be asked for (one
        identity), so only the decisions touching them are read."""
        self.db = db
        self.rules = rules
        self.layouts = store.import_layouts(db)
        self.links = MustLinks(confirmed_links(db, keys))
        self._dated: dict[tuple[int, str], bool] = {}

    def cases(self, identity_id: int, records: list[store.ChargeRecord]) -> list[Case]:
        """The identity's cases with a cannabis (or unreadable) charge, classified.

        ``records`` must be all of the identity's records: whether its links
        are confirmed is judged over all of them.
        """
        rules = self.rules
        if not any(could_be_cannabis(r.statute, rules) for r in records):
            return []
        for r in records:
            if (r.import_id, r.kind) not in self._dated:
                layout = self.layouts.get(r.import_id)
                self._dated[(r.import_id, r.kind)] = offence_dated(layout, r.kind)
        confirmed = self.links.connect([r.key for r in records])
        inputs = [
            ChargeInput(
                statute=r.statute,
                offense_date=date.fromisoformat(r.event_date)
                if r.event_date and self._dated[(r.import_id, r.kind)]
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
            if not any(could_be_cannabis(records[i].statute, rules) for i in members):
                continue
            members.sort(key=lambda i: (_KIND_RANK.get(records[i].kind, 2), i))
            results = classify_case([inputs[i] for i in members], rules)
            summary = combine_person(results, links_confirmed=confirmed)
            full = (
                summary if confirmed else combine_person(results, links_confirmed=True)
            )
            days = [d for i in members if (d := inputs[i].offense_date) is not None]
            out.append(
                Case(
                    identity_id,
                    [records[i] for i in members],
                    min(days, default=None),
                    summary,
                    full,
                    confirmed,
                )
            )
        return out

    def rows(self, cases: Sequence[Case]) -> list[EligibleRow]:
        """Rows of whole identities, with case numbers as their files spell them."""
        numbered = [r for case in cases if (r := case.numbered) is not None]
        raw = store.raw_rows(self.db, [r.key for r in numbered])
        spelled: dict[int, str] = {}
        for r in numbered:
            layout = self.layouts.get(r.import_id)
            column = layout.column("case_number") if layout else None
            values = raw.get(r.key, [])
            if column is not None and column < len(values) and values[column]:
                spelled[r.key] = str(values[column]).strip()
        rows = [case.row(spelled, self.rules) for case in cases]
        rows.sort(
            key=lambda r: (r.identity_id, r.offense_date or date.max, r.case_number)
        )
        return rows

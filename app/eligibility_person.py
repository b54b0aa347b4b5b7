"""One person's cannabis charges, each with its classification and why.

The identity page shows these beside the timeline, and the evidence packet
prints them, so a clerk judges who the person is and what can be cleared on
one screen. They come from the very code that builds the list
(:class:`app.eligibility_cases.CaseReader`), so the page can never tell a
clerk something the exported list does not say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.eligibility_cases import CaseReader
from app.eligibility_people import EligiblePerson, person_of
from app.eligibility_row import EligibleRow, default_rules
from app.workspace import eligibility_sql as store
from app.workspace import identity_scope
from app.workspace.core import Connection
from matching.eligibility import Category, Reason, RuleSet


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One record of one cannabis case, as classified, for a person to check.

    ``statute`` and ``disposition`` are as this record wrote them; an empty
    disposition was lent by another record of the charge, or is missing
    (``why`` says which). ``offense_date`` is the case's.
    """

    record_key: int
    source: str
    record_id: str
    case_number: str  # the clerk's spelling; '' for a lone arrest
    statute: str
    offense_date: date | None
    disposition: str
    outcome: str  # the disposition as read: conviction, non_conviction, none, ...
    category: Category
    reason: Reason | None
    rule_id: str
    rule_text: str  # the rule's description, from the rule file
    rule_source: str  # its legal source, e.g. '720 ILCS 550/4; P.A. 99-697'
    why: str


@dataclass(frozen=True, slots=True)
class PersonCharges:
    """An identity's cannabis cases: the person, the case rows, each charge."""

    identity_id: int
    person: EligiblePerson | None  # None when the identity has no cannabis case
    rows: tuple[EligibleRow, ...]
    charges: tuple[ChargeLine, ...]
    rules_version: str


def identity_charges(
    conn: Connection, identity_id: int, *, rules: RuleSet | None = None
) -> PersonCharges | None:
    """The classified cannabis charges of one identity (None: unknown id).

    A merged-away id is followed to the identity it is part of now. Only the
    identity's own records and decisions are read (indexed): fit for the GUI
    thread when a page opens an identity.
    """
    rules = rules or default_rules()
    db = conn.conn
    with store.read_snapshot(db):
        current = identity_scope.resolve_identity_id(db, identity_id)
        if current is None:
            return None
        records = store.charge_records_of(db, current)
        reader = CaseReader(db, rules, keys=[r.key for r in records])
        rows = reader.rows(reader.cases(current, records)) if records else []
    by_key = {r.key: r for r in records}
    charges = []
    for row in rows:
        for key, result in zip(row.record_keys, row.results, strict=True):
            record = by_key[key]
            try:
                info = rules.rule(result.rule_id)
                rule_text, rule_source = info.description, info.source
            except KeyError:
                rule_text, rule_source = "", ""
            charges.append(
                ChargeLine(
                    record_key=key,
                    source=record.source,
                    record_id=record.record_id,
                    case_number=row.case_number,
                    statute=record.statute or "",
                    offense_date=row.offense_date,
                    disposition=record.disposition or "",
                    outcome=str(result.outcome),
                    category=result.category,
                    reason=result.reason,
                    rule_id=result.rule_id,
                    rule_text=rule_text,
                    rule_source=rule_source,
                    why=result.why,
                )
            )
    return PersonCharges(
        identity_id=current,
        person=person_of(rows) if rows else None,
        rows=tuple(rows),
        charges=tuple(charges),
        rules_version=rules.version,
    )

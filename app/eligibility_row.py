"""One row of the eligibility list, its columns, and the office's rule file.

Kept apart from the code that builds rows (:mod:`app.eligibility_cases`) and
the code that writes them (:mod:`app.eligibility_export`), because the GUI,
the evidence packet and the export all speak in these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import files

from app.errors import UserError
from matching.eligibility import (
    CLEARABLE,
    Category,
    ChargeResult,
    Reason,
    RuleSet,
    parse_rules,
)

RULES_FILE = "illinois_cannabis.toml"
HEADER: tuple[str, ...] = (
    "identity_id", "case_number", "category", "reason", "statute", "offense_date",
    "disposition", "rule_id", "confirmed", "last_name", "first_name", "middle_name",
    "dob", "sources", "record_ids", "case_number_canonical", "records",
    "if_confirmed", "why", "summary", "rules_version",
)  # fmt: skip


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

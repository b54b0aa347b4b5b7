"""One charge's verdict from its own facts: statute, date, outcome.

Kept apart from :mod:`matching.eligibility.classify`, which adds what the
other records of the case say. A verdict is decided by exactly one rule of
the rule file (or by the statute parser, when the statute is unreadable) and
carries a one-line reason naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from matching.eligibility.outcomes import DECISIVE, Outcome, OutcomeReading
from matching.eligibility.ruleset import (
    STATUTE_FORMAT_RULE,
    Band,
    Category,
    Reason,
    RuleSet,
    WeightTable,
    grams_text,
)
from matching.eligibility.statutes import Citation


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one rule decided about one charge, and why."""

    category: Category
    reason: Reason | None
    rule_id: str
    why: str
    band: Band | None = None
    table_id: str | None = None


def judge(
    citation: Citation | None,
    day: date | None,
    reading: OutcomeReading,
    rules: RuleSet,
    written: str | None,
) -> Verdict:
    """The verdict on one charge from its own facts alone.

    Args:
        citation: the statute as read, or None when unreadable.
        day: the offence date, or None when unknown.
        reading: the disposition as read.
        rules: the rule set.
        written: the statute as written, for the message.
    """
    review, excluded = Category.NEEDS_REVIEW, Category.NOT_ELIGIBLE
    if citation is None:
        said = f"statute {written!r} could not be read" if written else "no statute"
        return Verdict(
            review,
            Reason.UNCLASSIFIED_STATUTE,
            STATUTE_FORMAT_RULE,
            f"{said}; a person must classify it",
        )
    if citation.act != rules.act:
        return Verdict(
            excluded,
            Reason.NOT_CANNABIS,
            rules.scope.id,
            f"{citation.key} is not under {rules.act}",
        )
    exclusion = rules.exclusion_for(citation.section)
    if exclusion is not None:
        return Verdict(
            excluded,
            exclusion.reason,
            exclusion.id,
            f"{exclusion.id}: {citation.section_key} is never cleared",
        )
    tables = rules.tables_for(citation.section)
    if not tables:
        return Verdict(
            review,
            Reason.UNCLASSIFIED_STATUTE,
            rules.scope.id,
            f"no rule covers {citation.section_key}",
        )
    if citation.subsection is None:
        return Verdict(
            review,
            Reason.UNCLASSIFIED_STATUTE,
            tables[0].id,
            f"{citation.section_key} has no subsection, so the amount is unknown",
        )
    if day is not None:
        tables = tuple(t for t in tables if t.covers(day))  # one: validated
    subsection = citation.subsection
    verdicts = [_by_weight(citation, subsection, t, reading, rules) for t in tables]
    first = verdicts[0]
    if all((v.category, v.reason) == (first.category, first.reason) for v in verdicts):
        if len(verdicts) > 1:
            return replace(
                first,
                why=f"{first.why}; offence date unknown, but "
                f"every period gives the same answer",
            )
        return first
    meanings = "; ".join(v.why for v in verdicts)
    return Verdict(
        review,
        Reason.MISSING_OFFENSE_DATE,
        tables[0].id,
        f"offence date unknown and it decides: {meanings}",
    )


def _by_weight(
    citation: Citation,
    subsection: str,
    table: WeightTable,
    reading: OutcomeReading,
    rules: RuleSet,
) -> Verdict:
    """The verdict on a weighed cannabis charge under one weight table."""
    band = table.band(subsection)
    if band is None:
        return Verdict(
            Category.NEEDS_REVIEW,
            Reason.UNCLASSIFIED_STATUTE,
            table.id,
            f"{table.id}: {citation.section_key} has no subsection "
            f"({citation.subsection})",
        )
    when = f" {table.period}" if table.period else ""
    weight = f"{table.id}: {citation.key}{when} is {band.text}"
    section = citation.section
    if reading.outcome in DECISIVE:
        rule = rules.clearance_for(section, band, reading.outcome)
        if rule is None:
            return Verdict(
                Category.NOT_ELIGIBLE,
                Reason.AMOUNT,
                table.id,
                f"{weight}; no rule clears a {reading.describe()} of that amount",
                band,
                table.id,
            )
        return Verdict(
            rule.category,
            None,
            rule.id,
            f"{weight}; {reading.describe()}; {rule.id} clears a "
            f"{rule.outcome.value.replace('_', '-')} of "
            f"{grams_text(rule.more_than, rule.up_to)}",
            band,
            table.id,
        )
    options = [rules.clearance_for(section, band, o) for o in sorted(DECISIVE)]
    if all(o is None for o in options):
        return Verdict(
            Category.NOT_ELIGIBLE,
            Reason.AMOUNT,
            table.id,
            f"{weight}; no rule clears that amount, whatever the outcome",
            band,
            table.id,
        )
    if options[0] and options[1] and options[0].category is options[1].category:
        return Verdict(
            options[0].category,
            None,
            options[0].id,
            f"{weight}; {reading.describe()}, but every outcome "
            f"clears as {options[0].category.value}",
            band,
            table.id,
        )
    reason = (
        Reason.UNCLASSIFIED_DISPOSITION
        if reading.outcome is Outcome.UNREADABLE
        else Reason.MISSING_DISPOSITION
    )
    return Verdict(
        Category.NEEDS_REVIEW,
        reason,
        table.id,
        f"{weight}; {reading.describe()}, and the category depends on the outcome",
        band,
        table.id,
    )

"""Classify charges into eligibility categories, alone and within their case.

A charge's category depends on its statute and subsection, what that
subsection meant on the offence date, its outcome, and the other charges of
its case: a violent co-charge or a Section 7 charge excludes every cannabis
charge beside it. Every result names the rule that decided it and says why in
one line, so a reviewer can check the machine instead of trusting it.

Nothing here guesses: a statute, disposition or date that is missing or
unreadable, and that would change the answer, makes the charge
``needs_review`` with the reason saying what a person must supply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from matching.eligibility.outcomes import DECISIVE, Outcome, OutcomeReading
from matching.eligibility.ruleset import (
    CLEARABLE,
    STATUTE_FORMAT_RULE,
    Band,
    Category,
    Reason,
    RuleSet,
)
from matching.eligibility.statutes import Citation, parse_statute
from matching.eligibility.verdict import Verdict, judge


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeInput:
    """One record of a charge, from any source.

    Attributes:
        statute: the statute as written.
        offense_date: when the offence happened (an arrest date will do: it
            is the same day or later). Never a disposition or filing date:
            the date picks the weight table.
        disposition: the outcome as written; None when the source has none.
        case: the case number, normalised so that every record of one case
            has the same value; None for an arrest or other record with none.
        source: where the record comes from ("clerk", "arrest", ...). Two
            records of one source in a case are two charges (a clerk file
            has a row per count), so only another source lends an outcome.
        record_id: the caller's id, returned on the result untouched.
    """

    statute: str | None
    offense_date: date | None = None
    disposition: str | None = None
    case: str | None = None
    source: str | None = None
    record_id: int | str | None = None


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """The category of one charge record, the rule that decided it, and why.

    Attributes:
        category: where the charge lands on the eligibility screen.
        reason: why not eligible, or what review needs; None when clearable.
        rule_id: the rule (see ``RuleSet.rule``) that decided it.
        why: one line for the reviewer, naming the rules and facts used.
        citation: the statute as read; None when it could not be.
        outcome: the disposition as read (``none`` when there was none).
        band: the weight band of the subsection, when one applied.
        table_id: the weight table used, when one was.
        record_id: the caller's id from :class:`ChargeInput`.
        rules_version: the rule file version that decided it.
    """

    category: Category
    reason: Reason | None
    rule_id: str
    why: str
    citation: Citation | None
    outcome: Outcome
    band: Band | None = None
    table_id: str | None = None
    record_id: int | str | None = None
    rules_version: str = ""

    @property
    def clearable(self) -> bool:
        """True when the record can be cleared (by any route)."""
        return self.category in CLEARABLE


def classify_charge(
    statute: str | None,
    *,
    offense_date: date | None,
    disposition: str | None,
    rules: RuleSet,
    record_id: int | str | None = None,
) -> ChargeResult:
    """Classify one charge on its own, without the rules that need its case.

    Use :func:`classify_case` whenever the other charges of the case are
    known: a violent or Section 7 co-charge changes the answer.

    Example:
        >>> from matching.eligibility.rules import parse_rules
        >>> from importlib.resources import files
        >>> rules = parse_rules((files("resources") / "rules" /
        ...     "illinois_cannabis.toml").read_text(encoding="utf-8"))
        >>> r = classify_charge("720 ILCS 550/4(c)", offense_date=date(2015, 3, 1),
        ...                     disposition="NOLLE PROS", rules=rules)
        >>> (r.category.value, r.rule_id)
        ('non_conviction_minor', 'minor-non-conviction')
    """
    citation = parse_statute(statute)
    reading = rules.outcomes.read(disposition)
    verdict = judge(citation, offense_date, reading, rules, statute)
    return _result(verdict, citation, reading, record_id, rules)


def classify_case(charges: Sequence[ChargeInput], rules: RuleSet) -> list[ChargeResult]:
    """Classify every record of one case, applying the same-case rules.

    Records of one case share what one of them knows. A record takes the
    earliest offence date of its charge (same statute, subsection and
    attempt), or else of the case. A record without a final outcome takes the
    outcome of its charge from the other sources, when they agree and when
    its own source has no other record of that charge (which would make it
    ambiguous which count is which). Then a violent co-charge, or a charge
    excluded for the whole case (Section 7), excludes the case's cannabis
    charges under sections with weight tables, and a co-charge whose statute
    cannot be read sends clearable ones to review (it might be either).

    Args:
        charges: the records of one case, from any sources.
        rules: the rule set.

    Returns:
        One result per record, in the order given.
    """
    citations = [parse_statute(c.statute) for c in charges]
    days = _offence_days(charges, citations)
    readings = _share_outcomes(
        charges, citations, [rules.outcomes.read(c.disposition) for c in charges]
    )
    results = [
        _result(
            judge(cit, day, reading, rules, c.statute),
            cit,
            reading,
            c.record_id,
            rules,
        )
        for c, cit, day, reading in zip(charges, citations, days, readings, strict=True)
    ]
    return _apply_case_rules(results, charges, citations, rules)


def _result(
    verdict: Verdict,
    citation: Citation | None,
    reading: OutcomeReading,
    record_id: int | str | None,
    rules: RuleSet,
) -> ChargeResult:
    why = verdict.why
    if citation is not None and citation.attempt and citation.act == rules.act:
        why += "; an attempt is judged as the offence attempted"
    return ChargeResult(
        verdict.category,
        verdict.reason,
        verdict.rule_id,
        why,
        citation,
        reading.outcome,
        verdict.band,
        verdict.table_id,
        record_id,
        rules.version,
    )


def _offence_days(
    charges: Sequence[ChargeInput], citations: Sequence[Citation | None]
) -> list[date | None]:
    """Each record's offence date, filled in from its charge or case.

    The earliest date of the same charge wins over a record's own: an arrest
    date may fall after the offence, and the offence date picks the table.
    """
    case_day = min((c.offense_date for c in charges if c.offense_date), default=None)
    charge_day: dict[tuple[str, bool], date] = {}
    for c, cit in zip(charges, citations, strict=True):
        if cit is not None and c.offense_date is not None:
            key = (cit.key, cit.attempt)
            charge_day[key] = min(charge_day.get(key, c.offense_date), c.offense_date)
    return [
        (charge_day.get((cit.key, cit.attempt)) if cit else None)
        or c.offense_date
        or case_day
        for c, cit in zip(charges, citations, strict=True)
    ]


def _share_outcomes(
    charges: Sequence[ChargeInput],
    citations: Sequence[Citation | None],
    readings: Sequence[OutcomeReading],
) -> list[OutcomeReading]:
    """Give records without a final outcome the agreed outcome of their charge."""
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, cit in enumerate(citations):
        if cit is not None:
            groups.setdefault((cit.key, cit.attempt), []).append(i)
    shared = list(readings)
    for members in groups.values():
        sources = Counter(charges[i].source for i in members)
        for i in members:
            own = charges[i].source
            waiting = readings[i].outcome in (Outcome.NONE, Outcome.UNDECIDED)
            if not waiting or own is None or sources[own] > 1:
                continue
            lenders = [
                readings[j]
                for j in members
                if charges[j].source not in (None, own)
                and readings[j].outcome in DECISIVE
            ]
            if lenders and len({r.outcome for r in lenders}) == 1:
                shared[i] = replace(lenders[0], borrowed=True)
    return shared


def _apply_case_rules(
    results: list[ChargeResult],
    charges: Sequence[ChargeInput],
    citations: Sequence[Citation | None],
    rules: RuleSet,
) -> list[ChargeResult]:
    """Violent and whole-case exclusions, then unreadable co-charges."""
    cause: tuple[Reason, str, str] | None = None
    for c, cit in zip(charges, citations, strict=True):
        offense = rules.violent.find(cit) if cit else None
        if offense is not None:
            cause = (
                Reason.VIOLENT_COCHARGE,
                rules.violent.id,
                f"the case also charges {offense.name} ({c.statute!r})",
            )
            break
    if cause is None:
        for c, cit in zip(charges, citations, strict=True):
            exclusion = rules.exclusion_for(cit.section) if cit else None
            if exclusion and exclusion.whole_case and cit and cit.act == rules.act:
                cause = (
                    exclusion.reason,
                    exclusion.id,
                    f"the case also charges {cit.section_key} ({c.statute!r})",
                )
                break
    unread = next(
        (c.statute for c, cit in zip(charges, citations, strict=True) if cit is None),
        False,
    )
    out = []
    for r in results:
        weighed = (
            r.citation is not None
            and r.citation.act == rules.act
            and bool(rules.tables_for(r.citation.section))
        )
        if weighed and cause:
            reason, rule_id, said = cause
            r = replace(
                r,
                category=Category.NOT_ELIGIBLE,
                reason=reason,
                rule_id=rule_id,
                why=f"{rule_id}: {said}; alone: {r.why}",
            )
        elif weighed and unread is not False and r.clearable:
            said = f"statute {unread!r}" if unread else "a charge with no statute"
            r = replace(
                r,
                category=Category.NEEDS_REVIEW,
                reason=Reason.UNCLASSIFIED_STATUTE,
                rule_id=STATUTE_FORMAT_RULE,
                why=f"the case also has {said}, which could not be read and "
                f"might be violent or Section 7; alone: {r.why}",
            )
        out.append(r)
    return out

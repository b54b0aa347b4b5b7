"""One person's eligibility, from all of their records together.

The same charge reaches us up to three times: the arrest (no case number, no
outcome), the clerk's row and the disposition system's row. Judged alone, an
arrest would always lack a disposition. :func:`classify_person` therefore
groups the records into cases, attaches each arrest to the one case that
charged the same offence shortly after it, classifies case by case, and
:func:`combine_person` sums the results up for the eligibility screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matching.eligibility.classify import ChargeInput, ChargeResult, classify_case
from matching.eligibility.ruleset import (
    CLEARABLE,
    NOT_ELIGIBLE_REASONS,
    REVIEW_REASONS,
    Category,
    Reason,
    RuleSet,
)
from matching.eligibility.statutes import Citation, parse_statute

# Generated arrests follow the offence by up to 89 days; a warrant arrest can
# be later still, but a wider window would attach arrests to the wrong case of
# a frequent offender.
ARREST_WINDOW_DAYS = 90

# The person's category when they have clearable records: the route needing
# the most work from the office comes first (a motion must be filed).
_CLEARING_ORDER = (
    Category.MOTION_TO_VACATE,
    Category.CONVICTION_MINOR,
    Category.NON_CONVICTION_MINOR,
)


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A person's overall category, the counts behind it, and every result.

    Attributes:
        category: the person's place on the eligibility screen.
        reason: why not eligible, or what review needs first.
        why: one line for the screen, e.g. '2 to clear; 1 needs review'.
        counts: records per category (every category present, zeros too).
        reasons: records per reason, for those with one.
        results: one per input record, in the order given.
    """

    category: Category
    reason: Reason | None
    why: str
    counts: dict[Category, int]
    reasons: dict[Reason, int]
    results: tuple[ChargeResult, ...]

    @property
    def clearable(self) -> int:
        """How many records can be cleared, by any route."""
        return sum(self.counts[c] for c in CLEARABLE)


def combine_person(
    results: Sequence[ChargeResult], *, links_confirmed: bool
) -> PersonSummary:
    """Sum one person's charge results into their overall category.

    Review comes first: one record a person must read can change what the
    others mean. Then, if any record clears, the person is in the category
    that needs most work (motion to vacate, then conviction, then
    non-conviction). Otherwise not eligible, with the most telling reason.

    Args:
        results: every charge result of the person.
        links_confirmed: whether a person confirmed the links that made these
            records one identity. If not, anything clearable or to review
            becomes ``needs_review/unconfirmed_links``: the office must not
            clear or notify on a machine's guess of who someone is.

    Returns:
        The summary. With no results at all: not eligible, not cannabis.
    """
    counts = Counter(r.category for r in results)
    reasons = Counter(r.reason for r in results if r.reason is not None)
    clearable = sum(counts[c] for c in CLEARABLE)
    review = counts[Category.NEEDS_REVIEW]
    category: Category
    reason: Reason | None = None
    if not links_confirmed and (clearable or review):
        category, reason = Category.NEEDS_REVIEW, Reason.UNCONFIRMED_LINKS
    elif review:
        category = Category.NEEDS_REVIEW
        reason = next(r for r in REVIEW_REASONS if reasons[r])
    elif clearable:
        category = next(c for c in _CLEARING_ORDER if counts[c])
    else:
        category = Category.NOT_ELIGIBLE
        reason = next(
            (r for r in NOT_ELIGIBLE_REASONS if reasons[r]), Reason.NOT_CANNABIS
        )
    return PersonSummary(
        category=category,
        reason=reason,
        why=_why(len(results), clearable, review, reason, links_confirmed),
        counts={c: counts[c] for c in Category},
        reasons=dict(reasons),
        results=tuple(results),
    )


def classify_person(
    charges: Sequence[ChargeInput],
    rules: RuleSet,
    *,
    links_confirmed: bool,
    arrest_window_days: int = ARREST_WINDOW_DAYS,
) -> PersonSummary:
    """Classify all of one person's charge records and sum them up.

    Records with the same ``case`` form a case. A record without one (an
    arrest) joins the case that charged the same offence (statute,
    subsection, attempt) on or up to ``arrest_window_days`` before its date,
    when exactly one case did; otherwise it stands alone, and a cannabis
    arrest standing alone has no disposition and goes to review.

    Args:
        charges: every charge record linked to the person.
        rules: the rule set.
        links_confirmed: see :func:`combine_person`.
        arrest_window_days: how long after a case's offence date an arrest
            for the same offence still belongs to it.

    Returns:
        The summary; its ``results`` follow the order of ``charges``.
    """
    results: list[ChargeResult | None] = [None] * len(charges)
    for members in group_cases(charges, arrest_window_days):
        for i, result in zip(
            members, classify_case([charges[i] for i in members], rules), strict=True
        ):
            results[i] = result
    return combine_person(
        [r for r in results if r is not None], links_confirmed=links_confirmed
    )


def group_cases(charges: Sequence[ChargeInput], window: int) -> list[list[int]]:
    """Indices of the records of each case, arrests attached where unambiguous."""
    cases: dict[str, list[int]] = {}
    loose: list[int] = []
    for i, c in enumerate(charges):
        if c.case:
            cases.setdefault(c.case, []).append(i)
        else:
            loose.append(i)
    offences: dict[str, list[Citation]] = {}
    starts: dict[str, date | None] = {}
    for case, members in cases.items():
        cits = [parse_statute(charges[i].statute) for i in members]
        offences[case] = [c for c in cits if c is not None]
        days = [d for i in members if (d := charges[i].offense_date) is not None]
        starts[case] = min(days, default=None)
    alone: list[list[int]] = []
    for i in loose:
        cit, day = parse_statute(charges[i].statute), charges[i].offense_date
        fits = [
            case
            for case, start in starts.items()
            if cit is not None
            and day is not None
            and start is not None
            and 0 <= (day - start).days <= window
            and any(_same_offence(cit, other) for other in offences[case])
        ]
        if len(fits) == 1:
            cases[fits[0]].append(i)
        else:
            alone.append([i])
    return [*cases.values(), *alone]


def _same_offence(a: Citation, b: Citation) -> bool:
    """Same section and attempt; subsections agree unless one source omits it.

    Sources differ on writing subsections that do not change the offence
    (570/402 vs 570/402(c)); a subsection written differently on both sides
    is a different charge.
    """
    return (
        a.section_key == b.section_key
        and a.attempt == b.attempt
        and (
            a.subsection is None or b.subsection is None or a.subsection == b.subsection
        )
    )


def _why(
    n: int, clearable: int, review: int, reason: Reason | None, confirmed: bool
) -> str:
    if n == 0:
        return "no charge records"
    parts = [f"{clearable} of {n} records to clear"]
    if review:
        parts.append(f"{review} need review")
    if reason is Reason.UNCONFIRMED_LINKS and not confirmed:
        parts.append("a person must confirm this identity's links first")
    elif reason is not None:
        parts.append(f"main reason: {reason.value}")
    return "; ".join(parts)

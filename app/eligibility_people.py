"""The eligibility list summed up per person, and the screen's filters.

The office clears people, not rows: the eligibility screen lists each
identity once, in the category all of its cannabis cases together put it
in (:func:`matching.eligibility.combine_person`, as the classifier sums up a
person), with the counts per category. The same filter the screen applies
can be handed to the export, so "export what I see" writes exactly the
cases of the people shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from app.eligibility import iter_eligible_rows
from app.eligibility_row import EligibleRow
from app.identity_queries import display_name
from app.workspace.core import Connection
from matching.eligibility import CLEARABLE, Category, Reason, RuleSet, combine_person
from matching.progress import CancelFn, ProgressFn


@dataclass(frozen=True, slots=True)
class EligiblePerson:
    """One identity with cannabis cases: where all of them put the person."""

    identity_id: int
    name: str  # LAST, FIRST MIDDLE of the first case's speaking record
    dob: str
    category: Category
    reason: Reason | None
    why: str  # e.g. '3 records: 2 to clear; 1 needs review'
    confirmed: bool  # a person confirmed every link of the identity
    if_confirmed: Category  # the category once the links are confirmed
    case_numbers: tuple[str, ...]  # as the clerk spelled them; '' for none
    offense_dates: tuple[date | None, ...]  # one per case, in case order
    clearable_cases: int

    @property
    def cases(self) -> int:
        return len(self.case_numbers)

    @property
    def first_offense(self) -> date | None:
        return min((d for d in self.offense_dates if d), default=None)

    @property
    def last_offense(self) -> date | None:
        return max((d for d in self.offense_dates if d), default=None)


def person_of(rows: Sequence[EligibleRow]) -> EligiblePerson:
    """The person behind one identity's rows (all of them, in list order)."""
    head = rows[0]
    results = [r for row in rows for r in row.results]
    summary = combine_person(results, links_confirmed=head.confirmed)
    full = combine_person(results, links_confirmed=True)
    return EligiblePerson(
        identity_id=head.identity_id,
        name=display_name(head.last_name, head.first_name, head.middle_name),
        dob=head.dob,
        category=summary.category,
        reason=summary.reason,
        why=summary.why,
        confirmed=head.confirmed,
        if_confirmed=full.category,
        case_numbers=tuple(row.case_number for row in rows),
        offense_dates=tuple(row.offense_date for row in rows),
        clearable_cases=sum(1 for row in rows if row.if_confirmed in CLEARABLE),
    )


def people_from_rows(rows: Iterable[EligibleRow]) -> Iterator[EligiblePerson]:
    """One person per identity; the rows must come grouped by identity."""
    for _, group in groupby(rows, key=lambda r: r.identity_id):
        yield person_of(list(group))


def eligible_people(
    conn: Connection,
    *,
    rules: RuleSet | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> list[EligiblePerson]:
    """Every person with a cannabis case, for the eligibility screen.

    Reads the whole workspace; run it off the GUI thread (it reports
    progress and honours ``cancel`` like the link job).
    """
    rows = iter_eligible_rows(conn, rules=rules, on_progress=on_progress, cancel=cancel)
    return list(people_from_rows(rows))


def category_counts(people: Iterable[EligiblePerson]) -> dict[Category, int]:
    """People per category, every category listed (zeros too)."""
    counts = dict.fromkeys(Category, 0)
    for person in people:
        counts[person.category] += 1
    return counts


@dataclass(frozen=True, slots=True)
class EligibilityFilter:
    """What the screen shows, and what "export with these filters" writes.

    Attributes:
        categories: the person's category must be one of these; None: any.
        start, end: offence dates, both inclusive; None leaves that side
            open. A person is kept when any case's offence date is in the
            range, and the export writes only the cases in it; a case with
            no offence date is left out once a range is set.
        confirmed: True keeps people whose every link a person confirmed,
            False those with a link no person confirmed; None both.
    """

    categories: frozenset[Category] | None = None
    start: date | None = None
    end: date | None = None
    confirmed: bool | None = None

    @property
    def is_all(self) -> bool:
        return (
            self.categories is None
            and self.start is None
            and self.end is None
            and self.confirmed is None
        )

    def _in_range(self, day: date | None) -> bool:
        if self.start is None and self.end is None:
            return True
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (
            self.end is None or day <= self.end
        )

    def keeps_person(self, person: EligiblePerson) -> bool:
        if self.categories is not None and person.category not in self.categories:
            return False
        if self.confirmed is not None and person.confirmed != self.confirmed:
            return False
        return any(self._in_range(d) for d in person.offense_dates)

    def keeps_row(self, row: EligibleRow) -> bool:
        """A row of a kept person: is its case inside the date range?"""
        return self._in_range(row.offense_date)

    def describe(self) -> str:
        """The filter in words, for the export dialog and the log (no names)."""
        if self.is_all:
            return "all people, all cases"
        parts = []
        if self.categories is not None:
            parts.append("category " + " or ".join(sorted(self.categories)))
        if self.start is not None or self.end is not None:
            start = self.start.isoformat() if self.start else "any date"
            end = self.end.isoformat() if self.end else "any date"
            parts.append(f"offence dates {start} to {end}")
        if self.confirmed is not None:
            parts.append(
                "every link confirmed by a person"
                if self.confirmed
                else "some link not confirmed by a person"
            )
        return "; ".join(parts)


def filtered_rows(
    rows: Iterable[EligibleRow], where: EligibilityFilter
) -> Iterator[EligibleRow]:
    """The rows of the people ``where`` keeps, inside its date range."""
    for _, group in groupby(rows, key=lambda r: r.identity_id):
        mine = list(group)
        if where.keeps_person(person_of(mine)):
            yield from (row for row in mine if where.keeps_row(row))

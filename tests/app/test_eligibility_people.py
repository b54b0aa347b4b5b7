"""People, filters, progress and one identity's charges, built from the list's rows."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from app.decisions import merge_identities
from app.eligibility import eligible_rows, iter_eligible_rows
from app.eligibility_export import export_eligible
from app.eligibility_people import (
    EligibilityFilter,
    category_counts,
    eligible_people,
    filtered_rows,
)
from app.eligibility_person import identity_charges
from app.workspace import Connection
from app.workspace.eligibility_sql import count_records, list_disseminations
from matching.eligibility import CLEARABLE, Category, Reason, combine_person
from matching.progress import Cancelled


def test_one_person_per_identity_in_the_category_all_their_cases_give(
    linked: Connection,
) -> None:
    """The screen's people are the list's identities, summed as the classifier sums."""
    rows = eligible_rows(linked)
    by_identity = defaultdict(list)
    for row in rows:
        by_identity[row.identity_id].append(row)
    people = eligible_people(linked)
    assert [p.identity_id for p in people] == list(by_identity)
    for person in people:
        mine = by_identity[person.identity_id]
        results = [r for row in mine for r in row.results]
        expected = combine_person(results, links_confirmed=mine[0].confirmed)
        assert person.category is expected.category
        assert person.reason is expected.reason
        assert person.cases == len(mine)
        assert person.confirmed == mine[0].confirmed
        if not person.confirmed and person.if_confirmed in CLEARABLE:
            assert person.reason is Reason.UNCONFIRMED_LINKS
    counts = category_counts(people)
    assert set(counts) == set(Category)
    assert sum(counts.values()) == len(people)
    assert counts[Category.NOT_ELIGIBLE] > 0


def test_filters_keep_the_people_and_cases_they_say(linked: Connection) -> None:
    people = eligible_people(linked)
    only = EligibilityFilter(categories=frozenset({Category.NOT_ELIGIBLE}))
    kept = [p for p in people if only.keeps_person(p)]
    assert kept
    assert all(p.category is Category.NOT_ELIGIBLE for p in kept)
    assert len(kept) == category_counts(people)[Category.NOT_ELIGIBLE]
    unconfirmed = EligibilityFilter(confirmed=False)
    assert all(not p.confirmed for p in people if unconfirmed.keeps_person(p))
    assert any(unconfirmed.keeps_person(p) for p in people)
    start, end = date(1990, 1, 1), date(1999, 12, 31)
    dated = EligibilityFilter(start=start, end=end)
    for person in people:
        inside = any(d is not None and start <= d <= end for d in person.offense_dates)
        assert dated.keeps_person(person) == inside
    rows = list(filtered_rows(iter_eligible_rows(linked), dated))
    assert rows
    assert all(r.offense_date and start <= r.offense_date <= end for r in rows)
    assert EligibilityFilter().is_all
    assert "1990-01-01" in dated.describe()
    assert "not_eligible" in only.describe()


def test_a_filtered_export_writes_the_shown_cases_and_says_so_in_the_log(
    linked: Connection, tmp_path: Path
) -> None:
    where = EligibilityFilter(categories=frozenset({Category.NOT_ELIGIBLE}))
    out = tmp_path / "not-eligible.csv"
    result = export_eligible(
        linked, out, fmt="csv", recipient="ISP", method="file", where=where
    )
    with out.open(encoding="utf-8", newline="") as fh:
        written = list(csv.reader(fh))[1:]
    wanted = {p.identity_id for p in eligible_people(linked) if where.keeps_person(p)}
    assert {int(r[0]) for r in written} == wanted
    assert result.people == len(wanted)
    (entry,) = list_disseminations(linked.conn)
    assert entry.details["filters"] == where.describe()
    assert entry.details["rows"] == len(written)


def test_progress_reaches_every_record_and_cancel_stops_the_export(
    linked: Connection, tmp_path: Path
) -> None:
    seen: list[tuple[str, int, int]] = []
    rows = list(iter_eligible_rows(linked, on_progress=lambda *a: seen.append(a)))
    assert rows == eligible_rows(linked)
    total = count_records(linked.conn)
    assert seen[-1] == ("eligibility", total, total)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)
    out = tmp_path / "eligible.csv"
    with pytest.raises(Cancelled):
        export_eligible(
            linked, out, fmt="csv", recipient="ISP", method="file", cancel=lambda: True
        )
    assert not out.exists()
    assert list_disseminations(linked.conn) == []


def test_one_identity_s_charges_are_its_rows_record_by_record(
    linked: Connection,
) -> None:
    """The identity page says exactly what the list says about the person."""
    rows = eligible_rows(linked)
    row = next(r for r in rows if len(r.record_keys) > 1)
    mine = [r for r in rows if r.identity_id == row.identity_id]
    data = identity_charges(linked, row.identity_id)
    assert data is not None
    assert list(data.rows) == mine
    assert [c.record_key for c in data.charges] == [
        k for r in mine for k in r.record_keys
    ]
    results = [res for r in mine for res in r.results]
    for charge, result in zip(data.charges, results, strict=True):
        assert charge.category is result.category
        assert charge.rule_id == result.rule_id
        assert charge.why == result.why
        assert charge.rule_text  # every rule id the classifier uses is described
    assert data.person is not None
    assert data.person.identity_id == row.identity_id
    assert identity_charges(linked, 999_999_999) is None


def test_a_merged_away_identity_shows_the_charges_of_the_one_it_joined(
    linked: Connection,
) -> None:
    rows = eligible_rows(linked)
    first, second = (
        rows[0].identity_id,
        next(r.identity_id for r in rows if r.identity_id != rows[0].identity_id),
    )
    left = rows[0].record_keys[0]
    right = next(r for r in rows if r.identity_id == second).record_keys[0]
    merge_identities(linked, left, right, reason="same_person_details")
    (now,) = linked.conn.execute(
        "SELECT identity_id FROM records WHERE id = ?", (left,)
    ).fetchone()
    gone = second if now == first else first
    data = identity_charges(linked, gone)
    assert data is not None
    assert data.identity_id == now != gone
    assert {k for r in data.rows for k in r.record_keys} >= {left, right}

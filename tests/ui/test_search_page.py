"""The search page: a person by a misspelt name, a birth date or a number."""

from __future__ import annotations

from typing import Any

import pytest

from app import review_queries as rq
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    StubSettings,
    review_path,
    review_session,
    review_template,
)
from ui.search_page import SearchPage


def _misspell(name: str) -> str:
    """Swap two letters in the middle: the commonest keying slip."""
    i = len(name) // 2
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


@pytest.fixture
def page(review_session: Any, qtbot: Any) -> SearchPage:  # noqa: F811
    page = SearchPage(review_session, StubSettings())
    qtbot.addWidget(page)
    return page


@pytest.fixture
def person(review_session: Any) -> rq.IdentityRecord:  # noqa: F811
    """A record with a long surname, a first name and a birth date."""
    rows = rq.queue_page(review_session.read, rq.QueueFilter(band="auto", state="all"))
    for row in rows.rows:
        detail = rq.identity_detail(
            review_session.read,
            rq.identity_of_record(review_session.read, row.left_key),
        )
        for record in detail.records:
            last, _, first = record.name.partition(", ")
            if len(last) >= 6 and " " not in last and first and record.dob:
                return record
    raise AssertionError("no suitable record in the sample")


def test_finds_a_misspelt_name(page: SearchPage, person: rq.IdentityRecord):
    """SMTIH-style slips still find the person, LAST, FIRST or FIRST LAST."""
    last, _, first = person.name.partition(", ")
    first = first.split()[0]
    identity = rq.identity_of_record(page.session.read, person.key)
    for text in (f"{_misspell(last)}, {first}", f"{first.title()} {_misspell(last)}"):
        result = page.search(text)
        assert result.kind == "name"
        assert identity in page.identities()[:5], text
    assert "people" in page.summary.text()


def _first_letter_typo(name: str) -> str:
    """A neighbouring key struck for the first letter (J -> K, S -> D)."""
    return ("B" if name[0] == "A" else chr(ord(name[0]) - 1)) + name[1:]


def test_finds_a_name_misspelt_in_its_first_letters(
    page: SearchPage, person: rq.IdentityRecord
):
    """'Jsmes Dmith' for James Smith: a typo in the first letter of both
    names used to hide the person, because names were blocked on it."""
    last, _, first = person.name.partition(", ")
    first = first.split()[0]
    identity = rq.identity_of_record(page.session.read, person.key)
    typed = f"{_first_letter_typo(first).title()} {_first_letter_typo(last).title()}"
    result = page.search(typed)
    assert result.kind == "name"
    assert identity in page.identities()[:10], typed


def test_finds_by_birth_date(page: SearchPage, person: rq.IdentityRecord):
    """A birth date typed the American way finds everyone born that day."""
    year, month, day = person.dob.split("-")
    result = page.search(f"{int(month)}/{int(day)}/{year}")
    assert result.kind == "dob"
    assert person.key in {h.key for h in result.hits}
    assert rq.identity_of_record(page.session.read, person.key) in page.identities()


def test_finds_by_identifier(page: SearchPage, review_session: Any):  # noqa: F811
    """A case number, written any way, finds its records."""
    rows = rq.queue_page(review_session.read, rq.QueueFilter(band="auto", state="all"))
    record = next(
        r
        for row in rows.rows
        for r in rq.identity_detail(
            review_session.read,
            rq.identity_of_record(review_session.read, row.left_key),
        ).records
        if r.case_number
    )
    year, kind, number = record.case_number.split("-")
    result = page.search(f"{year[2:]} {kind.lower()} {int(number)}")
    assert result.kind == "identifier"
    assert record.key in {h.key for h in result.hits}
    assert {h.matched_on for h in result.hits} == {"case_number"}


def test_opening_a_result_asks_for_the_identity(
    page: SearchPage, person: Any, qtbot: Any
):
    """Activating a person asks the window for that identity; a record, for
    that record (the identity page then selects it)."""
    last, _, first = person.name.partition(", ")
    page.search(f"{last}, {first}")
    top = page.tree.topLevelItem(0)
    with qtbot.waitSignal(page.session.identity_requested) as blocker:
        page.tree.setCurrentItem(top)
        page.open_selected()
    assert blocker.args == [top.data(0, SearchPage.IdentityRole)]
    with qtbot.waitSignal(page.session.record_requested):
        page.tree.setCurrentItem(top.child(0))
        page.open_selected()


def test_empty_and_hopeless_searches(page: SearchPage):
    """Nothing typed shows nothing; a name nobody has shows no one."""
    assert page.search("   ").kind == "empty"
    assert page.search("Qxzqwv").hits == ()
    assert page.tree.topLevelItemCount() == 0

"""The merge dialog finds the other person by name, DOB or number, by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app import review_queries as rq
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    StubSettings,
    identity_page,
    review_path,
    review_session,
    review_template,
)
from ui.identity_page import IdentityPage
from ui.merge_dialog import MergeDialog


@pytest.fixture
def page(identity_page: IdentityPage) -> IdentityPage:  # noqa: F811
    return identity_page


def _two_people(session: Any) -> tuple[rq.IdentityDetail, rq.IdentityRecord]:
    """An identity, and a record (with a DOB) of a different identity."""
    rows = rq.queue_page(session.read, rq.QueueFilter(band="auto", state="all"))
    this = rq.identity_detail(
        session.read, rq.identity_of_record(session.read, rows.rows[0].left_key)
    )
    for row in rows.rows[1:]:
        other = rq.identity_detail(
            session.read, rq.identity_of_record(session.read, row.left_key)
        )
        if other.identity_id != this.identity_id:
            record = next((r for r in other.records if r.dob), None)
            if record is not None and ", " in record.name:
                return this, record
    raise AssertionError("no second identity in the sample")


def test_finding_and_merging_the_other_person_by_keyboard(
    page: IdentityPage, qtbot: Any
):
    """Type the other person's name (misspelt), Enter lists people (never
    presses OK), Enter picks one, a reason is chosen by keys, and Enter
    merges: the two identities become one."""
    this, other = _two_people(page.session)
    other_identity = rq.identity_of_record(page.session.read, other.key)
    page.show_identity(this.identity_id)
    page.merge_dialog()
    dialog = page.dialog
    assert isinstance(dialog, MergeDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.search_box.hasFocus)
    last, _, first = other.name.partition(", ")
    typo = last[:-2] + last[-1] + last[-2] if len(last) > 3 else last
    qtbot.keyClicks(dialog.search_box, f"{typo}, {first.split()[0]}")
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)
    assert dialog.isVisible(), "Enter in the search box searched, not accepted"
    assert other_identity in dialog.found()
    assert this.identity_id not in dialog.found()
    assert dialog.results.hasFocus()
    while dialog.identity() != other_identity:
        qtbot.keyClick(dialog.results, Qt.Key.Key_Down)
    assert "records" in dialog.identity_preview.text()
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert dialog.reason_box.hasFocus()
    index = dialog.reason_box.findData("same_person_details")
    while dialog.reason_box.currentIndex() < index:
        qtbot.keyClick(dialog.reason_box, Qt.Key.Key_Down)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(page.session.data_changed, timeout=10000):
        qtbot.keyClick(dialog.reason_box, Qt.Key.Key_Return)
    assert rq.identity_of_record(page.session.read, other.key) == (
        rq.identity_of_record(page.session.read, this.records[0].key)
    )


def test_search_by_birth_date_lists_people_not_records(page: IdentityPage):
    """A DOB lists each person once, without the identity being merged into."""
    this, other = _two_people(page.session)
    page.show_identity(this.identity_id)
    page.merge_dialog()
    dialog = page.dialog
    year, month, day = other.dob.split("-")
    dialog.search_box.setText(f"{int(month)}/{int(day)}/{year}")
    dialog.run_search()
    found = dialog.found()
    assert rq.identity_of_record(page.session.read, other.key) in found
    assert len(found) == len(set(found))
    assert this.identity_id not in found
    dialog.search_box.setText("Qxzqwv")
    dialog.run_search()
    assert dialog.found() == []
    assert dialog.identity() is not None or "Nobody" in dialog.identity_preview.text()

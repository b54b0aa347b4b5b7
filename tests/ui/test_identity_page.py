"""The identity page: a person's timeline, and splits and merges with reasons."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app import review_queries as rq
from app.workspace import ledger
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    StubSettings,
    identity_page,
    review_path,
    review_session,
    review_template,
)
from ui.identity_page import IdentityPage


def _largest_identity(session: Any) -> rq.IdentityDetail:
    """The identity with most records among the first pairs of the queue."""
    rows = rq.queue_page(
        session.read, rq.QueueFilter(band="auto", state="all"), limit=50
    )
    details = [
        rq.identity_detail(
            session.read, rq.identity_of_record(session.read, r.left_key)
        )
        for r in rows.rows
    ]
    return max((d for d in details if d), key=lambda d: d.record_count)


@pytest.fixture
def page(identity_page: IdentityPage) -> IdentityPage:  # noqa: F811
    return identity_page


def test_timeline_groups_charges_and_says_how_each_joined(page: IdentityPage):
    """Records show on a timeline (a court case holds its charge rows) and
    every record says why it is in the identity."""
    detail = _largest_identity(page.session)
    page.show_identity(detail.identity_id)
    assert page.tree.topLevelItemCount() == len(detail.timeline)
    dates = [e.when or "9999" for e in detail.timeline]
    assert dates == sorted(dates)
    for entry in detail.timeline:
        if entry.kind == "clerk":
            assert {r.case_number for r in entry.records} == {
                entry.records[0].case_number
            }
    hows = [r.joined.how for r in detail.records]
    assert hows.count("first") == 1
    assert set(hows) <= {"first", "auto", "decision", "merge", "cluster"}
    shown = [
        page.tree.topLevelItem(i).child(j).text(5)
        for i in range(page.tree.topLevelItemCount())
        for j in range(page.tree.topLevelItem(i).childCount())
    ]
    assert len(shown) == detail.record_count
    assert "First record of this identity" in shown
    linked = [t for t in shown if t.startswith("Linked automatically to ")]
    assert linked
    assert all(", score " in t for t in linked)


def test_split_requires_a_reason_and_splits(page: IdentityPage, qtbot: Any):
    """Split stays disabled until a reason is chosen ("Other" needs words);
    then the record leaves the identity and the ledger says why."""
    detail = _largest_identity(page.session)
    victim = detail.records[-1]
    page.show_identity(detail.identity_id)
    page.select_record(victim.key)
    page.split_selected()
    dialog = page.dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    dialog.reason_box.setCurrentIndex(dialog.reason_box.findData("other"))
    assert not dialog.ok_button.isEnabled(), "Other needs a note"
    dialog.reason_box.setCurrentIndex(dialog.reason_box.findData("family_member"))
    assert dialog.ok_button.isEnabled()
    dialog.note_box.setPlainText("father's arrest")
    with qtbot.waitSignal(page.session.data_changed, timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    now = rq.identity_of_record(page.session.read, victim.key)
    assert now != detail.identity_id
    splits = [
        e for e in ledger.iter_entries(page.session.read.conn) if e["kind"] == "split"
    ]
    assert splits[-1]["left_key"] == victim.key
    assert splits[-1]["reason_code"] == "family_member"
    assert splits[-1]["note"] == "father's arrest"
    assert victim.key not in {r.key for r in page.detail.records}, "page refreshed"


def test_cancelled_split_changes_nothing(page: IdentityPage):
    """Cancel leaves the identity as it was."""
    detail = _largest_identity(page.session)
    page.show_identity(detail.identity_id)
    page.select_record(detail.records[-1].key)
    page.split_selected()
    page.dialog.reject()
    page.session.writes.wait()
    assert rq.identity_detail(page.session.read, detail.identity_id) == detail


def test_merge_needs_a_real_identity_and_a_reason(page: IdentityPage, qtbot: Any):
    """Merge asks for the other identity (it must exist) and a reason; then
    both identities' records are one person."""
    detail = _largest_identity(page.session)
    page.show_identity(detail.identity_id)
    other = next(
        rq.identity_of_record(page.session.read, key)
        for key in range(1, 400)
        if rq.identity_of_record(page.session.read, key)
        not in (None, detail.identity_id)
    )
    page.merge_dialog()
    dialog = page.dialog
    dialog.identity_box.setText("999999")
    dialog.reason_box.setCurrentIndex(dialog.reason_box.findData("same_ids"))
    assert not dialog.ok_button.isEnabled(), "no such identity"
    dialog.identity_box.setText(str(other))
    assert "records" in dialog.identity_preview.text()
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(page.session.data_changed, timeout=10000):
        dialog.ok_button.click()
    merged = rq.identity_detail(page.session.read, other)
    assert merged is not None
    assert merged.identity_id == rq.identity_of_record(
        page.session.read, detail.records[0].key
    )


def test_record_requested_opens_its_identity(page: IdentityPage):
    """Asking for a record (from search or the pair view) shows its identity
    with that record selected."""
    detail = _largest_identity(page.session)
    key = detail.records[1].key
    page.session.record_requested.emit(key)
    assert page.detail.identity_id == detail.identity_id
    assert page.selected_record().key == key


def test_f_walks_the_flagged_identities(page: IdentityPage) -> None:
    """A reviewer can go through every flagged identity with one key."""
    from app.identity_queries import flagged_identities

    flagged = [f.identity_id for f in flagged_identities(page.session.read)]
    assert flagged, "the review sample has flagged identities"
    action = next(
        a for a in page.page_actions() if a.text() == "Next &flagged identity"
    )
    seen = []
    for _ in flagged:
        action.trigger()
        assert page.detail is not None
        seen.append(page.detail.identity_id)
        assert "Flagged:" in page.header.text()
    assert seen == flagged

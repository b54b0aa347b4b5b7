"""The identity page's Provenance tab: the ledger entries behind each record."""

from __future__ import annotations

from typing import Any

import pytest

from app import review_queries as rq
from app.decisions import decide_pair
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    REVIEWER,
    StubSettings,
    identity_page,
    review_path,
    review_session,
    review_template,
)
from ui.identity_page import IdentityPage
from ui.provenance_view import STEP_ROLE


@pytest.fixture
def page(identity_page: IdentityPage) -> IdentityPage:  # noqa: F811
    return identity_page


def _provenance_tab(page: IdentityPage) -> None:
    tabs = page.provenance.parentWidget().parentWidget()
    tabs.setCurrentWidget(page.provenance)


def _steps(page: IdentityPage) -> list[Any]:
    tree = page.provenance.tree
    return [
        tree.topLevelItem(i).child(j).data(0, STEP_ROLE)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
    ]


def test_tab_follows_the_identity_and_shows_the_decision_with_evidence(
    page: IdentityPage, qtbot: Any
) -> None:
    """A reviewer's match shows who, why, and the values they saw; the
    record the timeline selects is selected here too."""
    session = page.session
    row = rq.queue_page(session.read, rq.QueueFilter(), limit=1).rows[0]
    with qtbot.waitSignal(session.data_changed, timeout=10000):
        session.write(
            lambda c: decide_pair(
                c, row.pair_id, "match", reason_code="same_ids", note="same SID"
            ),
            changed="decision",
        )
    identity = rq.identity_of_record(session.read, row.left_key)
    page.show_identity(identity, select=row.right_key)
    _provenance_tab(page)
    qtbot.waitUntil(
        lambda: (
            page.provenance.data is not None
            and page.provenance.data.identity_id == identity
        ),
        timeout=5000,
    )
    steps = _steps(page)
    match = next(s for s in steps if s.kind == "match")
    assert match.actor == REVIEWER.name
    assert match.note == "same SID"
    current = page.provenance.tree.currentItem()
    assert current is not None
    page.provenance.tree.setCurrentItem(
        next(
            page.provenance.tree.topLevelItem(i).child(j)
            for i in range(page.provenance.tree.topLevelItemCount())
            for j in range(page.provenance.tree.topLevelItem(i).childCount())
            if page.provenance.tree.topLevelItem(i).child(j).data(0, STEP_ROLE) is match
        )
    )
    text = page.provenance.step.toPlainText()
    assert "Same SID / FBI / IR number" in text
    assert "Evidence as the reviewer saw it" in text
    assert "Left record" in text


def test_automatic_links_name_model_and_thresholds(
    page: IdentityPage, qtbot: Any
) -> None:
    rows = rq.queue_page(
        page.session.read, rq.QueueFilter(band="auto", state="all"), limit=1
    ).rows
    identity = rq.identity_of_record(page.session.read, rows[0].left_key)
    _provenance_tab(page)
    page.show_identity(identity)
    qtbot.waitUntil(lambda: page.provenance.data is not None, timeout=5000)
    auto = [s for s in _steps(page) if s.kind == "auto-link"]
    assert auto
    assert any(s.holds for s in auto)
    tree = page.provenance.tree
    tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    top = next(t for t in tops if "held by entry #" in t.text(0))
    child = next(
        top.child(j)
        for j in range(top.childCount())
        if top.child(j).data(0, STEP_ROLE).holds
    )
    tree.setCurrentItem(child)
    text = page.provenance.step.toPlainText()
    assert "Thresholds" in text
    assert "Model" in text

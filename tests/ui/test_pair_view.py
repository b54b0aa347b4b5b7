"""The pair view: differences marked to the character, weights with signs."""

from __future__ import annotations

from typing import Any

import pytest

from app import review_queries as rq
from app.workspace.core import Connection
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    review_path,
    review_read,
    review_template,
)
from ui.pair_view import PairView
from ui.weight_bar import AGAINST_COLOUR, FOR_COLOUR


def _record(key: int, values: dict[str, str], original: tuple[Any, ...] = ()) -> Any:
    return rq.RecordView(
        key=key, source="clerk", kind="clerk", record_id=str(key), identity_id=key,
        file_name="clerk.csv", line=key + 1, values=values, original=original,
        problems=(),
    )  # fmt: skip


def _detail() -> rq.PairDetail:
    left = _record(
        1,
        {"last_name": "SMITH", "first_name": "JOHN", "dob": "1983-04-14",
         "statute": "720-550/4(b)"},
        (("DEF_NAME", "Smith, John", "full_name"), ("DOB", "04/14/1983", "dob")),
    )  # fmt: skip
    right = _record(
        2,
        {"last_name": "SMYTH", "first_name": "JOHN", "dob": "1983-14-04",
         "statute": "720 ILCS 5/18-1"},
    )  # fmt: skip
    return rq.PairDetail(
        pair_id=7, band="review", weight=1.5, probability=0.74, prior_weight=-7.0,
        left=left, right=right,
        fields=("first_name", "last_name", "dob", "statute"),
        evidence=(
            rq.FieldDiff("first_name", ("first_name",), "Same first name", 2.5, False),
            rq.FieldDiff("last_name", ("last_name",), "Nearly the same", 3.0, False),
            rq.FieldDiff("dob", ("dob",), "Different date of birth", -4.5, False),
        ),
        left_members=(), left_member_count=0,
        right_members=(rq.Member(9, "arrest", "A9", "SMYTH, JOHN", None, None, None),),
        right_member_count=1, standing=None,
    )  # fmt: skip


@pytest.fixture
def view(qtbot: Any) -> PairView:
    view = PairView()
    qtbot.addWidget(view)
    view.show_pair(_detail())
    return view


def test_differing_characters_are_marked(view: PairView):
    """Only the characters that differ are marked (SMITH / SMYTH: I and Y),
    agreeing fields are quiet, and event fields are never marked."""
    left, right = view.field_html("last_name")
    assert 'class="diff"' in left
    assert left.replace("SM", "", 1).startswith("<span")
    assert ">I</span>" in left
    assert ">Y</span>" in right
    assert left.endswith("TH")
    assert right.endswith("TH")
    assert view.field_differs("dob")
    assert not view.field_differs("first_name")
    assert 'class="diff"' not in view.field_html("first_name")[0]
    assert not view.field_differs("statute"), "what happened is not evidence"


def test_contribution_bars_have_signs(view: PairView):
    """Evidence for a match draws green to the right, evidence against red
    to the left; the signed value is kept for the number beside the bar."""
    for_bar = view.bar_for("last_name")
    against_bar = view.bar_for("dob")
    assert for_bar is not None
    assert against_bar is not None
    assert for_bar.value() == pytest.approx(3.0)
    assert for_bar.colour() == FOR_COLOUR
    assert against_bar.value() == pytest.approx(-4.5)
    assert against_bar.colour() == AGAINST_COLOUR


def test_hide_scores_hides_probability(view: PairView):
    """The hide-score option removes the probability and total weight."""
    assert view.score_visible()
    assert "74.0%" in view.score_label.text()
    view.set_hide_scores(True)
    assert not view.score_visible()
    assert view.prior_row.bar.isHidden()
    view.show_pair(_detail())
    assert not view.score_visible(), "stays hidden on the next pair"


def test_original_rows_are_one_click_away(view: PairView):
    """The toggle swaps in the rows exactly as the files had them."""
    assert not view.showing_original()
    view.show_original(True)
    assert view.showing_original()
    assert ("DOB", "04/14/1983") in view.original.values("left")


def test_identity_members_listed_beside_each_record(view: PairView):
    """Each side lists the other records already in its identity."""
    assert view.right_members.list.count() == 1
    assert "arrest A9" in view.right_members.list.item(0).text()
    assert view.left_members.list.count() == 0


def test_real_pair_from_the_workspace(view: PairView, review_read: Connection):  # noqa: F811
    """A pair from a linked sample renders: every shown comparison has a
    bar, and the bars (plus the prior) add up to the pair's weight."""
    row = rq.queue_page(review_read, rq.QueueFilter(state="all"), limit=1).rows[0]
    detail = rq.pair_detail(review_read, row.pair_id)
    view.show_pair(detail)
    total = detail.prior_weight + sum(e.contribution for e in detail.evidence)
    assert total == pytest.approx(detail.weight, abs=1e-3)
    for evidence in detail.evidence:
        bar = view.bar_for(evidence.comparison)
        if bar is not None and not evidence.missing:
            assert bar.value() == pytest.approx(evidence.contribution)

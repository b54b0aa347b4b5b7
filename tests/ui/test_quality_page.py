"""The Quality page: draw off the GUI thread, label blind, adjudicate in normal mode."""

# The review fixtures are imported by name (tests/ui/conftest_review.py), so
# every test's parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.actor import Actor
from app.audit_file import AuditFile, default_path
from app.quality_draw import draw_sample
from app.workspace import ledger, open_workspace
from tests.conftest import snapshot
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    REVIEWER,
    StubSettings,
    review_path,
    review_session,
    review_template,
)
from ui.quality_page import AGREEMENT_TAB, BLIND_TAB, QualityPage
from ui.session import Session

SHIFT = Qt.KeyboardModifier.ShiftModifier


def _show(page: QualityPage, qtbot: Any) -> QualityPage:
    qtbot.addWidget(page)
    page.resize(1300, 850)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def _drawn(path: Path, size: int = 30, seed: int = 2) -> Path:
    """A sample drawn through the core, beside the workspace (the default place)."""
    conn = open_workspace(path, readonly=True, actor=REVIEWER)
    try:
        draw_sample(conn, default_path(path), size=size, seed=seed)
    finally:
        conn.close()
    return default_path(path)


def _items(session: Any, audit_path: Path) -> dict[int, Any]:
    audit = AuditFile.open(
        audit_path, workspace_uuid=session.read.info("workspace_uuid")
    )
    try:
        return {i.pos: i for i in audit.items()}
    finally:
        audit.close()


def _labels(session: Any, audit_path: Path) -> dict[int, str]:
    audit = AuditFile.open(
        audit_path, workspace_uuid=session.read.info("workspace_uuid")
    )
    try:
        return {pos: label.label for pos, label in audit.labels().items()}
    finally:
        audit.close()


def _press(qtbot: Any, page: QualityPage, key: Qt.Key, mod: Any = None) -> None:
    qtbot.keyClick(
        page.focusWidget() or page, key, mod or Qt.KeyboardModifier.NoModifier
    )


def test_draw_runs_in_the_background_and_fills_the_estimates(
    review_session: Any,
    qtbot: Any,
) -> None:
    """Drawing rebuilds every candidate pair, so it must not block the GUI;
    when it ends the strata and the first blind pair are on screen."""
    page = _show(QualityPage(review_session, StubSettings()), qtbot)
    assert page.audit_path == default_path(review_session.path)
    page.sample_tab.size_box.setValue(25)
    page.sample_tab.draw_button.click()
    assert page.is_busy()
    assert not page.sample_tab.draw_button.isEnabled()
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=30_000)
    assert page.sample_tab.estimates.table.rowCount() == 5
    assert page.blind_tab.view.pair() is not None
    assert "seed 1" in page.sample_tab.status.text()
    assert not page.sample_tab.draw_button.isEnabled()  # one sample per file


def test_blind_panel_shows_no_score_decision_or_identity(
    review_session: Any,
    review_path: Path,
    qtbot: Any,
) -> None:
    """Independence is the point of a second review: the panel is given only
    the two records, so neither the model's score nor the first decision nor
    the shared identity can show, whatever the stratum."""
    audit_path = _drawn(review_path)
    page = _show(QualityPage(review_session, StubSettings()), qtbot)
    items = _items(review_session, audit_path)
    for pos, item in items.items():
        page.show_item(pos)
        pair = page.blind_tab.view.pair()
        assert pair is not None
        assert pair.left.identity_id == pair.right.identity_id == 0
        shown = re.sub(r"<[^>]+>", " ", page.blind_tab.view.shown_text())
        assert "%" not in shown
        assert f"{item.probability:.3f}" not in shown
        for word in ("probability", "weight", "identity", "model", "band", "linked"):
            assert word not in shown.lower()
        assert item.first_decision not in shown.lower().split()
    assert not hasattr(page.blind_tab.view.pair(), "probability")
    assert not hasattr(page.blind_tab.view.pair(), "first_decision")


def test_m_n_u_label_the_pair_and_show_the_next(
    review_session: Any,
    review_path: Path,
    qtbot: Any,
) -> None:
    """The review page's keys: each label is appended to the audit file (not
    the workspace) with who labelled it, and the next unlabelled pair shows."""
    audit_path = _drawn(review_path)
    before = snapshot(review_path)
    page = _show(QualityPage(review_session, StubSettings()), qtbot)
    page.tabs.setCurrentIndex(BLIND_TAB)
    assert page.blind_tab.view.pair().pos == 1
    for key, expected_pos in ((Qt.Key.Key_M, 2), (Qt.Key.Key_N, 3), (Qt.Key.Key_U, 4)):
        _press(qtbot, page, key)
        assert page.blind_tab.view.pair().pos == expected_pos
    page._files.writer.wait()
    qtbot.waitUntil(lambda: "3</b> of 30" in page.blind_tab.progress.text())
    assert _labels(review_session, audit_path) == {
        1: "match",
        2: "non-match",
        3: "unsure",
    }
    _press(qtbot, page, Qt.Key.Key_Left)
    assert page.blind_tab.view.pair().pos == 3
    assert page.blind_tab.view.pair().own_label == "unsure"
    assert snapshot(review_path) == before  # blind labels never touch the workspace


def _disagree_on_first(page: QualityPage, session: Any, audit_path: Path, qtbot: Any):
    item = _items(session, audit_path)[1]
    opposite = "non-match" if item.first_decision == "match" else "match"
    page.tabs.setCurrentIndex(BLIND_TAB)
    page.show_item(1)
    page.label(opposite)
    page._files.writer.wait()
    qtbot.waitUntil(lambda: page.agreement.table.rowCount() == 1)
    return item, opposite


def test_adjudication_is_a_ledger_entry_naming_the_sample(
    review_session: Any,
    review_path: Path,
    qtbot: Any,
) -> None:
    audit_path = _drawn(review_path)
    page = _show(QualityPage(review_session, StubSettings()), qtbot)
    item, opposite = _disagree_on_first(page, review_session, audit_path, qtbot)
    page.tabs.setCurrentIndex(AGREEMENT_TAB)
    assert page.agreement.current_position() == 1
    assert page.agreement.pair_view.detail() is not None  # unblinded, side by side
    key = Qt.Key.Key_M if opposite == "match" else Qt.Key.Key_N
    with qtbot.waitSignal(review_session.data_changed, timeout=10_000):
        _press(qtbot, page, key, SHIFT)
    last = list(ledger.iter_entries(review_session.read.conn))[-1]
    assert last["kind"] == opposite
    assert last["reason_code"] == "adjudication"
    assert (last["left_key"], last["right_key"]) == (item.left_key, item.right_key)
    assert audit_path.name in last["note"]
    assert last["actor"] == REVIEWER.name
    qtbot.waitUntil(lambda: page.agreement.table.item(0, 4).text().startswith(opposite))


def test_read_only_mode_labels_blind_but_cannot_adjudicate(
    review_path: Path,
    qtbot: Any,
) -> None:
    """The auditor's mode: the sample and labels go to the audit file; the
    adjudicate actions do not exist, and the workspace is never written."""
    audit_path = _drawn(review_path)
    before = snapshot(review_path)
    session = Session(review_path, Actor("Audrey Auditor", "audrey"), readonly=True)
    try:
        page = _show(QualityPage(session, StubSettings()), qtbot)
        texts = [a.text() for a in page.page_actions()]
        assert not any("Adjudicate" in t for t in texts)
        assert page.agreement.buttons.count() == 0
        assert "normal mode" in page.agreement.mode_note.text()
        _disagree_on_first(page, session, audit_path, qtbot)
        page.tabs.setCurrentIndex(AGREEMENT_TAB)
        _press(qtbot, page, Qt.Key.Key_M, SHIFT)
        page.adjudicate("match")  # even called directly, it writes nothing
        assert _labels(session, audit_path) != {}
    finally:
        session.close()
    assert snapshot(review_path) == before


def test_an_audit_file_of_another_workspace_is_refused(
    review_session: Any,
    tmp_path: Path,
    qtbot: Any,
) -> None:
    other = tmp_path / "other.rmaudit"
    AuditFile.open(other, workspace_uuid="someone-else", create=True).close()
    page = _show(QualityPage(review_session, StubSettings()), qtbot)
    page.set_audit_file(other)
    assert page.audit_path is None
    assert "another workspace" in page.file_label.text()
    assert not page.sample_tab.draw_button.isEnabled()


@pytest.mark.parametrize("readonly", [False, True])
def test_every_control_has_a_name_and_the_keys_exist(
    review_path: Path,
    qtbot: Any,
    readonly: bool,
) -> None:
    session = Session(review_path, REVIEWER, readonly=readonly)
    try:
        page = _show(QualityPage(session, StubSettings()), qtbot)
        keys = {a.shortcut().toString() for a in page.page_actions()}
        assert {"M", "N", "U", "S", "Left", "O"} <= keys
        assert ("Shift+M" in keys) is (not readonly)
        for widget in (
            page.sample_tab.size_box, page.sample_tab.seed_box,
            page.sample_tab.draw_button, page.blind_tab.view, page.blind_tab.note,
            page.agreement.table,
            page.agreement.confusion, page.sample_tab.estimates.table,
        ):  # fmt: skip
            assert widget.accessibleName()
    finally:
        session.close()

"""The eligibility page and the identity page's charges, on a linked sample."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.actor import Actor
from app.cli import cli
from app.eligibility_people import category_counts, eligible_people
from app.eligibility_person import identity_charges
from app.workspace import open_workspace
from app.workspace.eligibility_sql import list_disseminations
from matching.eligibility import Category
from ui.eligibility_model import CATEGORY_TEXT
from ui.eligibility_page import EligibilityPage
from ui.identity_page import IdentityPage
from ui.session import Session


def app_people(session: Any) -> list[Any]:
    conn = open_workspace(session.path, readonly=True, actor=Actor("t", "t"))
    try:
        return eligible_people(conn)
    finally:
        conn.close()


def loaded_page(session: Any, settings: Any, qtbot: Any) -> EligibilityPage:
    page = EligibilityPage(session, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignal(page.people_loaded, timeout=60_000):
        page.show()  # the first show computes, in the background
    return page


@pytest.fixture
def page(linked_session: Any, settings: Any, qtbot: Any) -> EligibilityPage:
    return loaded_page(linked_session, settings, qtbot)


def test_the_page_lists_every_category_with_the_app_s_counts(
    page: EligibilityPage, qtmodeltester: Any
) -> None:
    """A clerk reads the counts off the check boxes: they must be the core's."""
    people = app_people(page.session)
    counts = category_counts(people)
    for category, box in page.boxes.items():
        assert box.text() == f"{CATEGORY_TEXT[category]} ({counts[category]:,})"
    assert page.model.rowCount() == len(people) > 0
    shown = {page.model.person_at(i).identity_id for i in range(page.model.rowCount())}
    assert shown == {p.identity_id for p in people}
    assert f"Showing {len(people):,} of {len(people):,}" in page.status.text()
    qtmodeltester.check(page.model)


def test_filters_narrow_by_category_links_and_offence_date(
    page: EligibilityPage,
) -> None:
    people = app_people(page.session)
    for category, box in page.boxes.items():
        box.setChecked(category is Category.NOT_ELIGIBLE)
    shown = page.model.shown()
    assert len(shown) == category_counts(people)[Category.NOT_ELIGIBLE] > 0
    assert all(p.category is Category.NOT_ELIGIBLE for p in shown)
    for box in page.boxes.values():
        box.setChecked(True)
    page.links_box.setCurrentIndex(page.links_box.findData(False))
    assert {p.identity_id for p in page.model.shown()} == {
        p.identity_id for p in people if not p.confirmed
    }
    page.links_box.setCurrentIndex(0)
    page.start_edit.setDate(QDate(1995, 1, 1))
    page.end_edit.setDate(QDate(2005, 12, 31))
    assert page.model.rowCount() == len(people)  # not applied until ticked
    page.date_box.setChecked(True)
    inside = {
        p.identity_id
        for p in people
        if any(
            d and date(1995, 1, 1) <= d <= date(2005, 12, 31) for d in p.offense_dates
        )
    }
    assert {p.identity_id for p in page.model.shown()} == inside
    assert 0 < len(inside) < len(people)


def test_sorting_by_a_column_reorders_the_people(page: EligibilityPage) -> None:
    page.table.sortByColumn(1, page.table.horizontalHeader().sortIndicatorOrder())
    names = [p.name for p in page.model.shown()]
    assert names in (sorted(names), sorted(names, reverse=True))


def test_a_row_opens_the_identity(page: EligibilityPage, qtbot: Any) -> None:
    page.table.selectRow(2)
    wanted = page.model.person_at(2).identity_id
    with qtbot.waitSignal(page.session.identity_requested, timeout=2000) as signal:
        page.page_actions()[1].trigger()  # Open identity
    assert signal.args == [wanted]
    page.table.selectRow(0)
    rect = page.table.visualRect(page.model.index(0, 1))
    viewport = page.table.viewport()
    # QTest's double click needs the press-release of a first click before it.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.session.identity_requested, timeout=2000) as signal:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [page.model.person_at(0).identity_id]


def test_the_identity_page_shows_each_charge_s_classification(
    linked_session: Any, settings: Any, qtbot: Any
) -> None:
    """Identity and eligibility are judged on one screen."""
    people = app_people(linked_session)
    person = max(people, key=lambda p: p.cases)
    page = IdentityPage(linked_session, settings)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    with qtbot.waitSignal(page.charges.charges_shown, timeout=5000) as signal:
        page.show_identity(person.identity_id)
    assert signal.args == [person.identity_id]
    data = identity_charges(linked_session.read, person.identity_id)
    text = page.charges.plain_text()
    assert data is not None
    assert data.charges
    for charge in data.charges:
        assert f"{charge.source} {charge.record_id}" in text
        assert charge.statute in text
        assert charge.rule_id in text
        assert charge.why in text
    for row in data.rows:
        assert row.case_number in text
        assert (row.offense_date.isoformat() if row.offense_date else "unknown") in text
    assert CATEGORY_TEXT[person.category] in text


def fill(dialog: Any, path: Path, recipient: str, method: str) -> None:
    dialog.path_box.setText(str(path))
    dialog.recipient_box.setText(recipient)
    dialog.method_box.setCurrentText(method)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_the_gui_export_writes_the_cli_s_rows_and_logs_it(
    page: EligibilityPage, qtbot: Any, tmp_path: Path
) -> None:
    out = tmp_path / "gui.csv"
    page.export_dialog()
    dialog = page.exports.dialog
    assert dialog is not None
    assert dialog.everything.isChecked()  # no filter set: says so, exports all
    with qtbot.waitSignal(page.export_finished, timeout=60_000) as signal:
        fill(dialog, out, "Illinois State Police", "sftp")
    result = signal.args[0]
    assert not isinstance(result, BaseException), result
    assert f"Wrote {result.rows:,} cases of {result.people:,} people" in (
        page.status.text()
    )
    page.session.writes.wait()
    (entry,) = list_disseminations(page.session.read.conn)
    assert entry.actor == page.session.actor.name
    assert entry.details["recipient"] == "Illinois State Police"
    assert entry.details["method"] == "sftp"
    assert "filters" not in entry.details
    cli_out = tmp_path / "cli.csv"
    run = CliRunner().invoke(
        cli, ["eligible", str(page.session.path), "--out", str(cli_out),
              "--recipient", "ISP"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8") as a, cli_out.open(encoding="utf-8") as b:
        assert list(csv.reader(a)) == list(csv.reader(b))


def test_the_gui_export_can_take_the_screen_s_filters(
    page: EligibilityPage, qtbot: Any, tmp_path: Path
) -> None:
    for category, box in page.boxes.items():
        box.setChecked(category is Category.NOT_ELIGIBLE)
    page.export_dialog()
    dialog = page.exports.dialog
    assert dialog.filtered.isChecked()
    assert "not_eligible" in dialog.filter_text.text()
    out = tmp_path / "filtered.csv"
    with qtbot.waitSignal(page.export_finished, timeout=60_000) as signal:
        fill(dialog, out, "ISP", "file")
    assert signal.args[0].people == page.model.rowCount()
    with out.open(encoding="utf-8") as fh:
        ids = {int(r[0]) for r in list(csv.reader(fh))[1:]}
    assert ids == {p.identity_id for p in page.model.shown()}


def test_read_only_mode_turns_exports_off_and_says_why(
    linked_workspace: Path, settings: Any, qtbot: Any
) -> None:
    """An unlogged dissemination is not acceptable, and audit mode cannot log."""
    session = Session(linked_workspace, Actor("auditor", "a"), readonly=True)
    try:
        page = loaded_page(session, settings, qtbot)
        refresh, open_identity, packet, export = page.page_actions()
        assert refresh.isEnabled()
        assert open_identity.isEnabled()
        assert not packet.isEnabled()
        assert not export.isEnabled()
        assert "read-only" in export.toolTip().lower()
        assert "logged" in page.status.text()
        page.export_dialog()
        assert page.exports.dialog is None
    finally:
        session.close()

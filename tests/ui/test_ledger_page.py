"""The ledger page: lazy pages, filters, one entry in full, Verify chain."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate

from app.decisions import decide_pair, reverse
from app.workspace import open_workspace
from tests.ui.conftest_review import (  # noqa: F401 (fixtures)
    REVIEWER,
    StubSettings,
    review_path,
    review_session,
    review_template,
)
from ui import ledger_model
from ui.ledger_model import LedgerModel
from ui.ledger_page import LedgerPage
from ui.session import Session


def _decide(path: Path) -> list[int]:
    """Three decisions and an undo, written as a reviewer would."""
    conn = open_workspace(path, actor=REVIEWER)
    try:
        pairs = conn.conn.execute(
            "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 3"
        ).fetchall()
        seqs = [
            decide_pair(conn, pid, word, reason_code="name_variant", note="n").seq
            for (pid,), word in zip(
                pairs, ("match", "non-match", "unsure"), strict=True
            )
        ]
        seqs.append(reverse(conn, seqs[1], reason="undo").seq)
        return seqs
    finally:
        conn.close()


@pytest.fixture
def decided(review_path: Path) -> list[int]:  # noqa: F811
    return _decide(review_path)


@pytest.fixture
def page(decided: list[int], review_session: Any, qtbot: Any) -> LedgerPage:  # noqa: F811
    page = LedgerPage(review_session, StubSettings())
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitUntil(lambda: page.count_label.text().endswith("entries"), timeout=5000)
    qtbot.waitUntil(lambda: not page.model.loading, timeout=5000)
    return page


def test_model_pages_in_and_passes_the_model_tester(
    review_session: Any,  # noqa: F811
    qtmodeltester: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Millions of entries must never be loaded at once: one page, then more
    as the view reaches the end."""
    monkeypatch.setattr(ledger_model, "PAGE_SIZE", 50)
    monkeypatch.setattr(ledger_model, "CACHE_ROWS", 60)
    model = LedgerModel(review_session.read)
    total = review_session.read.conn.execute("SELECT count(*) FROM ledger").fetchone()[
        0
    ]
    assert total > 120
    assert model.rowCount() == 50
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 150
    seqs = [model.seq(r) for r in range(model.rowCount())]
    assert seqs == list(range(total, total - 150, -1))
    # Rows that left the bounded cache are read back on demand.
    assert model.data(model.index(0, 0)) == str(total)
    qtmodeltester.check(model)


def _settled(page: LedgerPage, qtbot: Any) -> LedgerPage:
    """Pages are read in the background: wait until the one asked for is in."""
    qtbot.waitUntil(lambda: not page.model.loading, timeout=5000)
    return page


def test_pages_are_read_off_the_gui_thread_and_stale_reads_dropped(
    page: LedgerPage, qtbot: Any
) -> None:
    """A filter change starts a background read; a read for a filter changed
    again before it arrived never lands in the table."""
    f = page.filters
    f.kind.setCurrentIndex(f.kind.findData("unsure"))
    assert page.model.loading  # the GUI thread returned at once
    f.kind.setCurrentIndex(f.kind.findData("reversal"))
    _settled(page, qtbot)
    qtbot.wait(200)  # the first read's answer, if any, arrives and is dropped
    kinds = {page.model.row(r).kind for r in range(page.model.rowCount())}
    assert kinds == {"reversal"}


def test_filters_narrow_the_table_and_the_count(page: LedgerPage, qtbot: Any):
    """Choosing a reviewer and a decision kind lists exactly their entries."""
    f = page.filters
    f.actor.setCurrentIndex(f.actor.findData(REVIEWER.name))
    assert _settled(page, qtbot).model.rowCount() == 4
    f.kind.setCurrentIndex(f.kind.findData("unsure"))
    assert _settled(page, qtbot).model.rowCount() == 1
    assert page.model.row(0).kind == "unsure"
    qtbot.waitUntil(lambda: page.count_label.text() == "1 entries", timeout=5000)
    f.kind.setCurrentIndex(f.kind.findData(None))
    f.band.setCurrentIndex(f.band.findData("none"))
    _settled(page, qtbot)
    assert [page.model.row(r).kind for r in range(page.model.rowCount())] == [
        "reversal"
    ]
    f.band.setCurrentIndex(0)
    f.until.setDate(QDate(2001, 1, 1))
    assert _settled(page, qtbot).model.rowCount() == 0
    f.until.setDate(f.until.minimumDate())  # "any" again
    f.since.setDate(QDate.currentDate().addDays(1))
    assert _settled(page, qtbot).model.rowCount() == 0


def test_entry_pane_shows_everything_and_opens_identity_and_pair(
    page: LedgerPage, decided: list[int], qtbot: Any
) -> None:
    assert page.select_seq(decided[1])
    html = page.entry.toPlainText()
    for text in (
        "Non-match", REVIEWER.name, f"OS account {REVIEWER.os_user}", "UTC",
        "Nickname, alias or spelling variant", "Comparison levels",
        "Entry hash", "Previous hash", f"Reversed by\nentry #{decided[3]}",
        "Evidence as the reviewer saw it", "Left record",
    ):  # fmt: skip
        assert text in html, text
    detail = page.detail
    assert detail is not None
    assert detail.entry_hash in html
    with qtbot.waitSignal(page.session.pair_requested) as pair:
        page.pair_button.click()
    assert pair.args == [detail.row.pair_id]
    with qtbot.waitSignal(page.session.identity_requested) as identity:
        page.identity_button.click()
    assert identity.args == [detail.left_now.identity_id]
    assert page.select_seq(decided[3])
    assert f"Reverses\nentry #{decided[1]}" in page.entry.toPlainText()
    assert "No evidence snapshot" in page.entry.toPlainText()


def test_verify_chain_in_the_background(page: LedgerPage, qtbot: Any) -> None:
    page.verify_chain()
    assert not page.verify_button.isEnabled()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=20000)
    total = page.session.read.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    text = page.verify_result.text()
    assert text.startswith(f"Chain intact: {total:,} entries verified")
    head = page.session.read.conn.execute(
        "SELECT entry_hash FROM ledger ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert head in text


def test_verify_chain_names_the_first_broken_entry(
    decided: list[int],
    review_path: Path,  # noqa: F811
    qtbot: Any,
) -> None:
    """An auditor in audit mode sees tampering, not just a failure."""
    db = sqlite3.connect(review_path, isolation_level=None)
    db.execute("DROP TRIGGER ledger_no_update")
    db.execute("UPDATE ledger SET note = 'changed' WHERE seq = ?", (decided[0],))
    db.close()
    session = Session(review_path, REVIEWER, readonly=True)
    try:
        page = LedgerPage(session, StubSettings())
        qtbot.addWidget(page)
        page.verify_chain()
        qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=20000)
        assert page.verify_result.text().startswith(
            f"CHAIN BROKEN: ledger: entry {decided[0]} was altered"
        )
    finally:
        session.close()


def test_new_decisions_appear_after_a_write(page: LedgerPage, qtbot: Any) -> None:
    newest = page.model.seq(0)
    pid = page.session.read.conn.execute(
        "SELECT id FROM pairs WHERE band = 'review' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    with qtbot.waitSignal(page.session.data_changed, timeout=10000):
        page.session.write(lambda c: decide_pair(c, pid, "match"), changed="decision")
    qtbot.waitUntil(lambda: page.model.seq(0) == newest + 1, timeout=5000)

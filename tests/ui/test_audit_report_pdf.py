"""The audit report on paper: a real PDF, readable pages, and the GUI action.

The PDF is what an auditor signs and files, so the tests open what was
written (bytes and page images), not only the HTML that went in.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from app.actor import Actor
from app.audit_report import AuditReport, build_report
from app.audit_report_csv import read_report_csv
from app.decisions import decide_pair, reverse
from app.workspace import open_workspace
from ui.actions import MainAction
from ui.audit_report_dialog import AuditReportDialog, make_report_files
from ui.audit_report_pdf import report_document, report_html, write_report_pdf
from ui.main_window import MainWindow

AUDITOR = Actor("auditor", "auditor-os")
# Fonts and the PDF writer need a QGuiApplication, as in the workstation.
pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def decided(linked_workspace: Path) -> Path:
    """The linked sample with a few decisions and one reversal."""
    conn = open_workspace(linked_workspace, actor=Actor("Test Reviewer", "tester"))
    pairs = [
        r[0]
        for r in conn.conn.execute(
            "SELECT id FROM pairs WHERE band = 'review' ORDER BY id LIMIT 3"
        )
    ]
    seqs = [decide_pair(conn, pid, "match").seq for pid in pairs]
    reverse(conn, seqs[0], reason="second look")
    conn.close()
    return linked_workspace


def _report(path: Path) -> AuditReport:
    conn = open_workspace(path, readonly=True, actor=AUDITOR)
    try:
        return build_report(conn)
    finally:
        conn.close()


def _done_box(win: MainWindow) -> QMessageBox | None:
    """The "report written" message: shown once the background job finished."""
    return win.findChild(QMessageBox, "audit_report_done")


def _pdf_pages(path: Path) -> int:
    """Page objects in the PDF file itself (not what the writer said)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def test_pdf_is_written_with_its_pages(decided: Path, tmp_path: Path) -> None:
    """A real PDF: the header, and as many page objects as the layout made."""
    report = _report(decided)
    out = tmp_path / "report.pdf"
    pages = write_report_pdf(report, out)
    assert out.read_bytes().startswith(b"%PDF")
    assert pages >= 1
    assert _pdf_pages(out) == pages == report_document(report).page_count()
    assert not list(tmp_path.glob(".report.pdf.*"))  # no temporary file left


def test_pages_fit_the_paper(decided: Path, tmp_path: Path) -> None:
    """Every page renders at Letter size; nothing is painted past the right margin."""
    report = _report(decided)
    paths = report_document(report).write_pngs(tmp_path, stem="audit", scale=0.25)
    assert len(paths) == report_document(report).page_count()
    for path in paths:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (637, 825)  # 8.5 x 11 in
        margin = round(15 / 25.4 * 300 * 0.25)  # the 15 mm right margin
        strip = image.copy(image.width() - margin + 2, 0, margin - 2, image.height())
        colours = {strip.pixel(x, y) for x in range(strip.width())
                   for y in range(0, strip.height(), 3)}  # fmt: skip
        assert colours == {0xFFFFFFFF}, f"{path.name}: ink in the right margin"


def test_html_labels_the_figures(decided: Path) -> None:
    """The verdict leads, and the figures the auditor checks are on the page."""
    report = _report(decided)
    html = report_html(report)
    assert html.index("PASS") < html.index("Sources and row counts")
    assert f"{report.verification.entries:,}" in html
    assert report.verification.head in html
    assert "No quality sample was drawn" in html
    assert "second look" in html  # the reversal's reason
    for group in report.subgroups:
        assert group.name in html


def test_tampered_ledger_prints_fail(decided: Path) -> None:
    db = sqlite3.connect(decided, isolation_level=None)
    db.execute("DROP TRIGGER ledger_no_update")
    db.execute("UPDATE ledger SET note = 'edited' WHERE kind = 'reversal'")
    db.close()
    html = report_html(_report(decided))
    assert "FAIL" in html
    assert "PASS" not in html
    assert "was altered" in html


def test_report_files_in_audit_mode_write_nothing_to_the_workspace(
    decided: Path, tmp_path: Path
) -> None:
    """Read-only: both files appear side by side, the workspace is untouched."""
    before = decided.read_bytes()
    files = make_report_files(
        decided, actor=AUDITOR, pdf=tmp_path / "r.pdf", audit_file=None,
        open_writer=None,
    )  # fmt: skip
    assert files.csv == tmp_path / "r.csv"
    assert files.pdf.read_bytes().startswith(b"%PDF")
    assert len(read_report_csv(files.csv)) == files.rows
    assert not files.logged
    assert decided.read_bytes() == before


def test_action_writes_pdf_and_csv_in_the_background(
    qtbot: Any, settings: Any, decided: Path, tmp_path: Path
) -> None:
    """File ▸ Audit report… in a normal session: both files, and a log entry."""
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert win.open_workspace(decided)
    action = win.action_map[MainAction.AUDIT_REPORT]
    assert action in win.menus["File"].actions()
    action.trigger()
    dialog = win.findChild(AuditReportDialog, "audit_report_dialog")
    assert dialog is not None
    dialog.pdf_edit.setText(str(tmp_path / "report"))
    dialog.accept()
    qtbot.waitUntil(lambda: _done_box(win) is not None, timeout=60_000)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert read_report_csv(tmp_path / "report.csv")
    assert "logged in the workspace log" in _done_box(win).text()
    db = sqlite3.connect(decided)
    logged = db.execute(
        "SELECT details FROM log WHERE action = 'export' ORDER BY id DESC"
    ).fetchone()
    db.close()
    assert logged is not None
    assert "report.pdf" in logged[0]
    win.close()


def test_action_works_in_audit_mode_without_writing(
    qtbot: Any, settings: Any, decided: Path, tmp_path: Path
) -> None:
    """Read-only audit mode: the report is written, the workspace is not."""
    before = decided.read_bytes()
    win = MainWindow(settings, audit=True)
    qtbot.addWidget(win)
    assert win.open_workspace(decided)
    win.action_map[MainAction.AUDIT_REPORT].trigger()
    dialog = win.findChild(AuditReportDialog, "audit_report_dialog")
    dialog.pdf_edit.setText(str(tmp_path / "audit.pdf"))
    dialog.accept()
    qtbot.waitUntil(lambda: _done_box(win) is not None, timeout=60_000)
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "audit.csv").is_file()
    assert "not logged" in _done_box(win).text()
    win.close()
    assert decided.read_bytes() == before

"""The evidence packet printed with Qt, and written from the workstation, logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox

from app.eligibility import eligible_rows
from app.evidence_packet import evidence_packet
from app.workspace.eligibility_sql import list_disseminations
from ui.dissemination_dialog import PacketExporter
from ui.evidence_packet_pdf import packet_document, packet_html, render_packet
from ui.identity_page import IdentityPage
from ui.printed import escape


def busy_identity(session: Any) -> int:
    """An identity of several records with a cannabis case."""
    rows = eligible_rows(session.read)
    return max(rows, key=lambda r: len(r.record_keys)).identity_id


def test_the_packet_renders_to_a_pdf_of_pages(
    linked_session: Any, tmp_path: Path, qtbot: Any
) -> None:
    packet = evidence_packet(linked_session.read, busy_identity(linked_session))
    out = tmp_path / "packet.pdf"
    pages = render_packet(packet, out)
    assert pages >= 1
    assert out.read_bytes().startswith(b"%PDF")
    pngs = packet_document(packet).write_pngs(tmp_path, stem="packet")
    assert len(pngs) == pages


def test_the_packet_holds_the_charges_the_links_and_three_checks(
    linked_session: Any, qtbot: Any
) -> None:
    packet = evidence_packet(linked_session.read, busy_identity(linked_session))
    html = packet_html(packet)
    assert packet.charges.charges
    for charge in packet.charges.charges:
        assert escape(charge.statute) in html
        assert escape(charge.why) in html
        assert charge.rule_id in html
    for record in packet.detail.records:
        assert escape(f"{record.source} {record.record_id}") in html
    for link in packet.links:
        assert escape(link.text) in html
    for number, check in enumerate(packet.checks, start=1):
        assert f"Check {number}: {escape(check.title)}" in html
    assert html.count("Checked by:") == 3


def test_evidence_packet_from_the_identity_page_is_written_and_logged(
    linked_session: Any, settings: Any, qtbot: Any, tmp_path: Path
) -> None:
    page = IdentityPage(linked_session, settings)
    qtbot.addWidget(page)
    page.show()
    identity = busy_identity(linked_session)
    with qtbot.waitSignal(page.charges.charges_shown, timeout=5000):
        page.show_identity(identity)
    assert page.charges.packet_button.isEnabled()
    page.charges.packet_button.click()
    exporter: PacketExporter = page.charges.packets
    dialog = exporter.dialog
    assert dialog is not None
    out = tmp_path / "packet.pdf"
    dialog.path_box.setText(str(out))
    dialog.recipient_box.setText("Prisoner Review Board")
    dialog.method_box.setCurrentText("hand delivery")
    with qtbot.waitSignal(exporter.finished, timeout=60_000) as signal:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    result = signal.args[0]
    assert not isinstance(result, BaseException), result
    assert out.read_bytes().startswith(b"%PDF")
    assert result.pages >= 1
    assert "logged as sent to Prisoner Review Board" in page.charges.message.text()
    (entry,) = list_disseminations(linked_session.read.conn)
    assert entry.details["what"] == "evidence_packet"
    assert entry.details["identity_id"] == identity
    assert entry.details["method"] == "hand delivery"

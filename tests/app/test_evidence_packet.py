"""The evidence packet's data, and its export as a logged dissemination."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.actor import Actor
from app.decisions import merge_identities
from app.eligibility import eligible_rows
from app.errors import UserError
from app.evidence_packet import EvidencePacket, evidence_packet, export_packet
from app.workspace import Connection, open_workspace
from app.workspace.eligibility_sql import list_disseminations


def fake_pdf(packet: EvidencePacket, path: Path) -> int:
    """Stands in for the Qt renderer: the app layer must not need Qt."""
    path.write_bytes(b"%PDF-1.4 packet of " + str(packet.detail.identity_id).encode())
    return 2


def linked_identity(conn: Connection) -> int:
    """An identity of several records with a cannabis case."""
    return next(r.identity_id for r in eligible_rows(conn) if len(r.record_keys) > 2)


def test_the_packet_holds_each_record_how_it_joined_and_each_charge(
    linked: Connection,
) -> None:
    identity = linked_identity(linked)
    packet = evidence_packet(linked, identity)
    keys = [r.key for r in packet.detail.records]
    assert [x.record.key for x in packet.links] == keys
    autos = [x for x in packet.links if x.how == "auto"]
    assert autos
    for line in autos:
        assert "score" in line.text
        assert "run 1" in line.text
    assert [x.how for x in packet.links].count("first") == 1
    charged = {c.record_key for c in packet.charges.charges}
    assert charged
    assert charged <= set(keys)
    same, correct, violence = packet.checks
    assert same.title == "Same person as arrested"
    assert correct.title == "Record correct"
    assert violence.title == "No violent offence"
    assert any("made by the model" in c for c in same.concerns)
    for charge in packet.charges.charges:
        assert any(charge.statute in e for e in correct.evidence)
    assert violence.evidence
    assert packet.made_by == "reviewer"


def test_a_person_s_merge_shows_who_when_and_why(linked: Connection) -> None:
    rows = eligible_rows(linked)
    a = rows[0]
    b = next(r for r in rows if r.identity_id != a.identity_id)
    merge_identities(
        linked, a.record_keys[0], b.record_keys[0], reason="same_person_details",
        note="checked the booking photo",
    )  # fmt: skip
    packet = evidence_packet(linked, a.identity_id)
    merged = [x for x in packet.links if x.how == "merge"]
    assert len(merged) == 1
    assert "merged to" in merged[0].text
    assert "by reviewer on" in merged[0].text
    assert "reason same_person_details" in merged[0].text
    assert "checked the booking photo" in merged[0].text


def test_an_exported_packet_is_logged_without_personal_data(
    linked: Connection, tmp_path: Path
) -> None:
    identity = linked_identity(linked)
    out = tmp_path / "packet.pdf"
    result = export_packet(
        linked, identity, out, recipient="Review Board", method="paper", render=fake_pdf
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert result.pages == 2
    (entry,) = list_disseminations(linked.conn)
    details = entry.details
    assert details["what"] == "evidence_packet"
    assert details["identity_id"] == identity
    assert details["recipient"] == "Review Board"
    assert details["method"] == "paper"
    assert details["pages"] == 2
    assert details["sha256"] == result.sha256
    packet = evidence_packet(linked, identity)
    text = repr(details)
    for record in packet.detail.records:
        assert record.name not in text
        assert not record.dob or record.dob not in text


def test_no_packet_leaves_unlogged(linked: Connection, tmp_path: Path) -> None:
    identity = linked_identity(linked)
    out = tmp_path / "packet.pdf"
    with pytest.raises(UserError, match="recipient"):
        export_packet(
            linked, identity, out, recipient=" ", method="file", render=fake_pdf
        )

    def broken(packet: EvidencePacket, path: Path) -> int:
        raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError):
        export_packet(
            linked, identity, out, recipient="ISP", method="file", render=broken
        )
    with pytest.raises(UserError, match="no identity"):
        export_packet(
            linked, 999_999_999, out, recipient="ISP", method="file", render=fake_pdf
        )
    assert [p.name for p in tmp_path.iterdir() if "packet" in p.name] == []
    assert list_disseminations(linked.conn) == []
    audit = open_workspace(linked.path, readonly=True, actor=Actor("auditor", "a"))
    try:
        with pytest.raises(UserError, match="read-only"):
            export_packet(
                audit, identity, out, recipient="ISP", method="file", render=fake_pdf
            )
    finally:
        audit.close()
    assert not out.exists()

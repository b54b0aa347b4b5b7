"""One person's evidence packet: what a review board needs to clear a record.

A board asks three things before it clears a cannabis record: is this the
same person who was arrested, is the record correct, and was there no
violent offence. The packet gathers, Qt-free, the evidence for each: the
person's records from every source, how each record joined the identity
(the model's link with its score and run, or whose decision, when and why,
from the ledger), each charge's classification, and the three checks as a
checklist. :mod:`ui.evidence_packet_pdf` lays it out and prints it;
:func:`export_packet` logs it as a dissemination, as every export is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.actor import utc_now
from app.eligibility_checks import (
    Check,
    LinkLine,
    label,
    no_violence,
    record_correct,
    same_person,
)
from app.eligibility_dissemination import (
    check_recipient,
    check_writable,
    disseminate,
    sha256_of,
    staged_file,
)
from app.eligibility_person import PersonCharges, identity_charges
from app.eligibility_row import default_rules
from app.errors import UserError
from app.identity_queries import IdentityDetail, identity_detail
from app.workspace import eligibility_sql as store
from app.workspace.core import Connection
from matching.eligibility import RuleSet


@dataclass(frozen=True, slots=True)
class EvidencePacket:
    """Everything the packet prints, gathered in one read of the workspace."""

    detail: IdentityDetail
    charges: PersonCharges
    links: tuple[LinkLine, ...]
    checks: tuple[Check, Check, Check]
    made_at: str  # UTC, ISO 8601
    made_by: str
    workspace: str  # the file's name, not its folder

    @property
    def title(self) -> str:
        return f"Evidence packet, identity #{self.detail.identity_id}"


def _when(at: str | None) -> str:
    """'2026-11-26 03:51 UTC' from a stored ISO time: minutes are enough on paper."""
    return f"{at[:16].replace('T', ' ')} UTC" if at else "an unrecorded time"


def _link_lines(conn: Connection, detail: IdentityDetail) -> tuple[LinkLine, ...]:
    records = detail.records
    named = {r.key: label(r) for r in records}
    pair_ids = [r.joined.pair_id for r in records if r.joined.pair_id is not None]
    runs = store.pair_runs(conn.conn, pair_ids)
    out = []
    for r in records:
        j = r.joined
        to = f" to {named.get(j.other_key or 0, '?')}"
        why = f", reason {j.reason_code}" if j.reason_code else ""
        note = f", note: {j.note}" if j.note else ""
        if j.how == "auto":
            run = runs.get(j.pair_id or 0)
            ran = f", run {run.run_id} ({_when(run.started_at)})" if run else ""
            text = (
                f"linked automatically{to} (pair {j.pair_id}), "
                f"score {j.probability or 0:.3f}{ran}; no person confirmed it"
            )
        elif j.how in ("decision", "merge"):
            verb = "matched" if j.how == "decision" else "merged"
            text = f"{verb}{to} by {j.actor} on {_when(j.at)}{why}{note}"
        elif j.how == "cluster":
            text = "placed by re-clustering, no direct link to the others"
        else:
            text = "the first record of the identity; the others joined it"
        out.append(LinkLine(r, j.how, text))
    return tuple(out)


def evidence_packet(
    conn: Connection, identity_id: int, *, rules: RuleSet | None = None
) -> EvidencePacket:
    """Gather one identity's packet (a merged-away id is followed).

    Raises:
        UserError: there is no such identity.
    """
    rules = rules or default_rules()
    detail = identity_detail(conn, identity_id)
    charges = identity_charges(conn, identity_id, rules=rules)
    if detail is None or charges is None:
        raise UserError(f"there is no identity #{identity_id}")
    links = _link_lines(conn, detail)
    return EvidencePacket(
        detail=detail,
        charges=charges,
        links=links,
        checks=(
            same_person(detail, links),
            record_correct(charges),
            no_violence(detail, charges, rules),
        ),
        made_at=utc_now(),
        made_by=conn.actor.name,
        workspace=conn.path.name,
    )


@dataclass(frozen=True, slots=True)
class PacketExport:
    """What a packet export wrote, and to whom it was logged as sent."""

    path: Path
    identity_id: int
    pages: int
    recipient: str
    method: str
    sha256: str


Renderer = Callable[[EvidencePacket, Path], int]  # writes the PDF, returns pages


def export_packet(
    conn: Connection,
    identity_id: int,
    out: Path,
    *,
    recipient: str,
    method: str,
    render: Renderer,
    rules: RuleSet | None = None,
) -> PacketExport:
    """Write one person's packet with ``render`` and log its dissemination.

    The log entry holds the identity number (the workspace's own key, so an
    auditor can tell which person's packet left), counts, pages and the
    file's hash; never a name or a date of birth.

    Raises:
        UserError: no recipient or method, a read-only workspace, a bad
            folder, or no such identity.
    """
    recipient, method = check_recipient(recipient, method, what="packet")
    check_writable(conn)
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"{out.name}: name the packet file .pdf")
    packet = evidence_packet(conn, identity_id, rules=rules)
    with staged_file(out) as tmp:
        pages = render(packet, tmp)
        digest = sha256_of(tmp)
        disseminate(
            conn,
            tmp,
            out,
            {
                "what": "evidence_packet",
                "file_name": out.name,
                "format": "pdf",
                "identity_id": packet.detail.identity_id,
                "records": len(packet.detail.records),
                "charges": len(packet.charges.charges),
                "people": 1,
                "pages": pages,
                "recipient": recipient,
                "method": method,
                "rules_version": packet.charges.rules_version,
                "sha256": digest,
            },
        )
    return PacketExport(
        out, packet.detail.identity_id, pages, recipient, method, digest
    )

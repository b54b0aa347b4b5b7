"""The evidence packet as paper: HTML laid out and printed with Qt.

The data comes from :mod:`app.evidence_packet` (Qt-free); this module only
decides how it reads on a page. The three checks start on a page of their
own, so the board can sign that sheet and file it with the case, and each
check has a box to tick and a line to sign, because a board member signs
for having looked, not the program.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.eligibility_checks import Check
from app.evidence_packet import EvidencePacket
from app.identity_queries import IdentityRecord
from ui.eligibility_model import CATEGORY_TEXT
from ui.printed import PrintedDocument, escape, html_page

BOX = "\u2610"  # ☐, in DejaVu Sans
_PAD = 4
_NOWRAP = {1, 3}  # case number and date: broken, they misread
_CSS = """
.box { font-size: 20pt; }
.check { border: 1px solid #9aa3ad; margin-top: 8pt; }
.nowrap { white-space: nowrap; }
.why { color: #333333; }
"""


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A compact table: the shared one pads cells for a report read on screen,
    a packet of a long history must stay short enough to hand over."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f"<table width='100%' cellspacing='0' cellpadding='{_PAD}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _records_section(packet: EvidencePacket) -> str:
    """Each source's records: court cases with their charges, arrests, dispositions."""
    out = ["<h2>1. The person's records, by source</h2>"]
    clerk = [e for e in packet.detail.timeline if e.kind == "clerk"]
    arrests = [e for e in packet.detail.timeline if e.kind == "arrest"]
    dispositions = [e for e in packet.detail.timeline if e.kind == "disposition"]
    other = [
        e
        for e in packet.detail.timeline
        if e.kind not in ("clerk", "arrest", "disposition")
    ]
    if clerk:
        out.append("<h3>Court cases (clerk)</h3>")
        for entry in clerk:
            when = escape(entry.when or "no date")
            out.append(f"<p><b>{escape(entry.title)}</b> · dated {when}</p>")
            out.append(table(
                ["Record", "Date", "Name", "DOB", "Statute", "Charge", "Disposition"],
                [[_id(r), r.event_date, r.name, r.dob, r.statute, r.charge,
                  r.disposition] for r in entry.records],
            ))  # fmt: skip
    for heading, entries, header, cells in (
        ("Arrests (police)", arrests,
         ["Record", "Date", "Booking", "Name", "DOB", "Statute", "Charge"],
         lambda r: [_id(r), r.event_date, r.booking_number, r.name, r.dob, r.statute,
                    r.charge]),
        ("Dispositions (court)", dispositions,
         ["Record", "Date", "Case", "Name", "Statute", "Disposition"],
         lambda r: [_id(r), r.event_date, r.case_number, r.name, r.statute,
                    r.disposition]),
        ("Other records", other,
         ["Record", "Date", "Name", "DOB", "Statute", "Disposition"],
         lambda r: [_id(r), r.event_date, r.name, r.dob, r.statute, r.disposition]),
    ):  # fmt: skip
        records = [r for e in entries for r in e.records]
        if records:
            out.append(f"<h3>{escape(heading)}</h3>")
            out.append(table(header, [cells(r) for r in records]))
    return "".join(out)


def _id(r: IdentityRecord) -> str:
    return f"{r.source} {r.record_id}"


def _links_section(packet: EvidencePacket) -> str:
    rows = [[_id(x.record), x.record.name, x.record.dob, x.text] for x in packet.links]
    return (
        "<h2>2. How the records were linked</h2>"
        "<p class='muted'>Each record names the link that holds it in this identity: "
        "the model's automatic link (its score and the link run), or the decision "
        "of a person from the ledger (who, when, and the reason given).</p>"
        + table(["Record", "Name", "DOB", "How it joined"], rows)
    )


def _charges_section(packet: EvidencePacket) -> str:
    charges = packet.charges.charges
    out = [
        "<h2>3. Each charge's classification</h2>",
        f"<p class='muted'>Rule file version {escape(packet.charges.rules_version)}. "
        "The category of each record of each cannabis case, the rule that decided "
        "it, and why.</p>",
    ]
    if not charges:
        out.append("<p>No cannabis charge is on any of this person's records.</p>")
        return "".join(out)
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Record", "Case", "Statute as written", "Offence date",
                  "Disposition", "Category", "Rule")
    )  # fmt: skip
    body = []
    for c in charges:
        category = CATEGORY_TEXT[c.category]
        if c.reason is not None:
            category += f" ({c.reason.value.replace('_', ' ')})"
        cells = [f"{c.source} {c.record_id}", c.case_number or "(none)", c.statute,
                 c.offense_date or "unknown", c.disposition or "(none on this record)",
                 category, c.rule_id]  # fmt: skip
        body.append(
            "<tr>"
            + "".join(
                f"<td class='nowrap'>{escape(v)}</td>"
                if i in _NOWRAP
                else f"<td>{escape(v)}</td>"
                for i, v in enumerate(cells)
            )
            + "</tr>"
        )
        why = escape(c.why)
        if c.rule_text:
            why += f"<br><span class='muted'>{escape(c.rule_id)}: {escape(c.rule_text)}"
            why += f" ({escape(c.rule_source)})</span>" if c.rule_source else "</span>"
        body.append(f"<tr><td colspan='7' class='why'>Why: {why}</td></tr>")
    out.append(
        f"<table width='100%' cellspacing='0' cellpadding='{_PAD}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    return "".join(out)


def _check_html(number: int, check: Check) -> str:
    evidence = "".join(f"<li>{escape(e)}</li>" for e in check.evidence)
    if check.concerns:
        concerns = "".join(f"<li class='bad'>{escape(c)}</li>" for c in check.concerns)
        look = f"<p><b>Look at before ticking:</b></p><ul>{concerns}</ul>"
    else:
        look = (
            "<p class='ok'>The program found nothing here that needs a second look.</p>"
        )
    return (
        "<table class='check' width='100%' cellspacing='0' cellpadding='8'><tr>"
        f"<td width='40' class='box'>{BOX}</td>"
        f"<td><h3>Check {number}: {escape(check.title)}</h3>"
        f"<p><i>{escape(check.question)}</i></p>"
        f"<p><b>Evidence:</b></p><ul>{evidence}</ul>{look}"
        f"<p style='margin-top: 10pt'>{BOX} Yes &nbsp; {BOX} No"
        "&nbsp;&nbsp;&nbsp;&nbsp; Checked by: ________________________"
        "&nbsp;&nbsp;&nbsp;&nbsp; Date: ______________</p>"
        "</td></tr></table>"
    )


def _checks_section(checks: Sequence[Check]) -> str:
    return (
        "<h2 style='page-break-before: always'>4. The review board's checks</h2>"
        "<p class='muted'>Tick each box only after looking at the evidence; the "
        "program's findings are a help, not a decision.</p>"
        + "".join(_check_html(i, c) for i, c in enumerate(checks, start=1))
    )


def packet_html(packet: EvidencePacket) -> str:
    """The whole packet as one HTML document (what the PDF prints)."""
    d, person = packet.detail, packet.charges.person
    if person is None:
        standing = "No cannabis case on file."
    else:
        standing = f"{CATEGORY_TEXT[person.category]}: {person.why}. Links " + (
            "confirmed by a person."
            if person.confirmed
            else "not all confirmed by a person."
        )
    summary = table(
        ["Identity", "Names", "Birth dates", "Records", "Eligibility"],
        [[f"#{d.identity_id}", "; ".join(d.names), ", ".join(d.dobs) or "none recorded",
          d.record_count, standing]],
    )  # fmt: skip
    body = (
        f"<h1>{escape(packet.title)}</h1>"
        f"<p class='muted'>Workspace {escape(packet.workspace)} · made "
        f"{escape(packet.made_at[:16].replace('T', ' '))} UTC by "
        f"{escape(packet.made_by)}</p>"
        + summary
        + _records_section(packet)
        + _links_section(packet)
        + _charges_section(packet)
        + _checks_section(packet.checks)
    )
    return html_page(packet.title, body, css=_CSS)


def packet_document(packet: EvidencePacket) -> PrintedDocument:
    stamp = f"made {packet.made_at[:16].replace('T', ' ')} UTC by {packet.made_by}"
    return PrintedDocument(packet_html(packet), title=packet.title, stamp=stamp)


def render_packet(packet: EvidencePacket, path: Path) -> int:
    """Write the packet's PDF and return its pages (an evidence_packet Renderer)."""
    return packet_document(packet).write_pdf(path)

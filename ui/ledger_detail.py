"""One ledger entry as an auditor reads it, and evidence as the reviewer saw it.

Plain HTML for a ``QTextBrowser``: it wraps, selects and copies (an auditor
pastes hashes into a report), scales with the larger-font option, and
needs no widget per field. Every value is escaped: record values come from
agency files and may hold anything.
"""

from __future__ import annotations

from html import escape
from typing import Any

from app import ledger_queries as lq
from ui.ledger_model import when_text

KIND_WORDS = {
    "match": "Match (same person)",
    "non-match": "Non-match (different people)",
    "unsure": "Unsure",
    "split": "Split out of its identity",
    "merge": "Merge of two identities",
    "reversal": "Reversal",
    "auto-link": "Linked automatically by the model",
    "auto-unlink": "Unlinked automatically by the model",
}


def _row(label: str, value: str) -> str:
    return (
        f"<tr><th align='left' valign='top'>{escape(label)}</th><td>{value}</td></tr>"
    )


def _mono(text: str | None) -> str:
    return "—" if not text else f"<code>{escape(text)}</code>"


def evidence_html(evidence: dict[str, Any] | None, state: str) -> str:
    """The two records' values as shown when the decision was made."""
    if state == "purged":
        return (
            "<p><i>Evidence purged</i> (personal data removed under an order; "
            "the entry's hash still covers it).</p>"
        )
    if evidence is None:
        return (
            "<p><i>No evidence snapshot</i> (the model keeps levels and a score).</p>"
        )
    left, right = evidence.get("left") or {}, evidence.get("right") or {}
    fields = [f for f in dict.fromkeys([*left, *right]) if left.get(f) or right.get(f)]
    rows = "".join(
        f"<tr><th align='left'>{escape(f)}</th>"
        f"<td>{escape(str(left.get(f) or ''))}</td>"
        f"<td>{escape(str(right.get(f) or ''))}</td></tr>"
        for f in fields
    )
    return (
        "<table cellspacing='0' cellpadding='3' border='1'>"
        "<tr><th></th><th>Left record</th><th>Right record</th></tr>"
        f"{rows}</table>"
    )


def levels_html(levels: dict[str, str]) -> str:
    if not levels:
        return "—"
    return "<br>".join(f"{escape(k)}: <b>{escape(v)}</b>" for k, v in levels.items())


def _side(label: str, now: lq.SideNow | None) -> str:
    if now is None:
        return escape(label)
    if now.identity_id is None:
        return f"{escape(label)} <i>(record no longer in the workspace)</i>"
    changed = " <b>· values changed since: needs re-review</b>" if now.changed else ""
    return f"{escape(label)} · identity #{now.identity_id}{changed}"


def detail_html(d: lq.EntryDetail) -> str:
    """Everything the ledger keeps about one entry, in reading order."""
    r = d.row
    rows = [
        _row("Entry", f"#{r.seq}"),
        _row("Decision", escape(KIND_WORDS.get(r.kind, r.kind))),
        _row("Who", f"{escape(r.actor)} (OS account {escape(r.os_user)})"),
        _row("When", f"{escape(when_text(r.at))} UTC"),
    ]
    if r.left_source:
        left = f"{r.left_source} {r.left_record_id}"
        rows.append(_row("Left record", _side(left, d.left_now)))
    if r.right_source:
        right = f"{r.right_source} {r.right_record_id}"
        rows.append(_row("Right record", _side(right, d.right_now)))
    if others := d.details.get("others"):
        rows.append(
            _row("Split from", escape(", ".join(f"record {k}" for k in others)))
        )
    if r.pair_id is not None:
        rows.append(_row("Pair", f"#{r.pair_id}"))
    rows.append(_row("Reason", escape(d.reason_text or "—")))
    rows.append(_row("Note", escape(r.note or "—")))
    score = "—" if r.probability is None else f"{r.probability:.4f}"
    rows.append(_row("Probability", score))
    if d.model_version:
        rows.append(_row("Model", escape(d.model_version)))
    if limits := d.details.get("thresholds"):
        text = f"auto-link ≥ {limits['upper']:.4f}, review ≥ {limits['lower']:.4f}"
        rows.append(_row("Thresholds", escape(text)))
    if r.reverses is not None:
        rows.append(_row("Reverses", f"entry #{r.reverses}"))
    if d.reversed_by is not None:
        rows.append(_row("Reversed by", f"entry #{d.reversed_by}"))
    chain = [
        _row("Comparison levels", levels_html(d.levels)),
        _row("Left values hash", _mono(d.left_values_hash)),
        _row("Right values hash", _mono(d.right_values_hash)),
        _row("Evidence hash", _mono(d.evidence_hash)),
        _row("Previous hash", _mono(d.prev_hash)),
        _row("Entry hash", _mono(d.entry_hash)),
    ]
    # The evidence right after the decision: it is what an auditor reads next.
    return (
        f"<table cellspacing='0' cellpadding='2'>{''.join(rows)}</table>"
        "<h4>Evidence as the reviewer saw it</h4>"
        + evidence_html(d.evidence, d.evidence_state)
        + "<h4>Comparison levels and hashes</h4>"
        f"<table cellspacing='0' cellpadding='2'>{''.join(chain)}</table>"
    )


def verify_text(v: lq.VerifySummary) -> str:
    """One or two lines for the page's banner."""
    n = v.entries_on_changed_values
    again = (
        f" {v.rereview:,} standing decision(s) need re-review "
        f"({n:,} ledger entr{'y rests' if n == 1 else 'ies rest'} on values a "
        "newer export changed)."
        if v.entries_on_changed_values
        else " No decision rests on changed values."
    )
    if v.ok:
        return f"Chain intact: {v.entries:,} entries verified. Head {v.head}.{again}"
    more = f" ({v.problems - 1:,} more)" if v.problems > 1 else ""
    return (
        f"CHAIN BROKEN: {v.first_problem}{more}. {v.entries:,} entries verified "
        f"before it.{again}"
    )

"""A link run's report as HTML for the Run page's text browser.

Rich text rather than a grid of labels: it reflows with the larger-font
option, the reader can select and copy a figure into an email, and a screen
reader reads it in order.
"""

from __future__ import annotations

from html import escape
from typing import Any

from app.link_options import ThresholdOverrides
from app.overview import RunReport
from ui.import_models import local_time

STAGES: dict[str, str] = {
    # engine stage -> what a clerk sees
    "features": "Preparing names, dates and addresses",
    "blocking": "Finding candidate pairs",
    "comparing": "Comparing candidate pairs",
    "training": "Training the model",
    "scoring": "Scoring pairs",
    "saving": "Saving the scores",
    "clustering": "Updating identities",
}


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _row(label: str, value: str) -> str:
    return f"<tr><td>{escape(label)}</td><td>&nbsp;&nbsp;<b>{value}</b></td></tr>"


def _blocking(rules: list[dict[str, Any]]) -> str:
    if not rules:
        return ""
    head = "".join(
        f"<th align='{a}'>&nbsp;{h}&nbsp;</th>"
        for h, a in (
            ("Rule", "left"),
            ("Pairs", "right"),
            ("New pairs", "right"),
            ("Blocks", "right"),
            ("Largest block", "right"),
        )
    )
    body = "".join(
        "<tr>"
        f"<td>&nbsp;{escape(str(r.get('name') or r.get('rule', '?')))}&nbsp;</td>"
        + "".join(
            f"<td align='right'>&nbsp;{_n(r.get(k))}&nbsp;</td>"
            for k in ("pairs", "new_pairs", "blocks", "largest_block")
        )
        + "</tr>"
        for r in rules
    )
    return (
        "<h4>Candidate pairs by blocking rule</h4>"
        "<p>Each rule proposes pairs sharing a key; <i>new pairs</i> are those "
        "no earlier rule found.</p>"
        f"<table cellspacing='0' cellpadding='3' border='1'><tr>{head}</tr>{body}"
        "</table>"
    )


def _thresholds(t: dict[str, float], by_hand: ThresholdOverrides | None) -> str:
    """Each limit, and whether a person set it: a hand-set auto-link limit
    changes what "linked automatically" means, so the report must say so."""

    def who(value: float | None) -> str:
        return "set on the Run page" if value is not None else "the model's choice"

    upper = by_hand.upper if by_hand else None
    lower = by_hand.lower if by_hand else None
    return (
        f"auto-link at {t.get('upper', 0):.4f} or above ({who(upper)}); "
        f"review at {t.get('lower', 0):.4f} or above ({who(lower)})"
    )


def report_html(
    report: RunReport,
    *,
    just_finished: bool,
    records_now: int | None = None,
    by_hand: ThresholdOverrides | None = None,
) -> str:
    """The whole report; ``records_now`` adds a note when records changed since,
    ``by_hand`` marks the thresholds a person set for this run."""
    if just_finished:
        total = report.timings.get("total")
        took = f" in {total:,.1f} s" if total is not None else ""
        title = f"Run {report.run_id} finished{took}"
    else:
        when = local_time(report.finished_at) if report.finished_at else "?"
        who = f" by {escape(report.actor)}" if report.actor else ""
        title = f"Last run: run {report.run_id}, {when}{who}"
    parts = [f"<h3>{title}</h3>"]
    if (
        records_now is not None
        and report.records is not None
        and records_now != report.records
    ):
        parts.append(
            f"<p><b>The workspace now holds {records_now:,} records; this run saw "
            f"{report.records:,}. Link again to score the new records.</b></p>"
        )
    t = report.thresholds
    auto = _n(report.auto)
    if report.new_auto_links is not None:
        auto += (
            f" ({_n(report.new_auto_links)} new, "
            f"{_n(report.auto_unlinks)} no longer linked)"
        )
    rows = [
        _row("Records", _n(report.records)),
        _row("Candidate pairs scored", _n(report.candidate_pairs)),
        _row("Auto-linked pairs", auto),
        _row("Pairs for review", _n(report.review)),
        _row("Waiting for a person", _n(report.waiting)),
    ]
    if t:
        rows.append(_row("Thresholds", _thresholds(t, by_hand)))
    if report.identities is not None:
        c = report.identities
        rows.append(
            _row(
                "Identities",
                f"{c.identities:,} ({c.merged:,} merged, {c.split:,} split, "
                f"{c.flagged:,} flagged)",
            )
        )
    elif report.flagged_now is not None:
        rows.append(_row("Identities flagged now", _n(report.flagged_now)))
    if report.model_version:
        labels = (
            f", trained with {report.labels_used:,} human decisions"
            if report.labels_used is not None
            else ""
        )
        rows.append(_row("Model", escape(report.model_version) + labels))
    parts.append(f"<table cellspacing='0' cellpadding='2'>{''.join(rows)}</table>")
    if report.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in report.warnings)
        parts.append(f"<h4>Warnings</h4><ul>{items}</ul>")
    parts.append(_blocking(report.blocking))
    if report.timings:
        times = " · ".join(f"{escape(k)} {v:,.1f} s" for k, v in report.timings.items())
        parts.append(f"<h4>Time taken</h4><p>{times}</p>")
    return "".join(parts)

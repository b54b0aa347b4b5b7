"""The audit report as a printed document: HTML laid out by Qt, written as PDF.

The page an auditor reads first says whether the ledger verified, in words
and colour, with the chain head to note; every figure after it sits in a
labelled table cell, because a printed number with no label invites a wrong
reading. The figures are those of :class:`app.audit_report.AuditReport`,
the same data the CSV holds, formatted only (thousands separators, shares as
percentages); nothing is computed here.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from app.audit_report import AuditReport
from app.audit_report_links import MEASURES
from app.audit_report_quality import Interval
from ui.printed import (
    PageSetup,
    PrintedDocument,
    escape,
    html_page,
    number,
    px,
    share,
    table,
    utc,
)

KIND_COLUMNS = ("match", "non-match", "unsure", "split", "merge", "reversal")
CSS = """
td.verdict { color: #ffffff; font-size: 13pt; font-weight: bold; border: 0; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; }
.note { color: #444444; font-size: 8.5pt; }
"""


def _interval(e: Interval | None, *, percent: bool = True) -> str:
    if e is None:
        return "not estimable yet (no labels)"
    if percent:
        low, high = 100 * e.low, 100 * e.high
        return f"{100 * e.value:.1f} % (95 % CI {low:.1f} to {high:.1f} %)"
    return f"{e.value:.3f} (95 % CI {e.low:.3f} to {e.high:.3f})"


def _pairs(
    rows: list[tuple[str, object]],
    *,
    numeric: bool = True,
    small: bool = False,
    title: str | None = None,
) -> str:
    """A two-column "what / figure" table."""
    return table(
        ["What", "Figure"],
        [[a, b] for a, b in rows],
        numeric={1} if numeric else set(),
        small=small,
        title=title,
    )


def _verification(r: AuditReport) -> str:
    v = r.verification
    colour, text = (
        ("#1b6b2a", "PASS: the ledger chain and the records it rests on verify.")
        if v.ok
        else (
            "#a31515",
            f"FAIL: {len(v.problems):,} problem(s) found; history may have been "
            "altered or records edited outside Recordmatch.",
        )
    )
    verdict = (
        f"<table width='100%' cellspacing='0' cellpadding='{px(5)}' "
        f"bgcolor='{colour}'><tr><td class='verdict'>{escape(text)}</td></tr>"
        "</table>"
    )
    rows: list[tuple[str, object]] = [
        ("Ledger entries verified", number(v.entries)),
        ("Problems found", number(len(v.problems))),
        ("Decisions to decide again: a newer export changed their values",
         number(len(v.standing_rereview))),
        ("Other entries on values since replaced (automatic links, "
         "superseded decisions)",
         number(len(v.rereview) - len(v.standing_rereview))),
    ]  # fmt: skip
    html = verdict + _pairs(rows)
    html += (
        "<p>Chain head (note it; <i>recordmatch audit WS --verify --expect-head "
        f"HASH</i> later proves nothing was removed since):<br/>"
        f"<span class='mono'>{escape(v.head)}</span></p>"
    )
    if v.problems:
        shown = v.problems[:50]
        html += table(
            ["#", "Problem"],
            [[i, p] for i, p in enumerate(shown, 1)],
            numeric={0},
            title="Problems",
        )
        if len(v.problems) > len(shown):
            html += f"<p class='note'>… and {len(v.problems) - len(shown):,} more "
            html += "(all are in the CSV).</p>"
    return html


def _sources(r: AuditReport) -> str:
    html = table(
        ["Source", "Kind", "Files imported", "Records held now"],
        [[s.name, s.kind, number(s.imports), number(s.records)] for s in r.sources],
        numeric={2, 3},
    )
    html += table(
        ["Import", "Source", "File (SHA-256, first 12)", "Imported (UTC), by",
         "Rows read", "Imported", "New", "Updated", "Rejected", "Field problems"],
        [[i.id, i.source, f"{i.file_name} ({i.sha256[:12]})",
          f"{utc(i.imported_at)}, {i.imported_by}", number(i.rows_read),
          number(i.rows_imported), number(i.rows_new), number(i.rows_updated),
          number(i.rows_rejected), number(i.field_problems)] for i in r.imports],
        numeric={0, 4, 5, 6, 7, 8, 9}, small=True, title="Imported files",
    )  # fmt: skip
    return html + (
        "<p class='note'>Rows read = imported + rejected. A row of a newer "
        "export that changed an existing record counts as updated; its earlier "
        "values are kept.</p>"
    )


def _model(r: AuditReport) -> str:
    html = table(
        ["Run", "Started (UTC)", "Finished (UTC)", "Status", "By", "Model version",
         "Upper threshold", "Lower threshold"],
        [[run.id, utc(run.started_at), utc(run.finished_at), run.status, run.actor,
          run.model_version or "—", number(run.upper), number(run.lower)]
         for run in r.runs],
        numeric={0, 6, 7}, small=True,
    )  # fmt: skip
    html += (
        "<p class='note'>Pairs with a match probability at or above the upper "
        "threshold are linked by the model; between the thresholds they wait for "
        "a person; below the lower one they are not linked.</p>"
    )
    if r.runs:
        settings = r.runs[-1].settings
        html += _pairs(
            [(k, json.dumps(v)) for k, v in sorted(settings.items())],
            numeric=False,
            small=True,
            title=f"Parameters of run {r.runs[-1].id}",
        )
    if (m := r.model) is not None:
        html += _pairs(
            [("Prior probability that two records match", number(m.prior))]
            + [(f"Trained on: {k}", number(v)) for k, v in m.trained_on.items()],
            small=True,
            title=f"Model {m.version} (run {m.run_id})",
        )
        html += (
            "<p class='note'>Each comparison level's m and u are in the appendix.</p>"
        )
    return html


def _links(r: AuditReport) -> str:
    k = r.links
    standing = {
        "auto-link": k.standing_auto,
        **k.standing_decisions,
        "merge": k.standing_merges,
        "split": k.standing_splits,
    }
    rows = [
        [kind, "model" if kind.startswith("auto-") else "a person", number(n),
         number(standing[kind]) if kind in standing else "—"]
        for kind, n in k.entries.items()
    ]  # fmt: skip
    html = table(
        ["Ledger entry kind", "Made by", "Entries ever", "Standing now"],
        rows,
        numeric={2, 3},
    )
    agrees = k.standing_auto == k.auto_band_pairs
    html += (
        f"<p>Pairs in the automatic band of the pairs table: "
        f"<b>{number(k.auto_band_pairs)}</b>, "
        + (
            "<span class='ok'>agrees</span>"
            if agrees
            else "<span class='bad'>DISAGREES</span>"
        )
        + " with the automatic links standing in the ledger.</p>"
    )
    everyone = r.subgroups[-1]
    html += _pairs([
        ("Links holding identities together now", number(everyone.links)),
        ("… made or confirmed by a person", share(everyone.confirmed, everyone.links)),
        ("… by the model alone", number(everyone.links - everyone.confirmed)),
    ])  # fmt: skip
    return html + (
        "<p class='note'>Standing now: not reversed and, for a pair's decisions, "
        "the latest one. A reversal is an entry of its own and undoes the entry "
        "it points at; nothing is ever deleted from the ledger.</p>"
    )


def _reviewers(r: AuditReport) -> str:
    head = ["Reviewer", *KIND_COLUMNS, "Total"]
    totals = table(
        [*head[:1], "OS account(s)", "First (UTC)", "Last (UTC)", *head[1:]],
        [[t.reviewer, t.os_users, utc(t.first_at), utc(t.last_at),
          *(number(t.counts.get(c, 0)) for c in KIND_COLUMNS), number(t.total)]
         for t in r.reviewers],
        numeric=set(range(4, 11)), small=True,
    )  # fmt: skip
    days = table(
        [head[0], "Day (UTC)", *head[1:]],
        [[d.reviewer, d.day, *(number(d.counts.get(c, 0)) for c in KIND_COLUMNS),
          number(d.total)] for d in r.reviewer_days],
        numeric=set(range(2, 9)), small=True, title="Per reviewer and day",
    )  # fmt: skip
    if not r.reviewers:
        return "<p>No person has made a decision yet.</p>"
    return (
        "<p class='note'>Ledger entries each reviewer made, by kind, including "
        "entries later reversed (see section 6).</p>" + totals + days
    )


def _reversals(r: AuditReport) -> str:
    if not r.reversals:
        return "<p>No decision has been reversed.</p>"
    return table(
        ["Entry", "When (UTC)", "By", "Reverses entry", "Its decision, by, when",
         "Pair", "Records", "Reason given"],
        [[x.seq, utc(x.at), x.reviewer, x.reverses,
          f"{x.reversed_kind}, {x.reversed_by}, {utc(x.reversed_at)}",
          x.pair_id if x.pair_id is not None else "—",
          f"{x.left} / {x.right}" if x.right else x.left, x.reason]
         for x in r.reversals],
        numeric={0, 3, 5}, small=True,
    )  # fmt: skip


def _quality(r: AuditReport) -> str:
    q = r.quality
    if not q.drawn:
        return f"<p><b>{escape(q.note)}</b></p>"
    html = _pairs([
        ("Audit file", q.audit_file), ("Pairs in the sample", number(q.sample_size)),
        ("Of them labelled by the second reviewer", number(q.labelled)),
        ("Candidate pairs sampled from", number(q.candidate_pairs)),
        ("Drawn (UTC), by", f"{utc(q.drawn_at)}, {q.drawn_by}"),
        ("Model version when drawn", q.model_version),
        ("Ledger head when drawn", (q.ledger_head or "")[:16] + "…"),
        ("Audit file seals (sample, labels)",
         f"{(q.sample_digest or '')[:16]}…, {(q.labels_head or '')[:16]}…"),
    ], numeric=False)  # fmt: skip
    for problem in q.file_problems:
        html += f"<p class='bad'>AUDIT FILE ALTERED: {escape(problem)}</p>"
    html += f"<p class='note'>{escape(q.note)} {escape(q.caveat or '')}</p>"
    html += table(
        ["Stratum", "What it holds", "Pairs in it", "Sampled", "Labelled",
         "Judged matches"],
        [[s.band, s.label, number(s.population), number(s.sampled),
          number(s.labelled), number(s.judged_matches)] for s in q.strata],
        numeric={2, 3, 4, 5}, small=True, title="Strata",
    )  # fmt: skip
    return html + _pairs(title="Estimates", rows=[
        ("Precision of the links", _interval(q.precision)),
        ("Recall among candidate pairs", _interval(q.recall)),
        ("Agreement, blind second review (Cohen's kappa)",
         _interval(q.kappa, percent=False)),
        ("Pairs with both a first decision and a blind label", number(q.agreement_n)),
        ("Disagreements", number(q.disagreements)),
    ])  # fmt: skip


def _subgroups(r: AuditReport) -> str:
    html = table(
        ["Group", "Records", "Linked to another record", "Links holding them",
         "Links confirmed by a person"],
        [[g.name, number(g.records), share(g.linked, g.records), number(g.links),
          share(g.confirmed, g.links)] for g in r.subgroups],
        numeric={1, 2, 3, 4},
    )  # fmt: skip
    groups = "; ".join(f"{g.name}: {g.definition}" for g in r.subgroups[:-1])
    notes = [*MEASURES, f"Groups: {groups}."]
    return html + "".join(f"<p class='note'>{escape(t)}</p>" for t in notes)


def _weight(m: float, u: float) -> str:
    """log2(m/u) with its sign; "—" where a probability is 0."""
    if m <= 0 or u <= 0:
        return "—"
    weight = round(math.log2(m / u), 2)
    return f"{weight:+.2f}" if weight else "0.00"


def _appendix(r: AuditReport) -> str:
    m = r.model
    if m is None:
        return ""
    rows = [
        [lv.comparison, lv.level, f"{lv.m:.4g}", f"{lv.u:.4g}",
         _weight(lv.m, lv.u)]
        for lv in m.levels
    ]  # fmt: skip
    return (
        "<h2 style='page-break-before: always'>Appendix: the model's comparison "
        f"levels ({escape(m.version)})</h2>"
        "<p class='note'>m: how often a true match shows the level; u: how often "
        "two different people do; weight = log2(m/u), the evidence the level "
        "adds.</p>"
        + table(
            ["Comparison", "Level", "m", "u", "Weight"],
            rows,
            numeric={2, 3, 4},
            small=True,
        )
    )


def report_html(r: AuditReport) -> str:
    """The whole report as one HTML document."""
    h = r.header
    mode = "read-only (audit mode)" if h.readonly else "normal mode"
    sections = [
        ("1. Ledger verification", _verification(r)),
        ("2. Sources and row counts", _sources(r)),
        ("3. Model and thresholds", _model(r)),
        ("4. Automatic and human links", _links(r)),
        ("5. Decisions per reviewer", _reviewers(r)),
        ("6. Reversals", _reversals(r)),
        ("7. Quality sample", _quality(r)),
        ("8. Link rates per subgroup", _subgroups(r)),
    ]
    body = (
        f"<h1>Audit report: {escape(h.workspace)}</h1>"
        f"<p class='note'>Workspace {escape(h.workspace_uuid)}, created "
        f"{utc(h.created_at)} UTC by {escape(h.created_by)}. Report made "
        f"{utc(h.made_at)} UTC by {escape(h.made_by)} (OS account "
        f"{escape(h.made_by_os_user)}), workspace opened {mode}. Times are UTC."
        "</p>"
    )
    body += "".join(f"<h2>{escape(t)}</h2>{html}" for t, html in sections)
    return html_page(f"Audit report: {h.workspace}", body + _appendix(r), css=CSS)


def report_document(r: AuditReport) -> PrintedDocument:
    """The report laid out on Letter paper, each page stamped with its origin."""
    h = r.header
    return PrintedDocument(
        report_html(r),
        title=f"Recordmatch audit report: {h.workspace}",
        stamp=f"made {utc(h.made_at)} UTC by {h.made_by}",
        setup=PageSetup(),
    )


def write_report_pdf(r: AuditReport, path: Path) -> int:
    """Write the PDF atomically (beside it, then renamed); returns its pages.

    A half-written PDF left by a full disk or a crash would look like a
    report; the rename makes it all or nothing, as the CSV is.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        pages = report_document(r).write_pdf(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return pages

"""The audit report as one tidy CSV, and the log entry of its export.

**Shape.** One observation per row: ``section, item, detail, measure,
value``. ``section`` names the part of the report (``imports``,
``decisions_per_reviewer_day``...), ``item`` the thing measured (an import,
a reviewer, a subgroup), ``detail`` a second dimension where there is one (a
day, a file name, a model level), ``measure`` what the number is, ``value``
the number or text. Why long rather than one table per section: a CSV holds
one table, and the sections have different columns; in long form every
section fits, the header never changes when a reviewer or a day is added, and
a spreadsheet pivot table (filter on section, rows item/detail, columns
measure) rebuilds any of the PDF's tables. Numbers are written plainly (no
thousands separators, shares as fractions such as 0.25) so they stay numbers.

Text that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``
or ``@``: a reviewer's note can hold anything) is written with a leading
apostrophe, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from app.audit_report import AuditReport
from app.audit_report_quality import Interval
from app.export import atomic_text_file, spreadsheet_safe
from app.workspace.core import Connection

HEADER = ("section", "item", "detail", "measure", "value")
Row = tuple[str, str, str, str, str]
EXPORT_WHAT = "audit report"


def cell(value: object) -> str:
    """One value as CSV text: plain numbers, guarded text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Exact, so every figure can be checked: the shortest text that reads
        # back as the same float, and counts stored as floats without ".0".
        return str(int(value)) if value.is_integer() else repr(value)
    return str(spreadsheet_safe(str(value)))


def _rows(
    section: str, item: object, detail: object, measures: dict[str, object]
) -> Iterator[Row]:
    for measure, value in measures.items():
        yield section, cell(item), cell(detail), measure, cell(value)


def report_rows(report: AuditReport) -> list[Row]:
    """Every figure of the report, in the order the PDF shows them."""
    return list(_iter_rows(report))


def _iter_rows(r: AuditReport) -> Iterator[Row]:
    h, v = r.header, r.verification
    yield from _rows("report", "workspace", h.workspace, {
        "workspace_uuid": h.workspace_uuid, "created_at": h.created_at,
        "created_by": h.created_by, "report_made_at": h.made_at,
        "report_made_by": h.made_by, "report_made_by_os_user": h.made_by_os_user,
        "opened_read_only": h.readonly, "schema_version": h.schema_version,
    })  # fmt: skip
    yield from _rows("verification", "ledger chain", "", {
        "result": "pass" if v.ok else "FAIL", "entries_verified": v.entries,
        "chain_head": v.head, "problems": len(v.problems),
        "decisions_needing_rereview": len(v.standing_rereview),
        "entries_on_changed_values": len(v.rereview),
    })  # fmt: skip
    for n, problem in enumerate(v.problems, start=1):
        yield from _rows("verification", "problem", n, {"text": problem})
    for seq in v.standing_rereview:
        yield from _rows("verification", "needs re-review", seq, {"entry": seq})
    for s in r.sources:
        yield from _rows("sources", s.name, s.kind, {
            "imports": s.imports, "records_now": s.records})  # fmt: skip
    for i in r.imports:
        yield from _rows("imports", f"import {i.id}", i.file_name, {
            "source": i.source, "kind": i.kind, "sha256": i.sha256,
            "imported_at": i.imported_at, "imported_by": i.imported_by,
            "rows_read": i.rows_read, "rows_imported": i.rows_imported,
            "rows_new": i.rows_new, "rows_updated": i.rows_updated,
            "rows_rejected": i.rows_rejected, "field_problems": i.field_problems,
        })  # fmt: skip
    for run in r.runs:
        yield from _rows("runs", f"run {run.id}", run.model_version, {
            "started_at": run.started_at, "finished_at": run.finished_at,
            "status": run.status, "actor": run.actor, "os_user": run.os_user,
            "model_version": run.model_version, "upper_threshold": run.upper,
            "lower_threshold": run.lower,
            "settings": json.dumps(run.settings, sort_keys=True),
        })  # fmt: skip
    if (m := r.model) is not None:
        yield from _rows("model", "model", m.version, {
            "run": m.run_id, "created_at": m.created_at, "prior": m.prior,
            **{f"trained_on_{k}": val for k, val in sorted(m.trained_on.items())},
        })  # fmt: skip
        for lv in m.levels:
            yield from _rows("model", lv.comparison, lv.level, {"m": lv.m, "u": lv.u})
    k = r.links
    for kind, n in sorted(k.entries.items()):
        yield from _rows("links", "ledger entries ever", kind, {"entries": n})
    yield from _rows("links", "standing now", "automatic", {
        "auto_links_in_ledger": k.standing_auto,
        "pairs_in_automatic_band": k.auto_band_pairs,
    })  # fmt: skip
    yield from _rows("links", "standing now", "human", {
        **{f"decisions_{kind}": n for kind, n in sorted(k.standing_decisions.items())},
        "merges": k.standing_merges, "splits": k.standing_splits,
    })  # fmt: skip
    for day in r.reviewer_days:
        yield from _rows("decisions_per_reviewer_day", day.reviewer, day.day,
                         {**day.counts, "total": day.total})  # fmt: skip
    for t in r.reviewers:
        yield from _rows("decisions_per_reviewer", t.reviewer, "", {
            "os_users": t.os_users, "first_at": t.first_at, "last_at": t.last_at,
            **t.counts, "total": t.total,
        })  # fmt: skip
    for x in r.reversals:
        yield from _rows("reversals", f"entry {x.seq}", x.reviewer, {
            "at": x.at, "os_user": x.os_user, "reverses_entry": x.reverses,
            "reversed_kind": x.reversed_kind, "reversed_by": x.reversed_by,
            "reversed_at": x.reversed_at, "pair": x.pair_id, "left": x.left,
            "right": x.right, "reason": x.reason,
        })  # fmt: skip
    yield from _quality_rows(r)
    for g in r.subgroups:
        yield from _rows("link_rates", g.name, g.definition, {
            "records": g.records, "linked": g.linked, "share_linked": g.share_linked,
            "links": g.links, "confirmed_by_person": g.confirmed,
            "share_confirmed": g.share_confirmed,
        })  # fmt: skip


def _estimate(name: str, e: Interval | None) -> dict[str, object]:
    if e is None:
        return {name: None}
    return {
        name: e.value, f"{name}_low": e.low, f"{name}_high": e.high, f"{name}_n": e.n,
    }  # fmt: skip


def _quality_rows(r: AuditReport) -> Iterator[Row]:
    q = r.quality
    yield from _rows("quality", "sample", q.audit_file, {
        "drawn": q.drawn, "note": q.note,
    })  # fmt: skip
    if not q.drawn:
        return
    yield from _rows("quality", "sample", q.audit_file, {
        "sample_size": q.sample_size, "drawn_at": q.drawn_at,
        "drawn_by": q.drawn_by, "ledger_head": q.ledger_head,
        "model_version": q.model_version, "candidate_pairs": q.candidate_pairs,
        "labelled": q.labelled, "caveat": q.caveat,
        "sample_digest": q.sample_digest, "labels_head": q.labels_head,
        "audit_file_intact": not q.file_problems,
    })  # fmt: skip
    for n, problem in enumerate(q.file_problems, start=1):
        yield from _rows("quality", "audit file problem", n, {"text": problem})
    for s in q.strata:
        yield from _rows("quality", "stratum", s.band, {
            "label": s.label, "population": s.population, "sampled": s.sampled,
            "labelled": s.labelled, "judged_matches": s.judged_matches,
        })  # fmt: skip
    yield from _rows("quality", "estimates", "", {
        **_estimate("precision", q.precision), **_estimate("recall", q.recall),
        **_estimate("kappa", q.kappa), "agreement_pairs": q.agreement_n,
        "disagreements": q.disagreements,
    })  # fmt: skip


def write_report_csv(report: AuditReport, path: Path) -> int:
    """Write the CSV atomically (all or nothing); returns its data rows."""
    rows = report_rows(report)
    with atomic_text_file(Path(path)) as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


def read_report_csv(path: Path) -> list[Row]:
    """The data rows of a report CSV, as written (for checks and tests)."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        if tuple(next(reader, ())) != HEADER:
            raise ValueError(f"{Path(path).name} is not an audit report CSV")
        return [(a, b, c, d, e) for a, b, c, d, e in reader]


def log_report_export(conn: Connection, report: AuditReport, files: list[Path]) -> bool:
    """Log the export in the workspace log; False (nothing written) if read-only.

    The entry names the files and the chain head the report describes, never
    a person's data, so an auditor can later match a printed report to it.
    """
    if conn.readonly:
        return False
    with conn.transaction():
        conn.log(
            "export",
            {
                "what": EXPORT_WHAT,
                "files": [Path(f).name for f in files],
                "ledger_entries": report.verification.entries,
                "ledger_head": report.verification.head,
                "verified": report.verification.ok,
            },
        )
    return True

"""The audit report as plain data, gathered from one consistent read of a workspace.

An auditor asks of a workspace: where did the records come from, which model
joined them with which thresholds, what did people decide and undo, how good
are the links, does any group get linked less, and has anyone altered
history? :func:`build_report` answers each from the tables and the ledger
(current state is always derived from the ledger, never from a cache), all
inside one read snapshot so a reviewer deciding meanwhile cannot make two
sections disagree. Building reads only, so it works in audit (read-only)
mode; the CSV (:mod:`app.audit_report_csv`) and the PDF (``ui``) are two
renderings of the same :class:`AuditReport`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app import audit_report_sql as sql
from app.actor import utc_now
from app.audit import verify
from app.audit_report_data import (
    AuditReport,
    Header,
    ImportLine,
    LevelLine,
    LinkCounts,
    ModelInfo,
    Reversal,
    ReviewerDay,
    ReviewerTotal,
    RunLine,
    SourceLine,
    Verification,
)
from app.audit_report_links import subgroup_rates
from app.audit_report_quality import quality_section
from app.workspace import ledger
from app.workspace.core import Connection
from app.workspace.eligibility_sql import read_snapshot
from app.workspace.schema import SCHEMA_VERSION

__all__ = ["AuditReport", "build_report"]  # the data types: app.audit_report_data


def build_report(
    conn: Connection,
    *,
    audit_file: Path | None = None,
    expect_head: str | None = None,
) -> AuditReport:
    """Gather the whole report; reads only (a read-only connection will do).

    Args:
        audit_file: the quality sample's audit file, if one was drawn.
        expect_head: a chain head noted earlier, checked as ``audit --verify``
            checks it.
    """
    db = conn.conn
    with read_snapshot(db):
        checked = verify(conn, expect_head=expect_head)
        verification = Verification(
            checked.ok, checked.entries, checked.head, checked.problems,
            checked.rereview, checked.standing_rereview,
        )  # fmt: skip
        auto = sql.standing_auto_links(db)
        structural = sql.standing_structural(db)
        return AuditReport(
            header=_header(conn),
            verification=verification,
            sources=[
                SourceLine(name, kind, imports, records)
                for name, (kind, imports, records) in sql.records_per_source(db).items()
            ],
            imports=[ImportLine(*row) for row in sql.import_rows(db)],
            runs=[_run(row) for row in sql.run_rows(db)],
            model=_latest_model(sql.model_rows(db)),
            links=LinkCounts(
                entries=dict.fromkeys(ledger.KINDS, 0) | sql.entries_by_kind(db),
                standing_auto=len(auto),
                auto_band_pairs=sql.auto_band_pairs(db),
                standing_decisions=dict.fromkeys(ledger.HUMAN_DECISIONS, 0)
                | sql.standing_decisions(db),
                standing_merges=structural.get("merge", 0),
                standing_splits=structural.get("split", 0),
            ),
            reviewer_days=_reviewer_days(sql.reviewer_day_kind(db)),
            reviewers=_reviewer_totals(db),
            reversals=[_reversal(row) for row in sql.reversal_rows(db)],
            quality=quality_section(conn, audit_file, ledger_head=checked.head),
            subgroups=subgroup_rates(db, auto),
        )


def _header(conn: Connection) -> Header:
    return Header(
        workspace=conn.path.name,
        workspace_uuid=conn.info("workspace_uuid") or "",
        created_at=conn.info("created_at") or "",
        created_by=conn.info("created_by") or "",
        made_at=utc_now(),
        made_by=conn.actor.name,
        made_by_os_user=conn.actor.os_user,
        readonly=conn.readonly,
        schema_version=SCHEMA_VERSION,
    )


def _run(row: tuple[Any, ...]) -> RunLine:
    *head, thresholds, settings = row
    thresholds = thresholds or {}
    return RunLine(
        *head,
        upper=thresholds.get("upper"),
        lower=thresholds.get("lower"),
        settings=settings or {},
    )


def _latest_model(
    rows: list[tuple[str, int, str, dict[str, Any]]],
) -> ModelInfo | None:
    if not rows:
        return None
    version, run_id, created, params = rows[-1]
    levels = [
        LevelLine(comp["name"], str(label), float(m), float(u))
        for comp in params.get("comparisons", [])
        for label, m, u in zip(comp["labels"], comp["m"], comp["u"], strict=True)
    ]
    prior = params.get("prior")
    return ModelInfo(
        version=version,
        run_id=run_id,
        created_at=created,
        prior=None if prior is None else float(prior),
        trained_on=dict(params.get("trained_on") or {}),
        levels=levels,
    )


def _reviewer_days(rows: list[tuple[str, str, str, int]]) -> list[ReviewerDay]:
    days: dict[tuple[str, str], dict[str, int]] = {}
    for reviewer, day, kind, n in rows:
        days.setdefault((reviewer, day), {})[kind] = n
    return [ReviewerDay(r, d, counts) for (r, d), counts in days.items()]


def _reviewer_totals(db: sqlite3.Connection) -> list[ReviewerTotal]:
    counts: dict[str, dict[str, int]] = {}
    for reviewer, _day, kind, n in sql.reviewer_day_kind(db):
        per = counts.setdefault(reviewer, {})
        per[kind] = per.get(kind, 0) + n
    return [
        ReviewerTotal(reviewer, accounts, first, last, counts.get(reviewer, {}))
        for reviewer, (accounts, first, last) in sql.reviewer_spans(db).items()
    ]


def _reversal(row: tuple[Any, ...]) -> Reversal:
    seq, at, actor, os_user, reverses, kind, by, when, pair_id = row[:9]
    ls, lr, rs, rr, note = row[9:]
    return Reversal(
        seq=seq,
        at=at,
        reviewer=actor,
        os_user=os_user,
        reverses=reverses,
        reversed_kind=kind,
        reversed_by=by,
        reversed_at=when,
        pair_id=pair_id,
        left=" ".join(str(v) for v in (ls, lr) if v is not None),
        right=" ".join(str(v) for v in (rs, rr) if v is not None),
        reason=note or "",
    )

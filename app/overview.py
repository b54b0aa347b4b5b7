"""What the workstation's Sources and Run pages show, as small frozen rows.

The GUI may not speak SQL or hold cursors, and it should not have to know
which table a count lives in. These functions join what ``app.workspace``
reads into the rows a page displays, and turn a fresh ``LinkSummary`` and a
stored run into one ``RunReport`` so the Run page draws both the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.identities import ClusterSummary
from app.workspace import records as store
from app.workspace.core import Connection

if TYPE_CHECKING:
    from app.linking import LinkSummary

__all__ = [
    "ImportOverview",
    "RejectLine",
    "RunReport",
    "imports_overview",
    "last_run_report",
    "record_count",
    "rejects_page",
    "report_from_summary",
    "source_kinds",
]


@dataclass(frozen=True, slots=True)
class ImportOverview:
    """One imported file, with every count the Sources table shows."""

    id: int
    source: str
    kind: str
    file_name: str
    rows_total: int
    rows_imported: int
    rows_new: int
    rows_updated: int
    rows_rejected: int
    field_problems: int
    imported_at: str
    imported_by: str


def imports_overview(conn: Connection) -> list[ImportOverview]:
    """Every import, oldest first."""
    new = store.import_new_counts(conn.conn)
    return [
        ImportOverview(
            id=imp.id,
            source=imp.source,
            kind=imp.kind,
            file_name=imp.file_name,
            rows_total=imp.rows_total,
            rows_imported=imp.rows_imported,
            rows_new=new.get(imp.id, 0),
            rows_updated=imp.rows_updated,
            rows_rejected=imp.rows_rejected,
            field_problems=imp.field_problems,
            imported_at=imp.imported_at,
            imported_by=imp.imported_by,
        )
        for imp in store.list_imports(conn.conn)
    ]


def source_kinds(conn: Connection) -> dict[str, str]:
    """{source name: kind}: a newer export must keep its source's kind."""
    return {imp.source: imp.kind for imp in store.list_imports(conn.conn)}


@dataclass(frozen=True, slots=True)
class RejectLine:
    """A rejected row; ``key`` is the position to page on after it."""

    line: int
    reason: str
    raw_text: str
    key: tuple[int, int]


def rejects_page(
    conn: Connection,
    import_id: int,
    *,
    after: tuple[int, int] = (0, 0),
    limit: int = 500,
) -> list[RejectLine]:
    """Up to ``limit`` rejects of one import after ``after``, in line order."""
    return [
        RejectLine(r.line, r.reason, r.raw_text, (r.line, r.id))
        for r in store.rejects_page(conn.conn, import_id, after=after, limit=limit)
    ]


@dataclass(frozen=True, slots=True)
class RunReport:
    """A link run as the Run page reports it.

    Fields a stored run does not keep (the clustering counts, how many auto
    links are new) are None for a run read back from the workspace.
    """

    run_id: int
    finished_at: str | None
    actor: str | None
    records: int | None
    candidate_pairs: int
    auto: int
    review: int
    waiting: int
    thresholds: dict[str, float]
    blocking: list[dict[str, Any]]
    warnings: list[str]
    model_version: str | None
    labels_used: int | None = None
    new_auto_links: int | None = None
    auto_unlinks: int | None = None
    identities: ClusterSummary | None = None
    flagged_now: int | None = None
    timings: dict[str, float] = field(default_factory=dict)


def report_from_summary(summary: LinkSummary) -> RunReport:
    """The report of a run that just finished."""
    return RunReport(
        run_id=summary.run_id,
        finished_at=None,
        actor=None,
        records=summary.records,
        candidate_pairs=summary.candidate_pairs,
        auto=summary.auto,
        review=summary.review,
        waiting=summary.waiting,
        thresholds=dict(summary.thresholds),
        blocking=list(summary.blocking),
        warnings=list(summary.warnings),
        model_version=summary.model_version,
        labels_used=summary.labels_used,
        new_auto_links=summary.new_auto_links,
        auto_unlinks=summary.auto_unlinks,
        identities=summary.identities,
        timings=dict(summary.timings),
    )


def last_run_report(conn: Connection) -> RunReport | None:
    """The newest finished run, or None when the workspace was never linked."""
    run = store.last_finished_run(conn.conn)
    if run is None:
        return None
    stats = run.stats
    return RunReport(
        run_id=run.id,
        finished_at=run.finished_at,
        actor=run.actor,
        records=run.trained_on.get("records"),
        candidate_pairs=int(stats.get("candidate_pairs", 0)),
        auto=int(stats.get("auto", 0)),
        review=int(stats.get("review", 0)),
        waiting=int(stats.get("waiting", 0)),
        thresholds={k: float(v) for k, v in run.thresholds.items()},
        blocking=list(stats.get("blocking", [])),
        warnings=[str(w) for w in stats.get("warnings", [])],
        model_version=run.model_version,
        labels_used=run.trained_on.get("labels"),
        flagged_now=store.count_flagged_identities(conn.conn),
        timings={k: float(v) for k, v in stats.get("timings", {}).items()},
    )


def record_count(conn: Connection) -> int:
    """Records in the workspace now (the Run page compares it with the last run)."""
    return store.count_records(conn.conn)

"""The audit report's plain data: what :func:`app.audit_report.build_report` gathers.

Frozen dataclasses only, so the CSV writer and the PDF renderer read the same
figures and neither can change them; every count is final when built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.audit_report_links import SubgroupRate
from app.audit_report_quality import QualitySection


@dataclass(frozen=True, slots=True)
class Header:
    workspace: str
    workspace_uuid: str
    created_at: str
    created_by: str
    made_at: str
    made_by: str
    made_by_os_user: str
    readonly: bool
    schema_version: int


@dataclass(frozen=True, slots=True)
class Verification:
    """:func:`app.audit.verify`'s result, as the report prints it."""

    ok: bool
    entries: int
    head: str
    problems: list[str]
    rereview: list[int]  # entries resting on values a newer export changed
    standing_rereview: list[int]  # of those, decisions a person must redo


@dataclass(frozen=True, slots=True)
class SourceLine:
    name: str
    kind: str
    imports: int
    records: int  # held now (an updated row counts once)


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One imported file; read = imported + rejected (blank lines aside)."""

    id: int
    source: str
    kind: str
    file_name: str
    sha256: str
    imported_at: str
    imported_by: str
    rows_read: int
    rows_imported: int
    rows_new: int
    rows_updated: int
    rows_rejected: int
    field_problems: int


@dataclass(frozen=True, slots=True)
class RunLine:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    actor: str
    os_user: str
    model_version: str | None
    upper: float | None
    lower: float | None
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LevelLine:
    """One comparison level of the model: m, u and its weight (log2 m/u)."""

    comparison: str
    level: str
    m: float
    u: float


@dataclass(frozen=True, slots=True)
class ModelInfo:
    version: str
    run_id: int
    created_at: str
    prior: float | None
    trained_on: dict[str, Any]
    levels: list[LevelLine]


@dataclass(frozen=True, slots=True)
class LinkCounts:
    """Automatic against human, as entries ever made and as standing now.

    ``standing_auto`` is derived from the ledger (each pair's latest model
    entry); ``auto_band_pairs`` is the pairs table's view of the same thing,
    shown beside it because the two must agree.
    """

    entries: dict[str, int]
    standing_auto: int
    auto_band_pairs: int
    standing_decisions: dict[str, int]
    standing_merges: int
    standing_splits: int


@dataclass(frozen=True, slots=True)
class ReviewerDay:
    reviewer: str
    day: str  # UTC date of the entries
    counts: dict[str, int]  # kind -> entries

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class ReviewerTotal:
    reviewer: str
    os_users: str
    first_at: str
    last_at: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Reversal:
    """Who reversed which entry, when, and why."""

    seq: int
    at: str
    reviewer: str
    os_user: str
    reverses: int
    reversed_kind: str | None
    reversed_by: str | None
    reversed_at: str | None
    pair_id: int | None
    left: str  # "source record id"
    right: str
    reason: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    header: Header
    verification: Verification
    sources: list[SourceLine]
    imports: list[ImportLine]
    runs: list[RunLine]
    model: ModelInfo | None  # the latest run's model
    links: LinkCounts
    reviewer_days: list[ReviewerDay]
    reviewers: list[ReviewerTotal]
    reversals: list[Reversal]
    quality: QualitySection
    subgroups: list[SubgroupRate]

"""The report's quality section: estimates from a drawn sample, or a plain "none".

The figures come from :func:`app.quality.quality_summary` (the quality
sample, its labels and the blind second review); this module only copies
them into the report's plain data, so the report never computes an estimate
of its own and can never disagree with the Quality page. Without an audit
file no sample was drawn, and the section says exactly that rather than
showing zeros that could be read as measurements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.workspace.core import Connection

NO_SAMPLE = "No quality sample was drawn: precision and recall are not estimated."
STRATUM_FIELDS = (
    "band", "label", "population", "sampled", "labelled", "judged_matches",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Interval:
    """An estimate with its 95 % confidence interval, on ``n`` sampled pairs."""

    value: float
    low: float
    high: float
    n: int


@dataclass(frozen=True, slots=True)
class Stratum:
    band: str
    label: str
    population: int
    sampled: int
    labelled: int
    judged_matches: int


@dataclass(frozen=True, slots=True)
class QualitySection:
    """What the sample says; ``drawn`` is False when there is no sample."""

    drawn: bool
    note: str
    audit_file: str | None = None
    sample_size: int | None = None
    candidate_pairs: int | None = None
    labelled: int | None = None
    model_version: str | None = None
    caveat: str | None = None  # what the estimates cannot cover
    drawn_at: str | None = None
    drawn_by: str | None = None
    ledger_head: str | None = None
    strata: list[Stratum] = field(default_factory=list)
    precision: Interval | None = None
    recall: Interval | None = None
    kappa: Interval | None = None
    agreement_n: int | None = None
    disagreements: int | None = None
    sample_digest: str | None = None
    labels_head: str | None = None
    file_problems: list[str] = field(default_factory=list)


def _interval(estimate: Any) -> Interval | None:
    """The estimate, or None when there is none or the sample cannot say yet
    (NaN before any label): an empty cell, never a number that looks measured."""
    if estimate is None or math.isnan(float(estimate.value)):
        return None
    return Interval(
        float(estimate.value),
        float(estimate.low),
        float(estimate.high),
        int(getattr(estimate, "n", 0)),
    )


def _count(value: Any) -> int | None:
    """A count, whether the summary gives a number or the items themselves."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return len(value) if isinstance(value, Sequence) else int(value)


def quality_section(
    conn: Connection, audit_file: Path | None, *, ledger_head: str
) -> QualitySection:
    """The quality figures of ``audit_file``'s sample, or the "no sample" note.

    Args:
        ledger_head: the chain head now, to say whether the ledger has grown
            since the sample was drawn (the estimates describe that moment).
    """
    if audit_file is None:
        return QualitySection(drawn=False, note=NO_SAMPLE)
    from app.quality import quality_summary  # the Quality page's own figures

    summary = quality_summary(conn, Path(audit_file))
    drawn_head = str(summary.ledger_head)
    note = (
        "The sample was drawn at the current ledger head."
        if drawn_head == ledger_head
        else "Decisions were added after the sample was drawn; the estimates "
        f"describe the workspace at ledger head {drawn_head[:12]}…."
    )
    return QualitySection(
        drawn=True,
        note=note,
        audit_file=Path(audit_file).name,
        sample_size=int(summary.sample_size),
        candidate_pairs=int(summary.candidate_pairs),
        labelled=int(summary.labelled),
        model_version=str(summary.model_version),
        caveat=str(summary.note),
        drawn_at=str(summary.drawn_at),
        drawn_by=str(summary.drawn_by),
        ledger_head=drawn_head,
        strata=[
            Stratum(*(getattr(s, name) for name in STRATUM_FIELDS))
            for s in summary.strata
        ],
        precision=_interval(summary.precision),
        recall=_interval(summary.recall),
        kappa=_interval(summary.kappa),
        agreement_n=_count(summary.agreement_n),
        disagreements=_count(summary.disagreements),
        sample_digest=str(summary.sample_digest),
        labels_head=str(summary.labels_head),
        file_problems=list(summary.file_problems),
    )

"""What a quality sample says: precision, recall and agreement, with intervals.

The auditor's question is "how good are the links?", answered for *all*
candidate pairs from a labelled stratified sample (:mod:`app.quality_draw`).
Precision is the share of linked pairs the second reviewer judged matches;
recall the share of judged matches that are linked. Both are among candidate
pairs: a pair that blocking never proposed cannot be sampled, so recall lost
in blocking is not measured here (the benchmarks measure it on generated data).

Labels of "unsure" count for agreement but not for the estimates; unlabelled
and unsure items are treated as missing at random within their stratum.
The first decision compared with the blind label is the person's standing
decision at draw time where there was one, else the workspace's link state
(linked by the model, or through other links; not linked).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.audit_file import LABELS, AuditFile, Item, Label
from app.workspace.core import Connection
from matching.estimates import (
    UNDEFINED,
    Estimate,
    StratumCounts,
    cohen_kappa,
    stratified_rate,
    stratified_share,
    wilson,
)

BLOCKING_NOTE = (
    "Estimates cover candidate pairs only: pairs that blocking never proposed "
    "cannot be sampled, so recall lost in blocking is not measured here."
)


@dataclass(frozen=True, slots=True)
class StratumResult:
    """One stratum of the sample.

    Attributes:
        band: the stratum's name (``auto``, ``linked-other``, ``review``,
            ``below-near``, ``below-far``).
        label: what it holds, in words.
        linked: its pairs are linked (they count for precision).
        population: candidate pairs in it at draw time.
        sampled: pairs drawn from it.
        labelled: of those, labelled match or non-match.
        judged_matches: of those, labelled match.
        match_rate: the stratum's match rate (Wilson interval).
    """

    band: str
    label: str
    linked: bool
    population: int
    sampled: int
    labelled: int
    judged_matches: int
    match_rate: Estimate

    def counts(self) -> StratumCounts:
        return StratumCounts(self.population, self.labelled, self.judged_matches)


@dataclass(frozen=True, slots=True)
class QualitySummary:
    """Everything an audit report needs to say about one quality sample."""

    audit_file: str
    sample_id: str
    sample_size: int
    seed: int
    drawn_at: str
    drawn_by: str
    drawn_os_user: str
    ledger_head: str  # the ledger's head hash when the sample was drawn
    ledger_seq: int
    model_version: str
    thresholds: dict[str, float]
    candidate_pairs: int
    strata: tuple[StratumResult, ...]
    labelled: int  # items with any label (unsure included)
    precision: Estimate
    recall: Estimate
    kappa: Estimate | None
    agreement_n: int
    disagreements: int
    confusion: dict[tuple[str, str], int]  # (first decision, blind label) -> n
    note: str = BLOCKING_NOTE
    # The audit file's own seals (see app.audit_file), and what broke them.
    sample_digest: str = ""
    labels_head: str = ""
    file_problems: tuple[str, ...] = ()


def _strata(
    audit: AuditFile, items: list[Item], labels: dict[int, Label]
) -> tuple[StratumResult, ...]:
    labelled: Counter[str] = Counter()
    matches: Counter[str] = Counter()
    for item in items:
        label = labels.get(item.pos)
        if label is not None and label.label != "unsure":
            labelled[item.stratum] += 1
            matches[item.stratum] += label.label == "match"
    out = []
    for s in audit.strata():
        counts = StratumCounts(s.population, labelled[s.name], matches[s.name])
        out.append(
            StratumResult(
                band=s.name,
                label=s.label,
                linked=s.linked,
                population=s.population,
                sampled=s.sampled,
                labelled=counts.labelled,
                judged_matches=counts.matches,
                match_rate=wilson(counts.matches, counts.labelled, fpc=counts.fpc),
            )
        )
    return tuple(out)


def confusion(
    items: list[Item], labels: dict[int, Label]
) -> dict[tuple[str, str], int]:
    """(first decision, blind label) -> count, over labelled items."""
    table: Counter[tuple[str, str]] = Counter()
    for item in items:
        label = labels.get(item.pos)
        if label is not None:
            table[(item.first_decision, label.label)] += 1
    return {(a, b): table[(a, b)] for a in LABELS for b in LABELS}


def summarize(audit: AuditFile) -> QualitySummary:
    """The estimates from an open audit file (which must hold a sample)."""
    meta = audit.all_meta()
    items = audit.items()
    labels = audit.labels()
    strata = _strata(audit, items, labels)
    inside = [s.counts() for s in strata if s.linked]
    outside = [s.counts() for s in strata if not s.linked]
    table = confusion(items, labels)
    agreement_n = sum(table.values())
    return QualitySummary(
        audit_file=audit.path.name,
        sample_id=meta.get("sample_id", ""),
        sample_size=len(items),
        seed=int(meta.get("seed", "0")),
        drawn_at=meta.get("drawn_at", ""),
        drawn_by=meta.get("drawn_by", ""),
        drawn_os_user=meta.get("drawn_os_user", ""),
        ledger_head=meta.get("ledger_head", ""),
        ledger_seq=int(meta.get("ledger_seq", "0")),
        model_version=meta.get("model_version", ""),
        thresholds=json.loads(meta.get("thresholds", "{}")),
        candidate_pairs=int(meta.get("candidate_pairs", "0")),
        strata=strata,
        labelled=len(labels),
        precision=stratified_rate(inside) if inside else UNDEFINED,
        recall=stratified_share(inside, outside),
        kappa=cohen_kappa({k: v for k, v in table.items() if v}),
        agreement_n=agreement_n,
        disagreements=sum(v for (a, b), v in table.items() if a != b),
        confusion=table,
        sample_digest=meta.get("sample_digest", ""),
        labels_head=meta.get("labels_head", ""),
        file_problems=tuple(audit.verify()),
    )


def open_audit(
    conn: Connection, audit_file: Path, *, create: bool = False
) -> AuditFile:
    """The audit file, refused if it belongs to another workspace."""
    return AuditFile.open(
        audit_file, workspace_uuid=conn.info("workspace_uuid") or "", create=create
    )


def quality_summary(conn: Connection, audit_file: Path) -> QualitySummary:
    """The quality sample's estimates for the workspace ``conn`` is open on.

    Raises:
        UserError: the file is missing, not an audit file, another
            workspace's, or holds no sample yet.
    """
    from app.errors import UserError

    audit = open_audit(conn, Path(audit_file))
    try:
        if not audit.has_sample():
            raise UserError(
                f"{Path(audit_file).name} holds no sample yet; draw one first"
            )
        return summarize(audit)
    finally:
        audit.close()


def summary_lines(summary: QualitySummary) -> list[str]:
    """The estimates as plain text lines (the CLI prints these)."""
    s = summary
    lines = [
        f"quality sample {s.sample_id[:8]} in {s.audit_file}: {s.sample_size:,} "
        f"pairs of {s.candidate_pairs:,} candidates (seed {s.seed})",
        f"  drawn {s.drawn_at[:16].replace('T', ' ')} UTC by {s.drawn_by} "
        f"({s.drawn_os_user}); ledger head then {s.ledger_head[:16]} "
        f"(entry {s.ledger_seq:,})",
        f"  labelled {s.labelled:,} of {s.sample_size:,}",
        "  stratum        population  sampled  labelled  matches  match rate",
    ]
    for st in s.strata:
        rate = st.match_rate
        shown = (
            f"{rate.value:6.1%} ({rate.low:.1%}-{rate.high:.1%})"
            if rate.defined
            else "     -"
        )
        lines.append(
            f"  {st.band:<13} {st.population:>11,} {st.sampled:>8,} "
            f"{st.labelled:>9,} {st.judged_matches:>8,}  {shown}"
        )
    kappa = (
        "not enough labels yet"
        if s.kappa is None
        else f"{s.kappa.value:.2f} (95% CI {s.kappa.low:.2f} to {s.kappa.high:.2f})"
    )
    lines += [
        f"  precision of links: {s.precision.text()}",
        f"  recall among candidate pairs: {s.recall.text()}",
        f"  agreement with the first decision: kappa {kappa}, "
        f"{s.agreement_n:,} pairs, {s.disagreements:,} disagreements",
        f"  note: {s.note}",
    ]
    if s.file_problems:
        lines += [f"  AUDIT FILE ALTERED: {p}" for p in s.file_problems]
    else:
        lines.append(
            f"  audit file intact: sample digest {s.sample_digest[:16]}, labels "
            f"head {s.labels_head[:16]}"
        )
    return lines

"""One call from normalised records to scored, banded pairs.

``link(records)`` runs the stages in order: derive features, block, compare,
train, score, choose thresholds. Every stage reports progress and can be
cancelled between batches (:mod:`matching.progress`); the pair arrays are
processed in batches of a few million so a million records fit in a few GB.

Thresholds default to the model's own estimate, never to labels:

* ``upper`` is the lowest probability such that the pairs at or above it have
  an expected precision (mean match probability) of at least
  ``target_precision``, and never below ``auto_link_floor``. The average alone
  is not enough: thousands of certain pairs would carry a tail of 60% pairs
  into the auto band, and one wrong link merges two people's histories (every
  record of one with every record of the other). The floor (0.95) is where a
  wrong automatic link is judged about 20 times as costly as one review.
* ``lower`` is the highest probability such that the pairs below it hold at
  most ``max_recall_loss`` of the expected matches; those pairs are dropped.

Pairs at or above ``upper`` are banded "auto", the rest above ``lower``
"review".
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.blocking import (
    DEFAULT_RULES,
    BlockingRule,
    BlockWarning,
    RuleStats,
    generate_candidates,
)
from matching.comparisons import (
    Comparison,
    comparison_from_dict,
    default_comparisons,
    level_matrix,
)
from matching.features import Features, build_features
from matching.model import ModelParams, probability, score
from matching.progress import CancelFn, ProgressFn, check_cancel
from matching.training import Labels, aggregate, label_fixed, merge, train

if TYPE_CHECKING:
    import pandas as pd

    from matching.vectors import VectorCounts


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """How to link; JSON round-trips with :meth:`to_dict` / :meth:`from_dict`.

    Attributes:
        blocking_rules: None for :data:`matching.blocking.DEFAULT_RULES`.
        comparisons: None for the defaults for the data's identifier columns.
        block_cap: largest block compared before it is split by a further key.
        link_type: "dedupe_and_link" (all pairs), "link_only" (different
            sources only) or "dedupe_only" (same source only).
        em_max_iterations: EM cap; 0 with ``previous_params`` re-scores with
            that model unchanged.
        em_tolerance: EM convergence tolerance.
        seed: seeds the random-pair samples; same seed, same output.
        u_sample_pairs: random pairs for u.
        context_sample_pairs: random pairs per relatives context (same
            surname; same surname and first name; same surname and birth
            date) for u given the context; a context with fewer pairs is
            taken whole (:func:`matching.training.train`).
        upper_threshold: probability for the "auto" band; None = from model.
        lower_threshold: probability below which pairs are dropped; None =
            from model.
        household_guard: cap surname/address evidence against a conflicting
            first name, birth date, sex or suffix, as far as the data shows
            such look-alikes to be different people (measured on person
            identifiers; :mod:`matching.guard`), so twins and fathers/sons
            are not linked on household facts. Leave it on: on data without
            relatives (Febrl) it measures that and steps aside.
        target_precision: expected precision the automatic upper threshold
            must reach.
        auto_link_floor: no pair below this probability is linked
            automatically, whatever the band's average.
        max_recall_loss: share of expected matches the automatic lower
            threshold may drop.
        batch_pairs: pairs compared / scored per batch (memory bound).
    """

    blocking_rules: tuple[BlockingRule, ...] | None = None
    comparisons: tuple[Comparison, ...] | None = None
    block_cap: int = 500
    link_type: str = "dedupe_and_link"
    em_max_iterations: int = 100
    em_tolerance: float = 1e-5
    seed: int = 42
    u_sample_pairs: int = 2_000_000
    context_sample_pairs: int = 500_000
    upper_threshold: float | None = None
    lower_threshold: float | None = None
    household_guard: bool = True
    target_precision: float = 0.995
    auto_link_floor: float = 0.95
    max_recall_loss: float = 0.001
    batch_pairs: int = 2_000_000

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "blocking_rules" and value is not None:
                value = [r.to_dict() for r in value]
            elif name == "comparisons" and value is not None:
                value = [c.to_dict() for c in value]
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkSettings:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown link settings: {sorted(unknown)}")
        values = dict(data)
        if values.get("blocking_rules") is not None:
            values["blocking_rules"] = tuple(
                BlockingRule.from_dict(r) for r in values["blocking_rules"]
            )
        if values.get("comparisons") is not None:
            values["comparisons"] = tuple(
                comparison_from_dict(c) for c in values["comparisons"]
            )
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The band limits used, and what the model expects of them.

    Attributes:
        upper: probability at or above which a pair is linked automatically.
        lower: probability below which a pair is dropped.
        from_model: True where a threshold was chosen from the model's own
            estimate rather than set in the settings.
        expected_precision: mean probability of the "auto" pairs.
        expected_matches: sum of probabilities over all candidate pairs.
        expected_recall_loss: share of expected matches below ``lower``.
    """

    upper: float
    lower: float
    from_model: tuple[bool, bool]
    expected_precision: float
    expected_matches: float
    expected_recall_loss: float


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Scored pairs above the lower threshold, with everything to explain them.

    Attributes:
        left, right: int64 record keys, ``left < right``.
        levels: int8 (n_pairs, n_comparisons) comparison levels.
        weights: float64 match weights.
        probabilities: float64 match probabilities.
        contributions: float32 (n_pairs, n_comparisons) waterfall terms.
        bands: "auto" or "review" per pair.
        rules: uint32 bitmask of the blocking rules that found each pair.
        comparison_names: column order of ``levels`` and ``contributions``.
        blocking: per-rule statistics.
        blocking_warnings: oversized blocks that were split or skipped.
        candidate_pairs: pairs compared before thresholding.
        params: the model used.
        thresholds: the band limits used.
        timings: seconds per stage.
    """

    left: np.ndarray
    right: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    probabilities: np.ndarray
    contributions: np.ndarray
    bands: np.ndarray
    rules: np.ndarray
    comparison_names: tuple[str, ...]
    blocking: tuple[RuleStats, ...]
    blocking_warnings: tuple[BlockWarning, ...]
    candidate_pairs: int
    params: ModelParams
    thresholds: Thresholds
    timings: Mapping[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.left.shape[0])


def choose_thresholds(
    probabilities: np.ndarray,
    *,
    target_precision: float = 0.995,
    auto_link_floor: float = 0.95,
    max_recall_loss: float = 0.001,
    upper: float | None = None,
    lower: float | None = None,
) -> Thresholds:
    """Band limits from the model's own probabilities (no labels involved).

    Args:
        probabilities: match probability of every candidate pair.
        target_precision: expected precision the auto band must reach.
        auto_link_floor: lowest probability ever linked automatically.
        max_recall_loss: share of expected matches that may be dropped.
        upper, lower: fixed values that override the automatic choice.

    Returns:
        The thresholds and the expectations they were chosen on.

    Example:
        >>> t = choose_thresholds(np.array([0.9999, 0.999, 0.99, 0.6, 0.2, 1e-6]))
        >>> t.upper, round(t.lower, 7)
        (0.99, 0.1000005)
    """
    p = np.sort(np.asarray(probabilities))[::-1]
    expected = float(p.sum(dtype=np.float64))
    chosen_upper = upper
    if chosen_upper is None:
        precision = np.cumsum(p, dtype=np.float64) / np.arange(1, p.size + 1)
        ok = np.flatnonzero((precision >= target_precision) & (p >= auto_link_floor))
        chosen_upper = float(p[ok[-1]]) if ok.size else 1.0
    chosen_lower = lower
    if chosen_lower is None:
        ascending = p[::-1]
        lost = np.cumsum(ascending, dtype=np.float64)
        # Largest k such that the k lowest pairs hold <= the allowed loss.
        k = int(np.searchsorted(lost, max_recall_loss * expected, side="right"))
        # Halfway between the last pair dropped and the first kept: a limit
        # equal to a pair's float32 probability can drop that pair when its
        # float64 probability is recomputed a rounding error below.
        if k < ascending.size:
            dropped = float(ascending[k - 1]) if k else 0.0
            chosen_lower = (dropped + float(ascending[k])) / 2
        else:
            chosen_lower = chosen_upper
        chosen_lower = min(chosen_lower, chosen_upper)
    auto = p[p >= chosen_upper]
    below = p[p < chosen_lower]
    return Thresholds(
        upper=float(chosen_upper),
        lower=float(chosen_lower),
        from_model=(upper is None, lower is None),
        expected_precision=float(auto.mean()) if auto.size else 1.0,
        expected_matches=expected,
        expected_recall_loss=float(below.sum() / expected) if expected > 0 else 0.0,
    )


def _tf_lookup(params: ModelParams, features: Features) -> dict[str, np.ndarray]:
    """Per comparison with TF levels: frequency of each vocabulary value."""
    tables = {t.column: t for t in params.tf}
    out: dict[str, np.ndarray] = {}
    for comp in params.comparisons:
        column = comp.tf_column
        if column is None or column not in tables or column not in features.columns:
            continue
        out[comp.name] = tables[column].frequency(features.columns[column].values)
    return out


def _score_batch(
    params: ModelParams,
    features: Features,
    lookup: Mapping[str, np.ndarray],
    left: np.ndarray,
    levels: np.ndarray,
) -> Any:
    tf = {}
    for comp in params.comparisons:
        if comp.name in lookup and comp.tf_column is not None:
            codes = features.columns[comp.tf_column].codes[left]
            table = np.append(lookup[comp.name], np.nan)
            tf[comp.name] = table[codes]  # code -1 picks the trailing NaN
    return score(params, levels, tf_frequencies=tf)


def _usable(
    comparisons: Sequence[Comparison], features: Features
) -> tuple[Comparison, ...]:
    """Drop comparisons none of whose columns carry data: they could only be -1."""
    return tuple(
        c for c in comparisons if any(features.has(col) for col in c.columns())
    )


def _compare(
    comparisons: tuple[Comparison, ...],
    features: Features,
    left: np.ndarray,
    right: np.ndarray,
    labels: Labels | None,
    *,
    batch: int,
    vectors: bool,
    progress: ProgressFn,
    cancel: CancelFn | None,
) -> tuple[np.ndarray, list[VectorCounts], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Levels of every candidate, aggregated for EM batch by batch as they come.

    Aggregating here keeps no per-pair array but the int8 levels beyond its
    batch: labels are matched per batch too, instead of a float64 "fixed
    P(match)" and its int64 sort keys for every candidate (a GB at 30M pairs).

    Returns:
        ``(levels, per-batch vector counts, labelled pairs no batch held)``;
        the counts are empty unless ``vectors``.
    """
    n = int(left.shape[0])
    levels = np.empty((n, len(comparisons)), dtype=np.int8)
    batches: list[VectorCounts] = []
    labelled = labels is not None and labels.match.size > 0
    missing: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    for start in range(0, n, batch):
        check_cancel(cancel)
        stop = min(start + batch, n)
        a, b = left[start:stop], right[start:stop]
        levels[start:stop] = level_matrix(comparisons, features, a, b, batch=batch)
        fixed = None
        if labelled:
            fixed, miss = label_fixed(features, a, b, labels)
            missing = miss if missing is None else _common(missing, miss, features.n)
        if vectors:
            batches.append(aggregate(levels[start:stop], fixed))
        progress("comparing", stop, n)
    if missing is None:
        missing = label_fixed(features, left[:0], right[:0], labels)[1]
    return levels, batches, missing


def _common(
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    others: tuple[np.ndarray, np.ndarray, np.ndarray],
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The labelled pairs of ``pairs`` that ``others`` holds too, in order."""
    base = np.int64(max(n, 1))
    held = np.isin(
        pairs[0].astype(np.int64) * base + pairs[1],
        others[0].astype(np.int64) * base + others[1],
    )
    return pairs[0][held], pairs[1][held], pairs[2][held]


def link(
    records: pd.DataFrame,
    settings: LinkSettings | None = None,
    *,
    labels: Labels | Sequence[tuple[int, int, bool]] | None = None,
    previous_params: ModelParams | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LinkResult:
    """Find, score and band the pairs of records that may be the same person.

    Args:
        records: normalised records indexed by a unique int64 key, with a
            ``source`` column and any canonical fields (see
            :mod:`matching.fields`); missing values are None/NaN.
        settings: how to link; defaults to ``LinkSettings()``.
        labels: human decisions, ``(key, key, is_match)``; they fix those
            pairs' responsibilities in EM so decisions feed back into the
            parameters.
        previous_params: a model to start EM from; with
            ``em_max_iterations=0`` it is used unchanged.
        on_progress: ``(stage, done, total)``; stages are "features",
            "blocking", "comparing", "training", "scoring".
        cancel: returns True once the user asked to stop; checked between
            stages and batches, raising :class:`matching.progress.Cancelled`.

    Returns:
        The pairs at or above the lower threshold, banded, with the model.

    Example:
        >>> import pandas as pd
        >>> recs = pd.DataFrame({"source": ["a", "b"], "first_name": ["ANN", "ANN"],
        ...     "last_name": ["OYELARAN", "OYELARAN"], "dob": ["1990-01-02"] * 2})
        >>> link(recs).left.tolist()
        [0]
    """
    check_cancel(cancel)
    started = time.perf_counter()
    if on_progress is not None:
        on_progress("features", 0, 1)
    features = build_features(records)
    if on_progress is not None:
        on_progress("features", 1, 1)
    seconds = round(time.perf_counter() - started, 3)
    check_cancel(cancel)
    result = link_features(
        features,
        settings,
        labels=labels,
        previous_params=previous_params,
        on_progress=on_progress,
        cancel=cancel,
    )
    return replace(result, timings={"features": seconds, **result.timings})


def link_features(
    features: Features,
    settings: LinkSettings | None = None,
    *,
    labels: Labels | Sequence[tuple[int, int, bool]] | None = None,
    previous_params: ModelParams | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LinkResult:
    """:func:`link` from features already built, so the caller can drop the
    records first (at a million records the frame is a few hundred MB that
    nothing after :func:`build_features` reads).

    Args and Returns are as for :func:`link`; ``timings`` lacks "features".
    """
    settings = settings or LinkSettings()
    progress = on_progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now
        check_cancel(cancel)

    rules = settings.blocking_rules or DEFAULT_RULES
    cands = generate_candidates(
        features,
        rules,
        block_cap=settings.block_cap,
        link_type=settings.link_type,  # type: ignore[arg-type]
        on_progress=progress,
        cancel=cancel,
    )
    lap("blocking")

    comparisons = _usable(
        settings.comparisons or default_comparisons(features.id_columns), features
    )
    n_pairs = len(cands)
    if labels is not None and not isinstance(labels, Labels):
        labels = Labels.from_pairs(list(labels))
    rescore = previous_params is not None and settings.em_max_iterations == 0
    levels, batches, (xa, xb, xmatch) = _compare(
        comparisons,
        features,
        cands.left,
        cands.right,
        labels,
        batch=settings.batch_pairs,
        vectors=not rescore,
        progress=progress,
        cancel=cancel,
    )
    progress("comparing", n_pairs, n_pairs)
    lap("comparing")

    progress("training", 0, 1)
    if previous_params is not None and rescore:
        if previous_params.names != tuple(c.name for c in comparisons):
            raise ValueError(
                "the previous model's comparisons differ from these settings' "
                f"({previous_params.names} vs {[c.name for c in comparisons]}); "
                "retrain (em_max_iterations > 0) instead of re-scoring"
            )
        params = previous_params
    else:
        batches = batches or [aggregate(levels)]
        extra = None
        if xa.size:
            extra_levels = level_matrix(comparisons, features, xa, xb, cancel=cancel)
            extra = aggregate(extra_levels, xmatch.astype(np.float64))
        params = train(
            features,
            comparisons,
            merge(batches) if len(batches) > 1 else batches[0],
            extra_labelled=extra,
            link_type=settings.link_type,
            seed=settings.seed,
            u_sample_pairs=settings.u_sample_pairs,
            context_sample_pairs=settings.context_sample_pairs,
            max_iterations=settings.em_max_iterations,
            tolerance=settings.em_tolerance,
            previous=previous_params,
            use_guard=settings.household_guard,
            cancel=cancel,
        )
    progress("training", 1, 1)
    lap("training")

    lookup = _tf_lookup(params, features)
    weights = np.empty(n_pairs, dtype=np.float32)
    for s in range(0, n_pairs, settings.batch_pairs):
        e = min(s + settings.batch_pairs, n_pairs)
        weights[s:e] = _score_batch(
            params, features, lookup, cands.left[s:e], levels[s:e]
        ).weights
        progress("scoring", e, n_pairs)
        check_cancel(cancel)
    probs = probability(weights)  # float32: enough to choose thresholds
    # Sorting for the thresholds is the run's peak; the candidates' levels
    # (12 bytes each) make room for it, and are redone for the pairs kept.
    del weights, levels
    thresholds = choose_thresholds(
        probs,
        target_precision=settings.target_precision,
        auto_link_floor=settings.auto_link_floor,
        max_recall_loss=settings.max_recall_loss,
        upper=settings.upper_threshold,
        lower=settings.lower_threshold,
    )
    keep = np.flatnonzero(probs >= thresholds.lower)
    del probs
    levels = level_matrix(
        comparisons,
        features,
        cands.left[keep],
        cands.right[keep],
        batch=settings.batch_pairs,
        cancel=cancel,
    )
    kept = _score_batch(params, features, lookup, cands.left[keep], levels)
    # The selection used float32 weights; re-apply it to the final float64
    # probabilities so no returned pair sits a rounding error below ``lower``.
    final = kept.probabilities >= thresholds.lower
    if not final.all():
        keep, levels = keep[final], levels[final]
        kept = _score_batch(params, features, lookup, cands.left[keep], levels)
    bands = np.where(kept.probabilities >= thresholds.upper, "auto", "review")
    progress("scoring", n_pairs, n_pairs)
    lap("scoring")

    return LinkResult(
        left=features.keys[cands.left[keep]],
        right=features.keys[cands.right[keep]],
        levels=levels,
        weights=kept.weights,
        probabilities=kept.probabilities,
        contributions=kept.contributions,
        bands=bands,
        rules=cands.rules[keep],
        comparison_names=tuple(c.name for c in comparisons),
        blocking=cands.stats,
        blocking_warnings=cands.warnings,
        candidate_pairs=n_pairs,
        params=params,
        thresholds=thresholds,
        timings=timings,
    )

"""Every candidate pair scored again with a saved model, keeping only the weight.

A quality sample must reach the pairs a link run dropped below its lower
threshold, so it needs every candidate the run compared, with the score the
run gave it. This repeats the run's blocking and scoring with its model
unchanged, batch by batch, and keeps one float32 per pair: at 30 million
candidates that is 120 MB, where keeping the run's levels and contributions
for every pair (as :func:`matching.engine.link_features` does for the pairs
it keeps) would take gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.blocking import generate_candidates
from matching.blocking_rules import DEFAULT_RULES
from matching.comparisons import default_comparisons, level_matrix

# The link run's own helpers, so the weights are the ones it computed.
from matching.engine import LinkSettings, _score_batch, _tf_lookup, _usable
from matching.features import Features
from matching.model import ModelParams
from matching.progress import CancelFn, ProgressFn, check_cancel


class ModelMismatch(ValueError):
    """The saved model's comparisons are not the ones these records allow."""


@dataclass(frozen=True, slots=True)
class CandidateScores:
    """Candidate pairs (record keys, ``left < right``) and their match weights."""

    left: np.ndarray  # int64
    right: np.ndarray  # int64
    weights: np.ndarray  # float32, log2 Bayes factor including the prior

    def __len__(self) -> int:
        return int(self.left.shape[0])


def score_candidates(
    features: Features,
    settings: LinkSettings,
    params: ModelParams,
    *,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> CandidateScores:
    """Block as ``settings`` say and score every candidate with ``params``.

    Raises:
        ModelMismatch: the records now allow other comparisons than the
            model's (data was imported since the run); link again first.
        Cancelled: ``cancel`` returned True.
    """
    progress = on_progress or (lambda stage, done, total: None)
    cands = generate_candidates(
        features,
        settings.blocking_rules or DEFAULT_RULES,
        block_cap=settings.block_cap,
        link_type=settings.link_type,  # type: ignore[arg-type]
        on_progress=progress,
        cancel=cancel,
    )
    comparisons = _usable(
        settings.comparisons or default_comparisons(features.id_columns), features
    )
    if params.names != tuple(c.name for c in comparisons):
        raise ModelMismatch(
            f"the model compares {params.names}, these records allow "
            f"{tuple(c.name for c in comparisons)}"
        )
    lookup = _tf_lookup(params, features)
    n = len(cands)
    weights = np.empty(n, dtype=np.float32)
    step = max(1, settings.batch_pairs)
    for start in range(0, n, step):
        stop = min(start + step, n)
        left = cands.left[start:stop]
        levels = level_matrix(comparisons, features, left, cands.right[start:stop])
        weights[start:stop] = _score_batch(
            params, features, lookup, left, levels
        ).weights
        progress("scoring", stop, n)
        check_cancel(cancel)
    return CandidateScores(
        left=features.keys[cands.left].astype(np.int64),
        right=features.keys[cands.right].astype(np.int64),
        weights=weights,
    )

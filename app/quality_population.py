"""The population a quality sample is drawn from: every candidate pair.

The workspace keeps only pairs at or above the lower threshold, but recall is
lost exactly below it, among pairs nobody saw. So the population is rebuilt:
the last run's blocking rules over the records, scored with that run's model
unchanged (:mod:`matching.candidate_scores`; nothing is written). Pairs that
blocking never made candidates cannot be sampled: the estimates are of
precision and recall *among candidate pairs*.

The candidates are split into strata whose members share one link state, so
precision is a weighted mean of stratum rates with known weights
(:mod:`matching.estimates`). Everything is held in numpy arrays, a few bytes
per pair, because a million-record workspace has tens of millions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from itertools import chain

import numpy as np

from app.errors import UserError
from app.link_input import load_frame
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.candidate_scores import ModelMismatch, score_candidates
from matching.engine import LinkSettings
from matching.features import build_features
from matching.model import ModelParams, probability
from matching.progress import CancelFn, ProgressFn

# (name, what it holds, linked?) in the order they are shown.
STRATA: tuple[tuple[str, str, bool], ...] = (
    ("auto", "Linked automatically (auto band)", True),
    ("linked-other", "Linked by a person, or through other links", True),
    ("review", "Scored, not linked (review band)", False),
    ("below-near", "Below the lower threshold, probability ≥ 0.1 %", False),
    ("below-far", "Below the lower threshold, probability < 0.1 %", False),
)
NEAR = 1e-3  # splits the pairs below the threshold: recall is lost near it
BANDS = ("auto", "review", "below")


@dataclass(frozen=True, slots=True)
class Population:
    """Every candidate pair, one entry per pair (sorted by keys), with its stratum."""

    left: np.ndarray  # int64 record keys
    right: np.ndarray
    pair_id: np.ndarray  # int64; -1 for a candidate the workspace does not store
    band: np.ndarray  # int8 index into BANDS
    probability: np.ndarray  # float64
    weight: np.ndarray  # float64 match weight (log2)
    linked: np.ndarray  # bool: both records in one identity now
    stratum: np.ndarray  # int8 index into STRATA
    run_id: int
    model_version: str
    thresholds: dict[str, float]

    def sizes(self) -> list[int]:
        counts = np.bincount(self.stratum, minlength=len(STRATA))
        return [int(c) for c in counts]


def _run_model(conn: Connection) -> tuple[store.RunRow, LinkSettings, ModelParams]:
    db = conn.conn
    run = store.latest_run(db)
    params = None if run is None else store.params_for_run(db, run.id)
    if run is None or params is None or not run.thresholds:
        raise UserError("link the workspace first: there are no pairs to sample yet")
    (settings_json,) = db.execute(
        "SELECT settings FROM runs WHERE id = ?", (run.id,)
    ).fetchone()
    settings = LinkSettings.from_dict(json.loads(settings_json))
    return run, settings, ModelParams.from_dict(params)


def _stored(conn: Connection) -> tuple[np.ndarray, ...]:
    """(left, right, id, band code, probability, weight) of stored pairs, by keys."""
    codes = {name: i for i, name in enumerate(BANDS)}
    flat = np.fromiter(
        chain.from_iterable(
            (left, right, pid, codes[band], p, w)
            for pid, left, right, band, p, w in conn.conn.execute(
                "SELECT id, left_key, right_key, band, probability, weight FROM pairs "
                "ORDER BY left_key, right_key"
            )
        ),
        dtype=np.float64,
    ).reshape(-1, 6)
    ints = flat[:, :4].astype(np.int64)  # keys and ids are far below 2**53
    band = ints[:, 3].astype(np.int8)
    return ints[:, 0], ints[:, 1], ints[:, 2], band, flat[:, 4], flat[:, 5]


def candidate_population(
    conn: Connection,
    *,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Population:
    """Every candidate pair of the last run, stored or not, with its stratum."""
    run, settings, params = _run_model(conn)
    features = build_features(load_frame(conn.conn))
    try:
        scored = score_candidates(
            features,
            replace(settings, em_max_iterations=0),
            params,
            on_progress=on_progress,
            cancel=cancel,
        )
    except ModelMismatch as exc:
        raise UserError(
            "the records changed since the last link run; run link again "
            "before drawing a sample"
        ) from exc
    del features
    s_left, s_right, s_id, s_band, s_prob, s_weight = _stored(conn)
    # Pairs are coded as left * base + right: base must exceed every key on
    # either side, of candidates and of stored pairs alike.
    top = max(
        int(a.max(initial=0)) for a in (scored.left, scored.right, s_left, s_right)
    )
    base = np.int64(top + 1)
    s_code = s_left * base + s_right  # sorted: the rows come by (left, right)
    c_code = scored.left * base + scored.right
    # Stored pairs keep their stored band and scores (what the run used); a
    # stored 'below' pair (retired by a later run) is a candidate like any.
    kept = s_band != BANDS.index("below")
    extra = ~np.isin(c_code, s_code[kept])
    extra_code = c_code[extra]
    extra_id = np.full(len(extra_code), -1, dtype=np.int64)
    if len(s_code):
        at = np.minimum(np.searchsorted(s_code, extra_code), len(s_code) - 1)
        hit = s_code[at] == extra_code
        extra_id[hit] = s_id[at[hit]]
    extra_weight = scored.weights[extra].astype(np.float64)
    below_code = np.full(len(extra_code), BANDS.index("below"), dtype=np.int8)
    code = np.concatenate([s_code[kept], extra_code])
    order = np.argsort(code, kind="stable")
    code = code[order]
    pair_id = np.concatenate([s_id[kept], extra_id])[order]
    band = np.concatenate([s_band[kept], below_code])[order]
    prob = np.concatenate([s_prob[kept], probability(extra_weight)])[order]
    weight = np.concatenate([s_weight[kept], extra_weight])[order]
    left, right = code // base, code % base
    keys, identities = store.identity_assignment(conn.conn)
    linked = (
        identities[np.searchsorted(keys, left)]
        == identities[np.searchsorted(keys, right)]
    )
    below = band == BANDS.index("below")
    stratum = np.where(
        linked,
        np.where(band == BANDS.index("auto"), 0, 1),
        np.where(~below, 2, np.where(prob >= NEAR, 3, 4)),
    ).astype(np.int8)
    return Population(
        left=left,
        right=right,
        pair_id=pair_id,
        band=band,
        probability=prob,
        weight=weight,
        linked=linked,
        stratum=stratum,
        run_id=run.id,
        model_version=run.model_version or "",
        thresholds={k: float(v) for k, v in (run.thresholds or {}).items()},
    )

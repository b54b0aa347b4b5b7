"""Fellegi-Sunter: EM recovers known parameters; TF, guard, labels, JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matching.model import (
    ComparisonParams,
    Context,
    Guard,
    ModelParams,
    TermFrequencies,
    score,
)
from matching.training import VectorCounts, aggregate, estimate

M = [np.array([0.85, 0.1, 0.05]), np.array([0.9, 0.1]), np.array([0.7, 0.2, 0.1])]
U = [np.array([0.01, 0.04, 0.95]), np.array([0.2, 0.8]), np.array([0.05, 0.15, 0.8])]


def simulate(n: int, prior: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Comparison vectors drawn from known m, u and prior; -1 for 5% missing."""
    rng = np.random.default_rng(seed)
    match = rng.random(n) < prior
    levels = np.empty((n, len(M)), dtype=np.int8)
    for k, (m, u) in enumerate(zip(M, U, strict=True)):
        levels[:, k] = np.where(
            match, rng.choice(len(m), n, p=m), rng.choice(len(u), n, p=u)
        )
        levels[rng.random(n) < 0.05, k] = -1
    return levels, match


def test_em_recovers_known_parameters() -> None:
    """Why: if EM cannot find m and the prior on data drawn from them, no
    weight it produces can be trusted."""
    levels, _ = simulate(400_000, prior=0.03, seed=1)
    random_levels, _ = simulate(200_000, prior=0.03, seed=2)
    result = estimate(
        aggregate(levels),
        [aggregate(random_levels)],
        [3, 2, 3],
        total=400_000,
        m_start=[
            np.array([0.5, 0.3, 0.2]),
            np.array([0.5, 0.5]),
            np.array([0.4, 0.3, 0.3]),
        ],
        prior_start=0.2,
        max_iterations=500,
        tolerance=1e-7,
    )
    assert result.converged
    assert result.prior == pytest.approx(0.03, rel=0.05)
    for k in range(len(M)):
        np.testing.assert_allclose(result.m[k], M[k], atol=0.015)
        # u comes from the random sample, cleaned of its 3% matches.
        np.testing.assert_allclose(result.u[k][0], U[k], atol=0.01)


def test_labels_fix_responsibilities_and_move_parameters() -> None:
    """Why: a reviewer's decisions must feed back into the next model."""
    levels, _ = simulate(50_000, prior=0.05, seed=3)
    random_levels, _ = simulate(50_000, prior=0.05, seed=4)
    common = {
        "n_levels": [3, 2, 3],
        "total": 50_000,
        "m_start": M,
        "prior_start": 0.05,
        "max_iterations": 200,
    }
    free = estimate(aggregate(levels), [aggregate(random_levels)], **common)
    # Label every pair whose first comparison disagrees as a match: m of
    # that level must rise, since EM alone calls most of them non-matches.
    fixed = np.where(levels[:, 0] == 2, 1.0, np.nan)
    labelled = estimate(aggregate(levels, fixed), [aggregate(random_levels)], **common)
    assert labelled.m[0][2] > free.m[0][2] + 0.2
    assert labelled.prior > free.prior


def _params(**kwargs: object) -> ModelParams:
    first = ComparisonParams(
        "first_name",
        ("exact", "else"),
        ("Same first name", "Different"),
        (0.9, 0.1),
        (0.01, 0.99),
        u_given=((0.05, 0.95),),
        tf_levels=(0,),
        tf_column="first_name",
    )
    last = ComparisonParams(
        "last_name",
        ("exact", "else"),
        ("Same surname", "Different"),
        (0.9, 0.1),
        (0.005, 0.995),
        u_given=(None,),
        tf_levels=(0,),
        tf_column="last_name",
    )
    dob = ComparisonParams(
        "dob", ("exact", "else"), ("Same", "Different"), (0.95, 0.01), (1e-4, 0.9999),
        u_given=((2e-4, 0.9998),),
    )  # fmt: skip
    defaults: dict[str, object] = {
        "comparisons": (first, last, dob),
        "prior": 1e-5,
        "contexts": (Context("family", "last_name", (0,)),),
    }
    defaults.update(kwargs)
    return ModelParams(**defaults)  # type: ignore[arg-type]


def test_term_frequency_makes_common_names_weaker() -> None:
    """Why: agreeing on SMITH is weaker evidence than agreeing on OYELARAN."""
    params = _params()
    levels = np.array([[1, 0, 0], [1, 0, 0]], dtype=np.int8)
    tf = {"last_name": np.array([0.01, 1e-5]), "first_name": np.array([np.nan, np.nan])}
    smith, oyelaran = score(params, levels, tf_frequencies=tf).contributions[:, 1]
    assert oyelaran - smith == pytest.approx(np.log2(0.01 / 1e-5), rel=1e-4)
    # Without a frequency the level's average u applies.
    plain = score(params, levels).contributions[0, 1]
    assert plain == pytest.approx(np.log2(0.9 / 0.005), rel=1e-5)


def test_family_context_uses_its_own_u() -> None:
    """Same surname: first-name agreement is scored against u among family."""
    params = _params()
    levels = np.array([[0, 0, -1], [0, 1, -1]], dtype=np.int8)
    c = score(params, levels).contributions
    assert c[0, 0] == pytest.approx(np.log2(0.9 / 0.05), rel=1e-5)  # family
    assert c[1, 0] == pytest.approx(np.log2(0.9 / 0.01), rel=1e-5)  # strangers
    assert c[0, 2] == 0.0  # missing dob is neutral


def test_guard_stops_household_facts_overturning_a_conflict() -> None:
    """Why: twins share surname, address and birth date; a different first
    name must not be outvoted by the household."""
    guard = Guard(shared=("last_name",), conflicts=(("first_name", (1,)),))
    levels = np.array([[1, 0, 0]], dtype=np.int8)
    off = score(_params(), levels)
    on = score(_params(guard=guard), levels)
    conflict = off.contributions[0, 0]
    assert conflict < 0
    assert on.contributions[0, 1] == pytest.approx(-conflict, rel=1e-5)
    assert on.contributions[0, 1] < off.contributions[0, 1]
    # The dob is not a household fact: it still counts in full.
    assert on.contributions[0, 2] == off.contributions[0, 2]
    expected = _params().prior_weight + on.contributions[0].sum()
    assert on.weights[0] == pytest.approx(expected, rel=1e-6)


def test_weights_add_up_and_probability_is_base2_sigmoid() -> None:
    params = _params()
    levels = np.array([[0, 0, 0], [1, 1, 1], [-1, -1, -1]], dtype=np.int8)
    s = score(params, levels)
    np.testing.assert_allclose(
        s.weights, params.prior_weight + s.contributions.sum(axis=1), rtol=1e-6
    )
    np.testing.assert_allclose(s.probabilities, 1 / (1 + 2.0**-s.weights))
    assert s.contributions.dtype == np.float32
    assert s.weights[2] == pytest.approx(params.prior_weight)


def test_params_round_trip_json() -> None:
    params = _params(
        guard=Guard(("last_name",), (("first_name", (1,)),)),
        tf=(TermFrequencies("last_name", 100, ("SMITH",), (7,)),),
        trained_on={"records": 10.0},
    )
    again = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params
    with pytest.raises(ValueError, match="retrain"):
        ModelParams.from_dict({**params.to_dict(), "version": "old"})


def test_aggregate_counts_identical_vectors() -> None:
    levels = np.array([[0, 1], [0, 1], [-1, 1], [0, 1]], dtype=np.int8)
    fixed = np.array([np.nan, np.nan, np.nan, 1.0])
    agg = aggregate(levels, fixed)
    rows = {
        (tuple(r), None if np.isnan(f) else f): c
        for r, f, c in zip(agg.levels.tolist(), agg.fixed, agg.counts, strict=True)
    }
    assert rows == {((0, 1), None): 2, ((-1, 1), None): 1, ((0, 1), 1.0): 1}
    assert isinstance(VectorCounts.empty(2), VectorCounts)


def test_small_context_is_enumerated_not_resampled() -> None:
    """Why: drawn with replacement, a context of a few thousand pairs would
    count each a hundred times, and the few relatives among them would
    outweigh any prior on u; all of them, once each, keep it honest."""
    import pandas as pd

    from matching.features import build_features
    from matching.training import sample_block_pairs

    frame = pd.DataFrame(
        {"source": "a", "last_name": ["SMITH"] * 4 + ["JONES"] * 3 + ["LEE"]}
    )
    features = build_features(frame)
    rng = np.random.default_rng(0)
    a, b = sample_block_pairs(features, ["last_compact"], 1000, rng, "dedupe_and_link")
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == sorted(
        [(i, j) for i in range(4) for j in range(i + 1, 4)]
        + [(i, j) for i in range(4, 7) for j in range(i + 1, 7)]
    )


def test_term_frequencies_count_twins_as_two_people() -> None:
    """Why: twins share a surname and a birth date; counted as one identity
    their rare surname looks unique, and agreeing on it looks like proof."""
    import pandas as pd

    from matching.features import build_features
    from matching.training import term_frequencies

    frame = pd.DataFrame(
        {
            "source": "a",
            "first_name": ["DANIEL", "DANIEL", "DANIELLE", "ANN"],
            "last_name": ["OCAMPO", "OCAMPO", "OCAMPO", "SMITH"],
            "dob": ["2001-12-22"] * 3 + ["1990-01-01"],
        }
    )
    tf = term_frequencies(build_features(frame), "last_name")
    assert dict(zip(tf.values, tf.counts, strict=True)) == {"OCAMPO": 2}
    assert tf.total == 3

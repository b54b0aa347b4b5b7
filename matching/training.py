"""Estimating the Fellegi-Sunter parameters without labels (and with some).

* u, P(level | non-match), comes from RANDOM record pairs, drawn with a seeded
  generator, as Splink does: almost every random pair is a non-match. The
  u of household facts given a shared surname ("u_family") comes the same way
  from random pairs *within* surname groups.
* m and the prior come from EM over the candidate pairs. Identical comparison
  vectors are aggregated first, so an EM iteration costs microseconds however
  many pairs there are. EM is run as if over ALL pairs, with the pairs that
  blocking left out taken to be non-matches: the prior is then the match rate
  among all pairs, which is what the random-pair u pairs with, so scores mean
  P(match | vector) for any pair, not only for pairs like the training ones.
* The random samples are not quite match-free: at a few thousand records with
  many duplicates, 1 pair in 2,000 may be a match, enough to make a shared
  birth date look ten times commoner among non-matches than it is. So each
  sampled pair counts towards u with weight 1 - P(match), updated every EM
  iteration; Splink leaves this contamination in.
* Human decisions (labels) fix those pairs' responsibilities to 1 or 0, so
  every review decision moves m and the prior at the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.blocking import sorted_unique
from matching.comparisons import (
    Comparison,
    DobComparison,
    EventIdComparison,
    FirstNameComparison,
    LastNameComparison,
    PersonIdComparison,
    SexComparison,
    SuffixComparison,
)
from matching.features import Features
from matching.model import (
    EPS,
    ComparisonParams,
    Context,
    Guard,
    ModelParams,
    TermFrequencies,
    cap_shared,
    in_levels,
)
from matching.progress import CancelFn, check_cancel

# Pseudo-count that keeps an unseen level's probability above zero (a
# Dirichlet prior worth one pair, spread as the level's starting guess).
_PSEUDO = 1.0
# Prior weight, in pairs, of a parent context's u on its child's.
_CONTEXT_PSEUDO = 50.0


@dataclass(frozen=True, slots=True)
class VectorCounts:
    """Distinct comparison vectors with how often each occurs.

    Attributes:
        levels: int8 (k, n_comparisons) distinct vectors.
        counts: float64 occurrences of each.
        fixed: float64 fixed P(match) per vector (labelled pairs), NaN if free.
    """

    levels: np.ndarray
    counts: np.ndarray
    fixed: np.ndarray

    @classmethod
    def empty(cls, n_comparisons: int) -> VectorCounts:
        return cls(
            np.zeros((0, n_comparisons), dtype=np.int8),
            np.zeros(0),
            np.zeros(0),
        )


def aggregate(levels: np.ndarray, fixed: np.ndarray | None = None) -> VectorCounts:
    """Collapse identical (vector, fixed) rows into counts.

    Rows are packed into one int64 per pair (mixed radix over the levels) and
    hashed, which is several times faster than ``np.unique(axis=0)`` at tens
    of millions of pairs.

    Args:
        levels: int8 (n_pairs, n_comparisons).
        fixed: optional per-pair fixed P(match) (NaN = free).
    """
    import pandas as pd

    n, c = levels.shape
    if n == 0:
        return VectorCounts.empty(c)
    tag = np.full(n, 2, dtype=np.int64)
    if fixed is not None:
        tag = np.where(np.isnan(fixed), 2, fixed).astype(np.int64)
    radix = [int(levels[:, k].max(initial=-1)) + 2 for k in range(c)] + [3]
    if float(np.prod(np.asarray(radix, dtype=np.float64))) >= 2.0**62:
        return _aggregate_rows(levels, tag)
    codes = tag.copy()
    mult = 3
    for k in range(c):
        codes += (levels[:, k].astype(np.int64) + 1) * mult
        mult *= radix[k]
    inverse, uniques = pd.factorize(codes, sort=True)
    counts = np.bincount(inverse, minlength=uniques.size).astype(np.float64)
    uniques = np.asarray(uniques, dtype=np.int64)
    out = np.empty((uniques.size, c), dtype=np.int8)
    rest = uniques // 3
    for k in range(c):
        out[:, k] = rest % radix[k] - 1
        rest //= radix[k]
    tags = uniques % 3
    return VectorCounts(
        out, counts, np.where(tags == 2, np.nan, tags).astype(np.float64)
    )


def _aggregate_rows(levels: np.ndarray, tag: np.ndarray) -> VectorCounts:
    rows = np.concatenate([levels, tag.astype(np.int8)[:, None]], axis=1)
    uniq, counts = np.unique(rows, axis=0, return_counts=True)
    fixed_out = np.where(uniq[:, -1] == 2, np.nan, uniq[:, -1]).astype(np.float64)
    return VectorCounts(uniq[:, :-1].copy(), counts.astype(np.float64), fixed_out)


def merge(parts: Sequence[VectorCounts]) -> VectorCounts:
    """Combine aggregated batches (re-aggregating their rows)."""
    parts = [p for p in parts if p.counts.size]
    if not parts:
        raise ValueError("nothing to merge")
    levels = np.concatenate([p.levels for p in parts])
    counts = np.concatenate([p.counts for p in parts])
    fixed = np.concatenate([p.fixed for p in parts])
    tag = np.where(np.isnan(fixed), 2, fixed).astype(np.int8)
    rows = np.concatenate([levels, tag[:, None]], axis=1)
    uniq, inverse = np.unique(rows, axis=0, return_inverse=True)  # small: distinct rows
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=uniq.shape[0])
    fixed_out = np.where(uniq[:, -1] == 2, np.nan, uniq[:, -1]).astype(np.float64)
    return VectorCounts(uniq[:, :-1].copy(), summed, fixed_out)


def total_pairs(features: Features, link_type: str) -> float:
    """How many record pairs the link type admits (the prior's denominator)."""
    n = float(features.n)
    sizes = np.bincount(
        features.columns["source"].codes[features.columns["source"].codes >= 0]
    ).astype(float)
    within = float((sizes * (sizes - 1) / 2).sum())
    if link_type == "link_only":
        return n * (n - 1) / 2 - within
    if link_type == "dedupe_only":
        return within
    return n * (n - 1) / 2


def _admit(
    features: Features, link_type: str, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    ok = a != b
    if link_type != "dedupe_and_link":
        src = features.columns["source"].codes
        same = src[a] == src[b]
        ok &= ~same if link_type == "link_only" else same
    return ok


def sample_random_pairs(
    features: Features, n_pairs: int, rng: np.random.Generator, link_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random record pairs admitted by the link type (positions, a < b)."""
    n = features.n
    if n < 2 or total_pairs(features, link_type) < 1:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    got_a, got_b, have = [], [], 0
    for _ in range(50):
        a = rng.integers(0, n, size=2 * n_pairs)
        b = rng.integers(0, n, size=2 * n_pairs)
        ok = _admit(features, link_type, a, b)
        got_a.append(a[ok])
        got_b.append(b[ok])
        have += int(ok.sum())
        if have >= n_pairs:
            break
    a = np.concatenate(got_a)[:n_pairs]
    b = np.concatenate(got_b)[:n_pairs]
    return np.minimum(a, b).astype(np.int32), np.maximum(a, b).astype(np.int32)


def sample_block_pairs(
    features: Features,
    keys: Sequence[str],
    n_pairs: int,
    rng: np.random.Generator,
    link_type: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random pairs among the pairs that agree on every key.

    A block is drawn with probability proportional to its number of pairs,
    then two distinct members uniformly, so every agreeing pair is equally
    likely: a random sample of, say, all same-surname-same-street pairs.
    """
    from matching.blocking import _rule_entries

    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32))
    if not all(features.has(k) for k in keys):
        return empty
    rows, key = _rule_entries(features, keys)
    order = np.lexsort((rows, key))
    rows, key = rows[order], key[order]
    if rows.size < 2:
        return empty
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, rows.size]).astype(np.int64)
    weight = (sizes * (sizes - 1)).astype(np.float64)
    if weight.sum() == 0:
        return empty
    cum = np.cumsum(weight / weight.sum())
    got_a, got_b, have = [], [], 0
    for _ in range(50):
        draw = np.searchsorted(cum, rng.random(2 * n_pairs))
        block = np.minimum(draw, sizes.size - 1)
        size = sizes[block]
        i = rng.integers(0, size)
        j = rng.integers(0, np.maximum(size - 1, 1))
        j = np.where(j >= i, j + 1, j)
        a, b = rows[starts[block] + i], rows[starts[block] + j]
        ok = _admit(features, link_type, a, b)
        got_a.append(a[ok])
        got_b.append(b[ok])
        have += int(ok.sum())
        if have >= n_pairs:
            break
    a = np.concatenate(got_a)[:n_pairs]
    b = np.concatenate(got_b)[:n_pairs]
    return np.minimum(a, b).astype(np.int32), np.maximum(a, b).astype(np.int32)


def term_frequencies(features: Features, column: str) -> TermFrequencies:
    """Value counts over distinct (value, date of birth) identities.

    Counting identities rather than rows stops one person with forty charge
    rows from making his own surname look common; records without a birth
    date count one each.
    """
    codes = features.columns[column].codes
    dob = features.columns["dob"].codes
    has = codes >= 0
    with_dob = has & (dob >= 0)
    width = int(dob.max(initial=0)) + 1
    combos = sorted_unique(codes[with_dob].astype(np.int64) * width + dob[with_dob])
    per_value = np.bincount(
        combos // width, minlength=features.columns[column].values.size
    )
    per_value += np.bincount(codes[has & (dob < 0)], minlength=per_value.size)
    common = np.flatnonzero(per_value >= 2)
    values = features.columns[column].values
    return TermFrequencies(
        column,
        int(per_value.sum()),
        tuple(str(v) for v in values[common]),
        tuple(int(c) for c in per_value[common]),
    )


@dataclass(frozen=True, slots=True)
class EMResult:
    """Parameters after EM, with how it went.

    ``u[k][c]`` is comparison k's u in context c (0 = all pairs), or None
    where the comparison is never scored in that context.
    """

    m: tuple[np.ndarray, ...]
    u: tuple[tuple[np.ndarray | None, ...], ...]
    prior: float
    iterations: int
    converged: bool


@dataclass(frozen=True, slots=True)
class _Chain:
    """The context chain as comparison indices (what EM needs of it)."""

    conditions: tuple[tuple[int, tuple[int, ...]], ...]

    def of(self, levels: np.ndarray) -> np.ndarray:
        out = np.zeros(levels.shape[0], dtype=np.int8)
        holds = np.ones(levels.shape[0], dtype=bool)
        for i, (k, lv) in enumerate(self.conditions, start=1):
            holds &= in_levels(levels[:, k], lv)
            out[holds] = i
        return out

    def own(self, k: int) -> int | None:
        for i, (kk, _) in enumerate(self.conditions, start=1):
            if kk == k:
                return i
        return None

    def effective(self, k: int, context: np.ndarray) -> np.ndarray:
        own = self.own(k)
        return context if own is None else np.minimum(context, own - 1)


def _log_ratio(
    levels: np.ndarray,
    context: np.ndarray,
    chain: _Chain,
    log_m: list[np.ndarray],
    log_u: list[list[np.ndarray | None]],
    skip: int = 0,
    guard: tuple[list[int], list[tuple[int, tuple[int, ...]]]] | None = None,
) -> np.ndarray:
    """Sum of log(m/u) per row; comparisons defining contexts <= ``skip`` left out.

    The guard (see :class:`matching.model.Guard`) applies here too, so EM
    fits the same likelihood ratios that scoring will use.
    """
    terms = np.zeros(levels.shape)
    for k in range(levels.shape[1]):
        own = chain.own(k)
        if own is not None and own <= skip:
            continue
        col = levels[:, k]
        present = col >= 0
        safe = np.where(present, col, 0)
        eff = chain.effective(k, context)
        lu = np.zeros(levels.shape[0])
        for c, table in enumerate(log_u[k]):
            if table is not None:
                rows = eff == c
                lu[rows] = table[safe[rows]]
        terms[:, k] = np.where(present, log_m[k][safe] - lu, 0.0)
    if guard is not None:
        cap_shared(terms, levels, *guard)
    return terms.sum(axis=1)


def _posterior(log_prior_odds: float, llr: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    post = 1.0 / (1.0 + np.exp(-np.clip(log_prior_odds + llr, -700, 700)))
    return np.where(np.isnan(fixed), post, fixed)


def _distribution(
    levels: np.ndarray,
    weights: np.ndarray,
    n_levels: int,
    prior: np.ndarray,
    strength: float = _PSEUDO,
) -> np.ndarray:
    present = levels >= 0
    counts = np.bincount(levels[present], weights=weights[present], minlength=n_levels)
    probs = (counts + strength * prior) / (counts.sum() + strength)
    return np.clip(probs, EPS, 1 - EPS)


def estimate(
    candidates: VectorCounts,
    samples: Sequence[VectorCounts],
    n_levels: Sequence[int],
    *,
    total: float,
    m_start: Sequence[np.ndarray],
    prior_start: float,
    contexts: Sequence[tuple[int, tuple[int, ...]]] = (),
    guard: tuple[list[int], list[tuple[int, tuple[int, ...]]]] | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> EMResult:
    """EM for m and the prior; u from random samples, de-contaminated.

    Args:
        candidates: aggregated candidate vectors (labelled ones have ``fixed``).
        samples: aggregated vectors of random pairs: ``samples[0]`` uniform
            over all pairs, ``samples[c]`` uniform over pairs meeting context
            c's conditions (a missing context sample leaves that context off).
        n_levels: number of levels per comparison.
        total: number of pairs the prior refers to (all admissible pairs).
        m_start: starting m per comparison (also the pseudo-count prior).
        prior_start: starting prior (match rate among all pairs).
        contexts: the context chain as (comparison index, levels).
        guard: the household guard as (shared indices, conflicts by index).
        max_iterations: cap on EM iterations.
        tolerance: stop when no probability moves by more than this
            (the prior: relative change).

    Returns:
        The estimates and whether they converged.
    """
    c_count = len(n_levels)
    chain = _Chain(tuple(contexts[: max(len(samples) - 1, 0)]))
    depth = len(chain.conditions)
    m_prior = [np.asarray(m, dtype=np.float64) / np.sum(m) for m in m_start]
    flat = [np.full(n, 1.0 / n) for n in n_levels]
    ctx_c = chain.of(candidates.levels)
    ctx_s = [chain.of(s.levels) for s in samples]

    def estimate_u(weights: list[np.ndarray]) -> list[list[np.ndarray | None]]:
        out: list[list[np.ndarray | None]] = []
        for k in range(c_count):
            own = chain.own(k)
            tables: list[np.ndarray | None] = []
            for c in range(depth + 1):
                if own is not None and c >= own:
                    tables.append(None)
                    continue
                # Defining the next context: its u among all pairs of this one.
                rows = ctx_s[c] >= c if own == c + 1 else ctx_s[c] == c
                levels = samples[c].levels[rows, k]
                # A context with few different-people pairs (Febrl has almost
                # no households) must fall back on its parent's u, not on a
                # flat guess: the parent is the prior, worth _CONTEXT_PSEUDO pairs.
                parent = tables[c - 1] if c else None
                prior, strength = (
                    (flat[k], _PSEUDO) if parent is None else (parent, _CONTEXT_PSEUDO)
                )
                tables.append(
                    _distribution(
                        levels, weights[c][rows], n_levels[k], prior, strength
                    )
                )
            out.append(tables)
        return out

    # Start from counts in the random sample (contamination there is tiny)
    # and from the parent's u in every context: a context sample can be
    # mostly matches (same person, same house), and starting from its raw
    # counts lands EM in the fixed point where u describes those matches.
    u = estimate_u(
        [s.counts if i == 0 else np.zeros_like(s.counts) for i, s in enumerate(samples)]
    )
    m = [np.clip(p, EPS, 1 - EPS) for p in m_prior]
    prior = float(np.clip(prior_start, EPS, 0.5))
    share = [0.5] * len(samples)  # match share within each context sample
    converged, iterations = False, 0
    while iterations < max_iterations:
        iterations += 1
        log_m = [np.log(x) for x in m]
        log_u = [[None if t is None else np.log(t) for t in tables] for tables in u]
        odds = float(np.log(prior) - np.log1p(-prior))
        llr = _log_ratio(candidates.levels, ctx_c, chain, log_m, log_u, 0, guard)
        w_c = candidates.counts * _posterior(odds, llr, candidates.fixed)
        new_m = [
            _distribution(candidates.levels[:, k], w_c, n_levels[k], m_prior[k])
            for k in range(c_count)
        ]
        new_prior = float(np.clip(w_c.sum() / max(total, 1.0), EPS, 0.5))
        weights = []
        for c, (s, ctx) in enumerate(zip(samples, ctx_s, strict=True)):
            free = np.full(s.counts.size, np.nan)
            # The random sample is a sample of all pairs: the prior applies.
            # A context sample has its own share of matches (most pairs of one
            # surname at one street are one person), estimated alongside:
            # forcing the global prior there lets u soak up those matches.
            skip = c
            mix = odds if c == 0 else float(np.log(share[c]) - np.log1p(-share[c]))
            llr = _log_ratio(s.levels, ctx, chain, log_m, log_u, skip, guard)
            post = _posterior(mix, llr, free)
            if c:
                total_c = max(float(s.counts.sum()), 1.0)
                share[c] = float(
                    np.clip((s.counts * post).sum() / total_c, 1e-6, 1 - 1e-6)
                )
            weights.append(s.counts * (1 - post))
        new_u = estimate_u(weights)
        delta = abs(new_prior - prior) / prior
        for a, b in zip(new_m, m, strict=True):
            delta = max(delta, float(np.abs(a - b).max()))
        for new_tables, tables in zip(new_u, u, strict=True):
            for a, b in zip(new_tables, tables, strict=True):
                if a is not None and b is not None:
                    delta = max(delta, float(np.abs(a - b).max()))
        m, u, prior = new_m, new_u, new_prior
        if delta < tolerance:
            converged = True
            break
    return EMResult(
        m=tuple(m),
        u=tuple(tuple(t) for t in u),
        prior=prior,
        iterations=iterations,
        converged=converged,
    )


@dataclass(frozen=True, slots=True)
class Labels:
    """Human decisions on pairs: ``match[i]`` for records ``left[i]``, ``right[i]``.

    Keys are record keys (the frame's index), in either order within a pair.
    """

    left: np.ndarray
    right: np.ndarray
    match: np.ndarray

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[int, int, bool]]) -> Labels:
        arr = np.asarray([(a, b, int(bool(m))) for a, b, m in pairs], dtype=np.int64)
        arr = arr.reshape(-1, 3)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2].astype(bool))

    def positions(
        self, features: Features
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(left, right, match) as positions with left < right; unknown keys dropped."""
        keys = features.keys
        a = np.searchsorted(keys, self.left)
        b = np.searchsorted(keys, self.right)
        ok = (a < keys.size) & (b < keys.size)
        ok[ok] &= (keys[a[ok]] == self.left[ok]) & (keys[b[ok]] == self.right[ok])
        ok &= a != b
        a, b, match = a[ok], b[ok], self.match[ok]
        return (
            np.minimum(a, b).astype(np.int32),
            np.maximum(a, b).astype(np.int32),
            match,
        )


def label_fixed(
    features: Features, left: np.ndarray, right: np.ndarray, labels: Labels | None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Fixed P(match) per candidate pair, and the labelled pairs not among them.

    Returns:
        ``(fixed, (left, right, match))``: NaN for unlabelled candidates; the
        extra pairs still count for m and the prior.
    """
    fixed = np.full(left.shape[0], np.nan)
    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, bool))
    if labels is None or labels.match.size == 0:
        return fixed, empty
    la, lb, match = labels.positions(features)
    n = np.int64(max(features.n, 1))
    cand = left.astype(np.int64) * n + right
    order = np.argsort(cand, kind="stable")
    want = la.astype(np.int64) * n + lb
    where = np.searchsorted(cand[order], want)
    hit = where < cand.size
    hit[hit] &= cand[order][where[hit]] == want[hit]
    fixed[order[where[hit]]] = match[hit].astype(np.float64)
    miss = ~hit
    return fixed, (la[miss], lb[miss], match[miss])


def _contexts(
    comparisons: Sequence[Comparison],
) -> list[tuple[Context, tuple[str, ...]]]:
    """The context chain for these comparisons, with each context's block keys.

    "family": surnames agree (exactly or written apart), sampled from pairs
    with one compact surname. A "household" link (surname and street agree)
    would be next, but its random pairs are nearly all one person's records:
    with next to no different people in such a sample, u there is not
    identifiable (EM settles on u = the matches' profile), so households are
    handled by the :class:`~matching.model.Guard` instead.
    """
    surname = next((c for c in comparisons if isinstance(c, LastNameComparison)), None)
    if surname is None:
        return []
    family = Context("family", surname.name, LastNameComparison.family_levels)
    return [(family, ("last_compact",))]


def default_guard(comparisons: Sequence[Comparison]) -> Guard | None:
    """Everything relatives can share, against identity conflicts.

    Twins share surname, address and birth date; a father and son share
    surname, address and first name. So the capped ("shared") evidence is
    every comparison except the identifiers, and the conflicts are the
    "else" levels of first name, birth date, sex and generational suffix,
    plus a first name in its other gender's form (ERIC / ERICA). Only a
    shared identifier can then overturn the conflict. (A differing SID is
    not a conflict here: it already weighs strongly against, and clerical
    SID slips are common enough that it should not also silence the rest.)
    """
    identity = (FirstNameComparison, DobComparison, SuffixComparison, SexComparison)
    ids = (PersonIdComparison, EventIdComparison)
    shared = tuple(c.name for c in comparisons if not isinstance(c, ids))
    conflicts = []
    for c in comparisons:
        if isinstance(c, identity):
            names = [lv.name for lv in c.levels()]
            hits = tuple(i for i, n in enumerate(names) if n in ("else", "gendered"))
            conflicts.append((c.name, hits))
    if not shared or not conflicts:
        return None
    return Guard(shared, tuple(conflicts))


def train(
    features: Features,
    comparisons: Sequence[Comparison],
    candidate_vectors: VectorCounts,
    *,
    extra_labelled: VectorCounts | None = None,
    link_type: str = "dedupe_and_link",
    seed: int = 0,
    u_sample_pairs: int = 2_000_000,
    context_sample_pairs: int = 500_000,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
    previous: ModelParams | None = None,
    use_guard: bool = True,
    cancel: CancelFn | None = None,
) -> ModelParams:
    """Estimate a model from candidate vectors and random samples.

    Args:
        features: the records' features.
        comparisons: the comparisons, in level-matrix column order.
        candidate_vectors: aggregated candidate levels; labelled pairs carry
            their fixed P(match) (see :func:`label_fixed`).
        extra_labelled: labelled pairs that blocking did not produce.
        link_type: as in blocking; decides which random pairs are admissible.
        seed: seeds the random-pair samples (same seed, same model).
        u_sample_pairs: random pairs for u.
        context_sample_pairs: random pairs per household context (0 = off).
        max_iterations: EM iteration cap.
        tolerance: EM convergence tolerance.
        previous: a model to start EM from (its m and prior).
        use_guard: cap household evidence against identity conflicts
            (:func:`default_guard`).
        cancel: polled between the expensive steps.

    Returns:
        The trained parameters.
    """
    from matching.comparisons import level_matrix

    comparisons = tuple(comparisons)
    names = [c.name for c in comparisons]
    rng = np.random.default_rng(seed)
    n_levels = [len(c.levels()) for c in comparisons]
    ra, rb = sample_random_pairs(features, u_sample_pairs, rng, link_type)
    samples = [aggregate(level_matrix(comparisons, features, ra, rb, cancel=cancel))]
    sampled = {"random_pairs": float(ra.size)}
    contexts: list[Context] = []
    for ctx, keys in _contexts(comparisons) if context_sample_pairs > 0 else []:
        check_cancel(cancel)
        ca, cb = sample_block_pairs(
            features, keys, context_sample_pairs, rng, link_type
        )
        if ca.size == 0:
            break  # a chain cannot skip a link
        samples.append(
            aggregate(level_matrix(comparisons, features, ca, cb, cancel=cancel))
        )
        contexts.append(ctx)
        sampled[f"{ctx.name}_pairs"] = float(ca.size)
    check_cancel(cancel)
    m_start = [np.array([lv.m for lv in c.levels()]) for c in comparisons]
    total = total_pairs(features, link_type)
    prior_start = features.n / max(total, 1.0)
    if previous is not None:
        by_name = {p.name: p for p in previous.comparisons}
        for i, c in enumerate(comparisons):
            old = by_name.get(c.name)
            if old is not None and len(old.m) == n_levels[i]:
                m_start[i] = np.asarray(old.m)
        prior_start = previous.prior
    vectors = candidate_vectors
    if extra_labelled is not None and extra_labelled.counts.size:
        vectors = merge([candidate_vectors, extra_labelled])
    guard = default_guard(comparisons) if use_guard else None
    result = estimate(
        vectors,
        samples,
        n_levels,
        total=total,
        m_start=m_start,
        prior_start=prior_start,
        contexts=[(names.index(c.comparison), c.levels) for c in contexts],
        guard=None if guard is None else guard.indexed(names),
        max_iterations=max_iterations,
        tolerance=tolerance,
    )
    params = []
    for i, c in enumerate(comparisons):
        levels = c.levels()
        tables = result.u[i]
        params.append(
            ComparisonParams(
                name=c.name,
                levels=tuple(lv.name for lv in levels),
                labels=tuple(lv.label for lv in levels),
                m=tuple(float(x) for x in result.m[i]),
                u=tuple(float(x) for x in tables[0]),  # type: ignore[union-attr]
                u_given=tuple(
                    None if t is None else tuple(float(x) for x in t)
                    for t in tables[1:]
                ),
                tf_levels=tuple(j for j, lv in enumerate(levels) if lv.tf),
                tf_column=c.tf_column,
            )
        )
    tf = tuple(
        term_frequencies(features, c.tf_column)
        for c in comparisons
        if c.tf_column is not None and c.tf_column in features.columns
    )
    fixed = vectors.fixed
    return ModelParams(
        comparisons=tuple(params),
        prior=result.prior,
        contexts=tuple(contexts),
        guard=guard,
        tf=tf,
        trained_on={
            "records": float(features.n),
            "candidate_pairs": float(candidate_vectors.counts.sum()),
            "distinct_vectors": float(vectors.counts.size),
            **sampled,
            "labelled_matches": float(vectors.counts[fixed == 1].sum()),
            "labelled_non_matches": float(vectors.counts[fixed == 0].sum()),
            "em_iterations": float(result.iterations),
            "em_converged": float(result.converged),
            "total_pairs": total,
        },
    )

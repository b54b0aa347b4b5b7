"""EM for m, the prior, the context u tables and the guard's limits.

* u, P(level | non-match), comes from RANDOM record pairs (Splink's way):
  almost every random pair is a non-match. The random samples are not quite
  match-free, so each sampled pair counts towards u with weight 1 - P(match),
  updated every iteration.
* m and the prior come from the candidate pairs, as if over ALL pairs with
  the pairs blocking left out taken to be non-matches, so the prior pairs
  with the random-pair u.
* Context samples (pairs within one surname; within one surname and first
  name; within one surname and birth date) estimate u *given* the context,
  as a two-part mixture whose match part is the global m. A mixture can
  explain anything with a non-match part that mimics the matches, and in
  the deep nodes (namesake, twin) nearly every pair is one person, so EM
  alone settles on u = the matches' profile (on Febrl, where there are no
  relatives, it then turned a replaced first name into a twin). So the deep
  nodes are anchored by what kinship cannot change, person identifiers:
  their u is the same in every node (relatives never share a SID); the
  share of different people in a node is measured on the pairs that carry
  one (``relative_rate``: zero on Febrl, a few percent on a county roster);
  a level no such pair reaches (an age on a disposition without a birth
  date) keeps its parent's u; and a first name twins are not given twice
  keeps its u among all pairs. Without person identifiers the deep nodes
  are not built at all, bar the twin node with its first-name anchor.
* The household guard's limits (:mod:`matching.guard`) are measured from the
  candidates each iteration, so m is fitted under the caps scoring applies.
  Without identifiers to measure by, EM keeps the guard at the prior (an
  unmeasured look-alike teaches m nothing); scoring then sends such pairs
  to review.

Identical comparison vectors are aggregated first (:mod:`matching.vectors`),
so an iteration costs microseconds however many pairs there are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.contexts import Tree
from matching.guard import (
    IndexedGuard,
    anchor_evidence,
    cap_shared,
    conflict_rates,
    limit_of,
    relative_rate,
)
from matching.model import EPS
from matching.vectors import VectorCounts

# Pseudo-count that keeps an unseen level's probability above zero (a
# Dirichlet prior worth one pair, spread as the level's starting guess).
_PSEUDO = 1.0
# Prior weight, in pairs, of a parent context's u on its child's.
_CONTEXT_PSEUDO = 50.0
# In a deep node a level's u is estimated only if some sampled pair there
# that carries a person identifier on both sides reaches it.
_MIN_ANCHORED = 1.0


@dataclass(frozen=True, slots=True)
class EMResult:
    """Parameters after EM, with how it went.

    ``u[k][c]`` is comparison k's u in context c (0 = all pairs), or None
    where the comparison is never scored in that context. ``rates`` are the
    guard's (anchored pairs, r) per conflict, empty without a guard.
    """

    m: tuple[np.ndarray, ...]
    u: tuple[tuple[np.ndarray | None, ...], ...]
    prior: float
    iterations: int
    converged: bool
    rates: tuple[tuple[float, float], ...] = ()


def _terms(
    levels: np.ndarray,
    context: np.ndarray,
    tree: Tree,
    log_m: list[np.ndarray],
    log_u: list[list[np.ndarray | None]],
    skip: int = 0,
) -> np.ndarray:
    """log(m/u) per row and comparison.

    Comparisons defining ``skip`` or one of its ancestors are left at 0: a
    context sample holds only pairs meeting those conditions.
    """
    terms = np.zeros(levels.shape)
    for k in range(levels.shape[1]):
        own = tree.own(k)
        if own is not None and tree.under(own)[skip]:
            continue
        col = levels[:, k]
        present = col >= 0
        safe = np.where(present, col, 0)
        eff = tree.effective(k, context)
        lu = np.zeros(levels.shape[0])
        for c, table in enumerate(log_u[k]):
            if table is not None:
                rows = eff == c
                lu[rows] = table[safe[rows]]
        terms[:, k] = np.where(present, log_m[k][safe] - lu, 0.0)
    return terms


def _log_ratio(
    terms: np.ndarray,
    levels: np.ndarray,
    guard: IndexedGuard | None,
    base: float,
) -> np.ndarray:
    """Row sums of the terms after the guard (natural logs)."""
    if guard is not None:
        terms = terms.copy()
        cap_shared(terms, levels, guard, base, unit=math.log(2.0))
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


def _pin(table: np.ndarray, level: int, value: float) -> np.ndarray:
    """Set one level's probability, rescaling the others to keep the sum."""
    rest = 1.0 - float(table[level])
    out = table * (1.0 - value) / max(rest, EPS)
    out[level] = value
    return np.clip(out, EPS, 1 - EPS)


def _keep_unanchored(
    table: np.ndarray,
    parent: np.ndarray,
    sample: VectorCounts,
    anchored: np.ndarray,
    k: int,
) -> np.ndarray:
    """Keep the parent's u for levels the node's identifiers never see.

    A level reached only by records without identifiers (an age on a
    disposition that lacks a birth date) cannot be checked against them:
    the mixture alone calls its pairs one person, lowers its u, and calls
    them one person more surely, until the level looks like proof. Such a
    level keeps the parent's u; the rest share what is left.
    """
    levels = sample.levels[anchored, k]
    seen = np.bincount(
        levels[levels >= 0],
        weights=sample.counts[anchored][levels >= 0],
        minlength=table.size,
    )
    keep = seen < _MIN_ANCHORED
    if not keep.any() or keep.all():
        return parent.copy() if keep.all() else table
    free_mass = 1.0 - float(parent[keep].sum())
    out = table.copy()
    out[~keep] *= free_mass / max(float(table[~keep].sum()), EPS)
    out[keep] = parent[keep]
    return np.clip(out, EPS, 1 - EPS)


def _anchored_share(
    sample: VectorCounts,
    rows: np.ndarray,
    anchors: Sequence[tuple[int, int]],
    m: Sequence[np.ndarray],
    fallback: float,
) -> float:
    """Share of one person's pairs in a context sample, measured on anchors."""
    m_else = {k: float(m[k][lv]) for k, lv in anchors}
    anchored, disagree, expected = anchor_evidence(sample.levels, anchors, m_else)
    sel = rows & anchored
    w = sample.counts[sel]
    n = float(w.sum())
    if n <= 0:
        return fallback
    e = float((w * expected[sel]).sum()) / n
    r = relative_rate(float((w * disagree[sel]).sum()), n, e)
    return float(np.clip(1.0 - r, 1e-6, 1 - 1e-6))


def estimate(
    candidates: VectorCounts,
    samples: Sequence[VectorCounts],
    n_levels: Sequence[int],
    *,
    total: float,
    m_start: Sequence[np.ndarray],
    prior_start: float,
    contexts: Tree | Sequence[tuple[int, tuple[int, ...]]] = (),
    guard: IndexedGuard | None = None,
    context_free: Sequence[int] = (),
    pinned: Sequence[tuple[int, int]] = (),
    anchors: Sequence[tuple[int, int]] = (),
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
        contexts: the context tree (or a chain of (comparison, levels)).
        guard: the household guard; its limits are re-measured every
            iteration when it has anchors, else it caps at the prior.
        context_free: comparisons whose u is the same in every context
            (identifiers: relatives do not share them).
        pinned: (comparison, level) whose u in contexts deeper than the
            first keeps its value among all pairs (a first name twins and
            siblings are not given twice).
        anchors: (person identifier comparison, its "else" level). In
            contexts deeper than the first, the share of different people
            is measured on the pairs that carry one (``relative_rate``)
            instead of left to the mixture, which would otherwise explain
            one person's mistyped identifiers as relatives.
        max_iterations: cap on EM iterations.
        tolerance: stop when no probability moves by more than this
            (the prior: relative change).

    Returns:
        The estimates and whether they converged.
    """
    c_count = len(n_levels)
    tree = contexts if isinstance(contexts, Tree) else Tree.chain(contexts)
    if tree.size > len(samples):
        tree = Tree(tree.conditions[: len(samples) - 1], tree.parent[: len(samples)])
    depth = tree.size - 1
    m_prior = [np.asarray(m, dtype=np.float64) / np.sum(m) for m in m_start]
    flat = [np.full(n, 1.0 / n) for n in n_levels]
    ctx_c = tree.of(candidates.levels)
    ctx_s = [tree.of(s.levels) for s in samples]
    subtree = {k: tree.under(own) for k in range(c_count) if (own := tree.own(k))}
    anchored_s = [anchor_evidence(s.levels, anchors, {})[0] for s in samples]
    free = set(context_free)

    def estimate_u(weights: list[np.ndarray]) -> list[list[np.ndarray | None]]:
        out: list[list[np.ndarray | None]] = []
        for k in range(c_count):
            own = tree.own(k)
            tables: list[np.ndarray | None] = []
            for c in range(depth + 1):
                if not tree.scored_in(k, c):
                    tables.append(None)
                    continue
                if c and k in free:
                    tables.append(tables[0])
                    continue
                # Defining a child node: its u among this node's pairs and the
                # child's subtree (pairs in a sibling's subtree score it there).
                rows = ctx_s[c] == c
                if own is not None and tree.parent[own] == c:
                    rows = rows | subtree[k][ctx_s[c]]
                levels = samples[c].levels[rows, k]
                # A context with few different-people pairs (Febrl has almost
                # no households) must fall back on its parent's u, not on a
                # flat guess: the parent is the prior, worth _CONTEXT_PSEUDO pairs.
                parent = tables[tree.parent[c]] if c else None
                prior, strength = (
                    (flat[k], _PSEUDO) if parent is None else (parent, _CONTEXT_PSEUDO)
                )
                table = _distribution(
                    levels, weights[c][rows], n_levels[k], prior, strength
                )
                if tree.depth(c) >= 2:
                    for kk, level in pinned:
                        if kk == k and tables[0] is not None:
                            table = _pin(table, level, float(tables[0][level]))
                    if anchors and parent is not None:
                        table = _keep_unanchored(
                            table, parent, samples[c], rows & anchored_s[c], k
                        )
                tables.append(table)
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
    # Without a person identifier r cannot be measured: EM then keeps the
    # guard at the prior, so an unmeasured look-alike never teaches m that a
    # conflict (JR vs SR) is common among one person's records.
    measured = guard is not None and bool(guard.anchors)
    rates: list[tuple[float, float]] = []
    converged, iterations = False, 0
    while iterations < max_iterations:
        iterations += 1
        log_m = [np.log(x) for x in m]
        log_u = [[None if t is None else np.log(t) for t in tables] for tables in u]
        odds = float(np.log(prior) - np.log1p(-prior))
        terms = _terms(candidates.levels, ctx_c, tree, log_m, log_u)
        active = guard
        if guard is not None and measured:
            m_else = {k: float(m[k][lv]) for k, lv in guard.anchors}
            rates = conflict_rates(
                candidates.levels,
                candidates.counts,
                terms,
                odds,
                guard,
                m_else,
                unit=math.log(2.0),
            )
            active = guard.with_limits([limit_of(r) for _, r in rates])
        llr = _log_ratio(terms, candidates.levels, active, odds)
        w_c = candidates.counts * _posterior(odds, llr, candidates.fixed)
        new_m = [
            _distribution(candidates.levels[:, k], w_c, n_levels[k], m_prior[k])
            for k in range(c_count)
        ]
        new_prior = float(np.clip(w_c.sum() / max(total, 1.0), EPS, 0.5))
        weights = []
        for c, (s, ctx) in enumerate(zip(samples, ctx_s, strict=True)):
            unset = np.full(s.counts.size, np.nan)
            # The random sample is a sample of all pairs: the prior applies.
            # A context sample has its own share of matches (most pairs of one
            # surname at one street are one person), estimated alongside:
            # forcing the global prior there lets u soak up those matches.
            deep = c > 0 and tree.depth(c) >= 2
            if deep and anchors:
                share[c] = _anchored_share(s, ctx == c, anchors, m, share[c])
            mix = odds if c == 0 else float(np.log(share[c]) - np.log1p(-share[c]))
            s_terms = _terms(s.levels, ctx, tree, log_m, log_u, c)
            llr = _log_ratio(s_terms, s.levels, active, mix)
            post = _posterior(mix, llr, unset)
            if c > 0 and not (deep and anchors):
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
    if guard is not None and measured:
        # The limits that go into the model, measured under the final m and u.
        log_m = [np.log(x) for x in m]
        log_u = [[None if t is None else np.log(t) for t in tables] for tables in u]
        odds = float(np.log(prior) - np.log1p(-prior))
        terms = _terms(candidates.levels, ctx_c, tree, log_m, log_u)
        m_else = {k: float(m[k][lv]) for k, lv in guard.anchors}
        rates = conflict_rates(
            candidates.levels,
            candidates.counts,
            terms,
            odds,
            guard,
            m_else,
            unit=math.log(2.0),
        )
    return EMResult(
        m=tuple(m),
        u=tuple(tuple(t) for t in u),
        prior=prior,
        iterations=iterations,
        converged=converged,
        rates=tuple(rates),
    )

"""Estimating the Fellegi-Sunter parameters without labels (and with some).

``train`` draws the random samples, sets up the context tree and the
household guard, and runs EM (:mod:`matching.em`):

* u, P(level | non-match), comes from RANDOM record pairs
  (:mod:`matching.sampling`), de-contaminated of the few matches among them;
  u given a context ("same surname", "same surname and birth date") comes the
  same way from random pairs within the context.
* m and the prior come from EM over the candidate pairs, aggregated into
  distinct vectors (:mod:`matching.vectors`).
* Human decisions (labels) fix those pairs' responsibilities to 1 or 0, so
  every review decision moves m and the prior at the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.blocks import sorted_unique
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
from matching.contexts import Context, Tree
from matching.em import EMResult, estimate
from matching.features import Features
from matching.guard import Guard, limit_of, relative_rate
from matching.model import ComparisonParams, ModelParams, TermFrequencies
from matching.progress import CancelFn, check_cancel
from matching.sampling import sample_block_pairs, sample_random_pairs, total_pairs
from matching.vectors import VectorCounts, aggregate, merge

__all__ = [
    "EMResult",
    "Labels",
    "VectorCounts",
    "aggregate",
    "default_guard",
    "estimate",
    "label_fixed",
    "merge",
    "sample_block_pairs",
    "sample_random_pairs",
    "term_frequencies",
    "total_pairs",
    "train",
]


def term_frequencies(features: Features, column: str) -> TermFrequencies:
    """Value counts over distinct (first name, surname, date of birth) identities.

    Counting identities rather than rows stops one person with forty charge
    rows from making his own surname look common; records without a birth
    date count one each. The identity includes both names so that twins,
    who share a surname and a birth date, count as the two people they are:
    counted as one, a rare surname shared by twins looks held by one person,
    and agreeing on it looks like proof.
    """
    codes = features.columns[column].codes
    dob = features.columns["dob"].codes.astype(np.int64)
    first = features.columns["first_name"].codes.astype(np.int64)
    last = features.columns["last_name"].codes.astype(np.int64)
    has = codes >= 0
    with_dob = has & (dob >= 0)
    import pandas as pd

    n_last = int(last.max(initial=0)) + 2
    n_dob = int(dob.max(initial=0)) + 2
    key = ((first[with_dob] + 1) * n_last + last[with_dob] + 1) * n_dob + dob[with_dob]
    person = pd.factorize(key)[0].astype(np.int64)
    width = int(person.max(initial=0)) + 1
    combos = sorted_unique(codes[with_dob].astype(np.int64) * width + person)
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
    """The context tree for these comparisons, with each node's block keys.

    * "family": surnames agree up to spelling; sampled from pairs with one
      compact surname.
    * "namesake" (in family): first names agree (or are nicknames of one
      another); sampled from pairs with one compact surname and first name.
      The different people there are fathers and sons, who share a street,
      and the many people called JAMES SMITH, whose birth dates a digit
      apart mean little.
    * "twin" (in family, first names not agreeing): birth dates agree up to
      a keying slip; sampled from pairs with one compact surname and birth
      date. The different people there are twins (and strangers born the
      same day into a common surname): their first names are often alike
      (DANIEL / DANIELLE), their sex often differs.

    The last two need a person identifier in the data: inside them nearly
    every pair is one person, and only identifiers that disagree show the
    few that are not (:mod:`matching.em`). A "household" node (surname and
    street agree) would hold almost only one person's records; what it
    would add is left to the :class:`~matching.guard.Guard`.
    """
    surname = next((c for c in comparisons if isinstance(c, LastNameComparison)), None)
    if surname is None:
        return []
    family = Context("family", surname.name, LastNameComparison.family_levels, 0)
    out = [(family, ("last_compact",))]
    first = next((c for c in comparisons if isinstance(c, FirstNameComparison)), None)
    # Without a person identifier nothing tells one person's records from a
    # father's inside the namesake node: its mixture is not identifiable.
    # The twin node keeps an anchor of its own (twins are not given one first
    # name, so its "exact" level is pinned; matching.em).
    if first is not None and _anchors(comparisons):
        namesake = Context("namesake", first.name, FirstNameComparison.same_levels, 1)
        out.append((namesake, ("last_compact", "first_variants")))
    dob = next((c for c in comparisons if isinstance(c, DobComparison)), None)
    if dob is not None:
        twin = Context("twin", dob.name, DobComparison.twin_levels, 1)
        out.append((twin, ("last_compact", "dob")))
    return out


def default_guard(comparisons: Sequence[Comparison]) -> Guard | None:
    """Everything relatives can share, against identity conflicts.

    Twins share surname, address and birth date; a father and son share
    surname, address and first name. So the capped ("shared") evidence is
    every comparison except the identifiers, and the conflicts are the
    "else" levels of first name, birth date, sex and generational suffix,
    plus a first name in its other gender's form (ERIC / ERICA) or another
    name that merely looks alike (DEVON / DEVIN). How far a
    conflict is trusted is measured on the data, with the person identifiers
    as anchors (:mod:`matching.guard`); a differing SID is not itself a
    conflict: it already weighs strongly against.
    """
    identity = (FirstNameComparison, DobComparison, SuffixComparison, SexComparison)
    ids = (PersonIdComparison, EventIdComparison)
    shared = tuple(c.name for c in comparisons if not isinstance(c, ids))
    conflicts = []
    for c in comparisons:
        if isinstance(c, identity):
            names = [lv.name for lv in c.levels()]
            hits = tuple(
                i for i, n in enumerate(names) if n in ("else", "gendered", "alike")
            )
            conflicts.append((c.name, hits))
    if not shared or not conflicts:
        return None
    anchors = tuple((comparisons[k].name, lv) for k, lv in _anchors(comparisons))
    identifiers = tuple(c.name for c in comparisons if isinstance(c, ids))
    return Guard(shared, tuple(conflicts), identifiers, anchors)


def _anchors(comparisons: Sequence[Comparison]) -> list[tuple[int, int]]:
    """(index, "else" level) of each person identifier: what relatives never share."""
    return [
        (i, [lv.name for lv in c.levels()].index("else"))
        for i, c in enumerate(comparisons)
        if isinstance(c, PersonIdComparison)
    ]


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
        context_sample_pairs: random pairs per relatives context (0 = off);
            a context with fewer pairs is taken whole.
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
    # Node index in the full tree -> index among the nodes kept (0 = root);
    # a node without pairs is dropped together with its subtree.
    kept = {0: 0}
    wanted = _contexts(comparisons) if context_sample_pairs > 0 else []
    for i, (ctx, keys) in enumerate(wanted, start=1):
        check_cancel(cancel)
        parent = kept.get(int(ctx.parent or 0))
        if parent is None:
            continue
        ca, cb = sample_block_pairs(
            features, keys, context_sample_pairs, rng, link_type
        )
        if ca.size == 0:
            continue
        samples.append(
            aggregate(level_matrix(comparisons, features, ca, cb, cancel=cancel))
        )
        contexts.append(Context(ctx.name, ctx.comparison, ctx.levels, parent))
        kept[i] = len(contexts)
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
    ids = (PersonIdComparison, EventIdComparison)
    result = estimate(
        vectors,
        samples,
        n_levels,
        total=total,
        m_start=m_start,
        prior_start=prior_start,
        contexts=Tree.build(contexts, names),
        guard=None if guard is None else guard.indexed(names),
        # Relatives do not share identifiers, nor (twins) a first name: the
        # anchors that keep the context mixtures identifiable (matching.em).
        context_free=[i for i, c in enumerate(comparisons) if isinstance(c, ids)],
        pinned=[
            (i, 0)
            for i, c in enumerate(comparisons)
            if isinstance(c, FirstNameComparison)
        ],
        anchors=_anchors(comparisons),
        max_iterations=max_iterations,
        tolerance=tolerance,
    )
    if guard is not None:
        # Unmeasured (no identifiers): r = 1/4 each, a review, not a link.
        rates = result.rates or tuple(
            (0.0, relative_rate(0.0, 0.0, 0.0)) for _ in guard.conflicts
        )
        guard = Guard(
            guard.shared,
            guard.conflicts,
            guard.identifiers,
            guard.anchors,
            limits=tuple(limit_of(r) for _, r in rates),
            rates=tuple((float(n), float(r)) for n, r in rates),
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

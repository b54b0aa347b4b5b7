"""The Fellegi-Sunter model: parameters, JSON form, and scoring.

For every comparison level the model holds m = P(level | same person) and
u = P(level | different people). A pair's match weight is

    log2(prior odds) + sum over comparisons of log2(m / u)

and its probability is the base-2 sigmoid of the weight. Each term is a bar of
the waterfall chart a reviewer sees, so scoring returns them all.

Two refinements over the textbook model (and over Splink):

* Term frequencies. Agreeing exactly on a surname is worth more for OYELARAN
  than for SMITH: on the exact-name levels u is replaced by the share of
  people carrying that value (counted over distinct (first name, surname,
  birth date) identities, so one man with forty charge rows does not make
  his own surname look common, and twins still count as two).
* Relatives. Fathers and sons, twins and siblings share a surname, often
  an address, twins a birth date. Treating these facts as independent
  counts one family as several pieces of evidence, and links twins. So u is
  estimated per *context*, a small tree (:mod:`matching.contexts`):
  "family" (surnames agree, up to spelling), within it "namesake" (first
  names agree too) and "twin" (birth dates agree, up to a keying slip). A
  twin-like pair is scored with u measured among different people born the
  same day into one surname, where similar first names (DANIEL / DANIELLE),
  a different sex and a shared street are common and so worth little; a
  namesake pair with u among fathers and sons and the many JAMES SMITHs,
  where a shared street or a birth year a digit off is common. The
  comparison that defines a context is itself scored in its parent (the
  birth date given the surname). What the tree cannot express is left to
  the household guard, whose strength is measured on the data
  (:mod:`matching.guard`).

Training lives in :mod:`matching.training` and :mod:`matching.em`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.contexts import Context, Tree
from matching.guard import Guard, cap_shared, in_levels

__all__ = [
    "EPS",
    "MODEL_VERSION",
    "ComparisonParams",
    "Context",
    "Guard",
    "ModelParams",
    "Scores",
    "TermFrequencies",
    "Tree",
    "cap_shared",
    "describe",
    "in_levels",
    "level_index",
    "probability",
    "score",
]

MODEL_VERSION = "recordmatch-fs-2"
# Probabilities are kept inside [EPS, 1 - EPS] so no level has infinite weight.
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ComparisonParams:
    """Learned probabilities for one comparison.

    Attributes:
        name: the comparison's name.
        levels: level names, in level-index order.
        labels: human labels, in the same order.
        m: P(level | match) per level.
        u: P(level | non-match) per level, among random pairs.
        u_given: per context of the tree, P(level | non-match, context), or
            None where this comparison defines that context or an ancestor
            of it (it is then scored in its node's parent).
        tf_levels: levels whose u is replaced by the value's frequency.
        tf_column: the column those frequencies are counted on.
    """

    name: str
    levels: tuple[str, ...]
    labels: tuple[str, ...]
    m: tuple[float, ...]
    u: tuple[float, ...]
    u_given: tuple[tuple[float, ...] | None, ...] = ()
    tf_levels: tuple[int, ...] = ()
    tf_column: str | None = None

    def u_table(self, context: int = 0) -> np.ndarray:
        """u per level in a context (0 = among all pairs)."""
        if context == 0:
            return np.asarray(self.u, dtype=np.float64)
        table = self.u_given[context - 1]
        if table is None:
            raise ValueError(f"{self.name} has no u in context {context}")
        return np.asarray(table, dtype=np.float64)

    def weights(self, context: int = 0) -> np.ndarray:
        """log2(m / u) per level in a context (float64)."""
        m = np.clip(np.asarray(self.m, dtype=np.float64), EPS, 1 - EPS)
        return np.log2(m) - np.log2(np.clip(self.u_table(context), EPS, 1 - EPS))


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """How many distinct people carry each value of a column.

    Attributes:
        column: the column (``first_name`` / ``last_name``).
        total: distinct people with any value.
        values, counts: the values seen more than once, and their counts;
            any other value counts once.
    """

    column: str
    total: int
    values: tuple[str, ...]
    counts: tuple[int, ...]

    def frequency(self, values: np.ndarray) -> np.ndarray:
        """Share of people carrying each value (float64, >= 1 / total)."""
        import pandas as pd

        table = pd.Series(self.counts, index=pd.Index(self.values), dtype=np.float64)
        counts = table.reindex(pd.Index(values, dtype=object)).to_numpy()
        counts = np.where(np.isnan(counts), 1.0, counts)
        return counts / max(self.total, 1)


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Everything needed to score pairs again, and to explain a score.

    Attributes:
        comparisons: per-comparison probabilities, in comparison order.
        prior: probability that two records drawn at random match (lambda).
        contexts: the tree of conditions u is estimated under (relatives
            conditioning, :mod:`matching.contexts`); empty to switch it off.
        guard: caps household evidence against identity conflicts; None = off.
        tf: term-frequency tables for the exact-name levels.
        version: model format version.
        trained_on: counts describing the training (records, pairs, labels,
            EM iterations ...), shown in the run log.
    """

    comparisons: tuple[ComparisonParams, ...]
    prior: float
    contexts: tuple[Context, ...] = ()
    guard: Guard | None = None
    tf: tuple[TermFrequencies, ...] = ()
    version: str = MODEL_VERSION
    trained_on: Mapping[str, float] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.comparisons)

    @property
    def prior_weight(self) -> float:
        """log2 prior odds: the waterfall chart's first bar."""
        p = min(max(self.prior, EPS), 1 - EPS)
        return math.log2(p / (1 - p))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists, floats, strings only)."""
        return {
            "version": self.version,
            "prior": self.prior,
            "contexts": [
                {
                    "name": c.name,
                    "comparison": c.comparison,
                    "levels": list(c.levels),
                    "parent": c.parent,
                }
                for c in self.contexts
            ],
            "guard": None if self.guard is None else self.guard.to_dict(),
            "comparisons": [
                {
                    "name": c.name,
                    "levels": list(c.levels),
                    "labels": list(c.labels),
                    "m": list(c.m),
                    "u": list(c.u),
                    "u_given": [None if u is None else list(u) for u in c.u_given],
                    "tf_levels": list(c.tf_levels),
                    "tf_column": c.tf_column,
                }
                for c in self.comparisons
            ],
            "tf": [
                {
                    "column": t.column,
                    "total": t.total,
                    "values": list(t.values),
                    "counts": list(t.counts),
                }
                for t in self.tf
            ],
            "trained_on": dict(self.trained_on),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelParams:
        """Inverse of :meth:`to_dict`."""
        if data.get("version") != MODEL_VERSION:
            raise ValueError(
                f"model version {data.get('version')!r} is not {MODEL_VERSION!r}; "
                "retrain the model with this version of the application"
            )

        def floats(values: Sequence[Any]) -> tuple[float, ...]:
            return tuple(float(x) for x in values)

        return cls(
            comparisons=tuple(
                ComparisonParams(
                    name=c["name"],
                    levels=tuple(c["levels"]),
                    labels=tuple(c["labels"]),
                    m=floats(c["m"]),
                    u=floats(c["u"]),
                    u_given=tuple(
                        None if u is None else floats(u) for u in c["u_given"]
                    ),
                    tf_levels=tuple(int(x) for x in c["tf_levels"]),
                    tf_column=c["tf_column"],
                )
                for c in data["comparisons"]
            ),
            prior=float(data["prior"]),
            contexts=tuple(
                Context(
                    str(c["name"]),
                    str(c["comparison"]),
                    tuple(int(x) for x in c["levels"]),
                    None if c.get("parent") is None else int(c["parent"]),
                )
                for c in data["contexts"]
            ),
            guard=None if data.get("guard") is None else Guard.from_dict(data["guard"]),
            tf=tuple(
                TermFrequencies(
                    t["column"], int(t["total"]), tuple(t["values"]), tuple(t["counts"])
                )
                for t in data["tf"]
            ),
            version=str(data["version"]),
            trained_on=dict(data.get("trained_on", {})),
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-pair output of :func:`score`.

    Attributes:
        weights: float64 match weight (log2 odds) per pair.
        probabilities: float64 match probability per pair.
        contributions: float32 (n_pairs, n_comparisons) log2(m/u) terms; the
            weight is ``prior_weight + contributions.sum(axis=1)``.
    """

    weights: np.ndarray
    probabilities: np.ndarray
    contributions: np.ndarray


def probability(weights: np.ndarray) -> np.ndarray:
    """Base-2 sigmoid: match weight -> match probability."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weights, -1000, 1000)))


def score(
    params: ModelParams,
    levels: np.ndarray,
    *,
    tf_frequencies: Mapping[str, np.ndarray] | None = None,
) -> Scores:
    """Match weight, probability and per-comparison contributions of pairs.

    Args:
        params: a trained model.
        levels: int8 (n_pairs, n_comparisons), -1 = missing (weight 0).
        tf_frequencies: per TF comparison name, the frequency of the left
            record's value for each pair (used where the pair agrees exactly).

    Returns:
        Weights, probabilities and the contributions matrix.

    Example:
        >>> p = ModelParams((ComparisonParams("sex", ("exact", "else"),
        ...     ("Same", "Different"), (0.9, 0.1), (0.5, 0.5)),), prior=0.5)
        >>> levels = np.array([[0], [1], [-1]], dtype=np.int8)
        >>> score(p, levels).weights.round(3).tolist()
        [0.848, -2.322, 0.0]
    """
    n = levels.shape[0]
    contributions = np.zeros((n, len(params.comparisons)), dtype=np.float32)
    tree = Tree.build(params.contexts, params.names)
    context = tree.of(levels)
    depth = len(params.contexts)
    for k, comp in enumerate(params.comparisons):
        col = levels[:, k]
        present = col >= 0
        safe = np.where(present, col, 0)
        eff = tree.effective(k, context)
        # One (context, level) table and one gather, instead of a pass per context.
        contexts = [
            c for c in range(depth + 1) if c == 0 or comp.u_given[c - 1] is not None
        ]
        table = np.zeros((depth + 1, len(comp.m)), dtype=np.float64)
        for c in contexts:
            table[c] = comp.weights(c)
        contrib = table[eff, safe]
        freq = None if tf_frequencies is None else tf_frequencies.get(comp.name)
        if freq is not None and comp.tf_levels:
            for level in comp.tf_levels:
                hit = np.flatnonzero((col == level) & ~np.isnan(freq))
                # A context scales u; it scales the value's frequency alike.
                ratio = np.ones(depth + 1)
                for c in contexts:
                    ratio[c] = comp.u_table(c)[level] / max(comp.u[level], EPS)
                tf_u = np.clip(freq[hit] * ratio[eff[hit]], EPS, 1.0)
                contrib[hit] = np.log2(max(comp.m[level], EPS)) - np.log2(tf_u)
        contributions[:, k] = np.where(present, contrib, 0.0)
    if params.guard is not None:
        guard = params.guard.indexed(params.names)
        cap_shared(contributions, levels, guard, params.prior_weight)
    weights = params.prior_weight + contributions.sum(axis=1, dtype=np.float64)
    return Scores(weights, probability(weights), contributions)


def level_index(params: ModelParams, comparison: str, level: str) -> tuple[int, int]:
    """(comparison index, level index) by names, for tests and explanations."""
    k = params.names.index(comparison)
    return k, params.comparisons[k].levels.index(level)


def describe(params: ModelParams) -> Sequence[tuple[str, str, float, float, float]]:
    """(comparison, level label, m, u, weight) rows for a parameter table."""
    rows = []
    for comp in params.comparisons:
        w = comp.weights(0)
        for i, label in enumerate(comp.labels):
            rows.append((comp.name, label, comp.m[i], comp.u[i], float(w[i])))
    return rows

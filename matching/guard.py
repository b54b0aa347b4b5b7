"""The household guard: relatives' shared facts against an identity conflict.

Fathers and sons share a surname, a street and often a first name; twins
share a surname, a street and a birth date; siblings all but the first name
and birth date. Conditional independence counts each shared fact as separate
evidence, so a household can outvote the one fact that tells its members
apart (a different birth date, first name, sex, or JR vs SR).

How far a conflict should be trusted is a property of the data, not a
constant: a county roster is full of relatives, while a benchmark whose noise
replaces whole first names has none, and there the "conflict" is a typo. So
the guard measures it. Among candidate pairs that carry a conflict yet look
like one person on everything else, it takes those that also carry a person
identifier (SID, FBI, SSN ...) on both sides: identifiers are never shared by
relatives, so whether they agree tells same person from relative without any
label. The share of different people among them, corrected for how often one
person's identifiers disagree anyway (the model's m of the "else" level), is
``r``; the posterior odds the shared facts may then claim are capped at
``(1 - r) / r``:

* relatives common (r near 1): the shared facts are worth nothing against
  the conflict, and only an identifier can link the pair;
* no relatives (r near 0, Febrl): the cap is far above any real weight and
  the pair is scored as usual;
* no identifiers to measure with: r = 1/4, so such a pair is capped at
  odds of 3:1, which sends it to a reviewer rather than linking or dropping
  it.

``r`` is re-estimated in every EM iteration (:mod:`matching.em`) and frozen
into the model, so scoring applies exactly the caps EM fitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Caps are kept inside +-this many bits so JSON never holds an infinity.
MAX_LIMIT = 60.0
# A conflicting pair is a look-alike, and counts towards r, when the other
# facts alone give it at least these posterior log2 odds (32:1): the pairs
# the guard would hold back. Weaker ones are mostly strangers and would make
# every conflict look trustworthy.
LOOKS_SAME_BITS = 5.0


def in_levels(column: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """``np.isin`` for a handful of small ints, without its sort or hash."""
    out = np.zeros(column.shape[0], dtype=bool)
    for level in levels:
        out |= column == level
    return out


@dataclass(frozen=True, slots=True)
class IndexedGuard:
    """A :class:`Guard` as comparison indices, for scoring and EM.

    Attributes:
        shared: comparisons relatives can agree on.
        conflicts: (comparison, levels) that mark an identity conflict.
        identifiers: every identifier comparison (left out of "looks like one
            person on everything else").
        anchors: (person identifier comparison, its "else" level).
        limits: log2 odds cap per conflict; None caps at the prior odds
            (the pair can gain nothing from shared facts).
    """

    shared: tuple[int, ...]
    conflicts: tuple[tuple[int, tuple[int, ...]], ...]
    identifiers: tuple[int, ...] = ()
    anchors: tuple[tuple[int, int], ...] = ()
    limits: tuple[float, ...] | None = None

    def with_limits(self, limits: Sequence[float] | None) -> IndexedGuard:
        return IndexedGuard(
            self.shared,
            self.conflicts,
            self.identifiers,
            self.anchors,
            None if limits is None else tuple(float(x) for x in limits),
        )


@dataclass(frozen=True, slots=True)
class Guard:
    """Facts relatives share may not outweigh a conflict beyond what the data allows.

    Attributes:
        shared: comparisons relatives can agree on (all but identifiers).
        conflicts: (comparison, levels) pairs that mark an identity conflict.
        identifiers: identifier comparisons (person and event numbers).
        anchors: (person identifier, its "else" level), used to measure how
            often conflicting look-alikes are different people.
        limits: per conflict, the largest log2 posterior odds shared facts
            may claim (``log2((1 - r) / r)``); empty = cap at the prior.
        rates: per conflict, (anchored pairs, r) behind each limit, shown in
            the run log.
    """

    shared: tuple[str, ...]
    conflicts: tuple[tuple[str, tuple[int, ...]], ...]
    identifiers: tuple[str, ...] = ()
    anchors: tuple[tuple[str, int], ...] = ()
    limits: tuple[float, ...] = ()
    rates: tuple[tuple[float, float], ...] = ()

    def indexed(self, names: Sequence[str]) -> IndexedGuard:
        """The guard as comparison indices (absent comparisons left out)."""
        names = list(names)
        keep = [i for i, (n, _) in enumerate(self.conflicts) if n in names]
        limits = [self.limits[i] for i in keep] if self.limits else None
        return IndexedGuard(
            shared=tuple(names.index(n) for n in self.shared if n in names),
            conflicts=tuple(
                (names.index(self.conflicts[i][0]), self.conflicts[i][1]) for i in keep
            ),
            identifiers=tuple(names.index(n) for n in self.identifiers if n in names),
            anchors=tuple((names.index(n), lv) for n, lv in self.anchors if n in names),
            limits=None if limits is None else tuple(limits),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "shared": list(self.shared),
            "conflicts": [[n, list(lv)] for n, lv in self.conflicts],
            "identifiers": list(self.identifiers),
            "anchors": [[n, lv] for n, lv in self.anchors],
            "limits": list(self.limits),
            "rates": [list(r) for r in self.rates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Guard:
        return cls(
            tuple(data["shared"]),
            tuple((str(n), tuple(int(x) for x in lv)) for n, lv in data["conflicts"]),
            tuple(data.get("identifiers", ())),
            tuple((str(n), int(lv)) for n, lv in data.get("anchors", ())),
            tuple(float(x) for x in data.get("limits", ())),
            tuple((float(a), float(b)) for a, b in data.get("rates", ())),
        )


def limit_of(rate: float) -> float:
    """log2 odds ``(1 - r) / r``, kept finite."""
    r = min(max(rate, 1e-12), 1 - 1e-12)
    return float(np.clip(np.log2((1 - r) / r), -MAX_LIMIT, MAX_LIMIT))


def cap_shared(
    contributions: np.ndarray,
    levels: np.ndarray,
    guard: IndexedGuard,
    base: float,
    *,
    unit: float = 1.0,
) -> None:
    """Apply a guard to a contributions matrix, in place.

    For a pair with a conflict, the positive contributions of the shared
    comparisons are scaled down so that ``base + shared + conflicts`` stays
    at or below the conflict's limit; with several conflicts, at or below the
    least of (one conflict's limit + the other conflicts' own weights).

    Args:
        contributions: (n_pairs, n_comparisons) log-likelihood ratios.
        levels: the pairs' levels.
        guard: the guard, with limits in log2 odds (or None: the prior).
        base: the log prior odds, in the unit of ``contributions``.
        unit: contribution units per bit (1 for log2, ln 2 for natural logs).
    """
    if not guard.shared or not guard.conflicts:
        return
    n = levels.shape[0]
    conflict = np.zeros(n)
    flagged = np.zeros(n, dtype=bool)
    hits, own = [], []
    for k, lv in guard.conflicts:
        hit = in_levels(levels[:, k], lv)
        flagged |= hit
        c = np.where(hit, np.minimum(contributions[:, k], 0.0), 0.0)
        conflict += c
        hits.append(hit)
        own.append(c)
    # The measured cap of one conflict, moved further by every other conflict
    # the pair has (JR vs SR *and* a different birth date): the least of these.
    limit = np.full(n, np.inf)
    for i, (hit, c) in enumerate(zip(hits, own, strict=True)):
        cap = base if guard.limits is None else guard.limits[i] * unit
        cand = cap + (conflict - c)
        limit[hit] = np.minimum(limit[hit], cand[hit])
    cols = list(guard.shared)
    positive = np.clip(contributions[:, cols], 0.0, None).sum(axis=1)
    # A conflict level EM happened to weigh positively (ERIC / ERICA, which
    # twins make look like a typo) gets no credit: its part is in "positive".
    allowed = np.clip(limit - base - conflict, 0.0, None)
    over = flagged & (positive > allowed)
    if not over.any():
        return
    scale = np.ones(n)
    scale[over] = allowed[over] / positive[over]
    for k in cols:
        col = contributions[:, k]
        contributions[:, k] = np.where(col > 0, col * scale, col)


def anchor_evidence(
    levels: np.ndarray,
    anchors: Sequence[tuple[int, int]],
    m_else: Mapping[int, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per vector: has an anchor, anchors disagree, P(they disagree | one person).

    Args:
        levels: comparison vectors.
        anchors: (person identifier comparison, its "else" level).
        m_else: per anchor, P("else" | same person).
    """
    n_rows = levels.shape[0]
    anchored = np.zeros(n_rows, dtype=bool)
    agree = np.zeros(n_rows, dtype=bool)
    p_agree_same = np.ones(n_rows)
    for k, else_level in anchors:
        present = levels[:, k] >= 0
        anchored |= present
        agree |= present & (levels[:, k] != else_level)
        p_agree_same *= np.where(present, 1.0 - m_else.get(k, 0.0), 1.0)
    disagree = anchored & ~agree
    expected = np.where(anchored, 1.0 - p_agree_same, 0.0)
    return anchored, disagree, expected


def relative_rate(disagree: float, pairs: float, expected: float) -> float:
    """Share of look-alikes that are different people, from anchored pairs.

    Two hypotheses: H0, every anchored look-alike is one person (identifiers
    disagree only as often as one person's do, ``expected``); H1, a share r
    of them are relatives, r uniform on [0, 1]. Each is weighed by how well
    it predicts the observed disagreements (a Bayes factor, even prior odds),
    and r is P(H1 | data) times the mean of r under H1. A data set without
    relatives thus gets r near 0 once it has a few hundred anchors, rather
    than the 1 / pairs a plain estimate with a prior could not go below;
    with no anchors at all r = 1/4 (odds 3:1, a review).

    Example:
        >>> round(relative_rate(0.0, 0.0, 0.0), 3)
        0.25
        >>> relative_rate(13.0, 400.0, 0.03) < 0.001
        True
        >>> relative_rate(30.0, 40.0, 0.03) > 0.5
        True
    """
    from scipy.special import betainc, gammaln

    n = max(pairs, 0.0)
    k = min(max(disagree, 0.0), n)
    e = min(max(expected, 1e-9), 1 - 1e-9)
    a, b = k + 1.0, n - k + 1.0
    above = max(1.0 - float(betainc(a, b, e)), 1e-300)
    log_h1 = np.log(above) - np.log(n + 1.0) - np.log(1.0 - e)
    log_h0 = (
        gammaln(n + 1.0)
        - gammaln(k + 1.0)
        - gammaln(n - k + 1.0)
        + k * np.log(e)
        + (n - k) * np.log1p(-e)
    )
    p_h1 = float(1.0 / (1.0 + np.exp(np.clip(log_h0 - log_h1, -700, 700))))
    # Mean of q ~ Beta(a, b) truncated to q > e, as a share above e.
    mean_q = (a / (a + b)) * max(1.0 - float(betainc(a + 1.0, b, e)), 0.0) / above
    r_h1 = float(np.clip((mean_q - e) / (1.0 - e), 0.0, 1.0))
    return p_h1 * r_h1


def conflict_rates(
    levels: np.ndarray,
    counts: np.ndarray,
    terms: np.ndarray,
    base: float,
    guard: IndexedGuard,
    m_else: Mapping[int, float],
    *,
    unit: float = 1.0,
) -> list[tuple[float, float]]:
    """Per conflict: (anchored pairs, share r of them that are different people).

    Args:
        levels: distinct candidate vectors.
        counts: how often each occurs.
        terms: their unguarded log-likelihood ratios (any log base, with
            ``base`` in the same one).
        base: log prior odds.
        guard: the guard as indices.
        m_else: per anchor comparison, P(its "else" level | same person).
        unit: units of ``terms`` per bit.

    Returns:
        ``(pairs, r)`` per conflict (see :func:`relative_rate`).
    """
    ids = set(guard.identifiers)
    non_id = [k for k in range(levels.shape[1]) if k not in ids]
    looks_same = base + terms[:, non_id].sum(axis=1) > LOOKS_SAME_BITS * unit
    anchored, disagree, expected = anchor_evidence(levels, guard.anchors, m_else)
    out = []
    for k, lv in guard.conflicts:
        sel = in_levels(levels[:, k], lv) & looks_same & anchored
        w = counts[sel]
        n = float(w.sum())
        k_dis = float((w * disagree[sel]).sum())
        e = float((w * expected[sel]).sum()) / n if n > 0 else 0.0
        out.append((n, relative_rate(k_dis, n, e)))
    return out

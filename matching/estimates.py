"""Estimates from a stratified quality sample: rates, precision, recall, kappa.

An auditor labels a random sample of candidate pairs drawn stratum by stratum
(automatic links, pairs a person linked, the review band, pairs below the
lower threshold); these functions turn the labels into estimates for *all*
candidate pairs, with 95 % confidence intervals. Pure arithmetic on counts:
no I/O, no randomness, so every number can be checked by hand.

Why these intervals:

* Per stratum, the Wilson score interval (with the finite population
  correction): it stays inside [0, 1] and is not zero-width when all or
  none of a stratum's sample matched, which is exactly the case the audit
  cares about (automatic links all correct; far-below pairs all different).
* Combined (precision, recall), a stratified estimate with a normal interval
  whose per-stratum variances use the Wilson centre ``(x + z²/2)/(n + z²)``
  instead of the raw rate (Agresti and Coull's adjustment). The raw rate
  would give a stratum whose sample was all-correct zero variance, and so
  claim certainty about the thousands of pairs nobody looked at.
* Cohen's kappa with Cohen's (1960) large-sample standard error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate and its 95 % confidence interval.

    Attributes:
        value: the estimate; NaN when the sample says nothing yet (``n == 0``).
        low, high: the interval's ends.
        n: the sampled units the estimate rests on.
    """

    value: float
    low: float
    high: float
    n: int

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)

    def text(self) -> str:
        """``97.1 % (95 % CI 93.0-98.9 %, n = 120)``, or why there is none."""
        if not self.defined:
            return "not enough labels yet"
        return (
            f"{self.value:.1%} (95% CI {self.low:.1%}–{self.high:.1%}, n = {self.n:,})"
        )


UNDEFINED = Estimate(math.nan, 0.0, 1.0, 0)


@dataclass(frozen=True, slots=True)
class StratumCounts:
    """One stratum: its size, how many were labelled, how many were matches."""

    population: int
    labelled: int
    matches: int

    def __post_init__(self) -> None:
        if not 0 <= self.matches <= self.labelled <= self.population:
            raise ValueError(f"inconsistent stratum counts {self}")

    @property
    def fpc(self) -> float:
        """Finite population correction: a stratum labelled whole has no error."""
        if self.population <= 1:
            return 0.0
        return max(0.0, (self.population - self.labelled) / (self.population - 1))


def wilson(successes: int, n: int, *, fpc: float = 1.0, z: float = Z95) -> Estimate:
    """Wilson score interval for a proportion, with a finite population correction.

    The correction enters as an effective sample size ``n / fpc``, so a
    stratum labelled whole (``fpc == 0``) gets a zero-width interval.

    Example:
        >>> e = wilson(8, 10)
        >>> round(e.low, 4), round(e.high, 4)
        (0.4902, 0.9433)
    """
    if n == 0:
        return UNDEFINED
    p = successes / n
    if fpc <= 0.0:
        return Estimate(p, p, p, n)
    m = n / fpc
    z2 = z * z
    centre = (p + z2 / (2 * m)) / (1 + z2 / m)
    half = z / (1 + z2 / m) * math.sqrt(p * (1 - p) / m + z2 / (4 * m * m))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(p, low, high, n)


def _adjusted_variance(s: StratumCounts, z: float) -> float:
    """Variance of a stratum's rate, from the Wilson centre (see module doc)."""
    if s.labelled == 0 or s.fpc == 0.0:
        return 0.0
    z2 = z * z
    centre = (s.matches + z2 / 2) / (s.labelled + z2)
    return centre * (1 - centre) / s.labelled * s.fpc


def _normal(value: float, variance: float, n: int, z: float) -> Estimate:
    half = z * math.sqrt(variance)
    return Estimate(value, max(0.0, value - half), min(1.0, value + half), n)


def _covered(strata: Sequence[StratumCounts]) -> bool:
    """Every non-empty stratum has at least one label (else its rate is unknown)."""
    return all(s.labelled > 0 for s in strata if s.population > 0)


def stratified_rate(strata: Sequence[StratumCounts], *, z: float = Z95) -> Estimate:
    """The match rate over the union of the strata (e.g. precision of links).

    ``sum(N_h p_h) / sum(N_h)``: the strata sizes are known, only the rates
    are estimated. Undefined while a non-empty stratum has no labels.

    Example:
        >>> e = stratified_rate([StratumCounts(100, 10, 10), StratumCounts(300, 10, 5)])
        >>> round(e.value, 4)
        0.625
    """
    total = sum(s.population for s in strata)
    if total == 0 or not _covered(strata):
        return UNDEFINED
    value = sum(s.population * s.matches / s.labelled for s in strata if s.labelled)
    variance = sum(
        (s.population / total) ** 2 * _adjusted_variance(s, z) for s in strata
    )
    n = sum(s.labelled for s in strata)
    return _normal(value / total, variance, n, z)


def stratified_share(
    inside: Sequence[StratumCounts],
    outside: Sequence[StratumCounts],
    *,
    z: float = Z95,
) -> Estimate:
    """Share of all matches that fall in the ``inside`` strata (e.g. recall).

    ``A / (A + B)`` with ``A``, ``B`` the estimated matches inside and
    outside; its variance by the delta method,
    ``(B² var A + A² var B) / (A + B)⁴`` (A and B come from disjoint strata,
    so they are independent). ``n`` is the number of sampled matches.

    Example:
        >>> inside, outside = [StratumCounts(100, 10, 10)], [StratumCounts(100, 10, 1)]
        >>> e = stratified_share(inside, outside)
        >>> round(e.value, 4)
        0.9091
    """
    if not _covered([*inside, *outside]):
        return UNDEFINED

    def total(strata: Sequence[StratumCounts]) -> tuple[float, float]:
        est = sum(s.population * s.matches / s.labelled for s in strata if s.labelled)
        var = sum(s.population**2 * _adjusted_variance(s, z) for s in strata)
        return est, var

    a, var_a = total(inside)
    b, var_b = total(outside)
    if a + b == 0:
        return UNDEFINED
    variance = (b * b * var_a + a * a * var_b) / (a + b) ** 4
    n = sum(s.matches for s in (*inside, *outside))
    return _normal(a / (a + b), variance, n, z)


def allocate(populations: Sequence[int], size: int) -> list[int]:
    """Split a sample of ``size`` equally across strata, capped at each stratum.

    Equal allocation rather than proportional: the automatic links outnumber
    the rest, and a proportional sample would leave the review band and the
    pairs below the threshold (where recall is lost) with a handful of pairs.
    What a small stratum cannot take is shared among the others.

    Example:
        >>> allocate([1000, 5, 1000, 0], 21)
        [8, 5, 8, 0]
    """
    sizes = [0] * len(populations)
    left = min(size, sum(populations))
    open_ = [i for i, p in enumerate(populations) if p > 0]
    while left > 0 and open_:
        share, extra = divmod(left, len(open_))
        for rank, i in enumerate(list(open_)):
            want = share + (1 if rank < extra else 0)
            take = min(want, populations[i] - sizes[i])
            sizes[i] += take
            left -= take
        open_ = [i for i in open_ if sizes[i] < populations[i]]
    return sizes


def cohen_kappa(
    table: Mapping[tuple[str, str], int], *, z: float = Z95
) -> Estimate | None:
    """Cohen's kappa between two raters from their confusion counts.

    Args:
        table: ``(first rater's label, second rater's label) -> count``.

    Returns:
        Kappa with Cohen's (1960) interval
        ``kappa ± z sqrt(po (1 - po) / (n (1 - pe)²))``, clipped to [-1, 1];
        None when it is undefined (no pairs, or chance agreement is 1).

    Example:
        >>> table = {("m", "m"): 20, ("m", "n"): 5, ("n", "m"): 10, ("n", "n"): 15}
        >>> k = cohen_kappa(table)
        >>> round(k.value, 4)
        0.4
    """
    n = sum(table.values())
    if n == 0:
        return None
    labels = sorted({a for a, _ in table} | {b for _, b in table})
    first = {c: sum(v for (a, _), v in table.items() if a == c) / n for c in labels}
    second = {c: sum(v for (_, b), v in table.items() if b == c) / n for c in labels}
    po = sum(v for (a, b), v in table.items() if a == b) / n
    pe = sum(first[c] * second[c] for c in labels)
    if pe >= 1.0:
        return None
    kappa = (po - pe) / (1 - pe)
    half = z * math.sqrt(po * (1 - po) / (n * (1 - pe) ** 2))
    return Estimate(kappa, max(-1.0, kappa - half), min(1.0, kappa + half), n)

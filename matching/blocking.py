"""Candidate pairs: the union of several blocking rules.

Comparing every pair of a million records is 5 x 10^11 comparisons, so we only
compare pairs that agree on some cheap key. One key alone would let a single
typo hide a true pair (a mistyped birth date defeats "same dob"), so we take the
UNION of rules that each tolerate a different broken field, as Splink does with
its list of ``block_on`` rules.

Everything is integer arithmetic on the codes of :mod:`matching.features`:
a rule's keys are combined into one dense code per record, records are sorted
by it, and all pairs inside each block are emitted by index arithmetic. There
is no Python loop per pair or per block.

A block larger than the cap (all the JAMES SMITHs under "same name") is split
by a further key rather than dropped; only when the split keys run out is a
block skipped, and every such event is reported with the rule and the block
size (never the personal values) so the run log can say what was not compared.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from matching.blocking_rules import DEFAULT_RULES, BlockingRule, block_on
from matching.blocks import (
    densify,
    pairs_in_blocks,
    rule_entries,
    sorted_entries,
    sorted_unique,
)
from matching.features import Features
from matching.progress import CancelFn, ProgressFn, check_cancel

__all__ = [
    "DEFAULT_RULES",
    "LINK_TYPES",
    "BlockWarning",
    "BlockingRule",
    "Candidates",
    "LinkType",
    "RuleStats",
    "block_on",
    "blocking_recall",
    "generate_candidates",
    "sorted_unique",
]

log = logging.getLogger(__name__)

LinkType = Literal["dedupe_and_link", "link_only", "dedupe_only"]
LINK_TYPES: tuple[str, ...] = ("dedupe_and_link", "link_only", "dedupe_only")
_CHUNK_PAIRS = 4_000_000


@dataclass(frozen=True, slots=True)
class RuleStats:
    """What one rule contributed.

    Attributes:
        name: the rule's name.
        pairs: distinct pairs the rule produced on its own.
        new_pairs: pairs no earlier rule had produced (what the rule ADDS).
        blocks: blocks with at least two records.
        largest_block: records in the largest block that was compared.
        split_blocks: oversized blocks that were split by a further key.
        skipped_blocks: oversized blocks left uncompared (split keys ran out).
    """

    name: str
    pairs: int
    new_pairs: int
    blocks: int
    largest_block: int
    split_blocks: int
    skipped_blocks: int


@dataclass(frozen=True, slots=True)
class BlockWarning:
    """An oversized block: which rule, how big, and what was done about it."""

    rule: str
    block_size: int
    action: Literal["split", "skipped"]
    split_on: str | None

    def message(self) -> str:
        if self.action == "split":
            return (
                f"blocking rule '{self.rule}': a block of {self.block_size} records "
                f"exceeded the cap and was split by {self.split_on}"
            )
        return (
            f"blocking rule '{self.rule}': a block of {self.block_size} records "
            "exceeded the cap with no key left to split it; its pairs were not "
            "compared by this rule (raise the cap or add split keys)"
        )


@dataclass(frozen=True, slots=True)
class Candidates:
    """Deduplicated candidate pairs (record positions, ``left < right``).

    Attributes:
        left, right: int32 positions into ``Features.keys``.
        rules: uint32 bitmask per pair; bit ``i`` set if rule ``i`` produced it.
        rule_names: the rules in bit order.
        stats: per-rule statistics, in rule order.
        warnings: oversized blocks met on the way.
    """

    left: np.ndarray
    right: np.ndarray
    rules: np.ndarray
    rule_names: tuple[str, ...]
    stats: tuple[RuleStats, ...]
    warnings: tuple[BlockWarning, ...]

    def __len__(self) -> int:
        return int(self.left.shape[0])


@dataclass(slots=True)
class _RuleRun:
    """Mutable tallies while one rule runs (folded into ``RuleStats``)."""

    blocks: int = 0
    largest: int = 0
    split: int = 0
    skipped: int = 0


def _emit(
    rows: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    n: int,
    keep: Any,
    out: list[np.ndarray],
    cancel: CancelFn | None,
) -> None:
    """Emit pair codes (left * n + right) for blocks, a few million at a time."""
    counts = sizes.astype(np.int64) * (sizes - 1) // 2
    cum = np.cumsum(counts)
    begin = 0
    while begin < sizes.size:
        base = cum[begin - 1] if begin else 0
        end = int(np.searchsorted(cum, base + _CHUNK_PAIRS, side="right"))
        end = max(end, begin + 1)
        left, right = pairs_in_blocks(rows, starts[begin:end], sizes[begin:end])
        if keep is not None:
            ok = keep(left, right)
            left, right = left[ok], right[ok]
        out.append(left.astype(np.int64) * n + right)
        begin = end
        check_cancel(cancel)


def _rule_pair_codes(
    features: Features,
    rule: BlockingRule,
    cap: int,
    keep: Any,
    warnings: list[BlockWarning],
    cancel: CancelFn | None,
) -> tuple[np.ndarray, _RuleRun]:
    """Sorted distinct pair codes of one rule, splitting oversized blocks."""
    n = features.n
    tally = _RuleRun()
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    unknown = [
        k for k in rule.on if k not in features.columns and k not in features.multi
    ]
    if unknown:
        known = sorted([*features.columns, *features.multi])
        raise ValueError(f"unknown blocking key {unknown[0]!r}; known keys: {known}")
    if not all(features.has(k) for k in rule.on):
        return out[0], tally
    if rule.differ_on:
        keep = _differ(features, rule.differ_on, keep)
    if rule.max_year_gap is not None:
        keep = _near_years(features, rule.max_year_gap, keep)
    rows, key = sorted_entries(*rule_entries(features, rule.on), n)
    depth = 0
    while rows.size:
        change = np.flatnonzero(np.diff(key)) + 1
        starts = np.concatenate([[0], change]).astype(np.int64)
        sizes = np.diff(np.concatenate([starts, [rows.size]]))
        small = (sizes >= 2) & (sizes <= cap)
        if small.any():
            tally.blocks += int(small.sum())
            tally.largest = max(tally.largest, int(sizes[small].max()))
            _emit(rows, starts[small], sizes[small], n, keep, out, cancel)
        big = np.flatnonzero(sizes > cap)
        if big.size == 0:
            break
        split_key = rule.split_on[depth] if depth < len(rule.split_on) else None
        for size in sizes[big].tolist():
            warnings.append(
                BlockWarning(
                    rule.name, int(size), "split" if split_key else "skipped", split_key
                )
            )
        if split_key is None:
            tally.skipped += int(big.size)
            break
        tally.split += int(big.size)
        member = np.repeat(np.isin(np.arange(sizes.size), big), sizes)
        rows, key = rows[member], key[member]
        codes = features.columns[split_key].codes[rows]
        present = codes >= 0
        rows, key, codes = rows[present], key[present], codes[present]
        key = densify(key * (int(codes.max(initial=0)) + 1) + codes)
        rows, key = sorted_entries(rows, key, n)
        depth += 1
    return sorted_unique(np.concatenate(out)), tally


def _differ(features: Features, keys: Sequence[str], keep: Any) -> Any:
    """Wrap a pair predicate so pairs agreeing on any of ``keys`` are dropped."""
    codes = [features.columns[k].codes for k in keys]

    def predicate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ok = np.ones(a.size, dtype=bool) if keep is None else keep(a, b)
        for c in codes:
            ok &= (c[a] != c[b]) | (c[a] < 0)
        return ok

    return predicate


def _near_years(features: Features, gap: float, keep: Any) -> Any:
    """Wrap a pair predicate so pairs with known birth years > ``gap`` apart drop."""
    years = features.birth_year

    def predicate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ok = np.ones(a.size, dtype=bool) if keep is None else keep(a, b)
        apart = np.abs(years[a] - years[b]) > gap  # NaN compares False: kept
        return ok & ~apart

    return predicate


def _pair_filter(features: Features, link_type: str) -> Any:
    """Predicate on (left, right) positions for the link type, or None for all."""
    if link_type not in LINK_TYPES:
        raise ValueError(f"link_type must be one of {LINK_TYPES}, not {link_type!r}")
    if link_type == "dedupe_and_link":
        return None
    source = features.columns["source"].codes
    if link_type == "link_only":
        return lambda a, b: source[a] != source[b]
    return lambda a, b: source[a] == source[b]


def generate_candidates(
    features: Features,
    rules: Sequence[BlockingRule] | None = None,
    *,
    block_cap: int = 500,
    link_type: LinkType = "dedupe_and_link",
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Candidates:
    """Union of the pairs produced by each blocking rule.

    Args:
        features: from :func:`matching.features.build_features`.
        rules: blocking rules, most specific first (default ``DEFAULT_RULES``).
        block_cap: blocks with more records than this are split by the rule's
            ``split_on`` keys; a warning names the rule and the block size.
        link_type: ``"dedupe_and_link"`` (every pair), ``"link_only"`` (pairs
            from different sources) or ``"dedupe_only"`` (same source).
        on_progress: called as ``("blocking", rules_done, rules_total)``.
        cancel: polled between rules and pair batches.

    Returns:
        The candidate pairs with a bitmask of the rules that produced each.

    Example:
        >>> import pandas as pd
        >>> from matching.features import build_features
        >>> recs = pd.DataFrame({"source": ["a", "b", "b"],
        ...     "first_name": ["ANN", "ANN", "BOB"], "dob": ["1990-01-02"] * 3})
        >>> c = generate_candidates(build_features(recs),
        ...     [block_on("dob", "first_initial")])
        >>> c.left.tolist(), c.right.tolist()
        ([0], [1])
    """
    rules = tuple(DEFAULT_RULES if rules is None else rules)
    if len(rules) > 32:
        raise ValueError("at most 32 blocking rules (the rule mask is 32 bits)")
    if block_cap < 2:
        raise ValueError("block_cap must be at least 2")
    keep = _pair_filter(features, link_type)
    n = features.n
    codes = np.zeros(0, dtype=np.int64)
    mask = np.zeros(0, dtype=np.uint32)
    stats: list[RuleStats] = []
    warnings: list[BlockWarning] = []
    for i, rule in enumerate(rules):
        check_cancel(cancel)
        if on_progress is not None:
            on_progress("blocking", i, len(rules))
        found, tally = _rule_pair_codes(
            features, rule, block_cap, keep, warnings, cancel
        )
        bit = np.uint32(1 << i)
        where = np.searchsorted(codes, found)
        hit = where < codes.size
        hit[hit] = codes[where[hit]] == found[hit]
        mask[where[hit]] |= bit
        new = ~hit
        codes = np.insert(codes, where[new], found[new])
        mask = np.insert(mask, where[new], bit)
        stats.append(
            RuleStats(rule.name, int(found.size), int(new.sum()), tally.blocks,
                      tally.largest, tally.split, tally.skipped)
        )  # fmt: skip
    for w in warnings:
        log.warning(w.message())
    if on_progress is not None:
        on_progress("blocking", len(rules), len(rules))
    return Candidates(
        left=(codes // max(n, 1)).astype(np.int32),
        right=(codes % max(n, 1)).astype(np.int32),
        rules=mask,
        rule_names=tuple(r.name for r in rules),
        stats=tuple(stats),
        warnings=tuple(warnings),
    )


def blocking_recall(
    pairs: tuple[np.ndarray, np.ndarray], true_pairs: tuple[np.ndarray, np.ndarray]
) -> float:
    """Share of the true pairs present among the candidate pairs.

    Both arguments are ``(left_keys, right_keys)`` arrays of record keys in
    any order within a pair; only available where labels exist (benchmarks,
    or a workspace with reviewed decisions).

    Example:
        >>> import numpy as np
        >>> blocking_recall((np.array([1, 2]), np.array([2, 3])),
        ...                 (np.array([2, 4]), np.array([1, 3])))
        0.5
    """

    def canon(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return np.unique(np.stack([lo, hi], axis=1), axis=0)

    truth = canon(*true_pairs)
    if truth.shape[0] == 0:
        return 1.0
    found = canon(*pairs)
    dtype = [("a", np.int64), ("b", np.int64)]
    hit = np.isin(truth.view(dtype).ravel(), found.view(dtype).ravel())
    return float(hit.mean())

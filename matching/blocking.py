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

from matching.features import Features
from matching.progress import CancelFn, ProgressFn, check_cancel

log = logging.getLogger(__name__)

LinkType = Literal["dedupe_and_link", "link_only", "dedupe_only"]
LINK_TYPES: tuple[str, ...] = ("dedupe_and_link", "link_only", "dedupe_only")
_CHUNK_PAIRS = 4_000_000


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """Pairs of records that agree on every key in ``on``.

    Attributes:
        name: shown in the run statistics.
        on: feature names (see :mod:`matching.features`); a multi-valued key
            such as ``first_variants`` matches when any of its values agree.
        split_on: further single-valued keys, tried in order, to split a block
            that is larger than the cap.
        differ_on: single-valued keys the two records must NOT share: a rule
            for swapped names keeps only pairs whose first names differ, so it
            pays only for the pairs it exists to find.
    """

    name: str
    on: tuple[str, ...]
    split_on: tuple[str, ...] = ("birth_year", "first_initial", "last_initial")
    differ_on: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "on": list(self.on),
            "split_on": list(self.split_on),
            "differ_on": list(self.differ_on),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockingRule:
        return cls(
            str(data["name"]),
            tuple(data["on"]),
            tuple(data["split_on"]),
            tuple(data.get("differ_on", ())),
        )


def block_on(
    *keys: str,
    name: str | None = None,
    split_on: Sequence[str] | None = None,
    differ_on: Sequence[str] = (),
) -> BlockingRule:
    """Declare a blocking rule on one or more feature keys.

    Args:
        *keys: feature names, each a separate argument.
        name: label for statistics; defaults to the keys joined by " + ".
        split_on: keys that split an oversized block (default: birth year, then
            first and last initials).
        differ_on: keys on which the two records must differ.

    Example:
        >>> block_on("dob", "first_initial").name
        'dob + first_initial'
    """
    if not keys or not all(isinstance(k, str) for k in keys):
        raise TypeError(
            'pass each key as its own argument: block_on("dob", "first_initial"), '
            "not a list"
        )
    split = BlockingRule.__dataclass_fields__["split_on"].default
    return BlockingRule(
        name or " + ".join(keys),
        tuple(keys),
        split if split_on is None else tuple(split_on),
        tuple(differ_on),
    )


# Ordered from most to least specific; each is there for a field the others
# need intact (the comment says which damage it survives). Rules on coarse
# keys (ZIP, surname) stay affordable at a million records because oversized
# blocks are split by birth year, then initials.
DEFAULT_RULES: tuple[BlockingRule, ...] = (
    # Any name or birth-date damage: the person carries the same SID/FBI/SSN/case.
    BlockingRule("shared identifier", ("identifier",), ("first_initial", "birth_year")),
    # Everything damaged but a person identifier mistyped by one keystroke.
    BlockingRule(
        "identifier one keystroke apart", ("identifier_near",), ("first_initial",)
    ),
    # Surname changed (married name, typo) or missing.
    block_on("dob", "first_initial", name="dob + first initial"),
    # First name changed (alias, typo, initial only) or missing.
    block_on("dob", "last_initial", name="dob + surname initial"),
    # Names swapped, even with typos: {first initial, last initial} is order-free.
    block_on("dob", "initials_pair", name="dob + initials either way round"),
    # Dob damaged or missing: nickname-canonical first name + surname sound.
    block_on("first_variants", "last_compact", name="first name (nickname) + surname"),
    # First name damaged and the day (or the year) of birth mistyped.
    block_on("last_phonetic", "birth_month", name="surname sound + birth year-month"),
    block_on("last_phonetic", "birth_day", name="surname sound + birth month-day"),
    # First and last name entered the wrong way round, no dob.
    block_on("name_pair", name="swapped first/last name", differ_on=("first_name",)),
    # Day and month transposed (03/04 vs 04/03) with a surname that sounds alike.
    block_on(
        "dob_pair",
        "last_phonetic",
        name="day/month-swapped dob + surname sound",
        differ_on=("dob",),
    ),
    # Compound / married surnames: GARCIA LOPEZ vs LOPEZ, DE LA CRUZ vs CRUZ.
    block_on(
        "last_parts",
        "first_phonetic",
        name="surname part + first name sound",
        differ_on=("last_compact",),
    ),
    # Same address or place, names and dob damaged: each pairs a place key with
    # a person key, so no rule is "everyone in this ZIP".
    block_on("last_compact", "street_number", name="surname + house number"),
    block_on("dob", "street_number", name="dob + house number"),
    block_on("dob", "zip", name="dob + ZIP"),
    block_on("street_key", "zip", name="street start + ZIP"),
    block_on("street_key", "first_initial", name="street start + first initial"),
    block_on("street_key", "last_initial", name="street start + surname initial"),
    block_on("first_variants", "zip", "birth_decade", name="first name + ZIP + decade"),
)


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


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array.

    ``np.unique`` in numpy 2.x hashes before sorting, which is several times
    slower than a plain sort for tens of millions of int64 pair codes.
    """
    out = np.sort(values, kind="stable")
    if out.size:
        out = out[np.r_[True, out[1:] != out[:-1]]]
    return out


def _densify(key: np.ndarray) -> np.ndarray:
    """Renumber an int64 key to 0..k-1 so combining keys cannot overflow."""
    import pandas as pd

    codes, _ = pd.factorize(key, sort=True)
    return codes.astype(np.int64)


def _rule_entries(
    features: Features, keys: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(record position, dense key) for every record that has all ``keys``."""
    rows = np.arange(features.n, dtype=np.int32)
    key = np.zeros(features.n, dtype=np.int64)
    for name in keys:
        if name in features.columns:
            codes = features.columns[name].codes[rows]
            keep = codes >= 0
            rows, key, codes = rows[keep], key[keep], codes[keep]
            key = key * (int(codes.max(initial=0)) + 1) + codes
        elif name in features.multi:
            rows, key = _join_multi(rows, key, features.multi[name], features.n)
        else:
            known = sorted([*features.columns, *features.multi])
            raise ValueError(f"unknown blocking key {name!r}; known keys: {known}")
        key = _densify(key)
    return rows, key


def _join_multi(
    rows: np.ndarray, key: np.ndarray, multi: Any, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cross each (row, key) entry with every multi-valued key of that row."""
    counts = np.bincount(multi.rows, minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    per_entry = counts[rows]
    out_rows = np.repeat(rows, per_entry)
    base = np.repeat(key, per_entry)
    within = np.arange(out_rows.size, dtype=np.int64) - np.repeat(
        np.cumsum(per_entry) - per_entry, per_entry
    )
    mkeys = multi.keys[np.repeat(starts[rows], per_entry) + within].astype(np.int64)
    return out_rows, base * (int(mkeys.max(initial=0)) + 1) + mkeys


def _pairs_in_blocks(
    rows: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All within-block pairs, for blocks laid out contiguously in ``rows``.

    Element ``i`` of a block of size ``s`` pairs with the ``s - 1 - i``
    elements after it: repeat each element by its partner count, then add
    1, 2, ... to reach the partners. Rows are sorted within a block, so
    ``left < right``.
    """
    elem = np.concatenate([np.arange(s, e) for s, e in ()]) if False else None  # noqa: F841
    block_of = np.repeat(np.arange(sizes.size), sizes)
    first = np.repeat(starts, sizes)
    idx = first + (
        np.arange(block_of.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    )
    partners = np.repeat(sizes, sizes) - 1 - (idx - first)
    left_idx = np.repeat(idx, partners)
    step = np.arange(left_idx.size, dtype=np.int64) - np.repeat(
        np.cumsum(partners) - partners, partners
    )
    return rows[left_idx], rows[left_idx + step + 1]


@dataclass(slots=True)
class _RuleRun:
    """Mutable tallies while one rule runs (folded into ``RuleStats``)."""

    blocks: int = 0
    largest: int = 0
    split: int = 0
    skipped: int = 0


def _sorted_entries(
    rows: np.ndarray, key: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Drop duplicate (key, row) entries and sort by key, then row."""
    combo = sorted_unique(key * n + rows.astype(np.int64))
    return (combo % n).astype(np.int32), combo // n


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
        left, right = _pairs_in_blocks(rows, starts[begin:end], sizes[begin:end])
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
    rows, key = _sorted_entries(*_rule_entries(features, rule.on), n)
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
        key = _densify(key * (int(codes.max(initial=0)) + 1) + codes)
        rows, key = _sorted_entries(rows, key, n)
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

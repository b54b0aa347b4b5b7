"""Identities from links: constrained union-find with stable identity ids.

Pairwise links are not identities: reviewers and the eligibility export work
with people, so the links have to be closed transitively into clusters. Two
things make that more than `connected_components`:

* A person's `non-match` is final. Transitive closure must never put two
  records a reviewer separated back together through a chain of automatic
  links, so automatic links are added strongest first and a link that would
  join two records a person separated is skipped: the chain breaks at its
  weakest link, which is the one most likely to be wrong.
* Identity ids are shown to people, written on exports and cited in case notes,
  so they must survive re-runs. Each new cluster keeps the previous id that
  covers most of its records; merged-away ids stay resolvable through aliases,
  and ids are never reused.

Scale: at a million records the greedy pass is a Python loop, so it runs only
inside the connected components that actually contain a non-match pair; every
other component is final as `scipy.sparse.csgraph` finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from matching.identity_flags import IdentityFlag, distinct_values, identity_flags
from matching.progress import CancelFn, ProgressFn, check_cancel, no_progress

IntArray = npt.NDArray[np.int64]
EventKind = Literal["created", "merged", "split"]

# The greedy loop checks for Cancel once per this many links: often enough to
# answer within a fraction of a second, rarely enough to cost nothing.
_CHUNK = 200_000


@dataclass(frozen=True, slots=True)
class IdentityEvent:
    """How one identity changed relative to the previous assignment.

    Attributes:
        kind: `created` (only records that had no identity before), `merged`
            (`others` were retired into this identity and now alias to it) or
            `split` (this identity took records from `others`, which live on
            elsewhere or were retired elsewhere).
        identity_id: the identity as it is now.
        others: the previous ids involved, ascending.
        record_count: records in `identity_id` now.
    """

    kind: EventKind
    identity_id: int
    others: tuple[int, ...]
    record_count: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """A person's `match` that a person's `non-match` contradicts; not applied.

    Attributes:
        left: record key of the must-link's left record.
        right: record key of the must-link's right record.
        cannot: the non-match pairs (record keys, low first) the must-link would
            have joined, given the must-links applied before it.
    """

    left: int
    right: int
    cannot: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Assignment:
    """Every record's identity, plus what changed since the previous run.

    Attributes:
        record_keys: every record key, ascending (read-only).
        identity_ids: the identity of each record, aligned (read-only).
        next_id: the first id never used; feed it back on the next run.
        aliases: `old_id -> new_id` for ids retired by this run's merges.
        events: `created` ones first (ascending id), then `merged` / `split`
            ones in order of each identity's lowest record key.
        conflicts: contradicting human decisions, by record key.
        flags: identities holding conflicting strong attributes, by id.
    """

    record_keys: IntArray
    identity_ids: IntArray
    next_id: int
    aliases: Mapping[int, int]
    events: tuple[IdentityEvent, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    flags: tuple[IdentityFlag, ...] = ()

    @classmethod
    def restore(
        cls, record_keys: npt.ArrayLike, identity_ids: npt.ArrayLike, *, next_id: int
    ) -> Assignment:
        """Rebuild the previous assignment from what the workspace stored.

        Args:
            record_keys: record keys, any order, unique.
            identity_ids: their identity ids, aligned.
            next_id: the first id never used; must exceed every id.

        Raises:
            ValueError: duplicate keys, misaligned arrays or ids >= `next_id`
                (which would let a later run reuse an id).
        """
        keys = np.asarray(record_keys, dtype=np.int64)
        ids = np.asarray(identity_ids, dtype=np.int64)
        if keys.shape != ids.shape or keys.ndim != 1:
            raise ValueError("record_keys and identity_ids must be aligned 1-d arrays")
        if len(ids) and int(ids.max()) >= next_id:
            raise ValueError(
                f"next_id {next_id} does not exceed the largest identity id "
                f"{int(ids.max())}; pass the stored next_id"
            )
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        _require_unique(keys, "previous record_keys")
        return cls(_frozen(keys), _frozen(ids), int(next_id), {})

    def identity_of(self, record_key: int) -> int:
        """The identity id of one record (KeyError if the key is unknown)."""
        pos = int(np.searchsorted(self.record_keys, record_key))
        if pos == len(self.record_keys) or self.record_keys[pos] != record_key:
            raise KeyError(record_key)
        return int(self.identity_ids[pos])


def resolve_identity(identity_id: int, aliases: Mapping[int, int]) -> int:
    """Follow merge aliases to the identity an old id now lives in.

    Case notes cite ids that later merges retire; resolving keeps them usable.

    Example:
        >>> resolve_identity(3, {3: 7, 7: 9})
        9
    """
    seen = {identity_id}
    while identity_id in aliases:
        identity_id = aliases[identity_id]
        if identity_id in seen:
            raise ValueError(f"alias cycle through identity {identity_id}")
        seen.add(identity_id)
    return identity_id


def cluster(
    record_keys: npt.ArrayLike,
    *,
    link_left: npt.ArrayLike | None = None,
    link_right: npt.ArrayLike | None = None,
    link_weight: npt.ArrayLike | None = None,
    must_left: npt.ArrayLike | None = None,
    must_right: npt.ArrayLike | None = None,
    cannot_left: npt.ArrayLike | None = None,
    cannot_right: npt.ArrayLike | None = None,
    previous: Assignment | None = None,
    person_ids: Mapping[str, npt.ArrayLike] | None = None,
    dob: npt.ArrayLike | None = None,
    max_dob_gap_years: float = 2.0,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Assignment:
    """Cluster records into identities, honouring every human decision.

    Human must-links are applied first (in key order), then automatic links in
    descending weight (ties by keys), each only if it does not join two
    components holding a human non-match pair. A must-link refused that way is
    a contradiction between reviewers and is reported in `conflicts`. The
    result depends only on the inputs as sets, not on their order.

    Args:
        record_keys: every workspace record key (int64, unique, any order).
        link_left: automatic links, left record keys.
        link_right: automatic links, right record keys.
        link_weight: automatic link weights (any monotone score).
        must_left: pairs a person marked `match`, left keys.
        must_right: ... right keys.
        cannot_left: pairs a person marked `non-match`, left keys.
        cannot_right: ... right keys.
        previous: the last assignment (`Assignment.restore` from the store), so
            identity ids stay stable; None on the first run (ids start at 1).
        person_ids: per-record person identifiers aligned with `record_keys`,
            e.g. `{"sid": ..., "fbi_number": ...}`: text (None, "" or NaN is
            missing) or, faster, int codes the store interned (< 0 missing).
        dob: dates aligned with `record_keys`: ISO text (None/"" missing) or,
            faster, `datetime64` (NaT missing).
        max_dob_gap_years: identities whose DOBs lie further apart are flagged.
        on_progress: called as `(stage, done, total)`.
        cancel: polled between batches; raises `Cancelled` when it returns True.

    Returns:
        The new `Assignment`, its events relative to `previous`.

    Raises:
        ValueError: duplicate record keys, links naming unknown records,
            misaligned arrays or NaN weights; the message names the input.

    Example:
        >>> a = cluster([1, 2, 3], link_left=[1, 2], link_right=[2, 3],
        ...             link_weight=[5.0, 1.0], cannot_left=[1], cannot_right=[3])
        >>> a.identity_ids.tolist()
        [1, 1, 2]
    """
    progress = on_progress or no_progress
    order = np.argsort(np.asarray(record_keys, dtype=np.int64), kind="stable")
    keys = np.asarray(record_keys, dtype=np.int64)[order]
    _require_unique(keys, "record_keys")
    n = len(keys)
    ai, aj = _index_pairs(keys, link_left, link_right, "link")
    weight = np.asarray([] if link_weight is None else link_weight, dtype=np.float64)
    if weight.shape != np.asarray([] if link_left is None else link_left).shape:
        raise ValueError("link_weight must be aligned with link_left/link_right")
    if np.isnan(weight).any():
        raise ValueError("link_weight holds NaN; drop unscored pairs before clustering")
    keep = ai != aj
    ai, aj, weight = ai[keep], aj[keep], weight[keep]
    mi, mj = _drop_self(*_index_pairs(keys, must_left, must_right, "must"))
    # A decision recorded twice must not be reported as two conflicts.
    unique_must = distinct_values(mi * max(n, 1) + mj)
    mi, mj = unique_must // max(n, 1), unique_must % max(n, 1)
    ci, cj = _drop_self(*_index_pairs(keys, cannot_left, cannot_right, "cannot"))

    progress("clustering", 0, 2)
    labels, rejected = _components(n, (mi, mj), (ai, aj, weight), (ci, cj), cancel)
    progress("clustering", 1, 2)
    labels = _canonical(labels)
    sizes = np.bincount(labels).astype(np.int64) if n else np.zeros(0, np.int64)
    ids_of_comp, next_id, aliases, events = _stable_ids(labels, sizes, keys, previous)
    flags = identity_flags(
        labels, sizes, ids_of_comp, order, person_ids, dob, max_dob_gap_years
    )
    progress("clustering", 2, 2)
    conflicts = tuple(
        Conflict(
            int(keys[u]),
            int(keys[v]),
            tuple((int(keys[a]), int(keys[b])) for a, b in cs),
        )
        for u, v, cs in rejected
    )
    return Assignment(
        record_keys=_frozen(keys),
        identity_ids=_frozen(ids_of_comp[labels] if n else np.zeros(0, np.int64)),
        next_id=next_id,
        aliases=aliases,
        events=events,
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.left, c.right))),
        flags=flags,
    )


def _frozen(a: IntArray) -> IntArray:
    a = np.ascontiguousarray(a, dtype=np.int64)
    a.setflags(write=False)
    return a


def _require_unique(sorted_keys: IntArray, what: str) -> None:
    dup = sorted_keys[1:] == sorted_keys[:-1]
    if dup.any():
        raise ValueError(
            f"{what} holds {int(dup.sum())} duplicate key(s); keys must be unique"
        )


def _index_pairs(
    keys: IntArray, left: npt.ArrayLike | None, right: npt.ArrayLike | None, what: str
) -> tuple[IntArray, IntArray]:
    """Map key pairs onto positions in `keys` (ascending), low position first."""
    lk = np.asarray([] if left is None else left, dtype=np.int64)
    rk = np.asarray([] if right is None else right, dtype=np.int64)
    if lk.shape != rk.shape or lk.ndim != 1:
        raise ValueError(f"{what}_left and {what}_right must be aligned 1-d arrays")
    pos = _positions(keys, np.concatenate([lk, rk]))
    if (pos < 0).any():
        raise ValueError(
            f"{int((pos < 0).sum())} {what} endpoint(s) name records missing from "
            "record_keys; pass every workspace record"
        )
    li, ri = pos[: len(lk)], pos[len(lk) :]
    return np.minimum(li, ri), np.maximum(li, ri)


def _positions(keys: IntArray, query: IntArray) -> IntArray:
    """Position of each queried key in ascending `keys`; -1 where absent.

    Workspace keys are SQLite rowids, nearly dense, so a lookup table is about
    three times faster than `searchsorted`, whose random probes miss the cache
    at a million keys. Sparse keys fall back to the binary search.
    """
    out = np.full(len(query), -1, dtype=np.int64)
    if len(keys) == 0 or len(query) == 0:
        return out
    lo, hi = int(keys[0]), int(keys[-1])
    inside = (query >= lo) & (query <= hi)
    if hi - lo < 4 * len(keys) + 1024:
        table = np.full(hi - lo + 1, -1, dtype=np.int64)
        table[keys - lo] = np.arange(len(keys))
        out[inside] = table[query[inside] - lo]
    else:
        pos = np.searchsorted(keys, query[inside])
        out[inside] = np.where(keys[pos] == query[inside], pos, -1)
    return out


def _pair_order(i: IntArray, j: IntArray, n: int) -> IntArray:
    """Order pairs by (i, j); one int64 argsort is ~4x faster than lexsort."""
    return np.argsort(i * n + j, kind="stable")


def _drop_self(i: IntArray, j: IntArray) -> tuple[IntArray, IntArray]:
    # A record is always with itself: a self-pair carries no decision.
    keep = i != j
    return i[keep], j[keep]


def _components(
    n: int,
    must: tuple[IntArray, IntArray],
    auto: tuple[IntArray, IntArray, npt.NDArray[np.float64]],
    cannot: tuple[IntArray, IntArray],
    cancel: CancelFn | None,
) -> tuple[IntArray, list[tuple[int, int, list[tuple[int, int]]]]]:
    """Component label per record position, and the refused must-links.

    Greedy order only matters where a non-match pair ends up inside one
    unconstrained component; everywhere else the unconstrained components are
    already the answer, and scipy finds them in C.
    """
    # Imported here, not at module level: keeps GUI start-up light.
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
        connected_components,
    )

    mi, mj = must
    ai, aj, w = auto
    ci, cj = cannot
    rows = np.concatenate([mi, ai])
    cols = np.concatenate([mj, aj])
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
    count, raw = connected_components(graph, directed=False)
    labels = raw.astype(np.int64)
    inside = labels[ci] == labels[cj]
    if not inside.any():
        return labels, []
    hot = np.zeros(count, dtype=bool)
    hot[labels[ci[inside]]] = True
    hot_node = hot[labels]
    nodes = np.flatnonzero(hot_node)
    local = np.full(n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    sm = hot_node[mi]
    m_order = _pair_order(mi[sm], mj[sm], n)
    sa = hot_node[ai]
    a_order = _pair_order(ai[sa], aj[sa], n)
    a_order = a_order[np.argsort(-w[sa][a_order], kind="stable")]
    roots, refused = _greedy(
        len(nodes),
        local[mi[sm][m_order]],
        local[mj[sm][m_order]],
        local[ai[sa][a_order]],
        local[aj[sa][a_order]],
        local[ci[inside]],
        local[cj[inside]],
        cancel,
    )
    labels[nodes] = count + roots
    rejected = [
        (
            int(nodes[u]),
            int(nodes[v]),
            sorted((int(nodes[a]), int(nodes[b])) for a, b in cs),
        )
        for u, v, cs in refused
    ]
    return labels, rejected


def _greedy(
    n: int,
    must_i: IntArray,
    must_j: IntArray,
    auto_i: IntArray,
    auto_j: IntArray,
    cannot_i: IntArray,
    cannot_j: IntArray,
    cancel: CancelFn | None,
) -> tuple[IntArray, list[tuple[int, int, list[tuple[int, int]]]]]:
    """Union-find with cannot-link sets kept per root (local positions)."""
    parent = list(range(n))
    size = [1] * n
    # forbid[root] = roots it may never join; kept symmetric and root-valued.
    forbid: dict[int, set[int]] = {}
    for a, b in zip(cannot_i.tolist(), cannot_j.tolist(), strict=True):
        forbid.setdefault(a, set()).add(b)
        forbid.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = x = parent[parent[x]]
        return x

    def run(left: list[int], right: list[int]) -> list[tuple[int, int]]:
        refused: list[tuple[int, int]] = []
        for a, b in zip(left, right, strict=True):
            # find() inlined: this loop is the hot path at a million records.
            ra = a
            while parent[ra] != ra:
                parent[ra] = ra = parent[parent[ra]]
            rb = b
            while parent[rb] != rb:
                parent[rb] = rb = parent[parent[rb]]
            if ra == rb:
                continue
            fa = forbid.get(ra)
            if fa is not None and rb in fa:
                refused.append((a, b))
                continue
            fb = forbid.get(rb)
            if size[ra] < size[rb]:
                ra, rb, fa, fb = rb, ra, fb, fa
            parent[rb] = ra
            size[ra] += size[rb]
            if fb is not None:
                del forbid[rb]
                for p in fb:
                    other = forbid[p]
                    other.discard(rb)
                    other.add(ra)
                if fa is None:
                    forbid[ra] = fb
                else:
                    fa |= fb
        return refused

    refused_must = run(must_i.tolist(), must_j.tolist())
    # Which non-matches each refused must-link would have broken, judged after
    # all human links: that is the contradiction a reviewer has to resolve.
    between: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, b in zip(cannot_i.tolist(), cannot_j.tolist(), strict=True):
        ra, rb = find(a), find(b)
        between.setdefault((min(ra, rb), max(ra, rb)), []).append((a, b))
    conflicts = []
    for a, b in refused_must:
        ra, rb = find(a), find(b)
        conflicts.append((a, b, between.get((min(ra, rb), max(ra, rb)), [])))
    for start in range(0, len(auto_i), _CHUNK):
        check_cancel(cancel)
        run(
            auto_i[start : start + _CHUNK].tolist(),
            auto_j[start : start + _CHUNK].tolist(),
        )
    roots = np.asarray(parent, dtype=np.int64)
    while True:  # pointer jumping: every record to its root in O(log n) passes
        up = roots[roots]
        if np.array_equal(up, roots):
            break
        roots = up
    return roots, conflicts


def _canonical(labels: IntArray) -> IntArray:
    """Relabel components 0..k-1 in order of their lowest record key."""
    if len(labels) == 0:
        return labels
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    remap = np.empty(len(first), dtype=np.int64)
    remap[np.argsort(first)] = np.arange(len(first))
    return remap[inverse.reshape(-1)]


def _stable_ids(
    labels: IntArray, sizes: IntArray, keys: IntArray, previous: Assignment | None
) -> tuple[IntArray, int, dict[int, int], tuple[IdentityEvent, ...]]:
    """Give each component an id: kept, inherited through a merge, or fresh.

    Ids go to components greedily by overlap (most shared records first, then
    the lowest previous id, then the lowest component), so each component keeps
    the previous id covering most of its records and a split-up id stays with
    the part holding most of it. Previous ids left without a component were
    merged away and alias to the component holding most of their records.
    """
    k = len(sizes)
    next_id = 1 if previous is None else previous.next_id
    comp = np.zeros(0, dtype=np.int64)
    pid = np.zeros(0, dtype=np.int64)
    if previous is not None and len(previous.record_keys) and len(keys):
        # Records no longer in the workspace simply drop out of the overlap.
        pos = _positions(keys, previous.record_keys)
        ok = pos >= 0
        comp, pid = labels[pos[ok]], previous.identity_ids[ok]
    pvals, pinv = np.unique(pid, return_inverse=True)
    base = max(len(pvals), 1)
    uniq, cnt = np.unique(comp * base + pinv.reshape(-1), return_counts=True)
    t_comp, t_p = uniq // base, uniq % base
    comp_deg = np.bincount(t_comp, minlength=k)
    p_deg = np.bincount(t_p, minlength=len(pvals))
    owner = np.full(k, -1, dtype=np.int64)  # previous-id code a component holds
    held = np.full(len(pvals), -1, dtype=np.int64)  # component holding a code
    # An overlap nobody else competes for is settled without the greedy loop.
    iso = (comp_deg[t_comp] == 1) & (p_deg[t_p] == 1)
    owner[t_comp[iso]] = t_p[iso]
    held[t_p[iso]] = t_comp[iso]
    rest = np.flatnonzero(~iso)
    rest = rest[np.lexsort((t_comp[rest], t_p[rest], -cnt[rest]))]
    owner_l, held_l = owner.tolist(), held.tolist()
    for c, p in zip(t_comp[rest].tolist(), t_p[rest].tolist(), strict=True):
        if owner_l[c] < 0 and held_l[p] < 0:
            owner_l[c], held_l[p] = p, c
    owner = np.asarray(owner_l, dtype=np.int64)
    held = np.asarray(held_l, dtype=np.int64)

    ids = np.empty(k, dtype=np.int64)
    kept = owner >= 0
    ids[kept] = pvals[owner[kept]]
    fresh = np.flatnonzero(~kept)  # ascending component = ascending lowest key
    ids[fresh] = next_id + np.arange(len(fresh))
    next_id += len(fresh)

    by_p = np.lexsort((t_comp, -cnt, t_p))
    _, starts = np.unique(t_p[by_p], return_index=True)
    target = t_comp[by_p][starts]  # component holding most of each code
    retired = np.flatnonzero(held < 0)
    aliases = {int(pvals[p]): int(ids[target[p]]) for p in retired}
    retired_into = np.full(len(pvals), -1, dtype=np.int64)
    retired_into[retired] = target[retired]

    events = [
        IdentityEvent("created", int(ids[c]), (), int(sizes[c]))
        for c in np.flatnonzero(comp_deg == 0).tolist()
    ]
    changed = (comp_deg >= 2) | ((comp_deg == 1) & ~kept)
    sel = changed[t_comp]
    groups: dict[int, list[int]] = {}
    for c, p in zip(t_comp[sel].tolist(), t_p[sel].tolist(), strict=True):
        groups.setdefault(c, []).append(p)
    for c, codes in groups.items():
        merged = [p for p in codes if retired_into[p] == c]
        donors = [p for p in codes if p != owner[c] and retired_into[p] != c]
        if merged:
            others = tuple(int(pvals[p]) for p in merged)
            events.append(IdentityEvent("merged", int(ids[c]), others, int(sizes[c])))
        if donors:
            others = tuple(int(pvals[p]) for p in donors)
            events.append(IdentityEvent("split", int(ids[c]), others, int(sizes[c])))
    return ids, next_id, aliases, tuple(events)

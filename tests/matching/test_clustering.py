"""Clustering: human decisions hold, ids stay stable, output is order-free."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.clustering import (
    Assignment,
    Conflict,
    IdentityEvent,
    IdentityFlag,
    cluster,
    resolve_identity,
)
from matching.progress import Cancelled

A, B, C, D, E = 10, 20, 30, 40, 50


def groups(a: Assignment) -> set[frozenset[int]]:
    """The partition of record keys, independent of the ids given to it."""
    out: dict[int, set[int]] = {}
    for key, ident in zip(a.record_keys.tolist(), a.identity_ids.tolist(), strict=True):
        out.setdefault(ident, set()).add(key)
    return {frozenset(g) for g in out.values()}


def ids(a: Assignment) -> dict[int, int]:
    return dict(zip(a.record_keys.tolist(), a.identity_ids.tolist(), strict=True))


# --- human decisions -------------------------------------------------------


@pytest.mark.parametrize(
    ("w_ab", "w_bc", "expected"),
    [
        (0.9, 0.8, {frozenset({A, B}), frozenset({C})}),
        (0.8, 0.9, {frozenset({A}), frozenset({B, C})}),
    ],
)
def test_non_match_splits_a_chain_at_its_weaker_link(w_ab, w_bc, expected):
    """A person said A is not C: the chain A-B-C must break, at its weakest link."""
    a = cluster(
        [A, B, C],
        link_left=[A, B],
        link_right=[B, C],
        link_weight=[w_ab, w_bc],
        cannot_left=[C],
        cannot_right=[A],
    )
    assert groups(a) == expected
    assert a.conflicts == ()


def test_non_match_holds_against_many_strong_links():
    """Even a dense web of strong links cannot pull two separated records together."""
    keys = [A, B, C, D, E]
    left = [A, A, A, B, B, C, D]
    right = [B, C, D, C, E, E, E]
    a = cluster(
        keys,
        link_left=left,
        link_right=right,
        link_weight=[9, 9, 9, 9, 9, 9, 1],
        cannot_left=[A],
        cannot_right=[E],
    )
    assert ids(a)[A] != ids(a)[E]
    assert groups(a) == {frozenset({A, B, C, D}), frozenset({E})}


def test_must_link_joins_records_without_any_automatic_link():
    a = cluster([A, B, C], must_left=[A], must_right=[C])
    assert groups(a) == {frozenset({A, C}), frozenset({B})}


def test_must_link_beats_a_cannot_derived_only_from_automatic_links():
    """Human links go first, so automatic links adapt around them."""
    a = cluster(
        [A, B, C],
        link_left=[A],
        link_right=[B],
        link_weight=[9.0],
        must_left=[B],
        must_right=[C],
        cannot_left=[A],
        cannot_right=[C],
    )
    assert groups(a) == {frozenset({A}), frozenset({B, C})}
    assert a.conflicts == ()


def test_contradicting_human_decisions_are_reported_not_applied():
    """A=B and B=C by one reviewer, A!=C by another: the last must-link is refused."""
    a = cluster(
        [A, B, C],
        must_left=[A, B],
        must_right=[B, C],
        cannot_left=[A],
        cannot_right=[C],
    )
    assert groups(a) == {frozenset({A, B}), frozenset({C})}
    assert a.conflicts == (Conflict(left=B, right=C, cannot=((A, C),)),)


def test_same_pair_marked_match_and_non_match_is_a_conflict():
    a = cluster(
        [A, B], must_left=[B], must_right=[A], cannot_left=[A], cannot_right=[B]
    )
    assert groups(a) == {frozenset({A}), frozenset({B})}
    assert a.conflicts == (Conflict(left=A, right=B, cannot=((A, B),)),)


def test_every_record_has_an_identity_including_singletons():
    a = cluster([5, 3, 1], link_left=[1], link_right=[3], link_weight=[1.0])
    assert a.record_keys.tolist() == [1, 3, 5]
    assert a.identity_ids.tolist() == [1, 1, 2]
    assert a.next_id == 3
    assert not a.identity_ids.flags.writeable


def test_self_pairs_carry_no_decision():
    a = cluster(
        [A, B],
        link_left=[A],
        link_right=[A],
        link_weight=[1.0],
        cannot_left=[B],
        cannot_right=[B],
    )
    assert groups(a) == {frozenset({A}), frozenset({B})}
    assert a.conflicts == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"record_keys": [1, 1]}, "duplicate"),
        ({"link_left": [1], "link_right": [9], "link_weight": [1.0]}, "missing"),
        ({"link_left": [1], "link_right": [2], "link_weight": [np.nan]}, "NaN"),
        ({"link_left": [1], "link_right": [2], "link_weight": [1.0, 2.0]}, "aligned"),
        ({"cannot_left": [1, 2], "cannot_right": [2]}, "aligned"),
    ],
)
def test_bad_input_is_refused_with_a_reason(kwargs, message):
    keys = kwargs.pop("record_keys", [1, 2])
    with pytest.raises(ValueError, match=message):
        cluster(keys, **kwargs)


def test_cancel_stops_the_greedy_pass():
    with pytest.raises(Cancelled):
        cluster(
            [A, B, C],
            link_left=[A],
            link_right=[B],
            link_weight=[1.0],
            cannot_left=[A],
            cannot_right=[B],
            cancel=lambda: True,
        )


def test_progress_is_reported():
    seen = []
    cluster([A, B], on_progress=lambda stage, done, total: seen.append((done, total)))
    assert seen[0] == (0, 2)
    assert seen[-1] == (2, 2)


# --- stable ids ------------------------------------------------------------


def test_incremental_run_keeps_ids_and_new_records_join_them():
    first = cluster([A, B, C], link_left=[A], link_right=[B], link_weight=[5.0])
    old = ids(first)
    second = cluster(
        [A, B, C, D, E],
        link_left=[A, D],
        link_right=[B, C],
        link_weight=[5.0, 4.0],
        previous=first,
    )
    now = ids(second)
    assert now[A] == now[B] == old[A]
    assert now[C] == now[D] == old[C]
    assert now[E] == first.next_id  # a brand-new identity takes a fresh id
    assert second.next_id == first.next_id + 1
    assert second.events == (IdentityEvent("created", now[E], (), 1),)
    assert second.aliases == {}


def test_split_keeps_the_id_with_the_larger_part():
    previous = Assignment.restore([A, B, C, D, E], [7, 7, 7, 7, 9], next_id=12)
    a = cluster(
        [A, B, C, D, E],
        link_left=[A, B],
        link_right=[B, C],
        link_weight=[1.0, 1.0],
        previous=previous,
    )
    assert ids(a) == {A: 7, B: 7, C: 7, D: 12, E: 9}
    assert a.next_id == 13
    assert a.events == (IdentityEvent("split", 12, (7,), 1),)
    assert a.aliases == {}


def test_merge_keeps_the_id_covering_most_records_and_aliases_the_other():
    previous = Assignment.restore([A, B, C, D, E], [7, 7, 9, 9, 9], next_id=10)
    a = cluster(
        [A, B, C, D, E],
        link_left=[A, B, C, D],
        link_right=[B, C, D, E],
        link_weight=[1.0] * 4,
        previous=previous,
    )
    assert set(a.identity_ids.tolist()) == {9}
    assert a.aliases == {7: 9}
    assert a.events == (IdentityEvent("merged", 9, (7,), 5),)
    assert resolve_identity(7, a.aliases) == 9
    assert a.next_id == 10


def test_merge_tie_keeps_the_lowest_id():
    previous = Assignment.restore([A, B, C, D], [8, 8, 5, 5], next_id=9)
    a = cluster(
        [A, B, C, D], must_left=[A, B, C], must_right=[B, C, D], previous=previous
    )
    assert set(a.identity_ids.tolist()) == {5}
    assert a.aliases == {8: 5}


def test_retired_ids_are_never_reused():
    previous = Assignment.restore([A, B], [1, 2], next_id=3)
    merged = cluster([A, B], must_left=[A], must_right=[B], previous=previous)
    assert merged.aliases == {2: 1}
    split = cluster([A, B, C], previous=merged)
    assert ids(split) == {A: 1, B: 3, C: 4}  # id 2 stays retired
    assert split.next_id == 5


def test_an_id_spread_over_components_goes_where_it_has_most_records():
    """Old 1 = {A,B,C,D,E,F,G,H}; now {A,B,C} joins old 2's four records while
    {D..H} stands alone: {D..H} keeps 1 (5 records), the other keeps 2 and
    reports records taken from 1."""
    p1 = [1, 2, 3, 4, 5, 6, 7, 8]
    p2 = [11, 12, 13, 14]
    previous = Assignment.restore(p1 + p2, [1] * 8 + [2] * 4, next_id=3)
    a = cluster(
        p1 + p2,
        must_left=[1, 2, 3, 11, 12, 13, 4, 5, 6, 7],
        must_right=[2, 3, 11, 12, 13, 14, 5, 6, 7, 8],
        previous=previous,
    )
    now = ids(a)
    assert {now[k] for k in [4, 5, 6, 7, 8]} == {1}
    assert {now[k] for k in [1, 2, 3, *p2]} == {2}
    assert a.events == (IdentityEvent("split", 2, (1,), 7),)
    assert a.aliases == {}


def test_an_id_dissolved_into_two_others_aliases_to_the_larger_share():
    """Old 3 = {A,B,C}; A,B join old 1 and C joins old 2: 3 is retired into 1."""
    p1, p2 = [1, 2, 3, 4], [5, 6, 7, 8]
    previous = Assignment.restore(
        [*p1, *p2, A, B, C], [1] * 4 + [2] * 4 + [3] * 3, next_id=4
    )
    a = cluster(
        [*p1, *p2, A, B, C],
        must_left=[1, 2, 3, 4, A, 5, 6, 7, 8],
        must_right=[2, 3, 4, A, B, 6, 7, 8, C],
        previous=previous,
    )
    assert a.aliases == {3: 1}
    assert a.events == (
        IdentityEvent("merged", 1, (3,), 6),
        IdentityEvent("split", 2, (3,), 5),
    )


def test_records_gone_from_the_workspace_drop_out_of_the_overlap():
    previous = Assignment.restore([A, B, C], [4, 4, 4], next_id=5)
    a = cluster([B, C], previous=previous)
    assert ids(a) == {B: 4, C: 5}


def test_restore_refuses_a_next_id_that_would_reuse_ids():
    with pytest.raises(ValueError, match="next_id"):
        Assignment.restore([A], [7], next_id=7)
    with pytest.raises(ValueError, match="duplicate"):
        Assignment.restore([A, A], [1, 2], next_id=3)


def test_identity_of_and_alias_chains():
    a = Assignment.restore([B, A], [2, 1], next_id=3)
    assert a.identity_of(B) == 2
    with pytest.raises(KeyError):
        a.identity_of(C)
    assert resolve_identity(5, {}) == 5
    assert resolve_identity(1, {1: 2, 2: 3}) == 3
    with pytest.raises(ValueError, match="cycle"):
        resolve_identity(1, {1: 2, 2: 1})


# --- flags -----------------------------------------------------------------


def test_flags_conflicting_identifiers_and_distant_dobs_without_values():
    keys = [A, B, C, D, E]
    a = cluster(
        keys,
        must_left=[A, C],
        must_right=[B, D],
        person_ids={
            "sid": ["S1", "S2", "S3", None, "S9"],
            "fbi_number": ["F1", "F1", "", float("nan"), None],
        },
        dob=["1980-01-01", "1983-06-01", "1990-01-01", "1991-12-01", "1950-01-01"],
    )
    by_id = {f.identity_id: f.reasons for f in a.flags}
    assert by_id == {
        ids(a)[A]: ("2 different SID values", "DOBs more than 2 years apart"),
    }
    text = " ".join(r for f in a.flags for r in f.reasons)
    assert "S1" not in text
    assert "1980" not in text


def test_dob_gap_is_a_parameter_and_bad_dates_are_ignored():
    kwargs = {
        "must_left": [A, C],
        "must_right": [B, D],
        "dob": ["1980-01-01", "1981-06-01", float("nan"), "not a date"],
    }
    loose = cluster([A, B, C, D], **kwargs)
    strict = cluster([A, B, C, D], max_dob_gap_years=1.0, **kwargs)
    assert loose.flags == ()
    assert strict.flags == (
        IdentityFlag(ids(strict)[A], ("DOBs more than 1 years apart",)),
    )


def test_flag_attributes_must_align_with_records():
    with pytest.raises(ValueError, match="one value per record"):
        cluster([A, B], must_left=[A], must_right=[B], person_ids={"sid": ["x"]})


# --- properties ------------------------------------------------------------


def reference(keys, links, must, cannot):
    """Plain greedy over explicit member sets: slow, obviously right."""
    comp = {k: frozenset([k]) for k in keys}
    forbidden = {frozenset(p) for p in cannot if p[0] != p[1]}

    def blocked(x, y):
        return any(frozenset((u, v)) in forbidden for u in comp[x] for v in comp[y])

    def join(x, y):
        merged = comp[x] | comp[y]
        for k in merged:
            comp[k] = merged

    refused = set()
    for x, y in sorted({(min(p), max(p)) for p in must if p[0] != p[1]}):
        if comp[x] is not comp[y]:
            if blocked(x, y):
                refused.add((x, y))
            else:
                join(x, y)
    for _, x, y in sorted((-w, min(x, y), max(x, y)) for x, y, w in links):
        if comp[x] is not comp[y] and not blocked(x, y):
            join(x, y)
    return set(comp.values()), refused


@st.composite
def problems(draw):
    # Small keys take the dense lookup table, huge ones the binary search.
    key = st.one_of(st.integers(0, 40), st.integers(-(10**12), 10**12))
    keys = draw(st.lists(key, min_size=1, max_size=14, unique=True))
    idx = st.integers(0, len(keys) - 1)
    pair = st.tuples(idx, idx).map(lambda p: (keys[p[0]], keys[p[1]]))
    links = draw(
        st.lists(st.tuples(pair, st.sampled_from([1.0, 2.0, 3.0])), max_size=30)
    )
    must = draw(st.lists(pair, max_size=4))
    cannot = draw(st.lists(pair, max_size=5))
    return keys, [(x, y, w) for (x, y), w in links], must, cannot


def run(keys, links, must, cannot, previous=None):
    return cluster(
        keys,
        link_left=[x for x, _, _ in links],
        link_right=[y for _, y, _ in links],
        link_weight=[w for _, _, w in links],
        must_left=[x for x, _ in must],
        must_right=[y for _, y in must],
        cannot_left=[x for x, _ in cannot],
        cannot_right=[y for _, y in cannot],
        previous=previous,
    )


@settings(max_examples=300, deadline=None)
@given(problems())
def test_matches_the_plain_greedy_reference(problem):
    """The scipy fast path plus local union-find equals the textbook greedy."""
    keys, links, must, cannot = problem
    a = run(keys, links, must, cannot)
    expected_groups, refused = reference(keys, links, must, cannot)
    assert groups(a) == expected_groups
    assert {(c.left, c.right) for c in a.conflicts} == refused


@settings(max_examples=200, deadline=None)
@given(problems())
def test_non_matches_hold_and_no_allowed_link_is_left_out(problem):
    keys, links, must, cannot = problem
    a = run(keys, links, must, cannot)
    who = ids(a)
    cannot_ids = {frozenset((who[x], who[y])) for x, y in cannot if x != y}
    assert all(len(p) == 2 for p in cannot_ids)  # never inside one identity
    for x, y, _ in links:  # a link left out must be one a non-match forbids
        if who[x] != who[y]:
            assert frozenset((who[x], who[y])) in cannot_ids


@settings(max_examples=200, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_output_does_not_depend_on_input_order(problem, rnd):
    keys, links, must, cannot = problem
    half = set(keys[: len(keys) // 2])
    early = [link for link in links if link[0] in half and link[1] in half]
    previous = run(sorted(half), early, [], [])

    def shuffled(items, flip):
        items = list(items)
        rnd.shuffle(items)
        return [
            (p[1], p[0], *p[2:]) if flip and rnd.random() < 0.5 else p for p in items
        ]

    one = run(keys, links, must, cannot, previous)
    two = run(
        shuffled(keys, False),
        shuffled(links, True),
        shuffled(must, True),
        shuffled(cannot, True),
        previous,
    )
    assert one.record_keys.tolist() == two.record_keys.tolist()
    assert one.identity_ids.tolist() == two.identity_ids.tolist()
    assert (one.next_id, one.aliases) == (two.next_id, two.aliases)
    assert (one.events, one.conflicts, one.flags) == (
        two.events,
        two.conflicts,
        two.flags,
    )


@settings(max_examples=200, deadline=None)
@given(problems(), problems())
def test_ids_stay_stable_and_unique_across_runs(first, second):
    """Unchanged identities keep their id; ids are unique and never reused."""
    keys, links, must, cannot = first
    before = run(keys, links, must, cannot)
    keys2 = sorted(set(keys) | set(second[0]))
    after = run(keys2, links + second[1], must, cannot, previous=before)
    old, new = groups(before), groups(after)
    old_ids, new_ids = ids(before), ids(after)
    for g in old & new:  # identical membership => identical id
        assert {old_ids[k] for k in g} == {new_ids[k] for k in g}
    fresh = set(new_ids.values()) - set(old_ids.values())
    assert all(before.next_id <= i < after.next_id for i in fresh)
    assert len(set(new_ids.values())) == len(new)
    assert not set(after.aliases) & set(new_ids.values())  # retired ids are gone
    for old_id in after.aliases:
        assert resolve_identity(old_id, after.aliases) in set(new_ids.values())


def test_hundred_thousand_records_with_constraints_hold():
    """The vectorised path at scale: every non-match still holds."""
    rng = np.random.default_rng(3)
    n = 100_000
    keys = rng.permutation(n).astype(np.int64) + 1
    left, right = rng.choice(keys, 150_000), rng.choice(keys, 150_000)
    cl, cr = rng.choice(keys, 200), rng.choice(keys, 200)
    a = cluster(
        keys,
        link_left=left,
        link_right=right,
        link_weight=rng.random(150_000),
        cannot_left=cl,
        cannot_right=cr,
    )
    pos = np.searchsorted(a.record_keys, np.stack([cl, cr]))
    same = a.identity_ids[pos[0]] == a.identity_ids[pos[1]]
    assert not (same & (cl != cr)).any()
    assert len(a.identity_ids) == n


def test_empty_workspace_keeps_next_id():
    previous = Assignment.restore([A], [3], next_id=4)
    a = cluster([], previous=previous)
    assert a.identity_ids.tolist() == []
    assert (a.next_id, a.events, a.aliases) == (4, (), {})


def test_flags_accept_interned_codes_and_datetime64_like_text():
    """The store may hand over int codes and dates: same flags, no string work."""
    common = {"must_left": [A, C], "must_right": [B, D]}
    text = cluster(
        [A, B, C, D],
        person_ids={"sid": ["x", "y", "z", None]},
        dob=["1980-01-01", "1980-02-01", "1970-01-01", "1990-01-01"],
        **common,
    )
    typed = cluster(
        [A, B, C, D],
        person_ids={"sid": np.array([0, 1, 2, -1])},
        dob=np.array(
            ["1980-01-01", "1980-02-01", "1970-01-01", "1990-01-01"],
            dtype="datetime64[D]",
        ),
        **common,
    )
    assert typed.flags == text.flags
    assert [f.reasons for f in text.flags] == [
        ("2 different SID values",),
        ("DOBs more than 2 years apart",),
    ]

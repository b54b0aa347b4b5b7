"""The household guard: measured on identifiers, it caps shared evidence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matching.guard import (
    Guard,
    IndexedGuard,
    cap_shared,
    conflict_rates,
    limit_of,
    relative_rate,
)


def test_rate_without_anchors_sends_look_alikes_to_review() -> None:
    """Why: with nothing to measure by, a twin-like pair is neither linked
    nor dropped: odds 3:1 put it in front of a reviewer."""
    r = relative_rate(0.0, 0.0, 0.0)
    assert r == pytest.approx(0.25)
    assert 1 / (1 + 2 ** -limit_of(r)) == pytest.approx(0.75)


def test_rate_falls_to_zero_where_identifiers_disagree_as_often_as_noise() -> None:
    """Why: Febrl has no relatives; SSNs disagree on 3% of one person's
    records, and 3% of look-alikes disagreeing is no evidence of twins."""
    assert relative_rate(14.0, 450.0, 0.03) < 0.002
    assert limit_of(relative_rate(14.0, 450.0, 0.03)) > 9


def test_rate_is_high_where_look_alikes_carry_different_identifiers() -> None:
    """Why: twins and fathers carry their own SID; when most conflicting
    look-alikes disagree on it, the shared facts must not link them."""
    r = relative_rate(30.0, 40.0, 0.02)
    assert 0.6 < r < 0.8
    assert limit_of(r) < 0


def _guard(limits: tuple[float, ...] | None) -> IndexedGuard:
    # Comparisons: 0 first name (level 1 = conflict), 1 surname, 2 dob
    # (level 1 = conflict), 3 SID (level 1 = else, the anchor).
    return IndexedGuard(
        shared=(0, 1, 2),
        conflicts=((0, (1,)), (2, (1,))),
        identifiers=(3,),
        anchors=((3, 1),),
        limits=limits,
    )


def test_cap_follows_the_measured_limit() -> None:
    levels = np.array([[1, 0, 0, -1], [0, 0, 0, -1]], dtype=np.int8)
    base = -10.0
    shared = np.array([[-3.0, 8.0, 12.0, 0.0], [5.0, 8.0, 12.0, 0.0]])
    # Prior cap (no measurement): the conflict cancels the shared evidence.
    c = shared.copy()
    cap_shared(c, levels, _guard(None), base)
    assert base + c[0].sum() == pytest.approx(base)
    # Measured limit of 2 bits: the conflicting pair reaches exactly 2 bits.
    c = shared.copy()
    cap_shared(c, levels, _guard((2.0, 2.0)), base)
    assert base + c[0].sum() == pytest.approx(2.0)
    np.testing.assert_array_equal(c[1], shared[1])  # no conflict, untouched
    # A limit above the pair's own weight changes nothing.
    c = shared.copy()
    cap_shared(c, levels, _guard((30.0, 30.0)), base)
    np.testing.assert_array_equal(c, shared)


def test_a_second_conflict_moves_the_cap_further() -> None:
    """Why: JR vs SR *and* a different birth date is worse than either."""
    levels = np.array([[1, 0, 1, -1]], dtype=np.int8)
    contributions = np.array([[-3.0, 30.0, -7.0, 0.0]])
    cap_shared(contributions, levels, _guard((2.0, 2.0)), -10.0)
    assert -10.0 + contributions.sum() == pytest.approx(2.0 - 7.0)


def test_conflict_rates_use_anchored_look_alikes_only() -> None:
    # Rows: conflicting look-alike with SID disagreeing (x30) or agreeing
    # (x10), a conflicting stranger (weak evidence) and an unanchored one.
    levels = np.array(
        [[1, 0, 0, 1], [1, 0, 0, 0], [1, 2, 2, 1], [1, 0, 0, -1]], dtype=np.int8
    )
    counts = np.array([30.0, 10.0, 500.0, 70.0])
    terms = np.array(
        [[-2.0, 9.0, 12.0, 0.0], [-2.0, 9.0, 12.0, 0.0], [-2.0, -3.0, -3.0, 0.0],
         [-2.0, 9.0, 12.0, 0.0]]
    )  # fmt: skip
    (n_first, r_first), (n_dob, _) = conflict_rates(
        levels, counts, terms, -10.0, _guard(None), {3: 0.02}
    )
    assert n_first == 40.0  # the strangers and the unanchored row do not count
    assert r_first == pytest.approx(relative_rate(30.0, 40.0, 0.02))
    assert n_dob == 0.0


def test_guard_round_trips_json_and_reads_older_models() -> None:
    guard = Guard(
        ("first_name", "last_name"),
        (("first_name", (7, 2)),),
        ("sid",),
        (("sid", 2),),
        limits=(3.5,),
        rates=((40.0, 0.08),),
    )
    again = Guard.from_dict(json.loads(json.dumps(guard.to_dict())))
    assert again == guard
    old = Guard.from_dict({"shared": ["last_name"], "conflicts": [["dob", [5]]]})
    assert old.limits == ()
    assert old.indexed(["dob", "last_name"]).limits is None

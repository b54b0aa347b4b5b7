"""Blocking: a single damaged field never hides a true pair; stats and caps."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from matching.blocking import (
    DEFAULT_RULES,
    BlockingRule,
    block_on,
    blocking_recall,
    generate_candidates,
)
from matching.features import build_features

BASE = {
    "source": "clerk",
    "first_name": "WILLIAM",
    "middle_name": "JAMES",
    "last_name": "GARCIA LOPEZ",
    "dob": "1985-03-04",
    "sex": "M",
    "street": "12 MAIN ST",
    "city": "CHICAGO",
    "zip": "60601",
    "sid": None,
}

# One damaged field each; every variant must still pair with BASE.
VARIANTS = {
    "first name typo": {"first_name": "WILLAIM"},
    "nickname": {"first_name": "BILL"},
    "first name missing": {"first_name": None},
    "surname typo": {"last_name": "GRACIA LOPEZ"},
    "surname first letter": {"last_name": "HARCIA LOPEZ"},
    "one of two surnames": {"last_name": "LOPEZ"},
    "dob typo": {"dob": "1985-03-05"},
    "dob year typo": {"dob": "1958-03-04"},
    "dob day/month swapped": {"dob": "1985-04-03"},
    "dob missing": {"dob": None},
    "names swapped": {"first_name": "GARCIA LOPEZ", "last_name": "WILLIAM"},
    "street typo": {"street": "12 MIAN ST"},
}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.index = np.arange(len(frame), dtype=np.int64) * 10 + 5
    return frame


@pytest.mark.parametrize("damage", sorted(VARIANTS))
def test_single_damaged_field_still_paired(damage: str) -> None:
    """Why: the union of rules exists so that one typo cannot hide a true pair."""
    # Strangers around them make the blocks realistic without sharing keys.
    rng = np.random.default_rng(0)
    strangers = [
        {
            **BASE,
            "first_name": f"NAME{i}",
            "last_name": f"SURNAME{i}",
            "dob": f"19{rng.integers(40, 99)}-0{rng.integers(1, 9)}-2{i % 9}",
            "street": f"{i} OAK AVE",
            "zip": f"6{i:04d}",
        }
        for i in range(40)
    ]
    frame = _frame([BASE, {**BASE, "source": "arrest", **VARIANTS[damage]}, *strangers])
    features = build_features(frame)
    cands = generate_candidates(features)
    pairs = set(
        zip(
            features.keys[cands.left].tolist(),
            features.keys[cands.right].tolist(),
            strict=True,
        )
    )
    assert (5, 15) in pairs


def test_pairs_are_ordered_deduplicated_and_masked() -> None:
    frame = _frame([BASE, {**BASE, "source": "arrest"}, {**BASE, "dob": "1985-03-05"}])
    features = build_features(frame)
    cands = generate_candidates(features)
    assert (cands.left < cands.right).all()
    codes = cands.left.astype(np.int64) * features.n + cands.right
    assert np.unique(codes).size == codes.size
    # The identical pair is produced by many rules; its mask says which.
    first = int(np.flatnonzero((cands.left == 0) & (cands.right == 1))[0])
    produced = [
        DEFAULT_RULES[i].name
        for i in range(len(DEFAULT_RULES))
        if cands.rules[first] >> i & 1
    ]
    assert "dob + first initial" in produced
    assert "surname sound + birth year-month" in produced


def test_rule_stats_count_what_each_rule_adds() -> None:
    frame = _frame(
        [BASE, {**BASE, "dob": "1985-03-05"}, {**BASE, "first_name": "BILL"}]
    )
    features = build_features(frame)
    rules = [
        block_on("dob", "first_initial"),
        block_on("last_phonetic", "birth_decade"),
    ]
    cands = generate_candidates(features, rules)
    first, second = cands.stats
    # dob + initial pairs only 0-2 (W... vs B... differ): records 0 and 2 differ
    # in initial, 0 and 1 in dob; the second rule pairs all three.
    assert (first.pairs, first.new_pairs) == (0, 0)
    assert (second.pairs, second.new_pairs) == (3, 3)
    assert sum(s.new_pairs for s in cands.stats) == len(cands)


def test_oversized_block_is_split_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Why: a cap must never silently drop pairs, nor leak personal values."""
    rows = [
        {
            **BASE,
            "first_name": "JAMES",
            "last_name": "SMITH",
            "dob": f"19{60 + i % 5}-01-0{1 + i % 9}",
        }
        for i in range(30)
    ]
    features = build_features(_frame(rows))
    rule = block_on("last_compact", name="same surname", split_on=("birth_year",))
    with caplog.at_level(logging.WARNING, logger="matching.blocking"):
        cands = generate_candidates(features, [rule], block_cap=10)
    assert cands.warnings[0].rule == "same surname"
    assert cands.warnings[0].block_size == 30
    assert cands.warnings[0].action == "split"
    assert "SMITH" not in caplog.text
    assert "same surname" in caplog.text
    # Split by birth year: 5 blocks of 6 -> 5 * 15 pairs, all within one year.
    assert len(cands) == 75
    assert cands.stats[0].split_blocks == 1

    skipped = generate_candidates(
        features, [block_on("last_compact", split_on=())], block_cap=10
    )
    assert len(skipped) == 0
    assert skipped.warnings[0].action == "skipped"
    assert skipped.stats[0].skipped_blocks == 1


def test_link_only_keeps_cross_source_pairs() -> None:
    frame = _frame([BASE, {**BASE}, {**BASE, "source": "arrest"}])
    features = build_features(frame)
    both = generate_candidates(features)
    across = generate_candidates(features, link_type="link_only")
    assert len(both) == 3
    pairs = sorted(zip(across.left.tolist(), across.right.tolist(), strict=True))
    assert pairs == [(0, 2), (1, 2)]
    with pytest.raises(ValueError, match="link_type"):
        generate_candidates(features, link_type="everything")  # type: ignore[arg-type]


def test_blocking_recall_and_rule_declarations() -> None:
    pairs = (np.array([1, 2, 3]), np.array([2, 3, 4]))
    assert blocking_recall(pairs, (np.array([2, 9]), np.array([1, 8]))) == 0.5
    assert blocking_recall(pairs, (np.array([], dtype=np.int64),) * 2) == 1.0
    with pytest.raises(TypeError, match="own argument"):
        block_on(["dob", "first_initial"])  # type: ignore[arg-type]
    rule = DEFAULT_RULES[3]
    assert BlockingRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
    with pytest.raises(ValueError, match="unknown blocking key"):
        generate_candidates(
            build_features(_frame([BASE, BASE])), [block_on("shoe_size")]
        )


def _paired(frame: pd.DataFrame, rules=None) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    features = build_features(frame)
    cands = generate_candidates(features, rules)
    return set(
        zip(
            features.keys[cands.left].tolist(),
            features.keys[cands.right].tolist(),
            strict=True,
        )
    )


def test_birth_date_is_borrowed_through_a_shared_case_number() -> None:
    """Why: a disposition without a birth date, under a married name, is
    reached through the clerk record of the same case, which has one."""
    clerk_old = {**BASE, "last_name": "GUZMAN", "first_name": "REBECA"}
    clerk_new = {**clerk_old, "last_name": "JIMENEZ", "case_number": "2020CF1"}
    disposition = {
        "source": "disposition",
        "first_name": "REBECA",
        "last_name": "JIMENEZ",
        "case_number": "2020CF1",
    }
    frame = _frame([clerk_old, clerk_new, disposition])
    rule = [r for r in DEFAULT_RULES if r.name == "dob + first initial"]
    assert (5, 25) in _paired(frame, rule)
    # Without the shared case number the disposition has no birth date to meet.
    frame.loc[25, "case_number"] = "2020CF9"
    assert (5, 25) not in _paired(frame, rule)


def test_middle_name_lends_the_first_surname_of_a_split_compound() -> None:
    """Why: "DONALD JOHN ROMERO MORALES" in one field is split as middle name
    JOHN ROMERO, surname MORALES; the person's other records say ROMERO."""
    a = {**BASE, "first_name": "DONALD", "middle_name": None, "last_name": "ROMERO"}
    a["dob"] = "1974-02-10"
    b = {
        "source": "disposition",
        "first_name": "DONALD",
        "middle_name": "JOHN ROMERO",
        "last_name": "MORALES",
    }
    rule = [r for r in DEFAULT_RULES if r.name == "surname part + first name sound"]
    assert (5, 15) in _paired(_frame([a, b]), rule)


def test_name_rules_skip_namesakes_born_decades_apart() -> None:
    """Why: at a million records "same first name and surname" is millions of
    JAMES SMITHs; the rule exists for a damaged birth date, not for them."""
    rows = [
        {**BASE, "dob": "1950-01-01"},
        {**BASE, "dob": "1975-06-01"},
        {**BASE, "dob": None},
        {**BASE, "dob": "1958-01-01"},
    ]
    rule = [r for r in DEFAULT_RULES if r.name == "first name (nickname) + surname"]
    assert rule[0].max_year_gap is not None
    pairs = _paired(_frame(rows), rule)
    assert (5, 15) not in pairs  # 25 years apart
    assert {(5, 25), (15, 25), (5, 35)} <= pairs  # unknown, or within ten years


def test_rule_with_year_gap_round_trips_json() -> None:
    rule = block_on("first_name", "last_name", max_year_gap=7.5, differ_on=("dob",))
    again = BlockingRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again == rule
    # Older settings without the field still load.
    old = {k: v for k, v in rule.to_dict().items() if k != "max_year_gap"}
    assert BlockingRule.from_dict(old).max_year_gap is None

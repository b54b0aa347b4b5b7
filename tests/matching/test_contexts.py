"""The context tree: which node a pair belongs to, where each fact is scored."""

from __future__ import annotations

import numpy as np
import pytest

from matching.contexts import Context, Tree

NAMES = ["first_name", "last_name", "dob"]
# family (surname 0) -> namesake (first name 0) | twin (dob 0), in that order.
TREE = Tree.build(
    [
        Context("family", "last_name", (0,), 0),
        Context("namesake", "first_name", (0,), 1),
        Context("twin", "dob", (0,), 1),
    ],
    NAMES,
)


def test_pairs_go_to_the_first_sibling_that_holds() -> None:
    levels = np.array(
        [
            [0, 0, 0],  # same name, surname, dob: namesake (listed first)
            [1, 0, 0],  # surname and dob: twin
            [1, 0, 1],  # surname only: family
            [0, 1, 0],  # no surname: root, whatever else agrees
        ],
        dtype=np.int8,
    )
    assert TREE.of(levels).tolist() == [2, 3, 1, 0]


def test_a_defining_comparison_is_scored_in_its_parent() -> None:
    """Why: P(surname) P(dob | surname) P(rest | surname, dob) counts each
    fact once; scoring the dob among twins would count it twice."""
    nodes = np.array([0, 1, 2, 3])
    assert TREE.effective(2, nodes).tolist() == [0, 1, 2, 1]  # dob
    assert TREE.effective(0, nodes).tolist() == [0, 1, 1, 3]  # first name
    assert TREE.effective(1, nodes).tolist() == [0, 0, 0, 0]  # surname
    assert not TREE.scored_in(1, 1)
    assert TREE.scored_in(2, 2)


def test_a_chain_is_a_tree_of_single_children() -> None:
    chain = Tree.chain([(1, (0,)), (2, (0,))])
    assert chain.parent == (-1, 0, 1)
    levels = np.array([[0, 0, 0], [0, 0, 1]], dtype=np.int8)
    assert chain.of(levels).tolist() == [2, 1]


def test_a_node_must_follow_its_parent() -> None:
    with pytest.raises(ValueError, match="follow its parent"):
        Tree.build([Context("twin", "dob", (0,), 2)], NAMES)

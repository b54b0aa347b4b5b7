"""Contexts: the conditions under which u is estimated apart, as a tree.

The root (node 0) is "any pair". Each further node is one comparison's
levels holding within its parent: "family" (surnames agree) under the root,
"twin" (birth dates agree) and "namesake" (first names agree) under family.
A pair belongs to the deepest node whose conditions hold along the path;
where two siblings both hold, the one listed first wins. Nodes are listed
parents first, so one pass in order assigns every pair.

A comparison that defines a node is scored in that node's parent for the
pairs under it (the birth date of a twin-like pair is scored among family
pairs), every other comparison in the pair's own node. That is the chain
rule P(surname) P(birth date | surname) P(the rest | surname, birth date),
with the rest taken as independent within the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.guard import in_levels


@dataclass(frozen=True, slots=True)
class Context:
    """A node of the context tree: one comparison's levels, within a parent.

    Attributes:
        name: shown in the model description ("family", "twin").
        comparison: the comparison whose levels define the node.
        levels: the levels that put a pair in the node.
        parent: 1-based index of the parent node, 0 for the root; None for
            the node listed just before (a chain).
    """

    name: str
    comparison: str
    levels: tuple[int, ...]
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class Tree:
    """A context tree as comparison indices (what scoring and EM need).

    Attributes:
        conditions: per node 1..n, (comparison index, levels).
        parent: per node 0..n, its parent (-1 for the root).
    """

    conditions: tuple[tuple[int, tuple[int, ...]], ...]
    parent: tuple[int, ...]

    @classmethod
    def build(cls, contexts: Sequence[Context], names: Sequence[str]) -> Tree:
        names = list(names)
        parent = [-1]
        for i, ctx in enumerate(contexts, start=1):
            p = i - 1 if ctx.parent is None else ctx.parent
            if not 0 <= p < i:
                raise ValueError(f"context {ctx.name!r} must follow its parent")
            parent.append(p)
        conditions = tuple((names.index(c.comparison), c.levels) for c in contexts)
        return cls(conditions, tuple(parent))

    @classmethod
    def chain(cls, conditions: Sequence[tuple[int, tuple[int, ...]]]) -> Tree:
        return cls(tuple(conditions), tuple(range(-1, len(conditions))))

    @property
    def size(self) -> int:
        """Nodes including the root."""
        return len(self.parent)

    def of(self, levels: np.ndarray) -> np.ndarray:
        """Per row, the node it belongs to (int8)."""
        out = np.zeros(levels.shape[0], dtype=np.int8)
        for i, (k, lv) in enumerate(self.conditions, start=1):
            move = (out == self.parent[i]) & in_levels(levels[:, k], lv)
            out[move] = i
        return out

    def own(self, k: int) -> int | None:
        """The first node comparison ``k`` defines, if any."""
        for i, (kk, _) in enumerate(self.conditions, start=1):
            if kk == k:
                return i
        return None

    def under(self, node: int) -> np.ndarray:
        """Per node, whether ``node`` is on its path (itself or an ancestor)."""
        out = np.zeros(self.size, dtype=bool)
        for c in range(self.size):
            a = c
            while a >= 0:
                if a == node:
                    out[c] = True
                    break
                a = self.parent[a]
        return out

    def depth(self, node: int) -> int:
        d = 0
        while node > 0:
            node = self.parent[node]
            d += 1
        return d

    def effective(self, k: int, context: np.ndarray) -> np.ndarray:
        """The node comparison ``k`` is scored in, per pair."""
        own = self.own(k)
        if own is None:
            return context
        return np.where(self.under(own)[context], self.parent[own], context)

    def scored_in(self, k: int, node: int) -> bool:
        """Whether comparison ``k`` is ever scored in ``node``."""
        own = self.own(k)
        return own is None or not bool(self.under(own)[node])

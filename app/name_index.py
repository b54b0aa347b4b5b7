"""Fuzzy name lookup over every distinct name, with no first-letter blocking.

The first search narrowed candidates to surnames sharing the query's first
letter, so "Jsmes Dmith" could never find SMITH, JAMES: a typo in the first
letter of both names is common on hand-keyed court forms. Instead every
distinct (last, first) pair is scored. That stays fast at a million records
because a workspace holds far fewer distinct names than records (about 22,000
surnames, 10,000 given names and 165,000 pairs for 1,000,000 records): each
query scores the two short lists with rapidfuzz and combines them per pair
with numpy. The lists are read once and cached until an import changes them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist

from app.actor import Actor
from app.workspace import names as names_sql
from app.workspace.core import Connection

# Weight of the surname when a given name is also typed: the surname is the
# more reliable of the two in agency files (nicknames change given names).
LAST_WEIGHT = 0.6
CUTOFF = 0.8
ALTERNATIVE = 0.98
_CACHED = 2  # the GUI's workspace, plus one more (a test, the CLI)


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Distinct (last, first) pairs as codes into two lists of unique names.

    Attributes:
        lasts, firsts: the unique surnames and given names ("" for none).
        last_of, first_of: per distinct pair, the code of each part.
    """

    lasts: tuple[str, ...]
    firsts: tuple[str, ...]
    last_of: np.ndarray
    first_of: np.ndarray

    @classmethod
    def build(cls, pairs: list[tuple[str, str | None]]) -> NameIndex:
        lasts = sorted({last for last, _ in pairs})
        firsts = sorted({first or "" for _, first in pairs})
        last_code = {name: i for i, name in enumerate(lasts)}
        first_code = {name: i for i, name in enumerate(firsts)}
        return cls(
            tuple(lasts),
            tuple(firsts),
            np.fromiter((last_code[a] for a, _ in pairs), np.int32, len(pairs)),
            np.fromiter((first_code[b or ""] for _, b in pairs), np.int32, len(pairs)),
        )

    def __len__(self) -> int:
        return int(self.last_of.size)

    def name(self, i: int) -> tuple[str, str | None]:
        first = self.firsts[self.first_of[i]]
        return self.lasts[self.last_of[i]], first or None

    def scores(self, last: str, first: str | None) -> np.ndarray:
        """Similarity (0..1) of every distinct pair to the query's names."""
        if not len(self):
            return np.empty(0, dtype=np.float64)
        by_last = cdist([last], self.lasts, scorer=JaroWinkler.similarity)[0]
        score = by_last[self.last_of].astype(np.float64)
        if first:
            by_first = cdist([first], self.firsts, scorer=JaroWinkler.similarity)[0]
            score = LAST_WEIGHT * score + (1 - LAST_WEIGHT) * by_first[self.first_of]
        return score

    def best(
        self,
        tries: list[tuple[str, str | None]],
        *,
        limit: int,
        cutoff: float = CUTOFF,
    ) -> dict[tuple[str, str | None], float]:
        """The best-scoring names (score 0..100) over every (last, first) try.

        Args:
            tries: readings of the query, the typed one first, e.g.
                ("SMITH", "JAMES") then the swapped ("JAMES", "SMITH").
            limit: how many names to keep.
            cutoff: the lowest similarity (0..1) worth showing.
        """
        top = np.zeros(len(self), dtype=np.float64)
        for n, (last, first) in enumerate(tries):
            # Later readings (names swapped) rank just below the typed one,
            # so "James Smith" lists SMITH, JAMES before JAMES, SMITH.
            factor = 1.0 if n == 0 else ALTERNATIVE
            top = np.maximum(top, factor * self.scores(last, first))
        keep = np.flatnonzero(top >= cutoff)
        # Best first; ties in index (alphabetical) order, so a common surname
        # lists the same 200 people every time.
        keep = keep[np.argsort(-top[keep], kind="stable")][:limit]
        return {self.name(int(i)): round(float(top[i]) * 100, 1) for i in keep}


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, tuple[int, int]], NameIndex] = OrderedDict()


def name_index(conn: Connection) -> NameIndex:
    """The workspace's name index, rebuilt only after an import changed names.

    Shared by every connection to the same file (the GUI's, the merge
    dialog's), hence the lock: a second caller waits for the first build.
    """
    key = (str(conn.path.resolve()), names_sql.names_stamp(conn.conn))
    with _lock:
        index = _cache.get(key)
        if index is not None:
            _cache.move_to_end(key)
            return index
        index = NameIndex.build(list(names_sql.distinct_names(conn.conn)))
        for stale in [k for k in _cache if k[0] == key[0]]:
            del _cache[stale]
        _cache[key] = index
        while len(_cache) > _CACHED:
            _cache.popitem(last=False)
        return index


WARM_FROM_RECORDS = 100_000


def worth_warming(conn: Connection) -> bool:
    """Whether building the index ahead of the first search saves a visible
    pause: below ~100,000 records the build takes a few milliseconds."""
    return names_sql.names_stamp(conn.conn)[1] >= WARM_FROM_RECORDS


def warm(path: Path, *, actor: Actor, **_: object) -> int:
    """Build the index on a worker thread, with its own read-only connection,
    so the first search typed on a million-record workspace is not the one
    that waits for it. Returns the number of distinct names."""
    conn = Connection(path, readonly=True, actor=actor)
    try:
        return len(name_index(conn))
    finally:
        conn.close()

"""The rows a lazy table has listed: every key, data for a bounded window.

The review queue and the ledger can each hold millions of rows. Their models
keep the key of every row listed so far (8 bytes a row, in an ``array``) and
the data of at most ``cache_rows`` of them (Anki's ``DataModel``); a row that
left the cache is read back with its neighbours, since a scrolling view asks
for those next. One class, so the two tables cannot drift apart.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

R = TypeVar("R")


class LoadedRows(Generic[R]):
    """Keys in view order, and a least-recently-used cache of their rows."""

    def __init__(
        self,
        key: Callable[[R], int],
        read: Callable[[Sequence[int]], dict[int, R]],
        *,
        cache_rows: int = 5000,
        around: int = 100,
    ) -> None:
        self._key = key
        self._read = read  # rows by key, for keys that left the cache
        self._cache_rows = cache_rows
        self._around = max(1, min(around, cache_rows // 4))
        self._keys = array("q")
        self._cache: OrderedDict[int, R] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def cached(self) -> int:
        """How many rows' data are held now (never more than ``cache_rows``)."""
        return len(self._cache)

    def clear(self) -> None:
        self._keys = array("q")
        self._cache.clear()

    def extend(self, rows: Iterable[R]) -> None:
        """List these rows after the ones already listed."""
        for row in rows:
            self._keys.append(self._key(row))
            self.remember(row)

    def remember(self, row: R) -> None:
        """Keep (or replace) a row's data as the most recently used."""
        key = self._key(row)
        self._cache[key] = row
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_rows:
            self._cache.popitem(last=False)

    def key(self, index: int) -> int | None:
        return self._keys[index] if 0 <= index < len(self._keys) else None

    def index_of(self, key: int) -> int | None:
        """Position of a listed key (a C-speed scan of the key array)."""
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    def get(self, index: int) -> R | None:
        """The row at ``index``, read back (with its neighbours) on a miss."""
        key = self.key(index)
        if key is None:
            return None
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        lo = max(0, index - self._around)
        hi = min(len(self._keys), index + self._around)
        wanted = [k for k in self._keys[lo:hi] if k not in self._cache]
        found = self._read(wanted)
        for other in wanted:  # the asked-for row last: it stays newest
            if other != key and other in found:
                self.remember(found[other])
        if key in found:
            self.remember(found[key])
        return self._cache.get(key)

"""The workspace's records as the engine's input frame.

One pass over the records table (each pass reads every row's raw text too),
interning each text column chunk by chunk: a million records never sit in
memory as a million Python strings per column, only their distinct values.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np

from app.workspace import pairs as store
from matching.records import STORED_FIELDS

if TYPE_CHECKING:
    import pandas as pd

# The normalised columns the engine compares: every stored field but what
# happened (statute, charge, disposition), which is shown, never compared.
ENGINE_COLUMNS: tuple[str, ...] = tuple(
    f for f in STORED_FIELDS if f not in ("statute", "charge", "disposition")
)


class _Interned:
    """One text column as int32 codes into its distinct values, chunk by chunk."""

    def __init__(self) -> None:
        self.codes: list[np.ndarray] = []
        self.index: dict[Any, int] = {}

    def add(self, values: tuple[Any, ...]) -> None:
        import pandas as pd

        local, uniques = pd.factorize(np.asarray(values, dtype=object))
        seen = self.index
        ids = np.fromiter(
            (seen.setdefault(u, len(seen)) for u in uniques), np.int32, len(uniques)
        )
        self.codes.append(np.append(ids, np.int32(-1))[local])  # -1 picks the -1

    def categorical(self) -> pd.Categorical:
        """As ``pd.Categorical(values)`` would be: categories sorted, None -> -1."""
        import pandas as pd

        distinct = np.asarray(list(self.index), dtype=object)
        categories = pd.Categorical(distinct).categories
        rank = np.append(categories.get_indexer(distinct), -1).astype(np.int32)
        codes = np.concatenate(self.codes) if self.codes else np.zeros(0, np.int32)
        return pd.Categorical.from_codes(rank[codes], categories)  # -1 stays -1


def load_frame(db: sqlite3.Connection) -> pd.DataFrame:
    """The records as the engine wants them, from one pass over the table.

    Text columns are interned chunk by chunk, so a million records never sit
    in memory as a million Python strings per column: only distinct values do.
    """
    import pandas as pd

    names = store.source_names(db)
    text = {name: _Interned() for name in ENGINE_COLUMNS if name != "age"}
    keys: list[np.ndarray] = []
    sources: list[np.ndarray] = []
    ages: list[np.ndarray] = []
    extra: dict[int, str] = {}
    wanted = ("id", "source_id", *ENGINE_COLUMNS, "extra_ids")
    n = 0
    for rows in store.record_chunks(db, wanted):
        offset, n = n, n + len(rows)
        columns = dict(zip(wanted, zip(*rows, strict=True), strict=True))
        keys.append(np.asarray(columns["id"], dtype=np.int64))
        sources.append(np.asarray(columns["source_id"], dtype=np.int64))
        ages.append(
            np.asarray(
                [np.nan if v is None else v for v in columns["age"]], dtype=np.float64
            )
        )
        for name, interned in text.items():
            interned.add(columns[name])
        extra.update((offset + i, e) for i, e in enumerate(columns["extra_ids"]) if e)
    frame: dict[str, Any] = {}
    for name in ENGINE_COLUMNS:
        if name == "age":
            frame[name] = np.concatenate(ages) if ages else np.zeros(0)
        else:
            frame[name] = text[name].categorical()
    source_ids = np.concatenate(sources) if sources else np.zeros(0, np.int64)
    distinct, inverse = np.unique(source_ids, return_inverse=True)
    labels = np.asarray([names[int(i)] for i in distinct], dtype=object)
    frame["source"] = pd.Categorical(labels[inverse.reshape(-1)] if n else [])
    if extra:
        parsed = {i: json.loads(e) for i, e in extra.items()}
        for name in sorted({k for p in parsed.values() for k in p}):
            column: list[Any] = [None] * n
            for i, p in parsed.items():
                column[i] = p.get(name)
            frame[name] = pd.Categorical(column)
    index = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    return pd.DataFrame(frame, index=pd.Index(index, dtype=np.int64))

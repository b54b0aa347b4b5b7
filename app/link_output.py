"""Writing a link run's results: scored pairs and the model's ledger entries.

At a million records a run scores ~3M pairs and makes ~2.5M automatic links.
Nothing here holds a Python object per pair for all pairs at once: pairs and
ledger entries are written in chunks straight from the engine's arrays, and
lookups (the identity of a record, the id of a pair) are searches in sorted
arrays rather than dicts.
"""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import repeat
from typing import Any, cast

import numpy as np

from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.engine import LinkResult
from matching.model import ModelParams
from matching.progress import CancelFn, ProgressFn, check_cancel
from matching.queue import priority

# Pairs (and ledger entries) written per statement batch: bounds the Python
# rows alive at once to tens of MB whatever the number of pairs.
CHUNK = 50_000
LEDGER_CHUNK = 20_000
# From this many pairs, the pairs table's secondary indexes are rebuilt after
# the write instead of updated row by row (see pairs.pair_indexes_deferred).
BULK_PAIRS = 200_000


def level_labels(params: ModelParams, levels: np.ndarray) -> dict[str, str]:
    """{comparison: level label} for one pair, as a reviewer sees it."""
    return {
        comp.name: "missing" if int(lv) < 0 else comp.labels[int(lv)]
        for comp, lv in zip(params.comparisons, levels, strict=True)
    }


class WriteSteps:
    """Progress over the pairs and ledger entries written ("saving"), and Cancel."""

    def __init__(
        self, total: int, on_progress: ProgressFn | None, cancel: CancelFn | None
    ) -> None:
        self.total, self.done = total, 0
        self.on_progress, self.cancel = on_progress, cancel

    def advance(self, count: int) -> None:
        self.done += count
        if self.on_progress is not None:
            self.on_progress("saving", self.done, self.total)
        check_cancel(self.cancel)


def _positions(sorted_keys: np.ndarray, wanted: np.ndarray, what: str) -> np.ndarray:
    """Index of each wanted value in a sorted array; every one must be there."""
    pos = np.searchsorted(sorted_keys, wanted).clip(0, max(sorted_keys.size - 1, 0))
    if wanted.size and (
        sorted_keys.size == 0 or not np.array_equal(sorted_keys[pos], wanted)
    ):
        raise ValueError(f"{what} missing from the workspace")
    return pos


def priorities(result: LinkResult, keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Queue priority per pair, from the identities as they stand before this run."""
    left_ids = ids[_positions(keys, result.left, "record keys")]
    right_ids = ids[_positions(keys, result.right, "record keys")]
    identities, sizes = np.unique(ids, return_counts=True)
    size = sizes.astype(np.float64)
    return priority(
        result.probabilities,
        size[np.searchsorted(identities, left_ids)],
        size[np.searchsorted(identities, right_ids)],
        left_ids == right_ids,
    )


def _blobs(matrix: np.ndarray, dtype: type[np.generic]) -> list[bytes]:
    """Each row's bytes, as ``row.astype(dtype).tobytes()``, in one numpy call."""
    rows = np.ascontiguousarray(matrix, dtype=dtype)
    width = rows.shape[1] * rows.itemsize
    if width == 0:
        return [b""] * rows.shape[0]
    return cast(list[bytes], rows.view(np.dtype((np.void, width))).ravel().tolist())


def write_pairs(
    db: sqlite3.Connection,
    result: LinkResult,
    run_id: int,
    prio: np.ndarray,
    steps: WriteSteps,
) -> None:
    """Upsert every scored pair (a known pair keeps its id), chunk by chunk."""
    n = len(result)
    bulk = store.pair_indexes_deferred(db) if n >= BULK_PAIRS else nullcontext()
    with bulk:
        for start in range(0, n, CHUNK):
            part = slice(start, min(start + CHUNK, n))
            store.upsert_pairs(
                db,
                zip(
                    result.left[part].tolist(),
                    result.right[part].tolist(),
                    repeat(run_id),
                    result.weights[part].tolist(),
                    result.probabilities[part].tolist(),
                    result.bands[part].tolist(),
                    _blobs(result.levels[part], np.int8),
                    _blobs(result.contributions[part], np.float32),
                    result.rules[part].tolist(),
                    prio[part].tolist(),
                    strict=False,  # repeat() is endless
                ),
            )
            steps.advance(part.stop - part.start)
        store.retire_unscored_pairs(db, run_id)


@dataclass(frozen=True, slots=True)
class AutoChanges:
    """Pairs that become, or stop being, automatic links in this run.

    Attributes:
        added: positions into the result, in (left, right) key order.
        removed: (left keys, right keys, pair ids), in (left, right) order.
        base: pair code multiplier (``left * base + right`` orders pairs).
    """

    added: np.ndarray
    removed: tuple[np.ndarray, np.ndarray, np.ndarray]
    base: int

    @property
    def count(self) -> int:
        return int(self.added.size + self.removed[0].size)


def auto_changes(
    result: LinkResult,
    was_left: np.ndarray,
    was_right: np.ndarray,
    was_ids: np.ndarray,
) -> AutoChanges:
    # Record keys are SQLite rowids, so (left, right) packs into one int64.
    arrays = (result.left, result.right, was_left, was_right)
    top = max(int(a.max(initial=0)) for a in arrays)
    base = top + 1
    if base > 3_037_000_499:  # base**2 must stay below 2**63
        raise ValueError("record keys beyond 3e9 are not supported")
    auto = np.flatnonzero(result.bands == "auto")
    now = result.left[auto] * base + result.right[auto]
    order = np.argsort(now, kind="stable")
    auto, now = auto[order], now[order]
    before = was_left * base + was_right
    order = np.argsort(before, kind="stable")
    before = before[order]
    gone = order[~_contains(now, before)]
    return AutoChanges(
        added=auto[~_contains(before, now)],
        removed=(was_left[gone], was_right[gone], was_ids[gone]),
        base=base,
    )


def _contains(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per wanted value: is it in the sorted array?"""
    if sorted_values.size == 0:
        return np.zeros(wanted.shape, dtype=bool)
    pos = np.searchsorted(sorted_values, wanted).clip(0, sorted_values.size - 1)
    return sorted_values[pos] == wanted


def write_auto_ledger(
    conn: Connection,
    result: LinkResult,
    changes: AutoChanges,
    version: str,
    at: str,
    steps: WriteSteps,
) -> tuple[int, int]:
    """Append an entry for each pair that became, or stopped being, an auto link.

    Written a chunk at a time (the chain continues across ``ledger.append``
    calls), so millions of entries never exist as Python objects together.
    """
    if changes.count == 0:
        return 0, 0
    db = conn.conn
    added = changes.added
    pair_ids = np.zeros(0, dtype=np.int64)
    if added.size:
        left, right, ids = store.pair_index(db)
        codes = left * changes.base + right
        wanted = result.left[added] * changes.base + result.right[added]
        pair_ids = ids[_positions(codes, wanted, "scored pairs")]
        del left, right, ids, codes, wanted
    uuid = conn.info("workspace_uuid") or ""
    entries = _AutoEntries(
        result,
        version=version,
        # One dict for every entry: the ledger encodes a shared dict once.
        details={
            "thresholds": {
                "upper": result.thresholds.upper,
                "lower": result.thresholds.lower,
            }
        },
        records=store.record_info_table(db),
    )

    def write(batch: list[ledger.NewEntry]) -> None:
        ledger.append(
            db,
            batch,
            at=at,
            actor="model",
            os_user=conn.actor.os_user,
            workspace_uuid=uuid,
        )
        steps.advance(len(batch))

    for start in range(0, added.size, LEDGER_CHUNK):
        part = slice(start, start + LEDGER_CHUNK)
        write(entries.links(added[part], pair_ids[part]))
    left, right, ids = changes.removed
    for start in range(0, left.size, LEDGER_CHUNK):
        part = slice(start, start + LEDGER_CHUNK)
        write(entries.unlinks(left[part], right[part], ids[part]))
    return int(added.size), int(left.size)


class _AutoEntries:
    """Ledger entries for automatic links and unlinks, a chunk at a time."""

    def __init__(
        self,
        result: LinkResult,
        *,
        version: str,
        details: dict[str, Any],
        records: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        self.result, self.version, self.details = result, version, details
        self.keys, *self.columns = records  # sources, record ids, values hashes
        self.labels: dict[bytes, dict[str, str]] = {}  # per distinct level vector

    def _records(self, keys: np.ndarray) -> list[list[Any]]:
        rows = _positions(self.keys, keys, "record keys")
        return [c[rows].tolist() for c in self.columns]

    def _levels(self, levels: np.ndarray) -> list[dict[str, str]]:
        out = []
        for row in levels:
            key = row.tobytes()
            if key not in self.labels:
                self.labels[key] = level_labels(self.result.params, row)
            out.append(self.labels[key])
        return out

    def links(self, rows: np.ndarray, pair_ids: np.ndarray) -> list[ledger.NewEntry]:
        """Entries for result pairs ``rows`` that became automatic links."""
        r = self.result
        left, right = r.left[rows], r.right[rows]
        return [
            self._entry("auto-link", a, b, lrec, rrec, pid, probability=p, levels=lv)
            for a, b, lrec, rrec, pid, p, lv in zip(
                left.tolist(),
                right.tolist(),
                zip(*self._records(left), strict=True),
                zip(*self._records(right), strict=True),
                pair_ids.tolist(),
                r.probabilities[rows].tolist(),
                self._levels(r.levels[rows]),
                strict=True,
            )
        ]

    def unlinks(
        self, left: np.ndarray, right: np.ndarray, pair_ids: np.ndarray
    ) -> list[ledger.NewEntry]:
        """Entries for pairs that stopped being automatic links."""
        return [
            self._entry("auto-unlink", a, b, lrec, rrec, pid)
            for a, b, lrec, rrec, pid in zip(
                left.tolist(),
                right.tolist(),
                zip(*self._records(left), strict=True),
                zip(*self._records(right), strict=True),
                pair_ids.tolist(),
                strict=True,
            )
        ]

    def _entry(
        self,
        kind: str,
        left_key: int,
        right_key: int,
        left: tuple[str, str, str],
        right: tuple[str, str, str],
        pair_id: int,
        *,
        probability: float | None = None,
        levels: dict[str, str] | None = None,
    ) -> ledger.NewEntry:
        """One model entry; ``left``/``right`` are (source, record id, hash)."""
        return ledger.NewEntry(
            kind=kind,
            left_key=left_key,
            right_key=right_key,
            left_source=left[0],
            left_record_id=left[1],
            right_source=right[0],
            right_record_id=right[1],
            pair_id=pair_id,
            probability=probability,
            levels=levels,
            model_version=self.version,
            details=self.details,
            left_values_hash=left[2],
            right_values_hash=right[2],
        )

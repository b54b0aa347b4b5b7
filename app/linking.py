"""The ``link`` job: score every candidate pair and update the identities.

Every run scores all records against all (new records meet everything), keeps
every human decision (they live in the ledger and train the model), and runs
in one transaction: Cancel or a failure leaves the workspace as it was.
Automatic links and unlinks are ledger entries, with the model's version.

Scale (issue 3): a million records give ~3M scored pairs and ~2.5M automatic
links. Nothing here holds a Python object per pair for all pairs at once:
pairs and ledger entries are written in chunks straight from the engine's
arrays, and lookups (identity of a record, id of a pair) are sorted-array
searches rather than dicts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from app.actor import utc_now
from app.identities import ClusterSummary, recluster
from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.engine import LinkResult, LinkSettings, link_features
from matching.features import Features, build_features
from matching.model import ModelParams
from matching.progress import CancelFn, ProgressFn, check_cancel
from matching.queue import priority

if TYPE_CHECKING:
    import pandas as pd

# Pairs (and ledger entries) written per statement batch: bounds the Python
# rows alive at once to tens of MB whatever the number of pairs.
_CHUNK = 50_000
_LEDGER_CHUNK = 20_000
# From this many pairs, the pairs table's secondary indexes are rebuilt after
# the write instead of updated row by row (see pairs.pair_indexes_deferred).
_BULK_PAIRS = 200_000
# SQLite page cache while the results are written (most of the engine's arrays are
# gone by then, so this stays well below the scoring stage's peak).
_WRITE_CACHE_MB = 256

# The normalised columns the engine compares (not what happened: statute etc.).
ENGINE_COLUMNS: tuple[str, ...] = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "age",
    "sex",
    "race",
    "street",
    "city",
    "state",
    "zip",
    "booking_number",
    "ir_number",
    "sid",
    "fbi_number",
    "case_number",
    "event_date",
)


@dataclass(frozen=True, slots=True)
class LinkSummary:
    run_id: int
    records: int
    candidate_pairs: int
    auto: int
    review: int
    waiting: int
    new_auto_links: int
    auto_unlinks: int
    labels_used: int
    model_version: str
    thresholds: dict[str, float]
    blocking: list[dict[str, Any]]
    warnings: list[str]
    identities: ClusterSummary
    timings: dict[str, float] = field(default_factory=dict)


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
    for rows in store.record_chunks(db, wanted):
        offset = sum(len(k) for k in keys)
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
    n = sum(len(k) for k in keys)
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


def _load_features(
    db: sqlite3.Connection, progress: ProgressFn, cancel: CancelFn | None
) -> tuple[Features, dict[str, float]]:
    """Records to features; the frame is gone by the time this returns."""
    clock = time.perf_counter()
    frame = load_frame(db)
    loaded = time.perf_counter()
    check_cancel(cancel)
    progress("features", 0, 1)
    features = build_features(frame)
    progress("features", 1, 1)
    done = time.perf_counter()
    check_cancel(cancel)
    return features, {
        "load": round(loaded - clock, 3),
        "features": round(done - loaded, 3),
    }


def _labels(db: sqlite3.Connection) -> list[tuple[int, int, bool]]:
    return [
        (d.left_key, d.right_key, d.kind == "match")
        for d in ledger.current_decisions(db)
        if d.kind in ("match", "non-match")
    ]


def _previous_params(db: sqlite3.Connection) -> ModelParams | None:
    data = store.latest_params(db)
    if data is None:
        return None
    try:
        return ModelParams.from_dict(data)
    except (ValueError, KeyError):
        return None  # an older model format: train afresh


def _model_version(run_id: int, params: ModelParams) -> str:
    digest = hashlib.sha256(
        json.dumps(params.to_dict(), sort_keys=True).encode()
    ).hexdigest()
    return f"run{run_id}-{digest[:12]}"


def run_link(
    conn: Connection,
    *,
    settings: LinkSettings | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LinkSummary:
    """Link the workspace; one transaction, so Cancel changes nothing.

    Raises:
        Cancelled: the user stopped it; the workspace is unchanged.
    """
    settings = settings or LinkSettings()
    progress = on_progress or _no_progress
    db = conn.conn
    started = time.perf_counter()
    labels = _labels(db)
    previous = _previous_params(db)
    check_cancel(cancel)
    features, timings = _load_features(db, progress, cancel)
    records = features.n
    result = link_features(
        features,
        settings,
        labels=labels or None,
        previous_params=previous,
        on_progress=on_progress,
        cancel=cancel,
    )
    del features  # hundreds of MB the writing below never reads
    timings.update(result.timings)
    check_cancel(cancel)
    with store.page_cache(db, mb=_WRITE_CACHE_MB), conn.transaction():
        summary = _store_result(
            conn,
            result,
            settings=settings,
            labels=len(labels),
            records=records,
            timings=timings,
            on_progress=on_progress,
            cancel=cancel,
        )
    timings["total"] = round(time.perf_counter() - started, 3)
    return LinkSummary(**{**summary, "timings": timings})


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _store_result(
    conn: Connection,
    result: LinkResult,
    *,
    settings: LinkSettings,
    labels: int,
    records: int,
    timings: dict[str, float],
    on_progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> dict[str, Any]:
    db, actor, at = conn.conn, conn.actor, utc_now()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    run_id = store.start_run(
        db,
        at=at,
        actor=actor.name,
        os_user=actor.os_user,
        settings=json.dumps(settings.to_dict(), default=str),
    )
    version = _model_version(run_id, result.params)
    store.save_params(
        db,
        version=version,
        run_id=run_id,
        at=at,
        params=result.params.to_dict(),
        trained_on={
            "records": records,
            "candidate_pairs": result.candidate_pairs,
            "labels": labels,
        },
    )
    keys, ids = store.identity_assignment(db)
    # Read before the pairs are rewritten: which pairs were automatic links.
    changes = _auto_changes(result, *store.auto_pair_ids(db))
    steps = _Steps(len(result) + changes.count, on_progress, cancel)
    _write_pairs(db, result, run_id, _priorities(result, keys, ids), steps)
    lap("saving")
    new_auto, unlinks = _ledger_auto_changes(conn, result, changes, version, at, steps)
    lap("ledger")
    del keys, ids
    clusters = recluster(
        conn, run_id=run_id, at=at, on_progress=on_progress, cancel=cancel
    )
    lap("clustering")
    thresholds = {"upper": result.thresholds.upper, "lower": result.thresholds.lower}
    auto = int(np.count_nonzero(result.bands == "auto"))
    review = len(result) - auto
    blocking = [_rule_dict(s) for s in result.blocking]
    warnings = [str(w) for w in result.blocking_warnings]
    waiting = store.count_waiting(db)
    store.finish_run(
        db,
        run_id,
        at=utc_now(),
        model_version=version,
        thresholds=thresholds,
        stats={
            "candidate_pairs": result.candidate_pairs,
            "auto": auto,
            "review": review,
            "waiting": waiting,
            "blocking": blocking,
            "warnings": warnings,
            "timings": dict(timings),
        },
    )
    conn.log(
        "link",
        {
            "run_id": run_id,
            "model_version": version,
            "auto": auto,
            "review": review,
            "new_auto_links": new_auto,
            "auto_unlinks": unlinks,
        },
    )
    return {
        "run_id": run_id,
        "records": records,
        "candidate_pairs": result.candidate_pairs,
        "auto": auto,
        "review": review,
        "waiting": waiting,
        "new_auto_links": new_auto,
        "auto_unlinks": unlinks,
        "labels_used": labels,
        "model_version": version,
        "thresholds": thresholds,
        "blocking": blocking,
        "warnings": warnings,
        "identities": clusters,
    }


class _Steps:
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


def _priorities(result: LinkResult, keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
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
    return rows.view(np.dtype((np.void, width))).ravel().tolist()


def _write_pairs(
    db: sqlite3.Connection,
    result: LinkResult,
    run_id: int,
    prio: np.ndarray,
    steps: _Steps,
) -> None:
    """Upsert every scored pair (a known pair keeps its id), chunk by chunk."""
    n = len(result)
    bulk = store.pair_indexes_deferred(db) if n >= _BULK_PAIRS else nullcontext()
    with bulk:
        for start in range(0, n, _CHUNK):
            part = slice(start, min(start + _CHUNK, n))
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
class _AutoChanges:
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


def _auto_changes(
    result: LinkResult,
    was_left: np.ndarray,
    was_right: np.ndarray,
    was_ids: np.ndarray,
) -> _AutoChanges:
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
    return _AutoChanges(
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


def level_labels(params: ModelParams, levels: np.ndarray) -> dict[str, str]:
    """{comparison: level label} for one pair, as a reviewer sees it."""
    return {
        comp.name: "missing" if int(lv) < 0 else comp.labels[int(lv)]
        for comp, lv in zip(params.comparisons, levels, strict=True)
    }


def _rule_dict(stats: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(stats) if is_dataclass(stats) else {"rule": str(stats)}


def _ledger_auto_changes(
    conn: Connection,
    result: LinkResult,
    changes: _AutoChanges,
    version: str,
    at: str,
    steps: _Steps,
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

    for start in range(0, added.size, _LEDGER_CHUNK):
        part = slice(start, start + _LEDGER_CHUNK)
        write(entries.links(added[part], pair_ids[part]))
    left, right, ids = changes.removed
    for start in range(0, left.size, _LEDGER_CHUNK):
        part = slice(start, start + _LEDGER_CHUNK)
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
            ledger.NewEntry(
                kind="auto-link",
                left_key=a,
                right_key=b,
                left_source=ls,
                left_record_id=lr,
                right_source=rs,
                right_record_id=rr,
                pair_id=pid,
                probability=p,
                levels=lv,
                model_version=self.version,
                details=self.details,
                left_values_hash=lh,
                right_values_hash=rh,
            )
            for a, b, (ls, lr, lh), (rs, rr, rh), pid, p, lv in zip(
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
            ledger.NewEntry(
                kind="auto-unlink",
                left_key=a,
                right_key=b,
                left_source=ls,
                left_record_id=lr,
                right_source=rs,
                right_record_id=rr,
                pair_id=pid,
                model_version=self.version,
                details=self.details,
                left_values_hash=lh,
                right_values_hash=rh,
            )
            for a, b, (ls, lr, lh), (rs, rr, rh), pid in zip(
                left.tolist(),
                right.tolist(),
                zip(*self._records(left), strict=True),
                zip(*self._records(right), strict=True),
                pair_ids.tolist(),
                strict=True,
            )
        ]

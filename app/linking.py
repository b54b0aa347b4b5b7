"""The ``link`` job: score every candidate pair and update the identities.

Every run scores all records against all (new records meet everything), keeps
every human decision (they live in the ledger and train the model), and runs
in one transaction: Cancel or a failure leaves the workspace as it was.
Automatic links and unlinks are ledger entries, with the model's version.

Reading the records is :mod:`app.link_input`, writing the results
:mod:`app.link_output`; both are built for a million records (issue 3).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.actor import utc_now
from app.identities import ClusterSummary, recluster
from app.link_input import ENGINE_COLUMNS as ENGINE_COLUMNS
from app.link_input import load_frame
from app.link_output import (
    WriteSteps,
    auto_changes,
    priorities,
    write_auto_ledger,
    write_pairs,
)
from app.link_output import level_labels as level_labels
from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.engine import LinkResult, LinkSettings, link_features
from matching.features import Features, build_features
from matching.model import ModelParams
from matching.progress import CancelFn, ProgressFn, check_cancel

# SQLite page cache while the results are written (the engine's big arrays
# are gone by then, so this stays well below the scoring stage's peak).
_WRITE_CACHE_MB = 256


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
    prio = priorities(result, *store.identity_assignment(db))
    # Read before the pairs are rewritten: which pairs were automatic links.
    changes = auto_changes(result, *store.auto_pair_ids(db))
    steps = WriteSteps(len(result) + changes.count, on_progress, cancel)
    write_pairs(db, result, run_id, prio, steps)
    del prio
    lap("saving")
    new_auto, unlinks = write_auto_ledger(conn, result, changes, version, at, steps)
    lap("ledger")
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


def _rule_dict(stats: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(stats) and not isinstance(stats, type):
        return asdict(stats)
    return {"rule": str(stats)}

"""The ``link`` job: score every candidate pair and update the identities.

Every run scores all records against all (new records meet everything), keeps
every human decision (they live in the ledger and train the model), and runs
in one transaction: Cancel or a failure leaves the workspace as it was.
Automatic links and unlinks are ledger entries, with the model's version.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from app.actor import utc_now
from app.identities import ClusterSummary, recluster
from app.workspace import ledger
from app.workspace import pairs as store
from app.workspace.core import Connection
from matching.engine import LinkResult, LinkSettings, link
from matching.model import ModelParams
from matching.progress import CancelFn, ProgressFn, check_cancel
from matching.queue import priority

if TYPE_CHECKING:
    import pandas as pd

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


def load_frame(db: sqlite3.Connection) -> pd.DataFrame:
    """The records as the engine wants them, one compact column at a time."""
    import pandas as pd

    columns: dict[str, Any] = {}
    keys: list[int] = []
    extra: list[str | None] = []
    wanted = ("id", *ENGINE_COLUMNS, "extra_ids")
    for name, values in store.record_columns(db, wanted):
        if name == "id":
            keys = values
        elif name == "extra_ids":
            extra = values
        elif name == "age":
            columns[name] = np.asarray(
                [np.nan if v is None else v for v in values], dtype=np.float64
            )
        else:
            columns[name] = pd.Categorical(values)
    columns["source"] = pd.Categorical(store.record_sources(db))
    if any(extra):
        parsed = [json.loads(e) if e else {} for e in extra]
        for name in sorted({k for p in parsed for k in p}):
            columns[name] = pd.Categorical([p.get(name) for p in parsed])
    return pd.DataFrame(columns, index=pd.Index(keys, dtype=np.int64))


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
    db = conn.conn
    started = time.perf_counter()
    frame = load_frame(db)
    labels = _labels(db)
    loaded = time.perf_counter() - started
    result = link(
        frame,
        settings,
        labels=labels or None,
        previous_params=_previous_params(db),
        on_progress=on_progress,
        cancel=cancel,
    )
    records = len(frame)
    del frame
    check_cancel(cancel)
    with conn.transaction():
        summary = _store_result(
            conn,
            result,
            settings=settings,
            labels=len(labels),
            records=records,
            on_progress=on_progress,
            cancel=cancel,
        )
    timings = {"load": round(loaded, 3), **dict(result.timings)}
    timings["total"] = round(time.perf_counter() - started, 3)
    return LinkSummary(**{**summary, "timings": timings})


def _store_result(
    conn: Connection,
    result: LinkResult,
    *,
    settings: LinkSettings,
    labels: int,
    records: int,
    on_progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> dict[str, Any]:
    db, actor, at = conn.conn, conn.actor, utc_now()
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
    before = store.existing_pairs(db)
    sizes = _identity_sizes(db)
    keys, ids = store.identity_assignment(db)
    ident = dict(zip(keys.tolist(), ids.tolist(), strict=True))
    left_ids = np.fromiter(
        (ident[k] for k in result.left.tolist()), np.int64, len(result)
    )
    right_ids = np.fromiter(
        (ident[k] for k in result.right.tolist()), np.int64, len(result)
    )
    prio = priority(
        result.probabilities,
        np.fromiter((sizes[i] for i in left_ids.tolist()), np.float64, len(result)),
        np.fromiter((sizes[i] for i in right_ids.tolist()), np.float64, len(result)),
        left_ids == right_ids,
    )
    rows = [
        (
            int(a),
            int(b),
            run_id,
            float(w),
            float(p),
            str(band),
            lv.tobytes(),
            ct.astype(np.float32).tobytes(),
            int(rl),
            float(pr),
        )
        for a, b, w, p, band, lv, ct, rl, pr in zip(
            result.left,
            result.right,
            result.weights,
            result.probabilities,
            result.bands,
            result.levels,
            result.contributions,
            result.rules,
            prio,
            strict=True,
        )
    ]
    for start in range(0, len(rows), 50_000):
        chunk = rows[start : start + 50_000]
        store.upsert_pairs(db, chunk)
        if on_progress is not None:
            on_progress("saving", start + len(chunk), len(rows))
        check_cancel(cancel)
    store.retire_unscored_pairs(db, run_id)
    new_auto, unlinks = _ledger_auto_changes(conn, result, before, version, at)
    clusters = recluster(
        conn, run_id=run_id, at=at, on_progress=on_progress, cancel=cancel
    )
    thresholds = {"upper": result.thresholds.upper, "lower": result.thresholds.lower}
    auto = int(np.sum(result.bands == "auto"))
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
            "timings": dict(result.timings),
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
        "records": len(keys),
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


def level_labels(params: ModelParams, levels: np.ndarray) -> dict[str, str]:
    """{comparison: level label} for one pair, as a reviewer sees it."""
    return {
        comp.name: "missing" if int(lv) < 0 else comp.labels[int(lv)]
        for comp, lv in zip(params.comparisons, levels, strict=True)
    }


def _rule_dict(stats: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(stats) if is_dataclass(stats) else {"rule": str(stats)}


def _identity_sizes(db: sqlite3.Connection) -> dict[int, int]:
    _, ids = store.identity_assignment(db)
    uniq, counts = np.unique(ids, return_counts=True)
    return dict(zip(uniq.tolist(), counts.tolist(), strict=True))


def _ledger_auto_changes(
    conn: Connection,
    result: LinkResult,
    before: dict[tuple[int, int], tuple[int, str]],
    version: str,
    at: str,
) -> tuple[int, int]:
    """Append an entry for each pair that became, or stopped being, an auto link."""
    db = conn.conn
    now_auto = {
        (int(a), int(b)): i
        for i, (a, b) in enumerate(zip(result.left, result.right, strict=True))
        if result.bands[i] == "auto"
    }
    was_auto = {pair for pair, (_, band) in before.items() if band == "auto"}
    added = sorted(set(now_auto) - was_auto)
    removed = sorted(was_auto - set(now_auto))
    if not added and not removed:
        return 0, 0
    info = store.record_info(db, {k for pair in (*added, *removed) for k in pair})
    ids = store.pair_id_map(db, [*added, *removed])
    thresholds = {"upper": result.thresholds.upper, "lower": result.thresholds.lower}
    entries = []
    for pair in added:
        i = now_auto[pair]
        entries.append(
            _auto_entry(
                "auto-link",
                pair,
                info,
                ids,
                version,
                thresholds,
                float(result.probabilities[i]),
                level_labels(result.params, result.levels[i]),
            )
        )
    for pair in removed:
        entries.append(
            _auto_entry("auto-unlink", pair, info, ids, version, thresholds, None, None)
        )
    ledger.append(
        db,
        entries,
        at=at,
        actor="model",
        os_user=conn.actor.os_user,
        workspace_uuid=conn.info("workspace_uuid") or "",
    )
    return len(added), len(removed)


def _auto_entry(
    kind: str,
    pair: tuple[int, int],
    info: dict[int, tuple[str, str, str]],
    ids: dict[tuple[int, int], int],
    version: str,
    thresholds: dict[str, float],
    probability: float | None,
    levels: dict[str, str] | None,
) -> ledger.NewEntry:
    (ls, lr, lh), (rs, rr, rh) = info[pair[0]], info[pair[1]]
    return ledger.NewEntry(
        kind=kind,
        left_key=pair[0],
        right_key=pair[1],
        left_source=ls,
        left_record_id=lr,
        right_source=rs,
        right_record_id=rr,
        pair_id=ids[pair],
        probability=probability,
        levels=levels,
        model_version=version,
        details={"thresholds": thresholds},
        left_values_hash=lh,
        right_values_hash=rh,
    )

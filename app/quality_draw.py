"""Drawing a quality sample: seeded, stratified, into the audit file.

The population is every candidate pair (:mod:`app.quality_population`),
below the lower threshold included. Each stratum gets an equal share of the
sample, drawn without replacement; the whole sample is then shuffled so its
order gives away neither stratum nor score. The same workspace state and
seed give the same sample. Nothing is written to the workspace: the draw
works in the auditor's read-only mode.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.actor import utc_now
from app.audit_file import WAITING, AuditFile, Item, Stratum
from app.errors import UserError
from app.quality_population import (
    BANDS,
    NEAR,
    STRATA,
    Population,
    candidate_population,
)
from app.workspace import pairs as store
from app.workspace.core import Connection
from app.workspace.eligibility_sql import read_snapshot
from matching.estimates import allocate
from matching.progress import CancelFn, ProgressFn

__all__ = ["STRATA", "DrawResult", "candidate_population", "choose", "draw_sample"]


def choose(population: Population, *, size: int, seed: int) -> np.ndarray:
    """Positions of the sampled pairs, in presentation order.

    Simple random sampling without replacement inside each stratum (equal
    allocation, :func:`matching.estimates.allocate`), then one shuffle of
    the whole sample so the order gives away neither stratum nor score.
    """
    rng = np.random.default_rng(seed)
    sizes = allocate(population.sizes(), size)
    chosen: list[np.ndarray] = []
    for h, n in enumerate(sizes):
        members = np.flatnonzero(population.stratum == h)
        chosen.append(np.sort(rng.choice(members, size=n, replace=False)))
    picked = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    return picked[rng.permutation(len(picked))]


# People label every pair of a sample by hand; a few hundred per stratum
# already gives intervals a few points wide.
MAX_SAMPLE = 5_000


@dataclass(frozen=True, slots=True)
class DrawResult:
    sample_id: str
    sample_size: int
    strata: tuple[Stratum, ...]


def _ledger_head(conn: Connection) -> tuple[int, str]:
    row = conn.conn.execute(
        "SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (0, "") if row is None else (int(row[0]), str(row[1]))


def _standing(conn: Connection) -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (left, right): (kind, actor)
        for left, right, kind, actor in conn.conn.execute(
            "SELECT left_key, right_key, kind, actor FROM decision_state"
        )
    }


def draw_sample(
    conn: Connection,
    audit_path: Path,
    *,
    size: int,
    seed: int,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> DrawResult:
    """Draw a stratified sample of ``size`` candidate pairs into the audit file.

    Works on a read-only connection: nothing is written to the workspace.

    Raises:
        UserError: the workspace is not linked, the audit file belongs to
            another workspace or already holds a sample, or ``size`` < 1.
    """
    if size < 1:
        raise UserError("the sample needs at least one pair")
    if size > MAX_SAMPLE:
        raise UserError(
            f"a sample of {size:,} pairs is more than people can label; "
            f"draw at most {MAX_SAMPLE:,}"
        )
    uuid_ = conn.info("workspace_uuid") or ""
    audit = AuditFile.open(audit_path, workspace_uuid=uuid_, create=True)
    try:
        if audit.has_sample():
            raise UserError(
                f"{audit_path.name} already holds a sample; create a new audit "
                "file to draw another"
            )
        # One snapshot: the ledger head recorded is the state every first
        # decision, pair and identity of the sample was read from, even while
        # a reviewer keeps deciding during the draw.
        with read_snapshot(conn.conn):
            seq, head = _ledger_head(conn)
            population = candidate_population(
                conn, on_progress=on_progress, cancel=cancel
            )
            picked = choose(population, size=size, seed=seed)
            sizes = population.sizes()
            sampled = [
                int(np.count_nonzero(population.stratum[picked] == h))
                for h in range(len(STRATA))
            ]
            strata = tuple(
                Stratum(name, label, linked, sizes[h], sampled[h])
                for h, (name, label, linked) in enumerate(STRATA)
            )
            items = _items(conn, population, picked, sizes, sampled)
        sample_id = str(uuid.uuid4())
        audit.write_sample(
            {
                "sample_id": sample_id,
                "workspace_name": conn.path.name,
                "drawn_at": utc_now(),
                "drawn_by": conn.actor.name,
                "drawn_os_user": conn.actor.os_user,
                "seed": str(seed),
                "requested_size": str(size),
                "sample_size": str(len(items)),
                "ledger_seq": str(seq),
                "ledger_head": head,
                "run_id": str(population.run_id),
                "model_version": population.model_version,
                "thresholds": population.thresholds,
                "candidate_pairs": str(len(population.left)),
                "near_threshold": str(NEAR),
            },
            strata,
            items,
        )
        return DrawResult(sample_id, len(items), strata)
    finally:
        audit.close()


def _items(
    conn: Connection,
    population: Population,
    picked: np.ndarray,
    sizes: list[int],
    sampled: list[int],
) -> list[Item]:
    keys = {int(k) for i in picked for k in (population.left[i], population.right[i])}
    info = store.record_info(conn.conn, keys)
    standing = _standing(conn)
    items = []
    for pos, i in enumerate(picked.tolist(), start=1):
        left, right = int(population.left[i]), int(population.right[i])
        h = int(population.stratum[i])
        band = BANDS[int(population.band[i])]
        human = standing.get((left, right))
        linked = bool(population.linked[i])
        if human is not None:
            first, by = human
        elif band == "review" and not linked:
            # Waiting for a person: nobody decided it yet, so it takes no
            # part in agreement (it still counts for precision and recall).
            first, by = WAITING, "nobody"
        elif band == "auto" or not linked:
            first, by = ("match" if linked else "non-match"), "model"
        else:  # no decision on the pair itself: joined through other links
            first, by = "match", "identity"
        pair_id = int(population.pair_id[i])
        items.append(
            Item(
                pos=pos,
                pair_id=None if pair_id < 0 else pair_id,
                left_key=left,
                right_key=right,
                left_source=info[left][0],
                left_record_id=info[left][1],
                right_source=info[right][0],
                right_record_id=info[right][1],
                stratum=STRATA[h][0],
                weight=sizes[h] / sampled[h],
                probability=float(population.probability[i]),
                match_weight=float(population.weight[i]),
                band=band,
                linked=linked,
                first_decision=first,
                first_by=by,
            )
        )
    return items

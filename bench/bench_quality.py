"""Linkage quality on the generated three-agency sample, through the real product.

Imports the clerk, arrest and disposition files, runs `link`, and measures
pairwise precision / recall / F1 of the automatic links alone; then answers
every queued pair from the ground truth through `decide` (a perfect reviewer)
and measures again. Also prints blocking recall, queued pairs per 1,000
records and per-subgroup errors (compound surnames, missing DOB, records
without identifiers), so linkage error does not fall silently on one group.

Targets (issue 3): auto-link precision >= 0.995; F1 after review >= 0.99;
blocking recall >= 0.998.

Usage: .venv/bin/python bench/bench_quality.py [--people 1500] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.actor import Actor
from app.importer import import_file
from app.linking import load_frame, run_link
from app.review import apply_decisions, export_queue
from app.workspace import open_workspace
from app.workspace import records as store
from matching.blocking import DEFAULT_RULES, generate_candidates
from matching.evaluation import (
    blocking_recall,
    pairwise_scores,
    subgroup_scores,
)
from matching.features import build_features

FILES = (
    ("clerk", "clerk.csv"),
    ("arrest", "arrest.csv"),
    ("disposition", "disposition.csv"),
)


def read_truth(folder: Path) -> dict[tuple[str, str], str]:
    with (folder / "truth.csv").open(newline="") as fh:
        return {
            (r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(fh)
        }


def clustering(conn, truth):  # type: ignore[no-untyped-def]
    rows = list(store.iter_identity_rows(conn.conn))
    pred = np.asarray([r[0] for r in rows])
    true = np.asarray([truth[(r[1], r[2])] for r in rows])
    return rows, pred, true


def subgroups(conn, rows):  # type: ignore[no-untyped-def]
    """Per-record traits, aligned with `rows` (source, record id order)."""
    frame = load_frame(conn.conn)
    # Person identifiers only: event numbers (case, booking) never name a person.
    ids = [c for c in ("sid", "fbi_number", "ir_number") if c in frame.columns]
    ids += [c for c in frame.columns if c.startswith("id_")]
    by_key = {(s, r): k for k, s, r in store.iter_record_keys(conn.conn)}
    keys = np.asarray([by_key[(s, r)] for _, s, r in rows])
    f = frame.loc[keys]
    last = f["last_name"].astype(object)
    return {
        "compound surname": last.map(
            lambda v: isinstance(v, str) and " " in v
        ).to_numpy(),
        "missing dob": f["dob"].isna().to_numpy(),
        "no person identifier": np.logical_and.reduce(
            [f[c].isna().to_numpy() for c in ids]
        ),
    }


def report(label: str, pred: np.ndarray, true: np.ndarray) -> None:
    s = pairwise_scores(pred, true)
    print(
        f"{label:<28} precision {s.precision:.4f}  recall {s.recall:.4f}  "
        f"F1 {s.f1:.4f}  (tp {s.tp:,} fp {s.fp:,} fn {s.fn:,})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from app.samples import generate

    work = Path(tempfile.mkdtemp(prefix="rm-quality-"))
    generate(work, people=args.people, seed=args.seed)
    truth = read_truth(work)
    conn = open_workspace(work / "ws.rmws", create=True, actor=Actor("bench", "bench"))
    for source, name in FILES:
        import_file(conn, work / name, source=source, kind=source)
    t0 = time.perf_counter()
    summary = run_link(conn)
    print(
        f"{args.people:,} people, {summary.records:,} records; link "
        f"{time.perf_counter() - t0:.1f}s; "
        f"candidate pairs {summary.candidate_pairs:,}; "
        f"auto {summary.auto:,}; queued {summary.waiting:,} "
        f"({1000 * summary.waiting / summary.records:.1f} per 1,000 records)"
    )
    rows, pred, true = clustering(conn, truth)
    report("automatic links only", pred, true)

    features = build_features(load_frame(conn.conn))
    cands = generate_candidates(features, DEFAULT_RULES)
    by_key = {(s, r): k for k, s, r in store.iter_record_keys(conn.conn)}
    keys = np.asarray([by_key[(s, r)] for _, s, r in rows])
    recall = blocking_recall(
        features.keys[cands.left], features.keys[cands.right], true, record_keys=keys
    )
    print(f"{'blocking recall':<28} {recall:.4f} ({len(cands):,} candidate pairs)")

    queue_file = work / "queue.csv"
    export_queue(conn, queue_file)
    answers = work / "answers.csv"
    with queue_file.open(newline="") as fh, answers.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["pair_id", "decision"])
        for r in csv.DictReader(fh):
            same = (
                truth[(r["left_source"], r["left_record_id"])]
                == truth[(r["right_source"], r["right_record_id"])]
            )
            writer.writerow([r["pair_id"], "match" if same else "non-match"])
    decided = apply_decisions(conn, answers)
    rows, pred, true = clustering(conn, truth)
    report(f"after {decided.applied:,} answers", pred, true)
    for name, mask in subgroups(conn, rows).items():
        s = subgroup_scores(pred, true, mask)
        print(
            f"  {name:<26} {int(mask.sum()):>6,} records  precision "
            f"{s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}"
        )
    conn.close()


if __name__ == "__main__":
    main()

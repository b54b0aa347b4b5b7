"""Link the generated three-agency sample at scale: time, memory and accuracy.

The sample (``app.samples``) is a synthetic county: court clerk rows (one per
charge), arrests and dispositions, with typos, nicknames, swapped and
compound names, married names, aliases, day/month-swapped birth dates, and
look-alikes (twins, fathers and sons at one address, siblings, common names).
It is generated and imported once into ``bench/out``; linking then runs in a
child process so its peak memory is its own.

Target: 1,000,000 records in < 5 minutes and < 3 GB on 2 cores.

Usage: .venv/bin/python bench/bench_link_scale.py [--people 250000]
(about 4 records per person: 250,000 people is about a million records)
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, peak_rss_mb, sample_dir

FIELDS = (
    "first_name", "middle_name", "last_name", "suffix", "dob", "age", "sex", "race",
    "street", "city", "state", "zip", "booking_number", "ir_number", "sid",
    "fbi_number", "case_number", "event_date",
)  # fmt: skip


def load_records(people: int, seed: int) -> Path:
    """Generate, import and pickle (records, truth, groups) once; return the pickle."""
    import sqlite3

    import pandas as pd

    from app.importer import import_file
    from app.workspace import open_workspace

    target = OUT / f"link-{people}-{seed}.pkl"
    if target.exists():
        return target
    folder = sample_dir(people, seed)
    ws = OUT / f"link-{people}-{seed}.rmws"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ws}{suffix}").unlink(missing_ok=True)
    conn = open_workspace(ws, create=True)
    for name in ("clerk", "arrest", "disposition"):
        import_file(conn, folder / f"{name}.csv", source=name, kind=name)
    conn.close()
    db = sqlite3.connect(ws)
    cols = ", ".join(f"r.{c}" for c in FIELDS)
    frame = pd.read_sql_query(
        f"SELECT r.id, s.name AS source, r.record_id, {cols}, r.extra_ids "
        "FROM records r JOIN sources s ON s.id = r.source_id ORDER BY r.id",
        db,
    )
    db.close()
    extra = frame.pop("extra_ids")
    if extra.notna().any():
        ids = pd.DataFrame(
            [json.loads(x) if x else {} for x in extra], index=frame.index
        )
        frame = frame.join(ids)
    truth = pd.read_csv(folder / "truth.csv", dtype=str)
    frame = frame.merge(truth, on=["source", "record_id"], how="left")
    groups = pd.read_csv(
        folder / "people.csv", dtype=str, usecols=["person_id", "group"]
    )
    frame = frame.merge(groups, on="person_id", how="left")
    frame = frame.set_index("id").sort_index()
    frame.index = frame.index.astype(np.int64)
    with target.open("wb") as fh:
        pickle.dump(frame, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return target


def child(path: Path) -> dict[str, object]:
    from bench.bench_febrl import cluster_labels, pairwise
    from matching.engine import link

    with path.open("rb") as fh:
        frame = pickle.load(fh)
    records = frame.drop(columns=["record_id", "person_id", "group"])
    before = peak_rss_mb()
    start = time.perf_counter()
    result = link(records)
    seconds = time.perf_counter() - start
    person = frame["person_id"].to_numpy()
    group = frame["group"].fillna("none").to_numpy()
    pos = np.searchsorted(frame.index.to_numpy(), result.left)
    pos_r = np.searchsorted(frame.index.to_numpy(), result.right)
    auto = result.bands == "auto"
    same = person[pos] == person[pos_r]
    codes = np.unique(person, return_inverse=True)[1]
    labels = cluster_labels(len(frame), pos[auto], pos_r[auto])
    precision, recall, f1 = pairwise(labels, codes)
    wrong = auto & ~same
    by_group: dict[str, int] = {}
    for g in np.concatenate([group[pos[wrong]], group[pos_r[wrong]]]):
        by_group[str(g)] = by_group.get(str(g), 0) + 1
    return {
        "records": len(frame),
        "people": int(np.unique(person).size),
        "seconds": round(seconds, 1),
        "peak_mb": round(peak_rss_mb(), 0),
        "peak_before_mb": round(before, 0),
        "timings": dict(result.timings),
        "candidate_pairs": result.candidate_pairs,
        "kept_pairs": len(result),
        "auto": int(auto.sum()),
        "review": int((~auto).sum()),
        "auto_wrong_pairs": int(wrong.sum()),
        "review_true": int((~auto & same).sum()),
        "wrong_by_group": by_group,
        "cluster_precision": round(precision, 5),
        "cluster_recall": round(recall, 5),
        "cluster_f1": round(f1, 5),
        "upper": result.thresholds.upper,
        "lower": result.thresholds.lower,
        "em_iterations": result.params.trained_on["em_iterations"],
        "warnings": len(result.blocking_warnings),
        "rules": [(s.name, s.pairs, s.new_pairs) for s in result.blocking],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    t0 = time.perf_counter()
    path = load_records(args.people, args.seed)
    print(f"records ready in {time.perf_counter() - t0:.1f}s: {path}")
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    rules = result.pop("rules")
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    for name, pairs, new in rules:
        print(f"   rule {name:<42} pairs {pairs:>11,}  adds {new:>11,}")


if __name__ == "__main__":
    main()

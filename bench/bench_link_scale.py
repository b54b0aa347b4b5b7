"""`recordmatch link` at scale through the product path, and Splink beside it.

The sample (``app.samples``) is a synthetic county: court clerk rows (one per
charge), arrests and dispositions, with typos, nicknames, swapped and compound
names, married names, aliases, day/month-swapped birth dates and look-alikes
(twins, fathers and sons at one address, siblings, common names). It is
generated and imported once into ``bench/out``; every run links a fresh copy of
that imported-but-unlinked workspace with ``app.linking.run_link``: loading from
SQLite, linking, writing pairs, ledger entries and identities in one
transaction. Splink (DuckDB) then links the same records in its own process, so
each tool's peak memory is its own, and both are scored by pairwise F1 of
their clusters against the generator's ``truth.csv``.

Target (issue 3): 1,000,000 records in < 5 minutes and < 3 GB on 2 cores.

Usage: .venv/bin/python bench/bench_link_scale.py [--people 250000] [--no-splink]
       [--splink-memory-limit default --splink-memory-limit 2GB]
(about 4 records per person: 250,000 people is about a million records; each
--splink-memory-limit is one Splink run with that DuckDB memory_limit)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, peak_rss_mb, sample_dir
from bench.splink_model import export_records, run_splink

SOURCES = ("clerk", "arrest", "disposition")


def prepare(people: int, seed: int) -> Path:
    """Generate and import once; return the imported, never-linked workspace.

    Imported again when the schema has changed since (a workspace made by an
    older build would measure the old indexes).
    """
    import fcntl

    from app.importer import import_file
    from app.workspace import open_workspace

    ws = OUT / f"link-{people}-{seed}.rmws"
    OUT.mkdir(parents=True, exist_ok=True)
    # Several people may run this bench at once: one imports, the rest wait.
    with (OUT / f"{ws.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ws.exists() and _runs(ws) == 0 and _schema(ws) == _fresh_schema()):
            folder = sample_dir(people, seed)
            _remove(ws)
            conn = open_workspace(ws, create=True)
            for name in SOURCES:
                import_file(conn, folder / f"{name}.csv", source=name, kind=name)
            conn.close()
        export_records(ws, ws.with_suffix(".parquet"))  # Splink's input
        return ws


def _runs(ws: Path) -> int:
    import sqlite3

    db = sqlite3.connect(ws)
    try:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        db.close()


def _schema(ws: Path) -> list[tuple[str, str, str]]:
    import sqlite3

    db = sqlite3.connect(ws)
    try:
        return db.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        db.close()


def _fresh_schema() -> list[tuple[str, str, str]]:
    import tempfile

    from app.workspace import open_workspace

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "empty.rmws"
        open_workspace(path, create=True).close()
        return _schema(path)


def fresh_copy(ws: Path) -> Path:
    """A copy of the unlinked workspace for one run (named by this process)."""
    target = ws.with_name(f"{ws.stem}-run{os.getpid()}.rmws")
    _remove(target)
    shutil.copyfile(ws, target)
    return target


def _remove(ws: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ws}{suffix}").unlink(missing_ok=True)


def truth_labels(db_path: Path, truth_csv: Path) -> tuple[np.ndarray, np.ndarray]:
    """(record keys, true person per key), in key order."""
    import sqlite3

    import pandas as pd

    db = sqlite3.connect(db_path)
    keys = pd.read_sql_query(
        "SELECT r.id, s.name AS source, r.record_id FROM records r "
        "JOIN sources s ON s.id = r.source_id ORDER BY r.id",
        db,
    )
    db.close()
    truth = pd.read_csv(truth_csv, dtype=str)
    merged = keys.merge(truth, on=["source", "record_id"], how="left")
    person = merged["person_id"].fillna("?" + merged["id"].astype(str))
    return merged["id"].to_numpy(np.int64), person.to_numpy()


class StageMeter:
    """Progress callback that times each stage and samples its peak memory."""

    def __init__(self) -> None:
        self.stage = "start"
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._since = self.started
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self._switch(stage)

    def _switch(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[self.stage] = round(
            self.seconds.get(self.stage, 0.0) + now - self._since, 2
        )
        self.stage, self._since = stage, now

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            rss = _rss_mb()
            if rss > self.peak_mb.get(self.stage, 0.0):
                self.peak_mb[self.stage] = round(rss)

    def close(self) -> None:
        self._switch("done")
        self._stop.set()
        self._thread.join()


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_recordmatch(ws: Path, truth_csv: Path) -> dict[str, Any]:
    """``recordmatch link WS``'s work: run_link on the workspace, then close it."""
    import sqlite3

    from app.linking import run_link
    from app.workspace import open_workspace
    from matching.evaluation import pairwise_scores

    meter = StageMeter()
    start = time.perf_counter()
    conn = open_workspace(ws)
    summary = run_link(conn, on_progress=meter)
    conn.close()  # the WAL checkpoint is part of the job
    seconds = time.perf_counter() - start
    meter.close()
    peak, cpu = peak_rss_mb(), _cpu_seconds()
    db = sqlite3.connect(ws)
    ids = np.fromiter(
        (i for (i,) in db.execute("SELECT identity_id FROM records ORDER BY id")),
        dtype=np.int64,
    )
    db.close()
    _, person = truth_labels(ws, truth_csv)
    scores = pairwise_scores(ids, person)
    t = summary.timings
    engine = sum(t.get(k, 0.0) for k in ENGINE_STAGES)
    return {
        "records": summary.records,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(peak),
        "timings": t,
        "engine_seconds": round(engine, 1),
        "stage_seconds": meter.seconds,
        "stage_peak_mb": meter.peak_mb,
        "candidate_pairs": summary.candidate_pairs,
        "pairs_per_s": round(summary.candidate_pairs / seconds),
        "auto": summary.auto,
        "review": summary.review,
        "identities": summary.identities.identities,
        "precision": round(scores.precision, 5),
        "recall": round(scores.recall, 5),
        "f1": round(scores.f1, 5),
    }


# run_link's stages up to scored pairs in memory: what Splink's run also does.
ENGINE_STAGES = ("load", "features", "blocking", "comparing", "training", "scoring")


def _child(tool: str, ws: Path, truth_csv: Path, *extra: str) -> dict[str, Any]:
    """Run one tool in a fresh process so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", tool, "--ws", str(ws),
         "--truth", str(truth_csv), *extra],
        capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode != 0:
        sys.exit(f"{tool} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print_recordmatch(rm: dict[str, Any]) -> None:
    print(f"Recordmatch: {rm['records']:,} records, "
          f"{rm['candidate_pairs']:,} candidate pairs, "
          f"{rm['pairs_per_s']:,} pairs/s, {rm['auto']:,} auto-linked, "
          f"{rm['review']:,} for review, {rm['identities']:,} identities")  # fmt: skip
    print(f"  {'stage':<12}{'seconds':>9}{'peak MB':>9}   (progress stages)")
    for stage, seconds in rm["stage_seconds"].items():
        peak = rm["stage_peak_mb"].get(stage, "")
        print(f"  {stage:<12}{seconds:>9.1f}{peak:>9}")
    timings = ", ".join(f"{k} {v:.1f}" for k, v in rm["timings"].items())
    print(f"  run_link timings (s): {timings}")
    print(f"  engine (load to scored pairs): {rm['engine_seconds']:.1f} s; "
          f"writing pairs, ledger and identities: "
          f"{rm['seconds'] - rm['engine_seconds']:.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--only-splink", action="store_true")
    parser.add_argument(
        "--splink-memory-limit",
        action="append",
        help="DuckDB memory_limit for a Splink run (e.g. 2.4GB); repeat for "
        "several runs; 'default' is DuckDB's own (80%% of RAM)",
    )
    parser.add_argument("--child", choices=("recordmatch", "splink"))
    parser.add_argument("--ws", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--truth", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "recordmatch":
        print(json.dumps(run_recordmatch(args.ws, args.truth)))
        return
    if args.child == "splink":
        result = run_splink(
            args.ws.with_suffix(".parquet"),
            lambda: truth_labels(args.ws, args.truth),
            memory_limit=args.memory_limit,
        )
        print(json.dumps(result))
        return
    t0 = time.perf_counter()
    ws = prepare(args.people, args.seed)
    truth_csv = sample_dir(args.people, args.seed) / "truth.csv"
    print(f"workspace ready in {time.perf_counter() - t0:.1f}s: {ws}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    results: dict[str, dict[str, Any]] = {}
    if not args.only_splink:
        run = fresh_copy(ws)
        try:
            results["Recordmatch"] = rm = _child("recordmatch", run, truth_csv)
        finally:
            _remove(run)
        _print_recordmatch(rm)
    if not args.no_splink:
        for limit in args.splink_memory_limit or ["default"]:
            extra = [] if limit == "default" else ["--memory-limit", limit]
            name = "Splink" if limit == "default" else f"Splink {limit}"
            results[name] = sp = _child("splink", ws, truth_csv, *extra)
            stages = ", ".join(f"{k} {v:.1f}" for k, v in sp["stage_seconds"].items())
            print(f"{name}: {sp['candidate_pairs']:,} candidate pairs, "
                  f"{sp['pairs_per_s']:,} pairs/s; stages (s): {stages}")  # fmt: skip
    print(f"\n{'':<18}{'seconds':>8}{'cpu s':>8}{'peak MB':>9}{'pairs':>12}"
          f"{'pairs/s':>9}{'precision':>10}{'recall':>8}{'F1':>8}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:<18}{r['seconds']:>8.1f}{r['cpu_seconds']:>8.1f}"
              f"{r['peak_mb']:>9}{r['candidate_pairs']:>12,}{r['pairs_per_s']:>9,}"
              f"{r['precision']:>10.4f}{r['recall']:>8.4f}{r['f1']:>8.4f}")  # fmt: skip
    if "Recordmatch" in results:
        rm = results["Recordmatch"]
        print(
            f"{'Recordmatch engine':<18}{rm['engine_seconds']:>8.1f}"
            "   (load to scored pairs in memory, no writing; same F1)"
        )


if __name__ == "__main__":
    main()

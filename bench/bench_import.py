"""Import about 1,000,000 generated rows and print rows/s and peak memory.

Target (issue 2): >= 30,000 rows/s and < 1 GB peak on a 2-core machine.
The data is generated first, in a separate process, so the import's peak
memory is its own.

Usage: .venv/bin/python bench/bench_import.py [--people 250000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, peak_rss_mb, sample_dir

FILES = (
    ("clerk.csv", "clerk"),
    ("arrest.csv", "arrest"),
    ("disposition.csv", "disposition"),
)


def run_import(folder: Path) -> dict[str, object]:
    from app.importer import import_file
    from app.workspace import open_workspace

    ws = OUT / "bench-import.rmws"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ws}{suffix}").unlink(missing_ok=True)
    conn = open_workspace(ws, create=True)
    per_file = []
    rows = 0
    start = time.perf_counter()
    for name, kind in FILES:
        t0 = time.perf_counter()
        summary = import_file(conn, folder / name, source=kind, kind=kind)
        seconds = time.perf_counter() - t0
        rows += summary.rows_total
        per_file.append(
            {
                "file": name,
                "rows": summary.rows_total,
                "rejected": summary.rows_rejected,
                "seconds": round(seconds, 2),
                "rows_per_s": round(summary.rows_total / seconds),
            }
        )
    seconds = time.perf_counter() - start
    conn.close()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(peak_rss_mb(), 1),
        "files": per_file,
        "workspace_mb": round(ws.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_import(args.child)))
        return
    t0 = time.perf_counter()
    folder = sample_dir(args.people)
    print(f"sample data ready in {time.perf_counter() - t0:.1f}s: {folder}")
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for f in result["files"]:
        print(
            f"  {f['file']:<16} {f['rows']:>9,} rows  {f['seconds']:>7.2f}s  "
            f"{f['rows_per_s']:>8,} rows/s  rejected {f['rejected']:,}"
        )
    print(
        f"total: {result['rows']:,} rows in {result['seconds']}s = "
        f"{result['rows_per_s']:,} rows/s; peak memory {result['peak_mb']} MB; "
        f"workspace {result['workspace_mb']} MB"
    )


if __name__ == "__main__":
    main()

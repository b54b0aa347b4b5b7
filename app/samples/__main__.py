"""Command line: `python -m app.samples OUTDIR --people N --seed S [--xlsx]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.samples.generate import generate


def main(argv: list[str] | None = None) -> int:
    """Generate the sample files and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m app.samples",
        description="Write synthetic clerk, arrest and disposition files with truth.",
        epilog="Example: python -m app.samples /tmp/sample --people 1500 --seed 7",
    )
    parser.add_argument(
        "outdir", type=Path, help="directory to write (created if missing)"
    )
    parser.add_argument("--people", type=int, default=1500, help="population size")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--xlsx", action="store_true", help="write disposition.xlsx instead of .csv"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        files = generate(
            args.outdir, people=args.people, seed=args.seed, xlsx=args.xlsx
        )
    except ValueError as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - started
    for path, rows in (
        (files.clerk, files.clerk_rows),
        (files.arrest, files.arrest_rows),
        (files.disposition, files.disposition_rows),
        (files.truth, files.total_rows),
        (files.charges_truth, files.total_rows),
        (files.people, files.people_count),
    ):
        size = path.stat().st_size / 1e6
        print(f"{path}  {rows:>9,} rows  {size:8.2f} MB")
    print(
        f"{files.total_rows:,} agency records for {files.people_count:,} people"
        f" in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

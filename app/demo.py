"""Build the demo workspace from the bundled sample files (``make demo``).

Run as ``python -m app.demo WS``. An existing demo workspace is reused, so a
second ``make demo`` opens the same data with its decisions. It is linked once,
here, so the review queue is full when the workstation opens; a later
``make demo`` does not link again (that would be a new run the reviewer did
not ask for).
"""

from __future__ import annotations

import argparse
import sys
from importlib.resources import as_file, files
from pathlib import Path

from app.importer import import_file
from app.linking import run_link
from app.summary import workspace_summary
from app.workspace import open_workspace
from app.workspace import pairs as runs
from app.workspace import records as store

SAMPLE_FILES = (
    ("clerk.csv", "clerk", "clerk"),
    ("arrest.csv", "arrest", "arrest"),
    ("disposition.csv", "disposition", "disposition"),
)


def build_demo(path: Path) -> list[str]:
    """Create the workspace, import the sample files and link, if not done yet."""
    conn = open_workspace(path, create=True)
    try:
        sample = files("resources") / "sample"
        for name, source, kind in SAMPLE_FILES:
            if store.get_source(conn.conn, source) is not None:
                continue
            with as_file(sample / name) as file:
                import_file(conn, file, source=source, kind=kind)
        linked: list[str] = []
        if runs.latest_run(conn.conn) is None:
            summary = run_link(conn)
            linked.append(
                f"  linked: {summary.auto:,} pairs auto-linked, "
                f"{summary.waiting:,} waiting for review"
            )
        return workspace_summary(conn) + linked
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.demo")
    parser.add_argument("workspace", type=Path)
    args = parser.parse_args(argv)
    for line in build_demo(args.workspace):
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()

"""Build the demo workspace from the bundled sample files (``make demo``).

Run as ``python -m app.demo WS``. An existing demo workspace is reused, so a
second ``make demo`` opens the same data with its decisions.
"""

from __future__ import annotations

import argparse
import sys
from importlib.resources import as_file, files
from pathlib import Path

from app.importer import import_file
from app.summary import workspace_summary
from app.workspace import open_workspace
from app.workspace import records as store

SAMPLE_FILES = (
    ("clerk.csv", "clerk", "clerk"),
    ("arrest.csv", "arrest", "arrest"),
    ("disposition.csv", "disposition", "disposition"),
)


def build_demo(path: Path) -> list[str]:
    """Create the workspace and import the sample files if not done yet."""
    conn = open_workspace(path, create=True)
    try:
        sample = files("resources") / "sample"
        for name, source, kind in SAMPLE_FILES:
            if store.get_source(conn.conn, source) is not None:
                continue
            with as_file(sample / name) as file:
                import_file(conn, file, source=source, kind=kind)
        return workspace_summary(conn)
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

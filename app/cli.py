"""The ``recordmatch`` command: a thin shell over the same core the GUI calls.

Each command opens the workspace, calls one use case in ``app`` and prints
what happened. The commands live in ``cli_workspace``, ``cli_review`` and
``cli_audit``; importing them registers them on the group.
"""

from __future__ import annotations

from collections.abc import Sequence

from app import cli_audit, cli_review, cli_workspace
from app.cli_base import cli

__all__ = ["cli", "cli_audit", "cli_review", "cli_workspace", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="recordmatch")

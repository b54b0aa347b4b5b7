"""The ``recordmatch`` console command: the CLI, plus ``gui`` for the workstation.

``app.cli`` cannot know about the GUI (``app`` never imports ``ui``), so the
entry point lives here: it adds a ``gui`` command to the same click group
and opens the workstation when ``recordmatch`` runs with no arguments or
with just a workspace file. PySide6 is imported only inside ``gui``, so
every other command starts as fast, and as headless, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from app.cli import cli

AUDIT = "--audit"


@cli.command("gui")
@click.argument("ws", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--audit", is_flag=True, help="Open read-only: see everything, change nothing."
)
def gui(ws: Path | None, audit: bool) -> None:
    """Open the workstation, on workspace WS if given.

    `recordmatch` alone, or `recordmatch WS`, does the same.

    Example: recordmatch gui cases.rmws --audit
    """
    from ui.main import main as gui_main

    args = [str(ws)] if ws is not None else []
    sys.exit(gui_main(args + ([AUDIT] if audit else [])))


def wants_gui(args: Sequence[str]) -> bool:
    """No arguments, or only a workspace path (and perhaps --audit)."""
    rest = [a for a in args if a != AUDIT]
    if not rest:
        return True
    return (
        len(rest) == 1 and not rest[0].startswith("-") and rest[0] not in cli.commands
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point of ``recordmatch``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_gui(args):
        args = ["gui", *args]
    cli.main(args=args, prog_name="recordmatch")

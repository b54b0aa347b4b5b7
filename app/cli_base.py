"""The ``recordmatch`` group and what every command shares.

A ``UserError`` becomes one line on stderr and exit status 1; Cancel or
Ctrl+C says the workspace was not changed; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from app.errors import UserError
from matching.progress import Cancelled

F = TypeVar("F", bound=Callable[..., Any])

WS_ARG = click.argument("ws", type=click.Path(dir_okay=False, path_type=Path))


def reviewer_option(fn: F) -> F:
    return click.option(
        "--reviewer",
        metavar="NAME",
        help="Your name as recorded in the workspace log (default: your login).",
    )(fn)


def user_errors(fn: F) -> F:
    """Turn expected failures into a one-line message and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        except (Cancelled, KeyboardInterrupt):
            click.echo("cancelled; the workspace was not changed", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="recordmatch")
def cli() -> None:
    """Match people across agency exports and keep confirmed identities.

    A workspace (WS) is one SQLite file holding the imported records, the
    links between them and every decision. Start with `recordmatch init WS`.
    """


class StageBar:
    """One click progress bar per engine stage, on stderr so stdout stays clean."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(
                length=max(total, 1), label=f"{stage:<10}", file=sys.stderr
            )
            self.bar.__enter__()
        if self.bar is not None and total:
            self.bar.length = total
            self.bar.update(max(done - self.done, 0))
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 decision', '2 decisions', '1 person', '3 people'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"

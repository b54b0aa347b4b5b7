"""Progress reporting and cooperative cancellation for long pure computations.

Matching code must not know about Qt or threads, yet the GUI has to show a
progress bar and offer Cancel. So long functions take two optional plain
callables: `on_progress(stage, done, total)` and `cancel()` (True once the user
asked to stop), the pattern of Orange's `TaskState`.
"""

from __future__ import annotations

from typing import Protocol


class ProgressFn(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


class CancelFn(Protocol):
    def __call__(self) -> bool: ...


class Cancelled(Exception):
    """Raised inside a job when the user asked it to stop; callers roll back."""


def no_progress(stage: str, done: int, total: int) -> None:
    """Default `on_progress`: report nothing."""


def never_cancel() -> bool:
    """Default `cancel`: never asked to stop."""
    return False


def check_cancel(cancel: CancelFn | None) -> None:
    """Raise `Cancelled` if the user asked to stop.

    Call between batches, never per row: the check is cheap but the batch is
    the unit we can abandon cleanly.
    """
    if cancel is not None and cancel():
        raise Cancelled

"""Threshold overrides for a link run, checked once for the CLI and the Run page.

The model chooses its own band limits (``matching.engine.choose_thresholds``);
an office may want a stricter auto-link limit for a sensitive clear-out, or
fewer pairs in the queue. Both ``recordmatch link --upper --lower`` and the
Run page go through :func:`check_overrides`, so a value the CLI refuses the
GUI refuses too, with the same words. The Run page remembers the last
overrides in the workspace (they belong to its data, not to one PC), with
the run they were used for, so a report can say which limits a person set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.errors import UserError
from app.linking import LinkSummary, run_link
from app.settings_log import log_change
from app.workspace.core import Connection
from matching.engine import LinkSettings
from matching.progress import CancelFn, ProgressFn

INFO_KEY = "run_page_thresholds"


@dataclass(frozen=True, slots=True)
class ThresholdOverrides:
    """Band limits set by a person; None leaves that one to the model.

    Attributes:
        upper: probability at or above which pairs are linked automatically.
        lower: probability below which pairs are dropped (not queued).
        run_id: the run these were last used for (None before any run).
    """

    upper: float | None = None
    lower: float | None = None
    run_id: int | None = None

    @property
    def empty(self) -> bool:
        return self.upper is None and self.lower is None

    def settings(self) -> LinkSettings:
        return LinkSettings(upper_threshold=self.upper, lower_threshold=self.lower)

    def to_json(self) -> str:
        return json.dumps(
            {"upper": self.upper, "lower": self.lower, "run": self.run_id}
        )

    @classmethod
    def from_json(cls, text: str) -> ThresholdOverrides:
        data = json.loads(text)
        return check_overrides(
            data.get("upper"), data.get("lower"), run_id=data.get("run")
        )


def check_overrides(
    upper: float | None, lower: float | None, *, run_id: int | None = None
) -> ThresholdOverrides:
    """Overrides, once they make sense: 0 < lower < upper < 1.

    Raises:
        UserError: saying which value is wrong and what would be right.
    """
    for name, value in (("upper", upper), ("lower", lower)):
        if value is not None and not 0.0 < value < 1.0:
            raise UserError(
                f"The {name} threshold must be a probability between 0 and 1 "
                f"(exclusive), e.g. 0.95; {value:g} is not."
            )
    if upper is not None and lower is not None and not lower < upper:
        raise UserError(
            f"The lower threshold ({lower:g}) must be below the upper one "
            f"({upper:g}): pairs between them are the ones queued for review."
        )
    return ThresholdOverrides(upper, lower, run_id)


def saved_overrides(conn: Connection) -> ThresholdOverrides:
    """The overrides the Run page used last in this workspace (none if unset)."""
    text = conn.info(INFO_KEY)
    if not text:
        return ThresholdOverrides()
    try:
        return ThresholdOverrides.from_json(text)
    except (ValueError, UserError, AttributeError):
        return ThresholdOverrides()  # unreadable: the model's own, as before


def save_overrides(conn: Connection, overrides: ThresholdOverrides) -> None:
    """Remember the overrides (and their run) in the workspace, in one
    transaction with the settings-log entry when the values changed."""
    before = saved_overrides(conn)
    with conn.transaction():
        conn.set_info(INFO_KEY, overrides.to_json())
        if (before.upper, before.lower) != (overrides.upper, overrides.lower):
            log_change(
                conn,
                "link_thresholds",
                _logged(before),
                _logged(overrides),
            )


def _logged(overrides: ThresholdOverrides) -> dict[str, float | None] | None:
    if overrides.empty:
        return None
    return {"upper": overrides.upper, "lower": overrides.lower}


def link_with_overrides(
    conn: Connection,
    overrides: ThresholdOverrides,
    *,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LinkSummary:
    """Link with these overrides, then remember them with the run's id.

    They are saved only after the run committed: a cancelled or failed run
    leaves the workspace exactly as it was, remembered values included.
    """
    summary = run_link(
        conn, settings=overrides.settings(), on_progress=on_progress, cancel=cancel
    )
    if not (overrides.empty and saved_overrides(conn).empty):
        save_overrides(
            conn, ThresholdOverrides(overrides.upper, overrides.lower, summary.run_id)
        )
    return summary

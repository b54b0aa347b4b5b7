"""Changes of the settings that bear on decisions, in the workspace log.

An auditor asks "who was deciding, and did they see the model's score?". So
the workspace log records, with who and when:

* the reviewer's name (every ledger entry carries it, so a change of name is
  a change of who is accountable for what follows);
* hiding the model's score while reviewing (a reviewer who sees 0.97 tends
  to agree with it; whether the score was shown is part of the evidence);
* which of these were in force when the workstation opened the workspace,
  so the log answers for the time before the first change too.

Larger font and high contrast are not logged: they change how the same
evidence is drawn, not what is shown, and a file that travels between
offices should not record a member of staff's eyesight.

Link threshold overrides (``link_thresholds``: ``{"upper": p, "lower": p}``
or None for the model's own) decide which pairs nobody looks at, so a change
is logged too; ``recordmatch link --upper/--lower`` also stores them with
each run (``runs.settings``) and in every automatic link's ledger entry.

The log holds names and switches, never a record's values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.workspace import ledger_sql as sql
from app.workspace.core import Connection, WorkspaceError

ACTION = "settings"
AUDITED: dict[str, tuple[type, ...]] = {
    "reviewer_name": (str,),
    "hide_model_score": (bool,),
    "link_thresholds": (dict, type(None)),
}


def _check(name: str, value: Any) -> None:
    if name not in AUDITED:
        raise ValueError(f"{name!r} is not a setting the workspace log records")
    if not isinstance(value, AUDITED[name]):
        kinds = " or ".join(t.__name__ for t in AUDITED[name])
        raise TypeError(f"{name} must be {kinds}")


def _write(conn: Connection, details: dict[str, Any]) -> None:
    if conn.readonly:
        raise WorkspaceError(
            f"{conn.path.name} is open read-only; settings changes are not logged."
        )
    with conn.transaction():
        conn.log(ACTION, details)


def log_change(conn: Connection, name: str, old: Any, new: Any) -> None:
    """Record that ``name`` went from ``old`` to ``new`` (by ``conn.actor``).

    Inside a caller's transaction it becomes part of it (a savepoint), so a
    change and its log entry are written together or not at all.

    Raises:
        WorkspaceError: the workspace is open read-only (audit mode).
    """
    _check(name, old)
    _check(name, new)
    _write(conn, {"setting": name, "from": old, "to": new})


def log_in_force(conn: Connection, values: dict[str, Any]) -> None:
    """Record the audited settings in force as a person starts working."""
    for name, value in values.items():
        _check(name, value)
    _write(conn, {"in_force": dict(sorted(values.items()))})


@dataclass(frozen=True, slots=True)
class SettingsEntry:
    at: str
    actor: str
    os_user: str
    details: dict[str, Any]

    @property
    def text(self) -> str:
        """One line for a person: what changed, or what was in force."""
        d = self.details
        if "setting" in d:
            return f"{d['setting']}: {d['from']!r} -> {d['to']!r}"
        shown = ", ".join(f"{k} {v!r}" for k, v in d.get("in_force", {}).items())
        return f"in force: {shown}"


def history(conn: Connection, *, limit: int = 200) -> list[SettingsEntry]:
    """The newest settings entries of the workspace log, newest first."""
    return [
        SettingsEntry(at, actor, os_user, json.loads(details))
        for at, actor, os_user, details in sql.log_entries(
            conn.conn, ACTION, limit=limit
        )
    ]

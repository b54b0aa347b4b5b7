"""Who is acting: the reviewer's chosen name and the OS account behind it.

Auditors need both: the name a person typed can be anything, the OS account is
what the machine says. Every ledger and log entry carries the pair.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import UserError


def os_user() -> str:
    """The login name, or 'unknown' where the OS will not say (some services)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# Names the ledger uses for what no person did: the model's automatic links,
# and records joined through other links. A person may not take them.
RESERVED_NAMES = frozenset({"model", "identity", "nobody"})


def check_reviewer_name(name: str) -> str:
    """The name, stripped; a reserved name is refused (UserError)."""
    name = name.strip()
    if name.lower() in RESERVED_NAMES:
        raise UserError(
            f"'{name}' is how the ledger names what no person did; choose your "
            "own name as reviewer"
        )
    return name


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    os_user: str

    @classmethod
    def current(cls, name: str | None = None) -> Actor:
        """The person at this machine; the reviewer name defaults to the login."""
        login = os_user()
        return cls(name=check_reviewer_name(name or "") or login, os_user=login)


def utc_now() -> str:
    """UTC time as ISO 8601 with a Z, to the microsecond, so entries sort."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

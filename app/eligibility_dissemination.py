"""Files that leave the office with their dissemination record, or not at all.

Every export of personal data (the eligibility list, an evidence packet) is
logged as a ``dissemination`` entry of the workspace log: when, by whom
(the connection's actor), to which agency, by what method, and what was in
it (rows, people, the file's hash; never the personal data itself). The file
is written beside its destination and moved into place inside the
transaction that appends the entry, so neither exists without the other.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import UserError
from app.workspace import eligibility_sql as store
from app.workspace.core import Connection

METHODS: tuple[str, ...] = ("file", "email", "sftp", "paper", "hand delivery")


def check_recipient(
    recipient: str, method: str, *, what: str = "list"
) -> tuple[str, str]:
    """The recipient and method, stripped; refuses an export nobody could log.

    Checked before any work, so a clerk is not told after a long export
    that it cannot leave.

    Raises:
        UserError: no recipient or no method.
    """
    recipient, method = recipient.strip(), method.strip()
    if not recipient:
        raise UserError(
            f"name the agency receiving the {what} (recipient): the office must "
            "record every dissemination"
        )
    if not method:
        raise UserError(f"say how the {what} is sent (method), e.g. file or email")
    return recipient, method


def check_writable(conn: Connection) -> None:
    """Refuse to export from a read-only workspace: its log cannot be written.

    Raises:
        UserError: the workspace is open read-only (audit mode).
    """
    if conn.readonly:
        raise UserError(f"{conn.path.name} is open read-only; an export must be logged")


def sha256_of(path: Path) -> str:
    """The file's SHA-256, logged so a copy can later be recognised."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def disseminate(
    conn: Connection, staged: Path, out: Path, details: dict[str, object]
) -> None:
    """Move a finished file into place and log its dissemination, both or neither.

    For any file that leaves the office (the list, an evidence packet):
    write it to :func:`staged_file`, then call this with what the log must
    say (recipient, method, counts; never personal data). If the log cannot
    be committed after the rename, the file is removed: nothing may leave
    unrecorded.
    """
    placed = False
    try:
        with conn.transaction():
            conn.log(store.DISSEMINATION, details)
            os.replace(staged, out)
            placed = True
    except BaseException:
        if placed:
            out.unlink(missing_ok=True)
        raise


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, removed unless the block moved it."""
    if path.is_dir():
        raise UserError(f"{path.name} is a folder; give a file name to write")
    if not path.parent.exists():
        raise UserError(f"{path.name}: the folder {path.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)

"""Exports: write files atomically and log every one.

A half-written export that an agency picks up is worse than none, so files are
written beside the target and renamed into place only when complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.errors import UserError
from app.workspace import records as store
from app.workspace.core import Connection


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    records: int
    identities: int


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
    gets a leading apostrophe: these files go to other agencies, where a
    value from an export must never run. Other values pass unchanged."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """Yield a text file that replaces ``path`` only if the block succeeds."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path.name} is a folder; give a file name to write")
    if not path.parent.exists():
        raise UserError(f"{path.name}: the folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_identities(conn: Connection, out: Path) -> ExportResult:
    """Every record exactly once, as ``identity_id,source,record_id``."""
    records = 0
    identities: set[int] = set()
    with atomic_text_file(out) as fh:
        writer = csv.writer(fh)
        writer.writerow(["identity_id", "source", "record_id"])
        for identity_id, source, record_id in store.iter_identity_rows(conn.conn):
            writer.writerow([identity_id, source, record_id])
            records += 1
            identities.add(identity_id)
    with conn.transaction():
        conn.log(
            "export",
            {
                "what": "identities",
                "file_name": Path(out).name,
                "rows": records,
                "identities": len(identities),
            },
        )
    return ExportResult(Path(out), records, len(identities))

"""A worker process that normalises import batches on the second core.

Started as ``python -m app.normalise_worker`` with pipes, rather than through
multiprocessing: a spawned multiprocessing child re-imports the host
program's ``__main__`` (a GUI, a user's script), which breaks or slows the
import depending on how the program was started. This module imports only
the pure normalisers.

Protocol: length-prefixed pickle frames. Each request is
``(fields, columns, rows, today)``; each reply is ``("ok", results)`` or
``("error", message)``, in request order.
"""

from __future__ import annotations

import json
import pickle
import struct
import sys
from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from matching.records import NormalisedRow, normalise_batch

_HEADER = struct.Struct("<Q")
# One encoder for every row: json.dumps() with options builds a new one per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

PreparedRow = tuple[str, NormalisedRow]


def prepare_batch(
    fields: Sequence[str],
    columns: Sequence[int],
    rows: Sequence[tuple[str, ...]],
    today: date | None,
) -> list[PreparedRow]:
    """(original row as JSON, normalised row) for each whole row of a batch.

    Both halves are done here, off the importer's thread: the importer only
    reads the file and writes SQLite.
    """
    mapped = [tuple(row[i] for i in columns) for row in rows]
    normalised = normalise_batch(fields, mapped, today)
    return [(_ENCODE(row), n) for row, n in zip(rows, normalised, strict=True)]


def write_frame(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame, or raises EOFError when the other side closed."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    while True:
        try:
            fields, columns, rows, today = read_frame(stdin)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = (
                "ok",
                prepare_batch(fields, columns, rows, today),
            )
        except Exception as exc:  # sent back; the parent raises it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        write_frame(stdout, reply)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

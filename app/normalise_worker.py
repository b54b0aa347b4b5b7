"""A worker process that normalises import batches on the second core.

Started as ``python -m app.normalise_worker`` with pipes, rather than through
multiprocessing: a spawned multiprocessing child re-imports the host
program's ``__main__`` (a GUI, a user's script), which breaks or slows the
import depending on how the program was started. This module imports only
the pure normalisers.

Protocol: length-prefixed pickle frames. Each request is ``prepare_batch``'s
arguments; each reply is ``("ok", result)`` or ``("error", message)``, in
request order.
"""

from __future__ import annotations

import json
import pickle
import queue
import struct
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import IO, Any

from matching.records import normalise_batch

_HEADER = struct.Struct("<Q")
# One encoder for every row: json.dumps() with options builds a new one per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_SORTED = json.JSONEncoder(sort_keys=True).encode
_ENCODE_TEXT = json.JSONEncoder(ensure_ascii=False).encode

# (raw JSON, *normalised values, extra ids JSON, problems JSON, values hash):
# a record's columns from ``raw`` on, as app.workspace.records stores them.
PreparedRow = tuple[Any, ...]


def prepare_batch(
    fields: Sequence[str],
    columns: Sequence[int],
    rows: Sequence[tuple[str, ...]],
    today: date | None,
) -> tuple[list[PreparedRow], Counter[str]]:
    """Each whole row's stored columns, and the batch's field problems by field.

    Everything per row that is not reading the file or writing SQLite is done
    here, so whichever side has time (the worker, or the importer when the
    worker lags) can do it.
    """
    if len(columns) == 1:
        only = columns[0]
        mapped = [(row[only],) for row in rows]
    else:
        pick = itemgetter(*columns)
        mapped = [pick(row) for row in rows]
    problems: Counter[str] = Counter()
    out: list[PreparedRow] = []
    for row, (values, extra, found, digest) in zip(
        rows, normalise_batch(fields, mapped, today), strict=True
    ):
        if found:
            problems.update(p.split(":", 1)[0] for p in found)
        out.append(
            (
                _ENCODE(row),
                *values,
                _ENCODE_SORTED(extra) if extra else None,
                _ENCODE_TEXT(found) if found else None,
                digest,
            )
        )
    return out, problems


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
    """Answer requests in order until the importer closes the pipe.

    A thread drains the pipe into a queue as requests arrive, so the importer
    never blocks sending a batch while the previous one is being normalised.
    """
    requests: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def drain() -> None:
        while True:
            try:
                requests.put(read_frame(stdin))
            except EOFError:
                requests.put(None)
                return

    threading.Thread(target=drain, daemon=True).start()
    while (request := requests.get()) is not None:
        try:
            reply: tuple[str, Any] = ("ok", prepare_batch(*request))
        except Exception as exc:  # sent back; the parent raises it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        write_frame(stdout, reply)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

"""The rows of one import on their way into the open transaction.

Reading the file, keeping each original row (as JSON) and writing SQLite stay
on the calling thread; normalising runs in one worker process for large
files, so a two-core office PC uses both cores. When the worker falls behind
(a busy machine, a file of all-distinct values), the calling thread normalises
the next batch itself rather than wait. Batches are written in file order
whoever normalised them, so identity ids and results are the same as the
in-process path.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import date
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from app.mapping import Mapping
from app.normalise_worker import PreparedRow, prepare_batch, read_frame, write_frame
from app.readers import RawRow, TableReader
from app.workspace import records as store
from matching.progress import CancelFn, ProgressFn, check_cancel

BATCH_ROWS = 2_000
PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged process
# Below this size a worker process costs more to start than it saves.
PARALLEL_MIN_BYTES = 4_000_000
_IN_FLIGHT = 8  # batches read ahead of the one being written
_WORKER_BACKLOG = 4  # the worker has this many unfinished: normalise here instead


class _Inline(Executor):
    """An executor that runs the batch at once, for small files and tests."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


class _WorkerProcess(Executor):
    """Sends batches to ``app.normalise_worker`` and reads replies in order.

    Only ``prepare_batch`` runs there; the function argument of ``submit``
    names what is wanted, so the in-process path and this one are the same.
    """

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "app.normalise_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        _widen_pipes(self._proc)
        self._waiting: deque[Future[Any]] = deque()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        while True:
            try:
                status, value = read_frame(self._proc.stdout)
            except EOFError:
                break
            future = self._waiting.popleft()
            if status == "ok":
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(f"normalising failed: {value}"))
        while self._waiting:
            self._waiting.popleft().set_exception(
                RuntimeError("the normalising worker stopped unexpectedly")
            )

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if fn is not prepare_batch or kwargs:
            raise ValueError("the worker process runs prepare_batch only")
        future: Future[Any] = Future()
        self._waiting.append(future)
        assert self._proc.stdin is not None
        write_frame(self._proc.stdin, args)
        return future

    def backlog(self) -> int:
        """Batches sent and not yet normalised."""
        return sum(1 for f in list(self._waiting) if not f.done())

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        if cancel_futures:
            self._proc.kill()
        self._proc.wait()
        self._reader.join()


_INLINE = _Inline()


def _widen_pipes(proc: subprocess.Popen[bytes]) -> None:
    """Pipes big enough for a whole batch, where the OS allows (Linux).

    With the default 64 KB, sending a batch takes a dozen round trips, each
    waiting for the other process's reading thread to get its interpreter
    lock: seconds of a large import spent blocked.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if set_size is None:
        return
    for stream in (proc.stdin, proc.stdout):
        if stream is None:
            continue
        with contextlib.suppress(OSError):  # a lower system limit: keep the default
            fcntl.fcntl(stream.fileno(), set_size, PIPE_BYTES)


def make_executor(parallel: bool) -> Executor:
    return _WorkerProcess() if parallel else _Inline()


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    new: int
    updated: int
    rejected: Counter[str]
    problems: Counter[str]


@dataclass(frozen=True, slots=True)
class Reject:
    category: str  # short key for the summary: ragged, empty, no_id, repeated_id
    reason: str


class RowChecker:
    """Decides, row by row, whether a row can be imported and under which id."""

    def __init__(self, reader: TableReader, mapping: Mapping) -> None:
        index = {name: i for i, name in enumerate(reader.headers)}
        self.width = len(reader.headers)
        self.fields = [
            (f, index[c]) for f, c in mapping.columns.items() if f != "record_id"
        ]
        rid_column = mapping.columns.get("record_id")
        self.rid_index = None if rid_column is None else index[rid_column]
        self.rid_column = rid_column
        self.seen: dict[str, int] = {}

    def check(self, row: RawRow) -> str | Reject:
        """The record id, or why the row is rejected."""
        values = row.values
        if len(values) != self.width:
            return Reject(
                "ragged", f"row has {len(values)} fields, the header has {self.width}"
            )
        if not "".join(values).strip():
            return Reject("empty", "row has no values")
        if self.rid_index is None:
            rid = str(row.line)
        else:
            rid = values[self.rid_index].strip()
            if not rid:
                return Reject("no_id", f"record id column '{self.rid_column}' is empty")
        first = self.seen.setdefault(rid, row.line)
        if first != row.line:
            return Reject("repeated_id", f"record id '{rid}' repeats line {first}")
        return rid


@dataclass(slots=True)
class _Pending:
    """Accepted rows of one batch waiting for their normalised values."""

    rows: list[tuple[str, RawRow]]
    future: Future[tuple[list[PreparedRow], Counter[str]]]


class ImportJob:
    """Streams rows into records and rejects inside the caller's transaction."""

    def __init__(
        self,
        db: Any,
        reader: TableReader,
        mapping: Mapping,
        *,
        source_id: int,
        import_id: int,
        at: str,
        next_identity: int,
        today: date | None,
    ) -> None:
        self.db = db
        self.reader = reader
        self.checker = RowChecker(reader, mapping)
        self.fields = [f for f, _ in self.checker.fields]
        self.columns = [i for _, i in self.checker.fields]
        self.source_id = source_id
        self.import_id = import_id
        self.at = at
        self.next_identity = next_identity
        self.today = today
        self.existing = store.existing_records(db, source_id)
        self.problems: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.new = self.updated = 0

    def run(
        self,
        rows: Iterator[RawRow],
        *,
        parallel: bool,
        on_progress: ProgressFn | None,
        cancel: CancelFn | None,
    ) -> Counts:
        executor = make_executor(parallel)
        pending: deque[_Pending] = deque()
        accepted: list[tuple[str, RawRow]] = []
        rejects: list[tuple[int, str, str]] = []
        total = 0
        try:
            for row in rows:
                total += 1
                outcome = self.checker.check(row)
                if isinstance(outcome, Reject):
                    rejects.append((row.line, outcome.reason, row.text))
                    self.rejected[outcome.category] += 1
                else:
                    accepted.append((outcome, row))
                if len(accepted) + len(rejects) >= BATCH_ROWS:
                    store.insert_rejects(self.db, self.import_id, rejects)
                    rejects = []
                    pending.append(self._submit(executor, accepted))
                    accepted = []
                    while len(pending) > _IN_FLIGHT:
                        self._write(pending.popleft())
                    check_cancel(cancel)
                    if on_progress is not None:
                        on_progress("import", total, 0)
            store.insert_rejects(self.db, self.import_id, rejects)
            pending.append(self._submit(executor, accepted))
            while pending:
                self._write(pending.popleft())
            check_cancel(cancel)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return Counts(total, self.new, self.updated, self.rejected, self.problems)

    def _submit(
        self, executor: Executor, accepted: list[tuple[str, RawRow]]
    ) -> _Pending:
        rows = [row.values for _, row in accepted]
        if isinstance(executor, _WorkerProcess) and (
            executor.backlog() >= _WORKER_BACKLOG
        ):
            executor = _INLINE
        future = executor.submit(
            prepare_batch, self.fields, self.columns, rows, self.today
        )
        return _Pending(accepted, future)

    def _write(self, batch: _Pending) -> None:
        inserts: list[tuple[object, ...]] = []
        changes: list[tuple[int, tuple[object, ...]]] = []
        prepared, problems = batch.future.result()
        self.problems.update(problems)
        source, import_id, existing = self.source_id, self.import_id, self.existing
        for (rid, row), columns in zip(batch.rows, prepared, strict=True):
            record = (source, import_id, rid, row.line, *columns)
            digest = columns[-1]
            prior = existing.get(rid)
            if prior is None:
                inserts.append((*record, self.next_identity))
                self.next_identity += 1
                self.new += 1
            elif prior[1] != digest:
                changes.append((prior[0], (*record, None)))
                self.updated += 1
        store.insert_records(self.db, inserts)
        if changes:
            store.replace_records(
                self.db, changes, import_id=self.import_id, at=self.at
            )

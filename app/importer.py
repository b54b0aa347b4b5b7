"""Import one agency export into a workspace: every row imported or rejected.

The rule the office depends on: imported + rejected = rows in the file, and a
failure (bad file, full disk, Cancel) leaves the workspace exactly as before.
So the whole file is one transaction, rows stream through in batches, and a
row that cannot be used is kept in ``rejects`` with its line and reason rather
than dropped.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path

from app import rereview
from app.actor import utc_now
from app.errors import InputError
from app.import_job import PARALLEL_MIN_BYTES, ImportJob
from app.mapping import Mapping, apply_overrides, guess_mapping
from app.readers import RawRow, TableReader, open_table
from app.workspace import records as store
from app.workspace.core import Connection
from matching.progress import CancelFn, ProgressFn

KINDS: tuple[str, ...] = ("clerk", "arrest", "disposition", "other")
SAMPLE_ROWS = 200
_NAME_FIELDS = ("full_name", "last_name", "first_name")


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What the wizard and ``import`` show before anything is written."""

    file_name: str
    format: str
    encoding: str | None
    delimiter: str | None
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    mapping: Mapping
    mapping_lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    import_id: int
    source: str
    kind: str
    file_name: str
    rows_total: int
    rows_imported: int
    rows_new: int
    rows_updated: int
    rows_rejected: int
    blank_lines: int
    field_problems: int
    problem_counts: dict[str, int]
    reject_counts: dict[str, int]
    mapping_lines: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
    rereview: int = 0  # decisions resting on rows this file changed


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mapping_for(
    reader: TableReader, rows: Sequence[RawRow], overrides: Sequence[str]
) -> Mapping:
    guessed, _ = guess_mapping(reader.headers, [r.values for r in rows])
    return apply_overrides(guessed, overrides, reader.headers, path=reader.path)


def preview_file(
    path: str | Path, *, overrides: Sequence[str] = (), rows: int = 20
) -> ImportPreview:
    """Read the head of a file and guess its mapping, writing nothing."""
    path = Path(path)
    with open_table(path) as reader:
        sample = list(islice(iter(reader), SAMPLE_ROWS))
        mapping = _mapping_for(reader, sample, overrides)
        return ImportPreview(
            file_name=path.name,
            format=reader.format,
            encoding=reader.encoding,
            delimiter=reader.delimiter,
            headers=reader.headers,
            rows=tuple(r.values for r in sample[:rows]),
            mapping=mapping,
            mapping_lines=tuple(mapping.describe(reader.headers)),
        )


def _check_request(conn: Connection, path: Path, source: str, kind: str) -> str:
    if kind not in KINDS:
        raise InputError(path, f"unknown kind '{kind}'; use one of {', '.join(KINDS)}")
    if not source.strip() or len(source) > 64:
        raise InputError(path, "the source name must be 1 to 64 characters")
    existing = store.get_source(conn.conn, source)
    if existing is not None and existing.kind != kind:
        raise InputError(
            path,
            f"source '{source}' holds {existing.kind} records; import with "
            f"--kind {existing.kind} or choose another source name",
        )
    digest = file_sha256(path)
    prior = store.find_import_by_hash(conn.conn, digest)
    if prior is not None:
        raise InputError(
            path,
            f"this file was already imported as source '{prior.source}' "
            f"({prior.file_name}, {prior.imported_at[:10]}); nothing to do",
        )
    return digest


def _require_record_ids(
    conn: Connection, mapping: Mapping, path: Path, source: str
) -> None:
    """A newer export is matched to the rows already there by record id, so
    both sides must have one; matching by line number would give one
    person's row to another the moment a row is added or removed."""
    src = store.get_source(conn.conn, source)
    before = None if src is None else store.last_record_id_column(conn.conn, src.id)
    if before is None:
        return
    if before == "":
        raise InputError(
            path,
            f"the rows already imported for source '{source}' have no record id "
            "column (they are known by line number), so a newer export cannot be "
            "matched to them safely; import this file under a new source name (or, "
            "if no row was added, removed or moved, with --match-by-line)",
        )
    if "record_id" not in mapping.columns:
        raise InputError(
            path,
            f"a newer export of '{source}' is matched to its rows by record id; "
            f"map the record id column (last time: '{before}') with "
            f"--map record_id=COLUMN",
        )


def _require_names(mapping: Mapping, path: Path) -> None:
    if not any(f in mapping.columns for f in _NAME_FIELDS):
        raise InputError(
            path,
            "no name column recognised; map one with --map full_name=COLUMN "
            "or --map last_name=COLUMN",
        )


def import_file(
    conn: Connection,
    path: str | Path,
    *,
    source: str,
    kind: str = "other",
    overrides: Sequence[str] = (),
    mapping: Mapping | None = None,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    today: date | None = None,
    parallel: bool | None = None,
    match_by_line: bool = False,
) -> ImportSummary:
    """Import one file as (a newer export of) ``source``, in one transaction.

    Args:
        conn: a writable workspace connection (owned by the calling thread).
        path: CSV (any delimiter, UTF-8 or Windows-1252) or XLSX.
        source: the source's name; an existing name takes a newer export,
            matching rows by record id and keeping changed rows' old values.
        kind: clerk, arrest, disposition or other.
        overrides: ``FIELD=COLUMN`` corrections to the guessed mapping.
        mapping: a mapping confirmed in the wizard; overrides apply on top.
        on_progress: called as ``("import", rows_read, 0)`` once per batch.
        cancel: polled once per batch; when true the import rolls back.
        today: the date two-digit years resolve against.
        parallel: normalise in a worker process; None decides by file size.
        match_by_line: let a newer export of a source without a record id
            column update its rows by line number (only safe when no row was
            added, removed or reordered); refused otherwise.

    Raises:
        InputError: the file or the request is unusable; nothing was written.
        Cancelled: the user stopped it; nothing was written.
    """
    path = Path(path)
    digest = _check_request(conn, path, source, kind)
    with open_table(path) as reader:
        rows: Iterator[RawRow] = iter(reader)
        sample = list(islice(rows, SAMPLE_ROWS))
        if mapping is None:
            mapping = _mapping_for(reader, sample, overrides)
        elif overrides:
            mapping = apply_overrides(mapping, overrides, reader.headers, path=path)
        _require_names(mapping, path)
        if not match_by_line:
            _require_record_ids(conn, mapping, path, source)
        if parallel is None:
            parallel = path.stat().st_size >= PARALLEL_MIN_BYTES
        rows_estimate = _rows_estimate(path, sample)
        with conn.transaction() as db:
            return _write_import(
                conn,
                db,
                reader,
                chain(sample, rows),
                path=path,
                source=source,
                kind=kind,
                digest=digest,
                mapping=mapping,
                today=today,
                parallel=parallel,
                rows_estimate=rows_estimate,
                on_progress=on_progress,
                cancel=cancel,
            )


def _rows_estimate(path: Path, sample: list[RawRow]) -> int:
    """About how many rows the file holds, from the sample's bytes per row."""
    if not sample:
        return 0
    size = sum(len(row.text) + 1 for row in sample) / len(sample)
    return int(path.stat().st_size / max(size, 1.0))


def _write_import(
    conn: Connection,
    db: sqlite3.Connection,
    reader: TableReader,
    rows: Iterator[RawRow],
    *,
    path: Path,
    source: str,
    kind: str,
    digest: str,
    mapping: Mapping,
    today: date | None,
    parallel: bool,
    rows_estimate: int,
    on_progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> ImportSummary:
    actor = conn.actor
    src = store.get_source(db, source) or store.create_source(db, source, kind)
    at = utc_now()
    import_id = store.create_import(
        db,
        source_id=src.id,
        file_name=path.name,
        sha256=digest,
        file_size=path.stat().st_size,
        format=reader.format,
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        headers=json.dumps(list(reader.headers), ensure_ascii=False),
        header_line=reader.header_line,
        mapping=mapping.to_json(),
        imported_at=at,
        imported_by=actor.name,
        os_user=actor.os_user,
        **dict.fromkeys(_COUNTS, 0),
    )
    job = ImportJob(
        db,
        reader,
        mapping,
        source_id=src.id,
        import_id=import_id,
        at=at,
        next_identity=int(conn.info("next_identity_id") or "1"),
        today=today,
    )
    # More new rows than the workspace holds: index once at the end.
    bulk = parallel and store.record_count_estimate(db) < rows_estimate
    with store.deferred_indexes(db, enabled=bulk):
        done = job.run(rows, parallel=parallel, on_progress=on_progress, cancel=cancel)
    rejected = sum(done.rejected.values())
    counts = {
        "rows_total": done.total,
        "rows_imported": done.total - rejected,
        "rows_new": done.new,
        "rows_updated": done.updated,
        "rows_rejected": rejected,
        "blank_lines": reader.blank_lines,
        "field_problems": sum(done.problems.values()),
    }
    store.finish_import(db, import_id, **counts)
    conn.set_info("next_identity_id", str(job.next_identity))
    # A changed row may pull the ground from under a person's decision.
    flagged = rereview.flagged_by_import(conn, import_id) if done.updated else 0
    conn.log(
        "import",
        {"source": source, "kind": kind, "file_name": path.name, "sha256": digest}
        | counts
        | {"rereview": flagged},
    )
    warnings: list[str] = []
    if flagged:
        warnings.append(rereview.warning_text(flagged))
    if "record_id" not in mapping.columns and done.total:
        warnings.append(
            "no record id column is mapped: rows are known by their line number, "
            "so a newer export of this source cannot update them later; map one "
            "with --map record_id=COLUMN if the file has one"
        )
    return ImportSummary(
        import_id=import_id,
        source=source,
        kind=kind,
        file_name=path.name,
        problem_counts=dict(done.problems),
        reject_counts=dict(done.rejected),
        mapping_lines=tuple(mapping.describe(reader.headers)),
        warnings=tuple(warnings),
        rereview=flagged,
        **counts,
    )


_COUNTS = (
    "rows_total",
    "rows_imported",
    "rows_new",
    "rows_updated",
    "rows_rejected",
    "blank_lines",
    "field_problems",
)

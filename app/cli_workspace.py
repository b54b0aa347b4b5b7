"""Workspace commands: init, import, rejects, status, export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from app.actor import Actor
from app.cli_base import WS_ARG, cli, reviewer_option, user_errors
from app.errors import UserError
from app.importer import KINDS, ImportSummary, import_file, preview_file
from app.summary import workspace_summary
from app.workspace.core import open_workspace


@cli.command()
@WS_ARG
@reviewer_option
@user_errors
def init(ws: Path, reviewer: str | None) -> None:
    """Create an empty workspace file.

    Example: recordmatch init cases.rmws
    """
    if ws.exists():
        raise UserError(f"{ws.name} already exists; nothing was changed")
    conn = open_workspace(ws, create=True, actor=Actor.current(reviewer))
    conn.close()
    click.echo(f"created workspace {ws}")


def _print_summary(summary: ImportSummary) -> None:
    echo = click.echo
    echo(f"{summary.file_name}: {summary.rows_total:,} rows")
    echo(
        f"  imported  {summary.rows_imported:,} "
        f"(new {summary.rows_new:,}, changed {summary.rows_updated:,})"
    )
    reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(summary.reject_counts.items()))
    echo(
        f"  rejected  {summary.rows_rejected:,}" + (f" ({reasons})" if reasons else "")
    )
    if summary.blank_lines:
        echo(f"  blank lines skipped: {summary.blank_lines:,}")
    if summary.field_problems:
        kinds = ", ".join(
            f"{k}: {v:,}" for k, v in sorted(summary.problem_counts.items())
        )
        echo(
            f"  values left empty because they could not be read: "
            f"{summary.field_problems:,} ({kinds})"
        )
    for warning in summary.warnings:
        echo(f"  warning: {warning}", err=True)


@cli.command("import")
@WS_ARG
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", required=True, metavar="NAME", help="Name for this source.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="other",
    show_default=True,
    help="What the file holds.",
)
@click.option(
    "--map",
    "overrides",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Map a column to a field, overriding the guess (repeatable; FIELD= unmaps).",
)
@click.option(
    "--preview", is_flag=True, help="Show the guessed mapping; import nothing."
)
@click.option(
    "--match-by-line",
    is_flag=True,
    help="A newer export of a source without a record id column: update rows by "
    "line number (only if no row was added, removed or moved).",
)
@reviewer_option
@user_errors
def import_(
    ws: Path,
    file: Path,
    source: str,
    kind: str,
    overrides: Sequence[str],
    preview: bool,
    match_by_line: bool,
    reviewer: str | None,
) -> None:
    """Import a CSV or XLSX export into the workspace (created if missing).

    Every row is imported or listed among the rejects with its line and
    reason; the whole file is one transaction.

    Example: recordmatch import cases.rmws clerk.csv --source clerk --kind clerk
    """
    head = preview_file(file, overrides=overrides)
    click.echo(f"{head.file_name}: {head.format}, encoding {head.encoding or '-'}")
    for line in head.mapping_lines:
        click.echo(f"  {line}")
    if preview:
        return
    conn = open_workspace(
        ws, create=True, actor=Actor.current(reviewer), purpose="import"
    )
    try:
        summary = import_file(
            conn,
            file,
            source=source,
            kind=kind,
            overrides=overrides,
            match_by_line=match_by_line,
        )
    finally:
        conn.close()
    _print_summary(summary)
    if summary.rows_rejected:
        click.echo(
            f"  see the rejected rows with: recordmatch rejects {ws} "
            f"--import {summary.import_id}"
        )


@cli.command()
@WS_ARG
@click.option("--import", "import_id", type=int, help="Only this import's rejects.")
@user_errors
def rejects(ws: Path, import_id: int | None) -> None:
    """List rejected rows: file, line and reason (not their contents).

    Example: recordmatch rejects cases.rmws --import 2
    """
    from app.workspace import records as store

    conn = open_workspace(ws, readonly=True)
    try:
        for imp in store.list_imports(conn.conn):
            if import_id is not None and imp.id != import_id:
                continue
            for row in store.list_rejects(conn.conn, imp.id):
                click.echo(f"{imp.file_name}, line {row.line}: {row.reason}")
    finally:
        conn.close()


@cli.command()
@WS_ARG
@user_errors
def status(ws: Path) -> None:
    """Summarise a workspace: sources, rows, rejects, identities.

    Example: recordmatch status cases.rmws
    """
    from app.rereview import counts as rereview_counts
    from app.rereview import flagged

    conn = open_workspace(ws, readonly=True)
    try:
        for line in workspace_summary(conn):
            click.echo(line)
        again = rereview_counts(conn)
        kept = [f.seq for f in flagged(conn) if f.kind in ("split", "merge")]
    finally:
        conn.close()
    click.echo(
        f"  decisions needing re-review: {again.total:,} "
        f"({again.pair_decisions:,} on pairs, {again.identity_changes:,} splits "
        "or merges)"
    )
    if kept:
        shown = ", ".join(map(str, kept[:10])) + (", ..." if len(kept) > 10 else "")
        click.echo(
            f"  splits or merges to look at again (entries {shown}): keep one with "
            f"recordmatch reaffirm {ws} ENTRY --note TEXT"
        )


@cli.command()
@WS_ARG
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (identity_id,source,record_id).",
)
@reviewer_option
@user_errors
def export(ws: Path, out: Path, reviewer: str | None) -> None:
    """Write every record once with the identity it belongs to.

    Example: recordmatch export cases.rmws --out identities.csv
    """
    from app.export import export_identities

    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="export")
    try:
        result = export_identities(conn, out)
    finally:
        conn.close()
    click.echo(
        f"wrote {result.records:,} records in {result.identities:,} identities to {out}"
    )


@cli.command()
@WS_ARG
@user_errors
def flagged(ws: Path) -> None:
    """List the identities the last link flagged (records that disagree on
    identifiers or birth dates): id, records and why, as CSV on stdout.

    Open one in the workstation (Identities, Go to; or F for the next flagged).

    Example: recordmatch flagged cases.rmws
    """
    from app.identity_queries import flagged_identities

    conn = open_workspace(ws, readonly=True)
    try:
        found = flagged_identities(conn, limit=1_000_000)
    finally:
        conn.close()
    click.echo("identity_id,records,reasons")
    for f in found:
        reasons = "; ".join(f.reasons).replace('"', "'")
        click.echo(f'{f.identity_id},{f.records},"{reasons}"')

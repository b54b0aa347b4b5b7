"""The ``recordmatch`` command: a thin shell over the same core the GUI calls.

Each command opens the workspace, calls one use case in ``app`` and prints
what happened. A ``UserError`` becomes one line on stderr and exit status 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from app.actor import Actor
from app.errors import UserError
from app.importer import KINDS, ImportSummary, import_file, preview_file
from app.summary import workspace_summary
from app.workspace.core import open_workspace
from matching.progress import Cancelled

F = TypeVar("F", bound=Callable[..., Any])

WS_ARG = click.argument("ws", type=click.Path(dir_okay=False, path_type=Path))


def reviewer_option(fn: F) -> F:
    return click.option(
        "--reviewer",
        metavar="NAME",
        help="Your name as recorded in the workspace log (default: your login).",
    )(fn)


def user_errors(fn: F) -> F:
    """Turn expected failures into a one-line message and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        except (Cancelled, KeyboardInterrupt):
            click.echo("cancelled; the workspace was not changed", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="recordmatch")
def cli() -> None:
    """Match people across agency exports and keep confirmed identities.

    A workspace (WS) is one SQLite file holding the imported records, the
    links between them and every decision. Start with `recordmatch init WS`.
    """


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
@reviewer_option
@user_errors
def import_(
    ws: Path,
    file: Path,
    source: str,
    kind: str,
    overrides: Sequence[str],
    preview: bool,
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
        summary = import_file(conn, file, source=source, kind=kind, overrides=overrides)
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

    conn = open_workspace(ws, readonly=True)
    try:
        for line in workspace_summary(conn):
            click.echo(line)
        again = rereview_counts(conn)
    finally:
        conn.close()
    click.echo(
        f"  decisions needing re-review: {again.total:,} "
        f"({again.pair_decisions:,} on pairs, {again.identity_changes:,} splits "
        "or merges)"
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


class _StageBar:
    """One click progress bar per engine stage, on stderr so stdout stays clean."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(
                length=max(total, 1), label=f"{stage:<10}", file=sys.stderr
            )
            self.bar.__enter__()
        if self.bar is not None and total:
            self.bar.length = total
            self.bar.update(max(done - self.done, 0))
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command("link")
@WS_ARG
@click.option(
    "--upper", type=float, help="Auto-link at or above this probability (0-1)."
)
@click.option(
    "--lower", type=float, help="Drop pairs below this probability (below --upper)."
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@reviewer_option
@user_errors
def link_(
    ws: Path,
    upper: float | None,
    lower: float | None,
    quiet: bool,
    reviewer: str | None,
) -> None:
    """Find and score candidate pairs, auto-link the sure ones, queue the rest.

    Human decisions are kept and teach the model; new records are scored
    against everything. Thresholds default to the model's own estimate.

    Example: recordmatch link cases.rmws
    """
    from app.link_options import check_overrides
    from app.linking import run_link

    settings = check_overrides(upper, lower).settings()
    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="link")
    bar = None if quiet else _StageBar()
    try:
        summary = run_link(conn, settings=settings, on_progress=bar)
    finally:
        if bar is not None:
            bar.close()
        conn.close()
    echo = click.echo
    echo(f"records {summary.records:,}; candidate pairs {summary.candidate_pairs:,}")
    for rule in summary.blocking:
        name = rule.get("name") or rule.get("rule")
        echo(
            f"  blocking {name}: {rule.get('pairs', 0):,} pairs, "
            f"+{rule.get('new_pairs', 0):,} new"
        )
    for warning in summary.warnings:
        echo(f"  warning: {warning}", err=True)
    t = summary.thresholds
    echo(
        f"thresholds: auto-link >= {t['upper']:.4f}, review >= {t['lower']:.4f} "
        f"(model {summary.model_version}, {summary.labels_used:,} human labels)"
    )
    echo(
        f"pairs: {summary.auto:,} auto-linked ({summary.new_auto_links:,} new, "
        f"{summary.auto_unlinks:,} unlinked), {summary.review:,} for review, "
        f"{summary.waiting:,} waiting for a person"
    )
    c = summary.identities
    echo(
        f"identities: {c.identities:,} ({c.merged:,} merged, {c.split:,} split, "
        f"{c.flagged:,} flagged for conflicting identifiers or birth dates)"
    )
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items())
    echo(f"time: {timing}")


@cli.command()
@WS_ARG
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write.",
)
@click.option("--limit", type=int, help="At most this many pairs.")
@click.option(
    "--rereview",
    is_flag=True,
    help="Write the decided pairs whose records a newer export changed instead.",
)
@reviewer_option
@user_errors
def queue(
    ws: Path, out: Path, limit: int | None, rereview: bool, reviewer: str | None
) -> None:
    """Write the pairs waiting for a person, most useful first.

    Fill in a file `pair_id,decision[,note]` (match, non-match or unsure)
    and apply it with `recordmatch decide`. With --rereview, write instead
    the pairs whose standing decision rests on values a newer export
    changed, with that decision, who made it and when.

    Example: recordmatch queue cases.rmws --out pending.csv
    """
    from app.rereview import counts as rereview_counts
    from app.rereview import export_rereview
    from app.review import export_queue

    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="queue")
    try:
        if rereview:
            count = export_rereview(conn, out, limit=limit)
        else:
            count = export_queue(conn, out, limit=limit)
        again = rereview_counts(conn).pair_decisions
    finally:
        conn.close()
    if rereview:
        click.echo(f"wrote {count:,} pairs to re-review to {out}")
        return
    click.echo(f"wrote {count:,} waiting pairs to {out}")
    if again:
        click.echo(
            f"{again:,} decided pairs need re-review (a newer export changed "
            f"their records): recordmatch queue {ws} --rereview --out FILE"
        )


@cli.command()
@WS_ARG
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@reviewer_option
@user_errors
def decide(ws: Path, file: Path, reviewer: str | None) -> None:
    """Apply a decisions file (pair_id,decision[,note]) as one reviewer.

    The whole file is checked first; a bad line rejects it all. Identities
    update at once; every answer is a ledger entry with its evidence.

    Example: recordmatch decide cases.rmws answers.csv --reviewer "A. Clerk"
    """
    from app.review import apply_decisions

    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="decide")
    try:
        summary = apply_decisions(conn, file)
    finally:
        conn.close()
    words = ", ".join(f"{k} {v:,}" for k, v in summary.by_decision.items() if v)
    click.echo(
        f"applied {summary.applied:,} decisions ({words or 'none'}); "
        f"{summary.unchanged:,} already standing"
    )
    c = summary.identities
    click.echo(
        f"identities: {c.identities:,} ({c.changed_records:,} records moved, "
        f"{c.conflicts:,} contradictions)"
    )


@cli.command()
@WS_ARG
@click.option("--verify", is_flag=True, help="Check the ledger.")
@click.option(
    "--expect-head",
    metavar="HASH",
    help="A chain head noted earlier; catches entries removed from the end.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the audit report as one tidy CSV (section,item,detail,measure,value).",
)
@click.option(
    "--audit-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The quality sample's audit file (default: WS with .rmaudit, if there).",
)
@reviewer_option
@user_errors
def audit(
    ws: Path,
    verify: bool,
    expect_head: str | None,
    report: Path | None,
    audit_file: Path | None,
    reviewer: str | None,
) -> None:
    """Verify the decision ledger and the records its decisions rest on.

    Exits 0 and prints the number of entries verified when all is intact;
    exits 1 naming the first broken entry otherwise. With --report, writes
    the audit report (sources, model, decisions, reversals, quality,
    verification, link rates per subgroup) as CSV and logs the export.

    Example: recordmatch audit cases.rmws --verify
    Example: recordmatch audit cases.rmws --report audit.csv
    """
    from app.audit import verify as verify_workspace

    if not verify and report is None:
        raise UserError("say what to do: --verify, --report FILE.csv, or both")
    if report is not None:
        _audit_report(ws, report, audit_file, expect_head, reviewer)
        if not verify:
            return
    conn = open_workspace(ws, readonly=True)
    try:
        report = verify_workspace(conn, expect_head=expect_head)
    finally:
        conn.close()
    for seq in report.rereview[:20]:
        click.echo(
            f"needs re-review: entry {seq} rests on values a newer export changed"
        )
    if not report.ok:
        for problem in report.problems[:20]:
            click.echo(f"BROKEN {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"verified {report.entries:,} ledger entries; chain head {report.head}")


def _audit_report(
    ws: Path,
    out: Path,
    audit_file: Path | None,
    expect_head: str | None,
    reviewer: str | None,
) -> None:
    """Build the report read-only, write the CSV, then log the export."""
    import os

    from app.audit_file import default_path
    from app.audit_report import build_report
    from app.audit_report_csv import log_report_export, write_report_csv

    if audit_file is None and default_path(ws).is_file():
        audit_file = default_path(ws)
    actor = Actor.current(reviewer)
    conn = open_workspace(ws, readonly=True, actor=actor)
    try:
        built = build_report(conn, audit_file=audit_file, expect_head=expect_head)
    finally:
        conn.close()
    rows = write_report_csv(built, out)
    # A read-only copy (an auditor's) cannot take the log entry; say so.
    writable = os.access(ws, os.W_OK) and os.access(ws.resolve().parent, os.W_OK)
    if writable:
        conn = open_workspace(ws, actor=actor, purpose="audit report")
        try:
            log_report_export(conn, built, [out])
        finally:
            conn.close()
    else:
        click.echo("the workspace file is read-only: the export was not logged")
    v = built.verification
    click.echo(
        f"wrote {rows:,} figures to {out}; ledger "
        f"{'verified' if v.ok else 'FAILED verification'} "
        f"({v.entries:,} entries, head {v.head[:12]}); "
        + (f"quality sample {built.quality.audit_file}" if built.quality.drawn
           else "no quality sample drawn")
    )  # fmt: skip


@cli.command()
@WS_ARG
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .csv or .xlsx (the extension picks the format).",
)
@click.option(
    "--recipient",
    metavar="AGENCY",
    help="Agency receiving the list (required: every dissemination is logged).",
)
@click.option(
    "--method",
    default="file",
    show_default=True,
    metavar="METHOD",
    help="How the list is sent (file, email, sftp, ...), for the log.",
)
@reviewer_option
@user_errors
def eligible(
    ws: Path, out: Path, recipient: str | None, method: str, reviewer: str | None
) -> None:
    """Write the cannabis eligibility list, one row per case, and log who got it.

    Rows whose identity links no person has confirmed are needs_review
    (unconfirmed_links); confirm them in review first.

    Example: recordmatch eligible cases.rmws --out list.xlsx --recipient ISP
    """
    from app.eligibility_export import export_eligible, format_for

    if not (recipient or "").strip():
        raise UserError(
            "--recipient is required: name the agency receiving the list, e.g. "
            "--recipient 'Illinois State Police'; every dissemination is logged"
        )
    fmt = format_for(out)
    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="eligible")
    try:
        result = export_eligible(
            conn, out, fmt=fmt, recipient=recipient or "", method=method
        )
    finally:
        conn.close()
    click.echo(
        f"wrote {result.rows:,} cases of {result.people:,} people to {out} "
        f"(rules {result.rules_version}); logged as sent to {result.recipient} "
        f"by {result.method}"
    )
    for category, count in result.by_category.items():
        click.echo(f"  {category:<22} {count:,}")


# -- quality sample (issue 5): draw, blind labels, estimates -------------------


@cli.command("sample")
@WS_ARG
@click.option(
    "--audit-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The audit file holding the sample (default: WS with .rmaudit).",
)
@click.option("--size", type=int, help="Draw a sample of this many pairs.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--blind-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the sample, blind, as CSV to label (pos,...,label,note).",
)
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add blind labels from a CSV of pos,label[,note].",
)
@click.option("--summary", is_flag=True, help="Print the estimates.")
@reviewer_option
@user_errors
def sample(
    ws: Path,
    audit_file: Path | None,
    size: int | None,
    seed: int,
    blind_out: Path | None,
    labels: Path | None,
    summary: bool,
    reviewer: str | None,
) -> None:
    """Quality sample: draw it, label it blind, estimate precision and recall.

    The workspace is only read. The sample is drawn at random from every
    candidate pair, stratified by link state and probability band,
    including pairs below the lower threshold that nobody saw; pairs that
    blocking never proposed cannot be sampled, so recall is among candidate
    pairs. Labels are match, non-match or unsure.

    Example: recordmatch sample cases.rmws --size 300 --seed 7 --blind-out
    blind.csv, then recordmatch sample cases.rmws --labels blind.csv --summary
    """
    from app.audit_file import default_path
    from app.quality import open_audit, quality_summary, summary_lines
    from app.quality_draw import draw_sample
    from app.quality_labels import apply_labels, write_blind_csv

    if size is None and blind_out is None and labels is None and not summary:
        raise UserError("say what to do: --size N, --blind-out, --labels or --summary")
    path = audit_file or default_path(ws)
    actor = Actor.current(reviewer)
    conn = open_workspace(ws, readonly=True, actor=actor)
    try:
        if size is not None:
            drawn = draw_sample(conn, path, size=size, seed=seed)
            click.echo(f"drew {drawn.sample_size:,} pairs into {path.name}:")
            for s in drawn.strata:
                click.echo(
                    f"  {s.name:<13} {s.sampled:>6,} of {s.population:>9,}  {s.label}"
                )
        audit = open_audit(conn, path)
        try:
            if blind_out is not None:
                count = write_blind_csv(audit, blind_out)
                click.echo(f"wrote {count:,} blind pairs to {blind_out}")
            if labels is not None:
                added = apply_labels(audit, labels, actor=actor)
                click.echo(f"added {added:,} blind labels by {actor.name}")
        finally:
            audit.close()
        if summary:
            for line in summary_lines(quality_summary(conn, path)):
                click.echo(line)
    finally:
        conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="recordmatch")

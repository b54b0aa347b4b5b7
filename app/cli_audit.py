"""Accountability from the command line: audit, eligible, sample."""

from __future__ import annotations

from pathlib import Path

import click

from app.actor import Actor
from app.cli_base import WS_ARG, cli, counted, reviewer_option, user_errors
from app.errors import UserError
from app.workspace.core import open_workspace


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

    \b
    Examples:
      recordmatch audit cases.rmws --verify
      recordmatch audit cases.rmws --report audit.csv
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
    if not report.ok:
        for problem in report.problems[:20]:
            click.echo(f"BROKEN {problem}", err=True)
        if len(report.problems) > 20:
            click.echo(f"... and {len(report.problems) - 20:,} more", err=True)
        raise SystemExit(1)
    if report.standing_rereview:
        click.echo(
            f"needs re-review: {len(report.standing_rereview):,} standing decisions "
            f"rest on values a newer export changed (entries "
            f"{', '.join(map(str, report.standing_rereview[:10]))}"
            f"{', ...' if len(report.standing_rereview) > 10 else ''}); "
            f"list them with: recordmatch queue {ws} --rereview --out FILE.csv"
        )
    superseded = len(report.rereview) - len(report.standing_rereview)
    if superseded:
        click.echo(
            f"{superseded:,} other entries (automatic links, decisions since "
            "replaced) rest on values a newer export changed; not tampering"
        )
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
        f"wrote {counted(result.rows, 'case')} of "
        f"{counted(result.people, 'person', 'people')} to {out} "
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
                click.echo(f"wrote {counted(count, 'blind pair')} to {blind_out}")
            if labels is not None:
                added = apply_labels(audit, labels, actor=actor)
                click.echo(f"added {counted(added, 'blind label')} by {actor.name}")
        finally:
            audit.close()
        if summary:
            for line in summary_lines(quality_summary(conn, path)):
                click.echo(line)
    finally:
        conn.close()

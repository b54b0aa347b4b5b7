"""Linking and reviewing from the command line: link, queue, decide."""

from __future__ import annotations

from pathlib import Path

import click

from app.actor import Actor
from app.cli_base import WS_ARG, StageBar, cli, counted, reviewer_option, user_errors
from app.errors import UserError
from app.workspace.core import open_workspace


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
    bar = None if quiet else StageBar()
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
@click.option(
    "--auto",
    "auto",
    is_flag=True,
    help="Write the automatic links no person has confirmed yet (least sure "
    "first) instead: eligibility needs every link behind a case confirmed.",
)
@reviewer_option
@user_errors
def queue(
    ws: Path,
    out: Path,
    limit: int | None,
    rereview: bool,
    auto: bool,
    reviewer: str | None,
) -> None:
    """Write the pairs waiting for a person, most useful first.

    Fill in a file `pair_id,decision[,note]` (match, non-match or unsure)
    and apply it with `recordmatch decide`. With --rereview, write instead
    the pairs whose standing decision rests on values a newer export
    changed, with that decision, who made it and when. With --auto, the
    automatic links to confirm (answer them the same way).

    Example: recordmatch queue cases.rmws --out pending.csv
    """
    if rereview and auto:
        raise UserError("choose one of --rereview and --auto")
    from app.rereview import counts as rereview_counts
    from app.rereview import export_rereview
    from app.review import export_queue

    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="queue")
    try:
        if rereview:
            count = export_rereview(conn, out, limit=limit)
        else:
            count = export_queue(
                conn, out, limit=limit, band="auto" if auto else "review"
            )
        again = rereview_counts(conn).pair_decisions
    finally:
        conn.close()
    if rereview:
        click.echo(f"wrote {count:,} pairs to re-review to {out}")
        return
    what = "automatic links to confirm" if auto else "waiting pairs"
    click.echo(f"wrote {count:,} {what} to {out}")
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
        f"applied {counted(summary.applied, 'decision')} ({words or 'none'}); "
        f"{summary.unchanged:,} already standing"
        + (
            f"; {summary.unanswered:,} rows without a decision left waiting"
            if summary.unanswered
            else ""
        )
    )
    c = summary.identities
    click.echo(
        f"identities: {c.identities:,} ({c.changed_records:,} records moved, "
        f"{c.conflicts:,} contradictions)"
    )


@cli.command()
@WS_ARG
@click.argument("entry", type=int)
@click.option("--note", required=True, help="What you checked, for the auditor.")
@reviewer_option
@user_errors
def reaffirm(ws: Path, entry: int, note: str, reviewer: str | None) -> None:
    """Keep a split or merge that a newer export flagged for re-review.

    A pair decision is cleared by deciding the pair again; a split or a merge
    cannot be made twice, so this appends a new entry of the same kind on the
    records as they are now. `recordmatch status` and `audit --verify` list
    the flagged entries.

    Example: recordmatch reaffirm cases.rmws 4711 --note "new address checked"
    """
    from app.reaffirm import reaffirm as reaffirm_entry

    conn = open_workspace(ws, actor=Actor.current(reviewer), purpose="reaffirm")
    try:
        outcome = reaffirm_entry(conn, entry, note=note)
    finally:
        conn.close()
    click.echo(f"re-affirmed entry {entry} as entry {outcome.seq}")

"""The cannabis eligibility list: one row per case with a cannabis charge.

Each identity's records are grouped into cases the way the classifier groups
them (:func:`matching.eligibility.classify_person`): clerk rows and
disposition rows of one case share the canonical case number, and an arrest
joins the one case that charged the same offence shortly after it, or stands
alone. Every case with a cannabis charge, or with a statute nobody can read
(it might be cannabis), becomes a row, classified with the office's rule file.

**Confirmed.** A row is ``confirmed`` when a person stands behind every link
that made its records one identity: the identity's records are connected
using only standing human must-links (``match`` decisions and ``merge``
entries of the ledger, reversals applied, see
:func:`app.workspace.ledger.constraints`). Automatic links (``auto-link``
entries) never confirm. An identity of one record has no links and is
confirmed. A row that is not confirmed and has anything clearable or to
review goes to ``needs_review/unconfirmed_links``
(:func:`matching.eligibility.combine_person`); ``if_confirmed`` says what it
would be once a person confirms the links.

**Offence dates.** The weight table depends on the offence date, never a
later one, so a record's ``event_date`` counts only when its import mapped it
from an offence or arrest column, not from a filing, disposition or sentence
date, and, for a disposition source, only when the header says offence,
arrest or incident. The classifier lends the case's offence date to the rest.

The pieces: :mod:`app.eligibility_row` (the row, its columns, the rule
file), :mod:`app.eligibility_cases` (records to classified cases),
:mod:`app.eligibility_people` (rows summed up per person, the screen's
filters), :mod:`app.eligibility_export` and
:mod:`app.eligibility_dissemination` (the logged export).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from app.eligibility_cases import Case, CaseReader
from app.eligibility_row import HEADER, EligibleRow, default_rules
from app.workspace import eligibility_sql as store
from app.workspace.core import Connection
from matching.eligibility import RuleSet
from matching.progress import CancelFn, ProgressFn, check_cancel

__all__ = [
    "HEADER",
    "EligibleRow",
    "default_rules",
    "eligible_rows",
    "iter_eligible_rows",
]
PROGRESS_STAGE = "eligibility"


def eligible_rows(
    conn: Connection, *, rules: RuleSet | None = None
) -> list[EligibleRow]:
    """Every case with a cannabis charge, classified, one row per identity and case.

    Args:
        conn: the workspace (read-only will do).
        rules: the rule set; None reads the office's rule file.

    Returns:
        Rows ordered by identity, then offence date and case number. A lone
        arrest (no case joined it) is a row with an empty case number.
    """
    return list(iter_eligible_rows(conn, rules=rules))


def iter_eligible_rows(
    conn: Connection,
    *,
    rules: RuleSet | None = None,
    batch: int = 2000,
    on_progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Iterator[EligibleRow]:
    """:func:`eligible_rows` as a stream, for exports of a large workspace.

    Identities are read in order and finished ``batch`` cases at a time, so
    memory does not grow with the workspace. Everything is read in one
    snapshot (a read transaction, held until the stream ends or is closed),
    so other connections may write meanwhile; this one must not.

    Args:
        on_progress: called as ``(PROGRESS_STAGE, records read, records)``
            after each identity, for a progress bar.
        cancel: checked after each identity; raises
            :class:`matching.progress.Cancelled` when it returns True.
    """
    rules = rules or default_rules()
    db = conn.conn
    with store.read_snapshot(db):
        total = store.count_records(db) if on_progress is not None else 0
        reader = CaseReader(db, rules)
        pending: list[Case] = []
        done = 0
        for identity_id, group in groupby(
            store.iter_charge_records(db), key=lambda r: r.identity_id
        ):
            records = list(group)
            done += len(records)
            pending += reader.cases(identity_id, records)
            check_cancel(cancel)  # an Event's flag: cheap enough per identity
            if on_progress is not None:
                on_progress(PROGRESS_STAGE, done, total)
            if len(pending) >= batch:
                yield from reader.rows(pending)
                pending = []
        check_cancel(cancel)
        yield from reader.rows(pending)

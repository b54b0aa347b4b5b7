"""Link rates per subgroup: does linkage, or a person's attention, skip a group?

Linkage errors fall unevenly: a compound surname written whole in one agency
and halved in another, a missing birth date, a record with no SID or FBI
number all make a true match harder to see. The report therefore gives the
same three figures for each group and for everyone, so a gap shows.

Definitions (each over the workspace as it stands, derived from the ledger):

* **records**: records in the group.
* **linked**: records of the group whose identity holds at least one other
  record; the *share linked* is linked / records.
* **links**: record pairs that hold an identity together now, with at least
  one record in the group: the two records share an identity, and either the
  model's latest ledger entry for the pair is an ``auto-link`` or a person's
  standing entry joins them (a ``match`` decision or a ``merge``), and no
  person's standing entry keeps them apart (``non-match`` or ``split``; see
  :func:`app.workspace.ledger.constraints`, the same rule identities are
  built with).
* **confirmed**: links a person's standing entry joins; the *share confirmed*
  is confirmed / links (None when the group has no links).

The groups are those of ``bench/bench_quality.py``, so the report's figures
and the bench's error rates speak of the same records: a **compound surname**
has two or more words once normalised (GARCIA LOPEZ, DE LA CRUZ); **missing
DOB** has no readable birth date; **no person identifier** has no SID, FBI or
IR number and no ``id_*`` column (booking and case numbers name an event).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from itertools import chain

import numpy as np

from app import audit_report_sql as sql
from app.workspace import ledger

GROUPS = (
    ("compound surname", "surname of two or more words once normalised"),
    ("missing DOB", "no readable birth date"),
    ("no person identifier", "no SID, FBI or IR number and no id_* column"),
    ("everyone", "every record in the workspace"),
)

# The figures' meaning in a sentence each, printed under the report's table.
MEASURES = (
    "Linked to another record: the record's identity holds at least one other record.",
    "Links holding them: record pairs that hold an identity together now "
    "(an automatic link standing in the ledger, or a person's match or merge, "
    "not undone by a person's non-match or split) with a record of the group.",
    "Confirmed by a person: of those links, the ones a person's standing match "
    "or merge made.",
)


@dataclass(frozen=True, slots=True)
class SubgroupRate:
    """The link figures of one group of records (see the module docstring)."""

    name: str
    definition: str
    records: int
    linked: int
    links: int
    confirmed: int

    @property
    def share_linked(self) -> float | None:
        return self.linked / self.records if self.records else None

    @property
    def share_confirmed(self) -> float | None:
        return self.confirmed / self.links if self.links else None


def _codes(pairs: np.ndarray | list[tuple[int, int]], base: int) -> np.ndarray:
    """Each (left, right) pair as one sortable int64: left * base + right."""
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return np.unique(arr[:, 0] * base + arr[:, 1])


def subgroup_rates(
    db: sqlite3.Connection, auto: np.ndarray | None = None
) -> list[SubgroupRate]:
    """The figures of every group in :data:`GROUPS`, in that order.

    Args:
        auto: the standing automatic links (:func:`sql.standing_auto_links`),
            when the caller has read them already.
    """
    traits = np.fromiter(
        chain.from_iterable(sql.record_traits(db)), dtype=np.int64
    ).reshape(-1, 5)
    if traits.shape[0] == 0:
        return [SubgroupRate(name, text, 0, 0, 0, 0) for name, text in GROUPS]
    keys, identity = traits[:, 0], traits[:, 1]
    flags = [traits[:, 2] != 0, traits[:, 3] != 0, traits[:, 4] != 0]
    flags.append(np.ones(keys.size, dtype=bool))
    _, inverse, sizes = np.unique(identity, return_inverse=True, return_counts=True)
    linked = sizes[inverse] >= 2

    must, cannot = ledger.constraints(db)
    if auto is None:
        auto = sql.standing_auto_links(db)
    base = int(keys.max(initial=0)) + 1
    must_codes = _codes(must, base)
    links = np.setdiff1d(
        np.union1d(_codes(auto, base), must_codes), _codes(cannot, base)
    )
    left, right = links // base, links % base
    # Records are keyed by rowid; positions found by search in the sorted keys.
    lpos = np.searchsorted(keys, left).clip(0, keys.size - 1)
    rpos = np.searchsorted(keys, right).clip(0, keys.size - 1)
    known = (keys[lpos] == left) & (keys[rpos] == right)
    holding = known & (identity[lpos] == identity[rpos])
    confirmed = holding & np.isin(links, must_codes)

    out = []
    for (name, definition), flag in zip(GROUPS, flags, strict=True):
        touches = holding & (flag[lpos] | flag[rpos])
        out.append(
            SubgroupRate(
                name=name,
                definition=definition,
                records=int(flag.sum()),
                linked=int((flag & linked).sum()),
                links=int(touches.sum()),
                confirmed=int((touches & confirmed).sum()),
            )
        )
    return out

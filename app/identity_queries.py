"""One person across every source, and finding a person by name, DOB or number.

A records clerk clearing an old cannabis case needs the whole history at a
glance (arrest, the court case with its charges, the disposition) and why
each record is there: an automatic link and its score, or whose decision and
when. Search must forgive a misspelt name, even in its first letter, so every
distinct name is scored (``app.name_index``) and ranked with rapidfuzz.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.name_index import name_index
from app.workspace import identity_scope
from app.workspace import review_sql as sql
from app.workspace.core import Connection
from matching.normalize import (
    case_number,
    clean_identifier,
    clean_name,
    parse_date,
    split_full_name,
    swap_day_month,
)

RECORDS_SHOWN = 2000
_KIND_ORDER = {"arrest": 0, "clerk": 1, "disposition": 2, "other": 3}


def display_name(last: str | None, first: str | None, middle: str | None) -> str:
    """LAST, FIRST MIDDLE: the order every agency file in the office uses."""
    given = " ".join(p for p in (first, middle) if p)
    if last and given:
        return f"{last}, {given}"
    return last or given or "(no name)"


@dataclass(frozen=True, slots=True)
class JoinInfo:
    """Why a record belongs to its identity.

    Attributes:
        how: 'decision' (a person's match), 'merge' (a person merged the
            identities), 'auto' (the model linked it), 'first' (the record
            the others joined) or 'cluster' (no direct link to the rest).
        other_key: the record it was joined to, if any.
        pair_id: the scored pair behind the link (None for a merge).
        probability, weight: the model's score for an automatic link.
        actor, at, reason_code, note: who decided, when, and why.
    """

    how: str
    other_key: int | None = None
    pair_id: int | None = None
    probability: float | None = None
    weight: float | None = None
    actor: str | None = None
    at: str | None = None
    reason_code: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    key: int
    source: str
    kind: str
    record_id: str
    name: str
    dob: str | None
    event_date: str | None
    case_number: str | None
    booking_number: str | None
    statute: str | None
    charge: str | None
    disposition: str | None
    joined: JoinInfo


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event: an arrest, a court case (its charge rows), a disposition."""

    when: str | None
    kind: str
    title: str
    records: tuple[IdentityRecord, ...]


@dataclass(frozen=True, slots=True)
class IdentityDetail:
    identity_id: int
    requested_id: int  # differs when the asked-for id was merged away
    names: tuple[str, ...]
    dobs: tuple[str, ...]
    record_count: int
    timeline: tuple[TimelineEntry, ...]
    flags: tuple[str, ...]

    @property
    def records(self) -> tuple[IdentityRecord, ...]:
        return tuple(r for e in self.timeline for r in e.records)


def _joins(conn: Connection, keys: Sequence[int]) -> dict[int, JoinInfo]:
    """Per record, the link that holds it in the identity.

    A maximum spanning forest: people's joins first, then automatic links
    strongest first (as clustering adds them). Each tree is hung from its
    oldest record, so every other record names one edge to its parent.
    """
    edges: list[tuple[int, int, JoinInfo]] = []
    for _, kind, left, right, actor, at, reason, note, pair in sql.human_joins_among(
        conn.conn, keys
    ):
        how = "decision" if kind == "match" else "merge"
        edges.append(
            (
                left,
                right,
                JoinInfo(how, None, pair, None, None, actor, at, reason, note),
            )
        )
    for pair, left, right, weight, prob in sorted(
        sql.auto_links_among(conn.conn, keys), key=lambda r: -r[3]
    ):
        info = JoinInfo("auto", None, pair, float(prob), float(weight))
        edges.append((left, right, info))
    parent = {k: k for k in keys}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    adjacent: dict[int, list[tuple[int, JoinInfo]]] = {k: [] for k in keys}
    for left, right, info in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
            adjacent[left].append((right, info))
            adjacent[right].append((left, info))
    out: dict[int, JoinInfo] = {}
    for start in sorted(keys):
        if start in out:
            continue
        # A second tree has no link of its own into the first (its records
        # were placed by re-clustering, e.g. through a link now retired).
        out[start] = JoinInfo("first" if not out else "cluster")
        todo = [start]
        while todo:
            node = todo.pop()
            for other, info in adjacent[node]:
                if other not in out:
                    out[other] = replace(info, other_key=node)
                    todo.append(other)
    return out


def _record(row: Mapping[str, Any], joined: JoinInfo) -> IdentityRecord:
    return IdentityRecord(
        key=row["key"],
        source=row["source"],
        kind=row["kind"],
        record_id=row["record_id"],
        name=display_name(row["last_name"], row["first_name"], row["middle_name"]),
        dob=row["dob"],
        event_date=row["event_date"],
        case_number=row["case_number"],
        booking_number=row["booking_number"],
        statute=row["statute"],
        charge=row["charge"],
        disposition=row["disposition"],
        joined=joined,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _timeline(records: Sequence[IdentityRecord]) -> tuple[TimelineEntry, ...]:
    """Clerk rows (one per charge) become one court case, and a court's
    disposition rows of one case on one day one disposition; an arrest is
    one event."""
    groups: dict[tuple[str, str, str, str | None], list[IdentityRecord]] = {}
    entries: list[TimelineEntry] = []
    for r in records:
        if r.kind == "clerk" and r.case_number:
            groups.setdefault(("clerk", r.source, r.case_number, None), []).append(r)
        elif r.kind == "disposition" and r.case_number:
            key = ("disposition", r.source, r.case_number, r.event_date)
            groups.setdefault(key, []).append(r)
        else:
            title = (
                f"Arrest, booking {r.booking_number or '?'}"
                if r.kind == "arrest"
                else f"{r.source} record {r.record_id}"
            )
            entries.append(TimelineEntry(r.event_date, r.kind, title, (r,)))
    for (kind, _, number, _), rows in groups.items():
        dates = [r.event_date for r in rows if r.event_date]
        if kind == "clerk":
            title = f"Court case {number}, {_plural(len(rows), 'charge')}"
        else:
            outcomes = "; ".join(dict.fromkeys(r.disposition or "?" for r in rows))
            title = f"Disposition of case {number}: {outcomes}"
        when = min(dates) if dates else None
        entries.append(TimelineEntry(when, kind, title, tuple(rows)))
    entries.sort(key=lambda e: (e.when or "9999", _KIND_ORDER.get(e.kind, 9)))
    return tuple(entries)


def identity_detail(conn: Connection, identity_id: int) -> IdentityDetail | None:
    """One identity's records on a timeline, or None if the id is unknown."""
    current = identity_scope.resolve_identity_id(conn.conn, identity_id)
    if current is None:
        return None
    rows = sql.identity_record_rows(conn.conn, current, limit=RECORDS_SHOWN)
    joins = _joins(conn, [r["key"] for r in rows])
    records = [_record(r, joins.get(r["key"], JoinInfo("first"))) for r in rows]
    flags = sql.identity_flags(conn.conn, current)
    count = sql.identity_sizes(conn.conn, [current]).get(current, 0)
    return IdentityDetail(
        identity_id=current,
        requested_id=identity_id,
        names=tuple(dict.fromkeys(r.name for r in records)),
        dobs=tuple(dict.fromkeys(r.dob for r in records if r.dob)),
        record_count=count,
        timeline=_timeline(records),
        flags=tuple(json.loads(flags)) if flags else (),
    )


def identity_of_record(conn: Connection, record_key: int) -> int | None:
    """The identity a record is in now (None for an unknown record)."""
    return sql.identity_of(conn.conn, record_key)


@dataclass(frozen=True, slots=True)
class SearchHit:
    key: int
    source: str
    record_id: str
    name: str
    dob: str | None
    event_date: str | None
    identity_id: int
    identity_size: int
    score: float  # 0..100, 100 for an exact DOB or identifier
    matched_on: str  # 'name', 'dob', 'sid', 'case_number', 'record_id', ...


@dataclass(frozen=True, slots=True)
class SearchResult:
    kind: str  # 'name', 'dob', 'identifier' or 'empty'
    hits: tuple[SearchHit, ...]


def _hits(conn: Connection, rows: Sequence[tuple[Any, ...]], scores: Any) -> Any:
    sizes = sql.identity_sizes(conn.conn, [r[8] for r in rows])
    seen: set[int] = set()
    out = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        score, matched = scores(row)
        out.append(
            SearchHit(
                row[0],
                row[1],
                row[2],
                display_name(row[3], row[4], row[5]),
                row[6],
                row[7],
                row[8],
                sizes.get(row[8], 1),
                score,
                matched,
            )
        )
    return tuple(sorted(out, key=lambda h: (-h.score, h.name, h.key)))


def _search_names(conn: Connection, text: str, limit: int) -> tuple[SearchHit, ...]:
    parts = split_full_name(text)
    last, first = parts.last, parts.first
    if last is None:
        last, first = first, None
    if last is None:
        return ()
    tries = [(last, first)] + ([(first, last)] if first else [])
    wanted = name_index(conn).best(tries, limit=limit)
    rows = sql.records_named(conn.conn, list(wanted), limit=limit)
    return _hits(conn, rows, lambda r: (wanted[(r[3], r[4])], "name"))


def search(conn: Connection, text: str, *, limit: int = 200) -> SearchResult:
    """Find records by a (misspelt) name, a birth date or any identifier.

    A query that reads as a date searches birth dates (also with day and
    month swapped); one with digits searches SID, FBI, IR, booking and case
    numbers and record ids; anything else is a name, "LAST, FIRST" or
    "FIRST LAST", ranked by Jaro-Winkler similarity.
    """
    text = text.strip()
    if not text:
        return SearchResult("empty", ())
    if any(c.isdigit() for c in text):
        iso = parse_date(text, today=date.today()).iso
        if iso is not None and not text.isdigit():
            dobs = [d for d in (iso, swap_day_month(iso)) if d]
            rows = sql.records_born(conn.conn, dobs, limit=limit)
            return SearchResult(
                "dob",
                _hits(conn, rows, lambda r: (100.0 if r[6] == iso else 90.0, "dob")),
            )
        values = {c: v for c in sql.IDENTIFIER_COLUMNS if (v := clean_identifier(text))}
        if (case := case_number(text)) is not None:
            values["case_number"] = case
        values["record_id"] = text
        rows = sql.records_with_identifier(conn.conn, values, limit=limit)
        matched = {r[0]: r[9] for r in rows}
        return SearchResult(
            "identifier", _hits(conn, rows, lambda r: (100.0, matched[r[0]]))
        )
    cleaned = clean_name(text)
    if cleaned is None:
        return SearchResult("name", ())
    return SearchResult("name", _search_names(conn, text, limit))


@dataclass(frozen=True, slots=True)
class FlaggedIdentity:
    """An identity the clustering flagged: records that disagree on identifiers
    or birth dates, held together by links a person should look at."""

    identity_id: int
    reasons: tuple[str, ...]
    records: int


def flagged_identities(
    conn: Connection, *, after: int = 0, limit: int = 1000
) -> list[FlaggedIdentity]:
    """Flagged identities with ids above ``after``, in id order."""
    return [
        FlaggedIdentity(int(i), tuple(json.loads(reasons)), int(n))
        for i, reasons, n in sql.flagged_identities(conn.conn, after=after, limit=limit)
    ]


def next_flagged(conn: Connection, after: int) -> int | None:
    """The next flagged identity after ``after``, wrapping to the first."""
    found = flagged_identities(conn, after=after, limit=1) or flagged_identities(
        conn, limit=1
    )
    return found[0].identity_id if found else None

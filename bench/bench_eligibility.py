"""Who the eligibility list finds, against the generator's truth, and why it misses.

Generates the sample (default 1,500 people, seed 7), imports it, links it and
lists the cases with ``app.eligibility.eligible_rows``. The TRUE category of
each person comes from the truth files: their charges (clean statute keys,
true outcomes, attempts), grouped by the true case, with the offence date of
the case (the clerk's OFFENSE_DT; an arrest never charged uses its arrest
date), classified with the same rule file and every link taken as confirmed.
It is what a perfect workstation would conclude from the same files. A
person is eligible when any of their true cases clears (each case judged with
its own records, as the list judges it); their category is the route that
needs most work (motion to vacate, conviction, non-conviction).

Three stages: automatic links only; after a perfect reviewer answers the
queue (``app.review.apply_decisions`` from truth); and after that reviewer
also answers every scored pair inside the identities the list holds for
confirmation (what the eligibility screen asks of the office).

Per stage it prints the people truly eligible (non_conviction_minor,
conviction_minor, motion_to_vacate), how many the list finds (with the same
category or another clearable one), misses and wrongly includes, and why:
the workstation's category/reason for them, marked "linkage error" when the
records of the case are split across identities or share one with another
person.

Usage: .venv/bin/python bench/bench_eligibility.py [--people 1500] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.actor import Actor
from app.eligibility import EligibleRow, default_rules, eligible_rows
from app.importer import import_file
from app.linking import run_link
from app.review import apply_decisions, export_queue
from app.workspace import Connection, open_workspace
from app.workspace import records as records_store
from app.workspace.eligibility_sql import pairs_inside
from matching.eligibility import (
    CLEARABLE,
    Category,
    ChargeInput,
    ChargeResult,
    Reason,
    RuleSet,
    classify_person,
    combine_person,
    parse_statute,
)

SOURCES = ("clerk", "arrest", "disposition")
CLEARING_ORDER = (
    Category.MOTION_TO_VACATE,
    Category.CONVICTION_MINOR,
    Category.NON_CONVICTION_MINOR,
)
Rec = tuple[str, str]  # (source, record id)
_WORDING = {"conviction": "GUILTY", "non_conviction": "DISMISSED", "none": None}


@dataclass(frozen=True, slots=True)
class Truth:
    person: dict[Rec, str]
    case: dict[Rec, str]  # '' for an arrest never charged
    category: dict[str, Category]  # person -> true category
    case_category: dict[str, Category]  # case key -> true category
    clearable_cases: dict[str, list[list[Rec]]]  # person -> records of each
    band_errors: int  # charges whose grams the law puts in another subsection


def _lines(path: Path, encoding: str) -> list[tuple[str, dict[str, str]]]:
    """(record id = physical start line, row), as the importer numbers rows."""
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out, start = [], reader.line_num + 1
        for row in reader:
            out.append((str(start), dict(zip(header, row, strict=True))))
            start = reader.line_num + 1
    return out


def read_truth(folder: Path, rules: RuleSet) -> Truth:
    offence = {
        row["CASE_NO"]: datetime.strptime(row["OFFENSE_DT"], "%m/%d/%Y").date()
        for _, row in _lines(folder / "clerk.csv", "utf-8")
    }
    arrested = {
        rid: date.fromisoformat(row["Arrest Date"][:10])
        for rid, row in _lines(folder / "arrest.csv", "cp1252")
    }
    with (folder / "charges_truth.csv").open(encoding="utf-8", newline="") as fh:
        charges = list(csv.DictReader(fh))
    person: dict[Rec, str] = {}
    case_of: dict[Rec, str] = {}
    inputs: dict[str, list[ChargeInput]] = defaultdict(list)
    band_errors = 0
    for c in charges:
        rec = (c["source"], c["record_id"])
        person[rec], case_of[rec] = c["person_id"], c["case_key"]
        day = offence[c["case_key"]] if c["case_key"] else arrested[c["record_id"]]
        key = c["statute_key"]
        statute = (
            ("625 ILCS " + key[4:]) if key.startswith("625 ") else f"720 ILCS {key}"
        )
        statute += " (att)" if c["attempt"] == "true" else ""
        citation = parse_statute(statute)
        assert citation is not None, statute
        band_errors += _band_error(
            citation.section, citation.subsection, day, c["grams"], rules
        )
        inputs[c["person_id"]].append(
            ChargeInput(
                statute=statute,
                offense_date=day,
                disposition=_WORDING[c["outcome"]],
                case=c["case_key"] or None,
                source=c["source"],
                record_id=f"{rec[0]}:{rec[1]}",
            )
        )
    category: dict[str, Category] = {}
    case_category: dict[str, Category] = {}
    clearable_cases: dict[str, list[list[Rec]]] = {}
    for pid, charges_of in inputs.items():
        summary = classify_person(charges_of, rules, links_confirmed=True)
        by_case: dict[str, list[ChargeResult]] = defaultdict(list)
        for charge, result in zip(charges_of, summary.results, strict=True):
            if charge.case:
                by_case[charge.case].append(result)
        cases = {
            case: combine_person(results, links_confirmed=True).category
            for case, results in by_case.items()
        }
        case_category |= cases
        category[pid] = best(cases.values()) or summary.category
        clearable_cases[pid] = [
            [_rec(str(c.record_id)) for c in charges_of if c.case == case]
            for case in sorted(cases)
            if cases[case] in CLEARABLE
        ]
    return Truth(person, case_of, category, case_category, clearable_cases, band_errors)


def best(categories: Iterable[Category]) -> Category | None:
    """The clearing route needing most work, as combine_person ranks them."""
    present = set(categories)
    return next((c for c in CLEARING_ORDER if c in present), None)


def _band_error(
    section: str, sub: str | None, day: date, grams: str, rules: RuleSet
) -> int:
    """1 when the true amount is outside its subsection's band on that day."""
    tables = [t for t in rules.tables_for(section) if t.covers(day)]
    band = tables[0].band(sub) if tables and sub else None
    if band is None or not grams:
        return 0
    return 0 if band.more_than < float(grams) <= band.up_to else 1


@dataclass(frozen=True, slots=True)
class Score:
    eligible: int
    found: int
    same_category: int
    missed: Counter[str]
    wrong: Counter[str]
    cases: tuple[int, int, int, int]  # truly clearable, found, same, wrongly listed


def compare(
    conn: Connection, truth: Truth, rules: RuleSet
) -> tuple[Score, Score, float]:
    """The list as written, and as if every held identity were confirmed as linked."""
    started = time.perf_counter()
    rows = eligible_rows(conn, rules=rules)
    seconds = time.perf_counter() - started
    identity_of: dict[Rec, int] = {}
    people_in: dict[int, set[str]] = defaultdict(set)
    for identity, source, rid in records_store.iter_identity_rows(conn.conn):
        identity_of[(source, rid)] = identity
        people_in[identity].add(truth.person[(source, rid)])

    def linkage_error(recs: list[Rec]) -> bool:
        identities = {identity_of[r] for r in recs}
        return len(identities) > 1 or len(people_in[identities.pop()]) > 1

    listed = score(rows, truth, linkage_error, lambda r: r.category)
    as_linked = score(rows, truth, linkage_error, lambda r: r.if_confirmed)
    return listed, as_linked, seconds


def score(
    rows: list[EligibleRow],
    truth: Truth,
    linkage_error: Callable[[list[Rec]], bool],
    category_of: Callable[[EligibleRow], Category],
) -> Score:
    rows_of: dict[str, list[EligibleRow]] = defaultdict(list)
    for row in rows:
        for pid in {truth.person[_rec(r)] for r in row.record_ids}:
            rows_of[pid].append(row)
    eligible = {p for p, c in truth.category.items() if c in CLEARABLE}
    found, same, missed, wrong = 0, 0, Counter[str](), Counter[str]()
    for pid in eligible:
        clear = [category_of(r) for r in rows_of[pid] if category_of(r) in CLEARABLE]
        if clear:
            found += 1
            same += best(clear) is truth.category[pid]
            continue
        closest = min(rows_of[pid], key=_rank, default=None)
        label = "no row" if closest is None else _label(closest, category_of)
        if any(linkage_error(recs) for recs in truth.clearable_cases[pid]):
            label += " (linkage error)"
        missed[label] += 1
    for pid, mine in rows_of.items():
        clear_rows = [r for r in mine if category_of(r) in CLEARABLE]
        if not clear_rows or pid in eligible:
            continue
        mixed = any(linkage_error([_rec(x) for x in r.record_ids]) for r in clear_rows)
        wrong["linkage error" if mixed else f"truly {truth.category[pid].value}"] += 1
    by_case: dict[str, set[Category]] = defaultdict(set)
    for row in rows:
        if category_of(row) in CLEARABLE:
            for rec in map(_rec, row.record_ids):
                if truth.case[rec]:
                    by_case[truth.case[rec]].add(category_of(row))
    true_cases = {k for k, c in truth.case_category.items() if c in CLEARABLE}
    hit = true_cases & set(by_case)
    cases = (
        len(true_cases),
        len(hit),
        sum(best(by_case[k]) is truth.case_category[k] for k in hit),
        len(set(by_case) - true_cases),
    )
    return Score(len(eligible), found, same, missed, wrong, cases)


def _rec(text: str) -> Rec:
    source, rid = text.split(":", 1)
    return source, rid


def _rank(row: EligibleRow) -> int:
    """Closest to clearing first: held for links, then other review, then not."""
    if row.reason is Reason.UNCONFIRMED_LINKS and row.if_confirmed in CLEARABLE:
        return 0
    return 1 if row.category is Category.NEEDS_REVIEW else 2


def _label(row: EligibleRow, category_of: Callable[[EligibleRow], Category]) -> str:
    category = category_of(row)
    if category is not row.category:
        return f"{category.value} (once confirmed)"
    reason = row.reason.value if row.reason else "-"
    if row.reason is Reason.UNCONFIRMED_LINKS:
        reason += f" (if confirmed: {row.if_confirmed.value})"
    return f"{category.value}/{reason}"


def answer(
    conn: Connection, truth: Truth, pairs: list[tuple[int, int, int]], path: Path
) -> int:
    """Answer pairs from truth through the product's decisions file."""
    keys = {k: (s, r) for k, s, r in records_store.iter_record_keys(conn.conn)}
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pair_id", "decision"])
        for pair_id, left, right in pairs:
            same = truth.person[keys[left]] == truth.person[keys[right]]
            writer.writerow([pair_id, "match" if same else "non-match"])
    return apply_decisions(conn, path).applied if pairs else 0


def queue_pairs(conn: Connection, work: Path) -> list[tuple[int, int, int]]:
    from app.workspace.pairs import get_pairs

    export_queue(conn, work / "queue.csv")
    with (work / "queue.csv").open(newline="") as fh:
        ids = [int(r["pair_id"]) for r in csv.DictReader(fh)]
    got = get_pairs(conn.conn, ids)
    return [(i, got[i].left_key, got[i].right_key) for i in ids]


def held_pairs(conn: Connection, rules: RuleSet) -> list[tuple[int, int, int]]:
    """Undecided pairs inside identities the list holds for confirmation."""
    held = {
        r.identity_id
        for r in eligible_rows(conn, rules=rules)
        if r.reason is Reason.UNCONFIRMED_LINKS
    }
    inside = pairs_inside(conn.conn, sorted(held))
    records = {
        k for ps in inside.values() for p in ps for k in (p.left_key, p.right_key)
    }
    print(
        f"\nconfirming {len(held):,} held identities ({len(records):,} records): "
        f"a spanning set of links is {len(records) - len(inside):,} answers; "
        f"the bench answers every undecided scored pair inside them"
    )
    return [
        (p.pair_id, p.left_key, p.right_key)
        for pairs in inside.values()
        for p in pairs
        if p.decision is None
    ]


def report(name: str, result: tuple[Score, Score, float]) -> None:
    listed, as_linked, seconds = result
    print(f"\n{name} (list built in {seconds:.2f}s)")
    for title, sc in (("listed", listed), ("as linked, if confirmed", as_linked)):
        total, found, same, wrong = sc.cases
        print(
            f"  {title}: {sc.eligible:,} people truly eligible; found "
            f"{sc.found:,} ({sc.same_category:,} in the same category), missed "
            f"{sc.eligible - sc.found:,}, wrongly included {sum(sc.wrong.values()):,}"
            f"\n    cases: {total:,} truly clearable; found {found:,} "
            f"({same:,} in the same category); wrongly listed {wrong:,}"
        )
        for what, counts in (("missed", sc.missed), ("wrongly included", sc.wrong)):
            for label, n in counts.most_common():
                print(f"    {what:<17} {n:>5,}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from app.samples import generate

    rules = default_rules()
    work = Path(tempfile.mkdtemp(prefix="rm-eligible-"))
    generate(work, people=args.people, seed=args.seed)
    truth = read_truth(work, rules)
    print(
        f"{args.people:,} people, seed {args.seed}, rules {rules.version}; "
        f"truth: {Counter(c.value for c in truth.category.values())}; "
        f"charges whose grams disagree with the law's band: {truth.band_errors}"
    )
    conn = open_workspace(work / "ws.rmws", create=True, actor=Actor("bench", "bench"))
    for source in SOURCES:
        import_file(conn, work / f"{source}.csv", source=source, kind=source)
    summary = run_link(conn)
    report(
        f"automatic links only ({summary.auto:,} auto-linked pairs)",
        compare(conn, truth, rules),
    )
    n = answer(conn, truth, queue_pairs(conn, work), work / "queue-answers.csv")
    report(
        f"after a perfect review of the queue ({n:,} answers)",
        compare(conn, truth, rules),
    )
    n = answer(conn, truth, held_pairs(conn, rules), work / "held-answers.csv")
    report(
        f"after also confirming the held identities ({n:,} answers)",
        compare(conn, truth, rules),
    )
    conn.close()


if __name__ == "__main__":
    main()

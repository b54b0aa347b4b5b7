"""The review board's three checks, each with its evidence and concerns.

Before a board clears a cannabis record it asks: is this the same person who
was arrested, is the record correct, and was there no violent offence. Each
check lists the evidence the workspace holds and what a person should look
at before ticking it; the program never ticks a box. Kept apart from
:mod:`app.evidence_packet`, which gathers the data these read.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.eligibility_person import PersonCharges
from app.identity_queries import IdentityDetail, IdentityRecord
from matching.eligibility import Reason, RuleSet, parse_statute

_KIND_RANK = {"arrest": 0, "clerk": 1, "disposition": 2}
_REVIEW_REASONS = {
    Reason.UNCLASSIFIED_STATUTE,
    Reason.UNCLASSIFIED_DISPOSITION,
    Reason.MISSING_DISPOSITION,
    Reason.MISSING_OFFENSE_DATE,
}


@dataclass(frozen=True, slots=True)
class LinkLine:
    """How one record came to be part of the identity, in words and facts."""

    record: IdentityRecord
    how: str  # first, auto, decision, merge, cluster
    text: str  # e.g. 'linked automatically to clerk 12, score 0.998, run 1 (...)'


@dataclass(frozen=True, slots=True)
class Check:
    """One item of the board's checklist: the question, its evidence, concerns."""

    title: str
    question: str
    evidence: tuple[str, ...]
    concerns: tuple[str, ...]  # what a person must look at before ticking


def label(r: IdentityRecord) -> str:
    """'clerk 4': how the packet names a record (source and the file's id)."""
    return f"{r.source} {r.record_id}"


def same_person(detail: IdentityDetail, links: tuple[LinkLine, ...]) -> Check:
    """Who each record says the person is, and what holds the records together.

    Records are grouped by the name and birth date they give, so a board
    member sees at once whether the arrest and the court agree.
    """
    said: dict[tuple[str, str], list[str]] = {}
    for r in sorted(detail.records, key=lambda r: (_KIND_RANK.get(r.kind, 3), r.key)):
        said.setdefault((r.name, r.dob or "no birth date"), []).append(label(r))
    evidence = [
        f"{name}, born {dob}: {', '.join(ids)}" for (name, dob), ids in said.items()
    ]
    auto = [x for x in links if x.how == "auto"]
    people = [x for x in links if x.how in ("decision", "merge")]
    if auto:
        scores = sorted(x.record.joined.probability or 0.0 for x in auto)
        evidence.append(
            f"{len(auto)} link(s) made by the model, scores {scores[0]:.3f} to "
            f"{scores[-1]:.3f}; {len(people)} by a person (each link: section 2)"
        )
    elif people:
        evidence.append(f"every link ({len(people)}) was made by a person (section 2)")
    else:
        evidence.append("a single record: there is no link to check")
    arrests = [r for r in detail.records if r.kind == "arrest"]
    concerns = []
    if len(detail.dobs) > 1:
        concerns.append(f"the records give {len(detail.dobs)} birth dates")
    if len(detail.names) > 1:
        concerns.append(f"the records spell the name {len(detail.names)} ways")
    if any(x.how in ("auto", "cluster") for x in links):
        concerns.append(
            "some links were made by the model and no person confirmed them"
        )
    if not arrests:
        concerns.append("no arrest record is linked to this person")
    if detail.flags:
        concerns.append("flagged: " + "; ".join(detail.flags))
    return Check(
        "Same person as arrested",
        "Are the arrest, the court case and the disposition all this person?",
        tuple(evidence),
        tuple(concerns),
    )


def record_correct(charges: PersonCharges) -> Check:
    evidence = [
        f"{c.source} {c.record_id}, case {c.case_number or '(none)'}: statute "
        f"{c.statute or '(none)'}, offence {c.offense_date or 'unknown'}, "
        f"disposition {c.disposition or '(none on this record)'} "
        f"-> {c.category.value.replace('_', ' ')} (rule {c.rule_id})"
        for c in charges.charges
    ]
    concerns = [
        f"{c.source} {c.record_id}: {c.why}"
        for c in charges.charges
        if c.reason in _REVIEW_REASONS
    ]
    return Check(
        "Record correct",
        "Do the statute, offence date and disposition match the court file?",
        tuple(evidence),
        tuple(concerns),
    )


def no_violence(
    detail: IdentityDetail, charges: PersonCharges, rules: RuleSet
) -> Check:
    evidence, concerns = [], []
    in_case = {k for row in charges.rows for k in row.record_keys}
    for r in detail.records:
        citation = parse_statute(r.statute) if r.statute else None
        if citation is None or citation.act == rules.act:
            continue
        violent = rules.violent.find(citation)
        said = f"{label(r)}: {r.statute}" + (f" ({r.charge})" if r.charge else "")
        where = "in a cannabis case" if r.key in in_case else "a separate event"
        evidence.append(
            f"{said}, {where}"
            + (", on the rule file's violent list" if violent else "")
        )
        if violent:
            concerns.append(f"{said} is on the violent list ({where})")
    concerns += [
        f"{c.source} {c.record_id}: {c.why}"
        for c in charges.charges
        if c.reason is Reason.VIOLENT_COCHARGE
    ]
    if not evidence:
        evidence.append("no charge other than cannabis on any of the person's records")
    return Check(
        "No violent offence",
        "Was the cannabis offence free of any violent crime?",
        tuple(evidence),
        tuple(dict.fromkeys(concerns)),
    )

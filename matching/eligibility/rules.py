"""Load and validate the office's rule file into a :class:`RuleSet`.

The rule file (``resources/rules/illinois_cannabis.toml``) says which amounts
each cannabis subsection meant on which dates, which outcomes clear which
amounts, which sections and co-charges exclude a case, and how dispositions
are worded. The app reads the file and passes its text (:func:`parse_rules`)
or parsed dict (:func:`load_rules`) here; nothing in ``matching`` reads files.

Validation catches what a mistaken edit could break silently (unknown keys,
overlapping or missing date ranges and weight bands, a clearance rule that
cuts a band in two, an unreadable violent statute) and names the rule id in
every message, because whoever fixes the file is an office clerk.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import NoReturn

from matching.eligibility.outcomes import Outcome, OutcomeTable
from matching.eligibility.ruleset import (
    Band,
    Category,
    Clearance,
    Exclusion,
    Reason,
    RuleInfo,
    RuleSet,
    ViolentList,
    ViolentOffense,
    WeightTable,
)
from matching.eligibility.statutes import parse_statute

SCHEMA = 1  # the rule-file layout this code reads; `version` is the office's
_INFO = ("id", "description", "source")
_TOP_KEYS = ("schema", "version", "effective", "title", "scope", "weight_table",
             "clearance", "excluded", "violent", "outcomes")  # fmt: skip
_ACT = re.compile(r"^\d{1,3} ILCS \d{1,4}$")
_SUBSECTION = re.compile(r"^[a-z]{1,2}$")
_CLEARING = (
    Category.NON_CONVICTION_MINOR,
    Category.CONVICTION_MINOR,
    Category.MOTION_TO_VACATE,
)
_EXCLUDING = (Reason.SECTION7, Reason.TRAFFICKING, Reason.CULTIVATION, Reason.AMOUNT)


class RuleFileError(ValueError):
    """The rule file is invalid; ``rule_id`` names the rule at fault, if any."""

    def __init__(self, message: str, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.rule_id = rule_id


def load_rules(data: Mapping[str, object]) -> RuleSet:
    """Validate a rule file already parsed from TOML (or JSON) into a RuleSet.

    Args:
        data: the parsed file. Dates may be TOML dates or ISO strings.

    Returns:
        The validated rule set.

    Raises:
        RuleFileError: (a ValueError) the file is not valid; the message
            names the rule id and says what to change.
    """
    top = _Entry(data, "rule file", required=_TOP_KEYS)
    if top.get("schema") != SCHEMA:
        top.fail(f"schema is {top.get('schema')!r}; this program reads schema {SCHEMA}")
    scope = _Entry(top.get("scope"), "[scope]", required=(*_INFO, "act"))
    act = scope.text("act")
    if not _ACT.match(act):
        scope.fail(f"act {act!r} should look like '720 ILCS 550'")
    tables = tuple(_weight_table(e) for e in top.entries("weight_table"))
    _check_tables(tables)
    clearances = tuple(_clearance(e, tables) for e in top.entries("clearance"))
    _check_clearances(clearances)
    exclusions = tuple(_exclusion(e, tables) for e in top.entries("excluded"))
    for a, b in itertools.combinations(exclusions, 2):
        if a.section == b.section:
            raise RuleFileError(
                f"rule {b.id!r}: section {b.section} is already excluded by rule "
                f"{a.id!r}",
                b.id,
            )
    violent = _violent(
        _Entry(top.get("violent"), "[violent]", required=(*_INFO, "offenses"))
    )
    outcomes = _outcomes(
        _Entry(
            top.get("outcomes"),
            "[outcomes]",
            required=_INFO,
            optional=("conviction", "non_conviction", "undecided"),
        )
    )
    ids = [scope.info().id, *(t.id for t in tables), *(c.id for c in clearances)]
    ids += [*(e.id for e in exclusions), violent.id, outcomes.id]
    for rule_id, n in Counter(ids).items():
        if n > 1:
            raise RuleFileError(f"rule {rule_id!r}: the id is used {n} times", rule_id)
    return RuleSet(
        version=top.text("version"),
        effective=top.day("effective") or top.fail("effective: give a date"),
        title=top.text("title"),
        scope=scope.info(),
        act=act,
        weight_tables=tables,
        clearances=clearances,
        exclusions=exclusions,
        violent=violent,
        outcomes=outcomes,
    )


def parse_rules(text: str) -> RuleSet:
    """Parse and validate the text of a TOML rule file.

    Raises:
        ValueError: bad TOML syntax (``tomllib.TOMLDecodeError``) or rules
            (:class:`RuleFileError`).
    """
    return load_rules(tomllib.loads(text))


class _Entry:
    """One table of the rule file, read with errors that name its rule id."""

    def __init__(
        self,
        data: object,
        where: str,
        *,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> None:
        self.rule_id: str | None = None
        self.where = where
        if not isinstance(data, Mapping):
            self.fail(f"expected a table, found {type(data).__name__}")
        self.data: Mapping[str, object] = data
        if "id" in required:
            rid = data.get("id")
            if not isinstance(rid, str) or not rid.strip():
                self.fail("every rule needs an `id`")
            self.rule_id, self.where = rid, f"rule {rid!r}"
        unknown = sorted(set(data) - set(required) - set(optional))
        if unknown:
            allowed = ", ".join(sorted((*required, *optional)))
            self.fail(f"unknown key {unknown[0]!r} (allowed: {allowed})")
        missing = [k for k in required if k not in data]
        if missing:
            self.fail(f"missing key {missing[0]!r}")

    def fail(self, message: str) -> NoReturn:
        raise RuleFileError(f"{self.where}: {message}", self.rule_id)

    def get(self, key: str) -> object:
        return self.data.get(key)

    def info(self) -> RuleInfo:
        return RuleInfo(self.text("id"), self.text("description"), self.text("source"))

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key}: give some text")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f'{key}: give a list of texts, e.g. ["4", "5"]')
        return tuple(v.strip() for v in value)

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.fail(f"{key}: {value!r} is not a date like 2016-07-29")
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        self.fail(f"{key}: {value!r} is not a date like 2016-07-29 (no time of day)")

    def number(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{key}: give a number of grams")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{key}: give true or false")
        return value

    def entries(self, key: str) -> list[_Entry]:
        value = self.data.get(key)
        if not isinstance(value, list):
            self.fail(f"{key}: expected [[{key}]] tables")
        spec = _ENTRY_KEYS[key]
        return [
            _Entry(v, f"[[{key}]] #{i + 1}", required=spec[0], optional=spec[1])
            for i, v in enumerate(value)
        ]


_ENTRY_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "weight_table": ((*_INFO, "section", "grams"), ("starts", "ends_before")),
    "clearance": (
        (*_INFO, "sections", "outcome", "up_to_grams", "category"),
        ("more_than_grams",),
    ),
    "excluded": ((*_INFO, "section", "reason"), ("whole_case",)),
}


def _weight_table(e: _Entry) -> WeightTable:
    starts, ends = e.day("starts"), e.day("ends_before")
    if starts and ends and starts >= ends:
        e.fail(f"starts ({starts}) must be before ends_before ({ends})")
    grams = e.get("grams")
    if not isinstance(grams, Mapping) or not grams:
        e.fail("grams: give a table like `a = [0, 2.5]` per subsection")
    bands = []
    for sub, pair in grams.items():
        if not _SUBSECTION.match(sub):
            e.fail(f"grams: subsection {sub!r} should be a lowercase letter")
        ok = isinstance(pair, list) and len(pair) == 2
        if not ok or any(
            isinstance(g, bool) or not isinstance(g, int | float) for g in pair
        ):
            e.fail(f"grams.{sub}: give [more than, up to] in grams, e.g. [10, 30]")
        if not 0 <= pair[0] < pair[1]:
            e.fail(f"grams.{sub}: {pair} must rise from 0 or more")
        bands.append(Band(sub, float(pair[0]), float(pair[1])))
    bands.sort(key=lambda b: b.more_than)
    edge = 0.0
    for band in bands:
        if band.more_than != edge:
            what = "overlaps" if band.more_than < edge else "leaves a gap before"
            e.fail(f"grams.{band.subsection} ({band.text}) {what} the band below it")
        edge = band.up_to
    section = e.text("section")
    return WeightTable(e.info(), section, starts, ends, tuple(bands))


def _check_tables(tables: Sequence[WeightTable]) -> None:
    """Every section's tables cover all dates once, with the same subsections."""
    by_section = sorted(tables, key=lambda t: (t.section, t.starts or date.min))
    for section, group in itertools.groupby(by_section, key=lambda t: t.section):
        run = list(group)
        first, last = run[0], run[-1]
        if first.starts is not None:
            _fail(
                first,
                f"no weight table for section {section} offences before "
                f"{first.starts}; leave `starts` out of the earliest table",
            )
        if last.ends_before is not None:
            _fail(
                last,
                f"no weight table for section {section} offences from "
                f"{last.ends_before}; leave `ends_before` out of the latest",
            )
        for a, b in itertools.pairwise(run):
            if a.ends_before is None or b.starts is None or a.ends_before > b.starts:
                _fail(b, f"its dates overlap rule {a.id!r} for section {section}")
            if a.ends_before < b.starts:
                _fail(
                    b,
                    f"no weight table for section {section} offences from "
                    f"{a.ends_before} to before {b.starts}",
                )
        subs = {b.subsection for b in first.bands}
        for table in run[1:]:
            other = {b.subsection for b in table.bands}
            if other != subs:
                odd = sorted(subs ^ other)[0]
                _fail(
                    table,
                    f"subsection ({odd}) is in only one of rules "
                    f"{first.id!r} and {table.id!r}; every table of section "
                    f"{section} must list the same subsections",
                )


def _clearance(e: _Entry, tables: Sequence[WeightTable]) -> Clearance:
    outcome, category = e.text("outcome"), e.text("category")
    if outcome not in (Outcome.CONVICTION, Outcome.NON_CONVICTION):
        e.fail(f"outcome {outcome!r} should be 'conviction' or 'non_conviction'")
    if category not in _CLEARING:
        e.fail(f"category {category!r} should be one of {', '.join(_CLEARING)}")
    rule = Clearance(
        e.info(),
        e.texts("sections"),
        Outcome(outcome),
        e.number("more_than_grams", 0),
        e.number("up_to_grams"),
        Category(category),
    )
    if not rule.sections:
        e.fail('sections: name at least one section, e.g. ["4"]')
    if not 0 <= rule.more_than < rule.up_to:
        e.fail("more_than_grams must be below up_to_grams")
    for section in rule.sections:
        weighed = [t for t in tables if t.section == section]
        if not weighed:
            e.fail(f"section {section} has no [[weight_table]], so no amount to clear")
        for table in weighed:
            for band in table.bands:
                if rule.cuts(band):
                    e.fail(
                        f"{section}({band.subsection}) in rule {table.id!r} is "
                        f"{band.text}, partly inside this rule's amounts; put "
                        f"the limits on a band edge"
                    )
    return rule


def _check_clearances(rules: Sequence[Clearance]) -> None:
    """No charge may be cleared by two rules: the category would be ambiguous."""
    for a, b in itertools.combinations(rules, 2):
        shared = set(a.sections) & set(b.sections)
        amounts = max(a.more_than, b.more_than) < min(a.up_to, b.up_to)
        if a.outcome is b.outcome and shared and amounts:
            _fail(
                b,
                f"overlaps rule {a.id!r}: both clear a {a.outcome.value} under "
                f"section {sorted(shared)[0]} for the same amounts",
            )


def _exclusion(e: _Entry, tables: Sequence[WeightTable]) -> Exclusion:
    reason, section = e.text("reason"), e.text("section")
    if reason not in _EXCLUDING:
        e.fail(f"reason {reason!r} should be one of {', '.join(_EXCLUDING)}")
    if any(t.section == section for t in tables):
        e.fail(f"section {section} also has a [[weight_table]]; it cannot be both")
    return Exclusion(e.info(), section, Reason(reason), e.flag("whole_case"))


def _violent(e: _Entry) -> ViolentList:
    raw = e.get("offenses")
    if not isinstance(raw, list) or not raw:
        e.fail('offenses: list { statute = "720 ILCS 5/18-1", name = "robbery" }')
    offenses: list[ViolentOffense] = []
    for item in raw:
        if not isinstance(item, Mapping) or set(item) != {"statute", "name"}:
            e.fail(f"offenses: {item!r} should be {{ statute = ..., name = ... }}")
        citation = parse_statute(str(item["statute"]))
        if citation is None or citation.attempt:
            e.fail(f"offenses: cannot read statute {item['statute']!r}")
        offense = ViolentOffense(
            citation.section_key, citation.subsection, str(item["name"])
        )
        if any(o.statute == offense.statute for o in offenses):
            e.fail(f"offenses: {item['statute']!r} is listed twice")
        offenses.append(offense)
    return ViolentList(e.info(), tuple(offenses))


def _outcomes(e: _Entry) -> OutcomeTable:
    info = e.info()
    try:
        return OutcomeTable.from_phrases(
            id=info.id,
            description=info.description,
            source=info.source,
            phrases={
                o: e.texts(o.value)
                for o in (Outcome.CONVICTION, Outcome.NON_CONVICTION, Outcome.UNDECIDED)
            },
        )
    except RuleFileError:
        raise
    except ValueError as exc:
        raise RuleFileError(str(exc), info.id) from exc


def _fail(rule: WeightTable | Clearance, message: str) -> NoReturn:
    raise RuleFileError(f"rule {rule.id!r}: {message}", rule.id)

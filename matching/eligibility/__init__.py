"""Eligibility for clearing Illinois cannabis records, as data-driven rules.

Pure: the caller reads the rule file and passes its text or dict in.
``parse_statute`` reads a statute as written; ``parse_rules``/``load_rules``
validate a rule file; ``classify_charge``, ``classify_case`` and
``classify_person`` decide categories; ``combine_person`` sums results up.
"""

from __future__ import annotations

from matching.eligibility.classify import (
    ChargeInput,
    ChargeResult,
    classify_case,
    classify_charge,
)
from matching.eligibility.outcomes import Outcome, OutcomeReading, OutcomeTable
from matching.eligibility.person import (
    ARREST_WINDOW_DAYS,
    PersonSummary,
    classify_person,
    combine_person,
)
from matching.eligibility.rules import SCHEMA, RuleFileError, load_rules, parse_rules
from matching.eligibility.ruleset import (
    CLEARABLE,
    STATUTE_FORMAT_RULE,
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
from matching.eligibility.statutes import Citation, parse_statute

__all__ = [
    "ARREST_WINDOW_DAYS",
    "CLEARABLE",
    "SCHEMA",
    "STATUTE_FORMAT_RULE",
    "Band",
    "Category",
    "ChargeInput",
    "ChargeResult",
    "Citation",
    "Clearance",
    "Exclusion",
    "Outcome",
    "OutcomeReading",
    "OutcomeTable",
    "PersonSummary",
    "Reason",
    "RuleFileError",
    "RuleInfo",
    "RuleSet",
    "ViolentList",
    "ViolentOffense",
    "WeightTable",
    "classify_case",
    "classify_charge",
    "classify_person",
    "combine_person",
    "load_rules",
    "parse_rules",
    "parse_statute",
]

"""The validated rule set: categories, reasons and one dataclass per kind of rule.

These are the types :func:`matching.eligibility.rules.load_rules` builds from
the office's rule file and the classifier consults. They hold no policy of
their own; every number, date and phrase comes from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from matching.eligibility.outcomes import Outcome, OutcomeTable
from matching.eligibility.statutes import Citation


class Category(StrEnum):
    """Where a charge (or a person) lands on the eligibility screen."""

    NON_CONVICTION_MINOR = "non_conviction_minor"
    CONVICTION_MINOR = "conviction_minor"
    MOTION_TO_VACATE = "motion_to_vacate"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


# Rule id on results whose statute could not be read: no rule in the file
# decided them, the statute parser did. `RuleSet.rule` still describes it.
STATUTE_FORMAT_RULE = "statute-format"
_STATUTE_FORMAT_INFO_TEXT = (
    "A statute the program cannot read with certainty is left for a person "
    "to classify; it is never guessed."
)

CLEARABLE: frozenset[Category] = frozenset(
    {
        Category.NON_CONVICTION_MINOR,
        Category.CONVICTION_MINOR,
        Category.MOTION_TO_VACATE,
    }
)


class Reason(StrEnum):
    """Why a charge is not eligible, or what a reviewer must supply."""

    # not_eligible
    AMOUNT = "amount"
    SECTION7 = "section7"
    VIOLENT_COCHARGE = "violent_cocharge"
    TRAFFICKING = "trafficking"
    CULTIVATION = "cultivation"
    NOT_CANNABIS = "not_cannabis"
    # needs_review
    UNCLASSIFIED_STATUTE = "unclassified_statute"
    UNCLASSIFIED_DISPOSITION = "unclassified_disposition"
    MISSING_DISPOSITION = "missing_disposition"
    MISSING_OFFENSE_DATE = "missing_offense_date"
    UNCONFIRMED_LINKS = "unconfirmed_links"


# In the order a person's summary picks its main reason: what matters most to
# the office first (an identity to confirm, a case-wide exclusion).
NOT_ELIGIBLE_REASONS: tuple[Reason, ...] = (
    Reason.SECTION7,
    Reason.VIOLENT_COCHARGE,
    Reason.AMOUNT,
    Reason.TRAFFICKING,
    Reason.CULTIVATION,
    Reason.NOT_CANNABIS,
)
REVIEW_REASONS: tuple[Reason, ...] = (
    Reason.UNCONFIRMED_LINKS,
    Reason.UNCLASSIFIED_STATUTE,
    Reason.UNCLASSIFIED_DISPOSITION,
    Reason.MISSING_DISPOSITION,
    Reason.MISSING_OFFENSE_DATE,
)


def grams_text(more_than: float, up_to: float) -> str:
    """'up to 30 g', '30-500 g', 'over 5000 g': a weight band for people."""
    if more_than <= 0:
        return f"up to {up_to:g} g"
    if up_to == float("inf"):
        return f"over {more_than:g} g"
    return f"{more_than:g}-{up_to:g} g"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What the GUI shows for a rule id: its description and legal source."""

    id: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class Band:
    """One subsection of a weight table: more than ``more_than`` g, up to ``up_to``."""

    subsection: str
    more_than: float
    up_to: float

    @property
    def text(self) -> str:
        return grams_text(self.more_than, self.up_to)


@dataclass(frozen=True, slots=True)
class WeightTable:
    """What each subsection of one section meant for offences in a date range.

    ``starts`` is inclusive and ``ends_before`` exclusive; None is open.
    """

    info: RuleInfo
    section: str
    starts: date | None
    ends_before: date | None
    bands: tuple[Band, ...]

    @property
    def id(self) -> str:
        return self.info.id

    def covers(self, day: date) -> bool:
        """True when an offence on ``day`` is judged by this table."""
        return (self.starts is None or day >= self.starts) and (
            self.ends_before is None or day < self.ends_before
        )

    def band(self, subsection: str) -> Band | None:
        return next((b for b in self.bands if b.subsection == subsection), None)

    @property
    def period(self) -> str:
        """'before 2016-07-29', 'from 2016-07-29', '' when always."""
        if self.starts and self.ends_before:
            return f"from {self.starts} to before {self.ends_before}"
        if self.ends_before:
            return f"before {self.ends_before}"
        return f"from {self.starts}" if self.starts else ""


@dataclass(frozen=True, slots=True)
class Clearance:
    """Which outcome of which sections and amounts a category clears."""

    info: RuleInfo
    sections: tuple[str, ...]
    outcome: Outcome
    more_than: float
    up_to: float
    category: Category

    @property
    def id(self) -> str:
        return self.info.id

    def applies(self, section: str, band: Band, outcome: Outcome) -> bool:
        return (
            outcome is self.outcome
            and section in self.sections
            and band.more_than >= self.more_than
            and band.up_to <= self.up_to
        )

    def cuts(self, band: Band) -> bool:
        """True when the band is partly inside this rule's amounts, partly out."""
        inside = band.more_than >= self.more_than and band.up_to <= self.up_to
        apart = band.up_to <= self.more_than or band.more_than >= self.up_to
        return not inside and not apart


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A cannabis section that is never cleared; ``whole_case`` spreads it."""

    info: RuleInfo
    section: str
    reason: Reason
    whole_case: bool

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True, slots=True)
class ViolentOffense:
    """One statute listed as violent; a subsection, if given, narrows it.

    '720 ILCS 5/18-1' matches every subsection of robbery; '625 ILCS
    5/11-501(d)' would match aggravated DUI but not plain DUI.
    """

    section_key: str
    subsection: str | None
    name: str

    @property
    def statute(self) -> str:
        sub = f"({self.subsection})" if self.subsection else ""
        return f"{self.section_key}{sub}"


@dataclass(frozen=True, slots=True)
class ViolentList:
    """Offences whose presence in a case excludes its cannabis charges."""

    info: RuleInfo
    offenses: tuple[ViolentOffense, ...]

    @property
    def id(self) -> str:
        return self.info.id

    def find(self, citation: Citation) -> ViolentOffense | None:
        """The listed offence this citation charges (attempts included), if any."""
        for offense in self.offenses:
            if offense.section_key == citation.section_key and (
                offense.subsection is None or offense.subsection == citation.subsection
            ):
                return offense
        return None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A validated, versioned rule file. Build it with :func:`load_rules`."""

    version: str
    effective: date
    title: str
    scope: RuleInfo
    act: str  # the act the rules clear, e.g. "720 ILCS 550"
    weight_tables: tuple[WeightTable, ...]
    clearances: tuple[Clearance, ...]
    exclusions: tuple[Exclusion, ...]
    violent: ViolentList
    outcomes: OutcomeTable

    def tables_for(self, section: str) -> tuple[WeightTable, ...]:
        """The weight tables of a section, oldest first; () if not weighed."""
        return tuple(t for t in self.weight_tables if t.section == section)

    def exclusion_for(self, section: str) -> Exclusion | None:
        return next((e for e in self.exclusions if e.section == section), None)

    def clearance_for(
        self, section: str, band: Band, outcome: Outcome
    ) -> Clearance | None:
        """The one clearance rule for this section, band and outcome, if any."""
        return next(
            (c for c in self.clearances if c.applies(section, band, outcome)), None
        )

    def rule(self, rule_id: str) -> RuleInfo:
        """Description and source of a rule id, for 'why' panels.

        Raises:
            KeyError: no rule has this id.
        """
        infos = [
            RuleInfo(STATUTE_FORMAT_RULE, _STATUTE_FORMAT_INFO_TEXT, "Recordmatch"),
            self.scope,
            *(t.info for t in self.weight_tables),
            *(c.info for c in self.clearances),
            *(e.info for e in self.exclusions),
            self.violent.info,
            RuleInfo(self.outcomes.id, self.outcomes.description, self.outcomes.source),
        ]
        for info in infos:
            if info.id == rule_id:
                return info
        raise KeyError(rule_id)

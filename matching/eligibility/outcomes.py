"""Disposition wordings: what a written outcome means for eligibility.

Courts write the same outcome many ways ("NOLLE PROS", "NOLLE PROSEQUI",
"S.O.L.") and add sentences ("FINDING OF GUILTY; CCDOC 30 DAYS"). The phrases
are office data in the rule file; this module only matches them. Matching is
by whole words, longest phrase first, so "FINDING OF NOT GUILTY" is read as
an acquittal, never as the "GUILTY" inside it, and "410 PROBATION COMPLETED"
is not read as the sentence "PROBATION". A text whose phrases disagree, or
that has none, is unreadable: a person reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """What a disposition says about the charge."""

    CONVICTION = "conviction"
    NON_CONVICTION = "non_conviction"
    UNDECIDED = "undecided"  # a known wording that does not end the case
    UNREADABLE = "unreadable"  # no known phrase, or phrases that disagree
    NONE = "none"  # no disposition on file


DECISIVE: frozenset[Outcome] = frozenset({Outcome.CONVICTION, Outcome.NON_CONVICTION})
_PHRASE_OUTCOMES = (Outcome.CONVICTION, Outcome.NON_CONVICTION, Outcome.UNDECIDED)
_CACHE_LIMIT = 2**16
_DROPPED = re.compile(r"[.'’]")  # "S.O.L." -> "SOL", "PROS." -> "PROS"
_SEPARATORS = re.compile(r"[^A-Z0-9]+")


def words(text: str) -> tuple[str, ...]:
    """The words of a disposition or phrase, as matching compares them.

    Example:
        >>> words("Nolle-Pros.; S.O.L.")
        ('NOLLE', 'PROS', 'SOL')
    """
    return tuple(_SEPARATORS.sub(" ", _DROPPED.sub("", text.upper())).split())


@dataclass(frozen=True, slots=True)
class OutcomeReading:
    """One disposition as read: the outcome, and the phrase that decided it.

    ``borrowed`` is set when the outcome came from another record of the
    same charge in the same case (this record had none).
    """

    outcome: Outcome
    text: str | None = None
    phrase: str | None = None
    borrowed: bool = False

    def describe(self) -> str:
        """A short account for the reviewer, e.g. 'conviction ("GUILTY")'."""
        if self.outcome is Outcome.NONE:
            return "no disposition on file"
        if self.outcome is Outcome.UNREADABLE:
            return f"disposition {self.text!r} is not a wording the rules know"
        said = f"{self.outcome.value.replace('_', '-')} ({self.phrase!r})"
        if self.borrowed:
            return f"{said}, from another record of this charge in the case"
        if self.outcome is Outcome.UNDECIDED:
            return f"disposition {self.text!r} does not end the case ({self.phrase!r})"
        return said


@dataclass(frozen=True, slots=True)
class OutcomeTable:
    """The rule file's outcome phrases, indexed for matching.

    Build it with :meth:`from_phrases`, which validates the phrases.
    """

    id: str
    description: str
    source: str
    phrases: tuple[tuple[tuple[str, ...], Outcome, str], ...]  # longest first
    _cache: dict[str, OutcomeReading] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_phrases(
        cls,
        *,
        id: str,
        description: str,
        source: str,
        phrases: Mapping[Outcome, Iterable[str]],
    ) -> OutcomeTable:
        """Validate and index the phrases of each outcome.

        Raises:
            ValueError: a phrase is empty or listed under two outcomes.
        """
        seen: dict[tuple[str, ...], Outcome] = {}
        entries = []
        for outcome in _PHRASE_OUTCOMES:
            for phrase in phrases.get(outcome, ()):
                key = words(phrase)
                if not key:
                    raise ValueError(f"rule {id!r}: an empty {outcome.value} phrase")
                if key in seen and seen[key] is not outcome:
                    raise ValueError(
                        f"rule {id!r}: {phrase!r} is listed as both "
                        f"{seen[key].value} and {outcome.value}"
                    )
                if key not in seen:
                    seen[key] = outcome
                    entries.append((key, outcome, phrase))
        entries.sort(key=lambda e: -len(e[0]))
        return cls(id, description, source, tuple(entries))

    def read(self, text: str | None) -> OutcomeReading:
        """Read one disposition.

        Example:
            >>> t = OutcomeTable.from_phrases(id="o", description="", source="",
            ...     phrases={Outcome.CONVICTION: ["GUILTY"],
            ...              Outcome.NON_CONVICTION: ["NOT GUILTY"]})
            >>> t.read("FINDING OF NOT GUILTY").outcome.value
            'non_conviction'
        """
        if text is None or not text.strip():
            return OutcomeReading(Outcome.NONE)
        hit = self._cache.get(text)
        if hit is None:
            hit = self._read(text)
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[text] = hit
        return hit

    def _read(self, text: str) -> OutcomeReading:
        tokens = words(text)
        taken = [False] * len(tokens)
        found: dict[Outcome, str] = {}
        for key, outcome, phrase in self.phrases:
            n = len(key)
            for start in range(len(tokens) - n + 1):
                span = range(start, start + n)
                if tokens[start : start + n] == key and not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    found.setdefault(outcome, phrase)
        if len(found) != 1:  # nothing known, or e.g. a plea and a dismissal
            return OutcomeReading(Outcome.UNREADABLE, text=text.strip())
        ((outcome, phrase),) = found.items()
        return OutcomeReading(outcome, text=text.strip(), phrase=phrase)

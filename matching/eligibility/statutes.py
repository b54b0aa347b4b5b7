"""Statute citations: one charge written many ways, read into one canonical form.

Eligibility turns on the exact act, section and subsection of a charge, but
every agency writes them its own way ("720 ILCS 550/4(c)", "720-550/4-c",
"550/4C") and cases filed before 1993 cite the Illinois Revised Statutes
("Ill. Rev. Stat. ch. 56 1/2, par. 704(c)", "CH 56-1/2 PAR 704-C",
"56.5-704(c)"). This module reads all of them into a :class:`Citation` under
the ILCS, and returns None for anything it cannot read with certainty: a
person classifies those, the program never guesses.

The 1993 recodification table lives here rather than in the rule file: it is
a fixed fact of the statute books, not office policy.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ATTEMPT_SECTION_KEY = "720 ILCS 5/8-4"


@dataclass(frozen=True, slots=True)
class Citation:
    """A statute as the ILCS numbers it, plus what the record said around it.

    Attributes:
        act: chapter and act, e.g. ``"720 ILCS 550"``.
        section: the section within the act, e.g. ``"4"``, ``"12-3.05"``.
        subsection: the first subsection level, lowercase (``"c"``), or None
            when the record did not write one.
        attempt: the record charged an attempt (720 ILCS 5/8-4) of this offence.
        as_written: the text the record carried, for display.
    """

    act: str
    section: str
    subsection: str | None
    attempt: bool
    as_written: str

    @property
    def section_key(self) -> str:
        """``"720 ILCS 550/4"``: the offence, whatever the subsection."""
        return f"{self.act}/{self.section}"

    @property
    def key(self) -> str:
        """``"720 ILCS 550/4(c)"``: the offence and its subsection."""
        sub = f"({self.subsection})" if self.subsection else ""
        return f"{self.section_key}{sub}"

    def __str__(self) -> str:
        return f"attempt {self.key}" if self.attempt else self.key


@dataclass(frozen=True, slots=True)
class _Recodified:
    """How one Revised Statutes chapter (or paragraph range) maps onto an act.

    ``digits`` None: the paragraph number is the section (ch. 38 par. 12-4 is
    720 ILCS 5/12-4). Otherwise paragraphs of that many digits starting with
    ``prefix`` drop it (ch. 56 1/2 par. 704 is 720 ILCS 550/4).
    """

    chapter: str
    prefix: str
    digits: int | None
    act: str


_RECODIFIED: tuple[_Recodified, ...] = (
    _Recodified("38", "", None, "720 ILCS 5"),  # Criminal Code of 1961
    _Recodified("56.5", "7", 3, "720 ILCS 550"),  # Cannabis Control Act
    _Recodified("56.5", "1", 4, "720 ILCS 570"),  # Controlled Substances Act
    _Recodified("56.5", "21", 4, "720 ILCS 600"),  # Drug Paraphernalia Control Act
    _Recodified("95.5", "", None, "625 ILCS 5"),  # Illinois Vehicle Code
)
_OLD_CHAPTERS = frozenset(r.chapter for r in _RECODIFIED)

# Acts police write without their chapter ("550/4C", "5/12-3"); all are
# criminal (chapter 720) except Vehicle Code sections, told apart by shape.
_CHAPTER_720_ACTS = frozenset({"5", "550", "570", "600", "646"})
_VEHICLE_SECTION = re.compile(r"^\d{1,2}-\d{3,4}(?:\.\d+)?$")

# Section numbers: "4", "5.1", "12-3.05", "11-501", "33A-2".
_SECTION = r"\d+(?:\.\d+)?(?:[A-Z]?-\d+(?:\.\d+)?)?"
# First subsection level: "(c)", "-c", "-C", or a letter glued on ("4C");
# deeper levels ("(a)(1)") are allowed and ignored.
_TAIL = re.compile(
    rf"^(?P<section>{_SECTION})"
    r"(?:\s*\(\s*(?P<paren>[A-Z0-9]{1,3})\s*\)|\s*-\s*(?P<dash>[A-Z]{1,2})"
    r"|(?P<glued>[A-Z]))?"
    r"(?:\s*\(\s*[A-Z0-9.]{1,4}\s*\))*\s*$"
)
_CHAPTER = r"(?P<ch>\d{1,3})(?P<half>\s*-?\s*1/2|\.5)?"
_OLD_LONG = re.compile(
    rf"^ILL\.?\s*REV\.?\s*STATS?\.?\s*(?:\d{{4}}\s*)?,?\s*CH\.?\s*{_CHAPTER}"
    r"\s*,?\s*PARS?\.?\s*(?P<par>.+)$"
)
_OLD_CAPS = re.compile(rf"^CH(?:APTER)?\.?\s*{_CHAPTER}\s*,?\s*PARS?\.?\s*(?P<par>.+)$")
_OLD_SHORT = re.compile(rf"^{_CHAPTER}\s*-\s*(?P<par>[^/]+)$")
_MODERN = re.compile(
    r"^(?:(?P<ch>\d{1,3})\s*(?:ILCS\s*|[-\s]\s*))?(?P<act>\d{1,4})\s*/\s*(?P<tail>.+)$"
)
_ATTEMPT_WORD = r"ATT(?:EMPT(?:ED)?)?\.?"
_ATTEMPT_SUFFIX = re.compile(
    rf"(?:\s*\(\s*{_ATTEMPT_WORD}\s*\)|[\s-]+{_ATTEMPT_WORD})$"
)
# "720-5/8-4 <offence>", "38-8-4 <offence>", "ATTEMPT <offence>".
_ATTEMPT_PREFIX = re.compile(
    rf"^(?:{_ATTEMPT_WORD}"
    r"|(?:720\s*(?:ILCS\s*|[-\s]\s*))?5\s*/\s*8-4(?:\s*\([A-Z]\))?"
    r"|(?:ILL\.?\s*REV\.?\s*STATS?\.?\s*(?:\d{4}\s*)?,?\s*)?CH\.?\s*38\s*,?\s*PAR\.?\s*8-4"
    r"|38\s*-\s*8-4)\s*[,:;]?\s+(?=\S)"
)
_SPACES = re.compile(r"\s+")


def parse_statute(text: str | None) -> Citation | None:
    """Read a statute as written into a canonical ILCS citation.

    Args:
        text: the statute cell as the record wrote it.

    Returns:
        The citation, or None when the text cannot be read with certainty
        (empty, an unknown layout, an attempt that does not name the offence,
        an old chapter with no known ILCS equivalent).

    Example:
        >>> parse_statute("CH 56-1/2 PAR 704-C (att)").key
        '720 ILCS 550/4(c)'
        >>> parse_statute("720-5/8-4 550/4D").attempt
        True
        >>> parse_statute("see file") is None
        True
    """
    if text is None or not text.strip():
        return None
    return _parse(text)


@functools.lru_cache(maxsize=2**16)
def _parse(text: str) -> Citation | None:
    """Cached body of :func:`parse_statute`; records repeat a few spellings."""
    s = _SPACES.sub(" ", text.upper().replace("½", " 1/2")).strip()
    attempt = False
    stripped = _ATTEMPT_SUFFIX.sub("", s)
    if stripped != s:
        attempt, s = True, stripped.strip()
    prefix = _ATTEMPT_PREFIX.match(s)
    if prefix:
        attempt, s = True, s[prefix.end() :]
    found = _read(s)
    if found is None:
        return None
    act, section, subsection = found
    citation = Citation(act, section, subsection, attempt, text.strip())
    if citation.section_key == ATTEMPT_SECTION_KEY:
        return None  # an attempt of what? The offence is not named.
    return citation


def _read(s: str) -> tuple[str, str, str | None] | None:
    """(act, section, subsection) of one citation, or None."""
    for pattern in (_OLD_LONG, _OLD_CAPS):
        m = pattern.match(s)
        if m:
            return _recodify(_chapter(m), m["par"])
    m = _MODERN.match(s)
    if m:
        tail = _split_tail(m["tail"])
        if tail is None:
            return None
        act = _act(m["ch"], m["act"], tail[0])
        return (act, *tail) if act else None
    m = _OLD_SHORT.match(s)
    if m and _chapter(m) in _OLD_CHAPTERS:
        return _recodify(_chapter(m), m["par"])
    tail = _split_tail(s)
    if tail and _VEHICLE_SECTION.match(tail[0]):
        return ("625 ILCS 5", *tail)  # traffic officers write the section alone
    return None


def _chapter(m: re.Match[str]) -> str:
    """'56', '56 1/2', '56-1/2', '56.5' -> '56' or '56.5'."""
    return m["ch"] + (".5" if m["half"] else "")


def _act(chapter: str | None, act: str, section: str) -> str | None:
    """'720 ILCS 550' for a modern citation, inferring a chapter left out."""
    if chapter:
        return f"{int(chapter)} ILCS {int(act)}"
    act = str(int(act))
    if act == "5" and _VEHICLE_SECTION.match(section):
        return "625 ILCS 5"
    return f"720 ILCS {act}" if act in _CHAPTER_720_ACTS else None


def _split_tail(tail: str) -> tuple[str, str | None] | None:
    """'4(c)' / '4-c' / '4C' / '16-1-A' -> (section, subsection)."""
    m = _TAIL.match(tail.strip())
    if not m:
        return None
    sub = m["paren"] or m["dash"] or m["glued"]
    return m["section"], sub.lower() if sub else None


def _recodify(chapter: str, paragraph: str) -> tuple[str, str, str | None] | None:
    """An Ill. Rev. Stat. chapter and paragraph as (ILCS act, section, subsection)."""
    tail = _split_tail(paragraph)
    if tail is None:
        return None
    number, subsection = tail
    whole, dot, fraction = number.partition(".")
    for rule in _RECODIFIED:
        if rule.chapter != chapter:
            continue
        if rule.digits is None:
            return rule.act, number, subsection
        if (
            whole.isdigit()
            and len(whole) == rule.digits
            and whole.startswith(rule.prefix)
        ):
            section = str(int(whole[len(rule.prefix) :])) + dot + fraction
            return rule.act, section, subsection
    return None

"""Person names: one spelling per name, whatever the source system wrote.

Clerks, officers and courts type the same person differently: accents or not,
``O'BRIEN`` or ``O BRIEN``, ``GARCIA-LOPEZ`` or ``GARCIA LOPEZ``, ``SMITH JR``
in the surname box. Matching compares strings, so every source is brought to
one uppercase ASCII form here, once, at import. Everything is cached on its
input because names repeat heavily across a million rows.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


# ASCII punctuation: apostrophes and periods vanish (O'BRIEN -> OBRIEN,
# J.R. -> JR); everything else separates words (GARCIA-LOPEZ -> GARCIA LOPEZ).
_ASCII_TABLE = str.maketrans(
    {c: ("" if c in "'`." else " ") for c in string.punctuation}
)
# Non-ASCII characters NFKD cannot take apart, and typographic marks that
# must not glue words together when the non-ASCII remainder is dropped.
_WIDE_TABLE = str.maketrans({
    "’": "", "‘": "", "´": "", "ʼ": "", "′": "",
    "–": " ", "—": " ", "‐": " ", "‑": " ",
    "ß": "SS", "ẞ": "SS", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE",
    "Ø": "O", "ø": "O", "Ł": "L", "ł": "L", "Đ": "D", "đ": "D",
    "Þ": "TH", "þ": "TH", "ı": "I",
})  # fmt: skip
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Cleaned values that mean "nobody wrote a name here". FNU/LNU/NFN/NMN are the
# law-enforcement codes for first/last/middle name unknown or absent. "NA" is
# deliberately absent: it is a real (Korean) surname; "N/A" cleans to "N A".
_PLACEHOLDERS = frozenset({
    "UNKNOWN", "UNK", "UNKN", "NONE", "N A", "NULL", "NFN", "NMN", "NLN",
    "FNU", "LNU", "MNU", "NO NAME", "NOT GIVEN", "NOT PROVIDED", "REFUSED",
})  # fmt: skip
_X_RUN = re.compile(r"X{3,}")

# Irish O' surnames and Scottish Mac surnames written as two words. "MC" is
# never a word on its own, so it always joins; "O" and "MAC" are also an
# initial and a given name, so they join only before a known stem (or, for
# "O", when the whole value is "O" plus one surname-length word).
_O_STEM_WORDS = (
    "BANNON BOYLE BRIAN BRIEN BRYAN BRYANT CALLAGHAN CALLAHAN CONNELL CONNER "
    "CONNOR CONNORS DANIEL DAY DELL DOHERTY DONNELL DONOGHUE DONOHUE DONAHUE "
    "DOWD DWYER FALLON FARRELL FLAHERTY GARA GORMAN GRADY HAGAN HALLORAN HANLON "
    "HARA HARE HEARN HERN HIGGINS KANE KEEFE KEEFFE KELLEY KELLY LEARY LOUGHLIN "
    "MAHONEY MALLEY MARA MEARA NEAL NEIL NEILL QUINN REILLY REILLEY RILEY ROARK "
    "ROURKE ROURK RYAN SHAUGHNESSY SHEA SULLIVAN TOOLE"
)
_MAC_STEM_WORDS = (
    "ADAM ALISTER ALLISTER ALPINE ARTHUR AULAY AULEY BAIN BETH BRIDE CALLUM "
    "CARTHY CAULEY CLURE COLL CORMACK COY CRAE CREADY CUE DERMOTT DONALD "
    "DONNELL DOUGAL DOUGALL DOWELL DUFF EACHERN ELROY EWAN EWEN FADDEN FARLAND "
    "FARLANE GEE GILL GINNIS GOWAN GRATH GREGOR GUIRE HUGH INNES INNIS INTOSH "
    "INTYRE ISAAC IVER KAY KEE KENNA KENZIE KIE KINLEY KINNON LACHLAN LAREN "
    "LAUGHLIN LEAN LELLAN LEOD MAHON MANUS MASTER MILLAN MURRAY NAB NALLY "
    "NAMARA NAUGHTON NEIL NEILL NULTY PHAIL PHEE PHERSON QUARRIE QUEEN RAE "
    "SWEEN TAGGART TAVISH VICAR"
)
_O_STEMS = frozenset(_O_STEM_WORDS.split())
_MAC_STEMS = frozenset(_MAC_STEM_WORDS.split())

_SUFFIXES: dict[str, str] = {
    "JR": "JR", "JNR": "JR", "JUNIOR": "JR", "SR": "SR", "SNR": "SR", "SENIOR": "SR",
    "II": "II", "2ND": "II", "III": "III", "3RD": "III", "IV": "IV", "4TH": "IV",
    "V": "V", "5TH": "V",
}  # fmt: skip

# Surname particles (no-comma form: they belong to the surname that follows).
_PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LE", "DA", "DOS", "DAS", "DI", "DU", "VAN", "VON", "ST"}
    | {"SAN", "BIN", "AL"}
)
# Second words of two-word particles: DE LA/LOS/LAS, VAN DER/DEN.
_PARTICLE_HEADS = frozenset({"DE", "VAN", "VON"})
_PARTICLE_TAILS = frozenset({"LOS", "LAS", "DER", "DEN"})
_ALL_PARTICLES = _PARTICLES | _PARTICLE_TAILS


@dataclass(frozen=True, slots=True)
class NameParts:
    """A person's name split into the four parts every source is mapped onto."""

    first: str | None
    middle: str | None
    last: str | None
    suffix: str | None


_NO_NAME = NameParts(None, None, None, None)


def _is_placeholder(value: str) -> bool:
    return value in _PLACEHOLDERS or _X_RUN.fullmatch(value) is not None


def _join_prefixes(tokens: list[str]) -> list[str]:
    """Join MC/MAC/O written apart onto the word after them.

    Right to left, so that the result never holds a joinable pair again and
    cleaning is idempotent.
    """
    for i in range(len(tokens) - 2, -1, -1):
        word, nxt = tokens[i], tokens[i + 1]
        if (
            (word == "MC" and nxt.isalpha())
            or (word == "MAC" and nxt in _MAC_STEMS)
            or (
                word == "O"
                and (
                    nxt in _O_STEMS
                    or (len(tokens) == 2 and len(nxt) >= 3 and nxt.isalpha())
                )
            )
        ):
            tokens[i : i + 2] = [word + nxt]
    return tokens


@_cached
def clean_name(text: str | None) -> str | None:
    """Bring a name (or any part of one) to uppercase ASCII words.

    Accents are stripped, apostrophes and periods dropped, other punctuation
    becomes a space, and MC/MAC/O prefixes written apart are joined, so that
    ``Muñoz`` / ``MUNOZ`` and ``O'Brien`` / ``O BRIEN`` compare equal.

    Args:
        text: the name as written, or None.

    Returns:
        The cleaned name, or None when empty or a placeholder such as UNKNOWN,
        NFN, FNU, N/A or XXX.

    Example:
        >>> clean_name("  josé  garcía-lópez ")
        'JOSE GARCIA LOPEZ'
        >>> clean_name("Mc Donald"), clean_name("d'Angelo"), clean_name("N/A")
        ('MCDONALD', 'DANGELO', None)
    """
    if text is None:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_WIDE_TABLE))
        # Combining accents vanish; any other non-ASCII symbol separates words.
        text = _NON_ASCII.sub(
            lambda m: "" if unicodedata.combining(m.group()) else " ", text
        )
    tokens = text.upper().translate(_ASCII_TABLE).split()
    if not tokens:
        return None
    if "MC" in tokens or "MAC" in tokens or "O" in tokens:
        tokens = _join_prefixes(tokens)
    cleaned = " ".join(tokens)
    return None if _is_placeholder(cleaned) else cleaned


def _suffix_of(token: str, *, allow_v: bool) -> str | None:
    """The canonical suffix a token spells, if any.

    ``V`` is also a middle initial (Victor, Vincent), so callers allow it only
    where an initial cannot stand.
    """
    suffix = _SUFFIXES.get(token)
    if suffix == "V" and not allow_v:
        return None
    return suffix


def _drop_joining_y(tokens: list[str]) -> list[str]:
    """GARCIA Y LOPEZ -> GARCIA LOPEZ: the Spanish 'and' between two surnames."""
    if "Y" not in tokens[1:-1]:
        return tokens
    return [t for i, t in enumerate(tokens) if t != "Y" or i in (0, len(tokens) - 1)]


def _words(tokens: list[str]) -> str | None:
    """Join tokens after dropping placeholders (NMN, FNU, ...) among them."""
    kept = [t for t in tokens if not _is_placeholder(t)]
    return " ".join(kept) if kept else None


def _surname_start(tokens: list[str]) -> int:
    """Index where the surname starts in FIRST [MIDDLE...] LAST (always >= 1)."""
    j = len(tokens) - 1
    while j > 1:
        prev = tokens[j - 1]
        if prev == "Y" and j >= 3:
            j -= 2
        elif prev in _PARTICLES:
            j -= 1
        elif prev in _PARTICLE_TAILS and j >= 3 and tokens[j - 2] in _PARTICLE_HEADS:
            j -= 2
        else:
            break
    return j


def _split_comma_form(head: str, tail: str, extra: str) -> NameParts:
    """LAST [SUFFIX], FIRST [MIDDLE...] [SUFFIX] [, SUFFIX]."""
    suffix: str | None = None
    last_tokens = (clean_name(head) or "").split()
    if len(last_tokens) >= 2:
        suffix = _suffix_of(last_tokens[-1], allow_v=True)
        if suffix:
            last_tokens.pop()
    given = (clean_name(tail) or "").split()
    extra_tokens = (clean_name(extra) or "").split()
    if len(extra_tokens) == 1 and (found := _suffix_of(extra_tokens[0], allow_v=True)):
        suffix = suffix or found
    else:
        given += extra_tokens
    if len(given) >= 2 and (found := _suffix_of(given[-1], allow_v=len(given) >= 3)):
        given.pop()
        suffix = suffix or found
    return NameParts(
        first=_words(given[:1]),
        middle=_words(given[1:]),
        last=_words(_drop_joining_y(last_tokens)) if last_tokens else None,
        suffix=suffix,
    )


@_cached
def split_full_name(text: str | None) -> NameParts:
    """Split a one-box name into first, middle, last and suffix.

    Two layouts exist in the sources: ``LAST, FIRST MIDDLE`` (court and jail
    systems; the suffix may sit on either side of the comma) and
    ``FIRST MIDDLE LAST SUFFIX``. Without a comma the last word is the
    surname, extended leftwards over particles (DE LA CRUZ, VAN DER BERG) and
    over a Spanish joining Y (GARCIA Y LOPEZ, kept as GARCIA LOPEZ). Two
    unjoined Hispanic surnames (MARIA GARCIA LOPEZ) cannot be told from a
    middle name, so GARCIA lands in ``middle``; a comparison that also tries
    middle + last against the other record's surname catches that case.

    Args:
        text: the full name as written, or None.

    Returns:
        The parts, each cleaned as by ``clean_name``; a single word is a
        surname. Placeholder words (NMN, FNU, LNU) leave their part empty.

    Example:
        >>> split_full_name("Smith Jr., John Allen")
        NameParts(first='JOHN', middle='ALLEN', last='SMITH', suffix='JR')
        >>> split_full_name("Juan Carlos de la Cruz III")
        NameParts(first='JUAN', middle='CARLOS', last='DE LA CRUZ', suffix='III')
    """
    if text is None:
        return _NO_NAME
    if "," in text:
        head, _, rest = text.partition(",")
        tail, _, extra = rest.partition(",")
        return _split_comma_form(head, tail, extra)
    cleaned = clean_name(text)
    if cleaned is None:
        return _NO_NAME
    tokens = cleaned.split()
    suffix = None
    if len(tokens) >= 2 and (
        suffix := _suffix_of(tokens[-1], allow_v=len(tokens) >= 3)
    ):
        tokens.pop()
    if len(tokens) == 1 or all(t in _ALL_PARTICLES for t in tokens[:-1]):
        return NameParts(None, None, _words(tokens), suffix)
    start = _surname_start(tokens)
    return NameParts(
        first=_words(tokens[:1]),
        middle=_words(tokens[1:start]),
        last=_words(_drop_joining_y(tokens[start:])),
        suffix=suffix,
    )


@_cached
def normalise_name_parts(
    first: str | None,
    middle: str | None,
    last: str | None,
    suffix: str | None,
) -> NameParts:
    """Clean name parts that arrived in separate columns.

    Sources misuse the boxes: ``SMITH JR`` in the surname, ``JOHN JR`` or
    ``JOHN A`` in the given name. The suffix is pulled out (a suffix column,
    when filled, wins) and a trailing initial in the given name moves to an
    empty middle name (or is dropped when the middle name already starts
    with it), so the parts line up with sources that used the boxes as
    meant. Running it on its own output changes nothing.

    Args:
        first: given name as written.
        middle: middle name(s) or initial ("A." becomes "A").
        last: surname as written.
        suffix: generational suffix as written (JUNIOR, 3RD, ...).

    Returns:
        The cleaned parts. A suffix that is not generational (ESQ) is kept as
        cleaned rather than thrown away.

    Example:
        >>> normalise_name_parts("john a", None, "o'brien jr.", None)
        NameParts(first='JOHN', middle='A', last='OBRIEN', suffix='JR')
    """
    cleaned_suffix = clean_name(suffix)
    found = _SUFFIXES.get(cleaned_suffix, cleaned_suffix) if cleaned_suffix else None
    last_name = clean_name(last)
    if last_name is not None:
        tokens = last_name.split()
        while len(tokens) >= 2 and (embedded := _suffix_of(tokens[-1], allow_v=True)):
            tokens.pop()
            found = found or embedded
        tokens = _drop_joining_y(tokens)
        if len(tokens) != last_name.count(" ") + 1:
            # What is left may clean differently ("O SMITH JR" -> "OSMITH").
            last_name = clean_name(" ".join(tokens))
    middle_name = clean_name(middle)
    first_name = clean_name(first)
    if first_name is not None:
        tokens = first_name.split()
        before = len(tokens)
        # Peel suffixes and trailing initials until neither is left, so that a
        # second pass finds nothing more to move (idempotence).
        while len(tokens) >= 2:
            if embedded := _suffix_of(tokens[-1], allow_v=False):
                found = found or embedded
            elif len(tokens[-1]) != 1:
                break
            elif middle_name is None:
                middle_name = tokens[-1]
            elif middle_name[0] != tokens[-1]:
                break
            tokens.pop()
        if len(tokens) != before:
            first_name = clean_name(" ".join(tokens))
    return NameParts(first_name, middle_name, last_name, found)


@_cached
def surname_parts(last: str | None) -> tuple[str, ...]:
    """The significant words of a surname, for compound-surname comparison.

    Hispanic records carry one or both surnames (GARCIA, GARCIA LOPEZ), and
    married names add or replace one; sharing any significant word is
    evidence. Particles are dropped because DE or LA shared by two surnames
    says nothing.

    Args:
        last: a surname (cleaned or not).

    Returns:
        The words without particles, or every word if all are particles.

    Example:
        >>> surname_parts("García-López"), surname_parts("De la Cruz")
        (('GARCIA', 'LOPEZ'), ('CRUZ',))
    """
    cleaned = clean_name(last)
    if cleaned is None:
        return ()
    tokens = cleaned.split()
    significant = tuple(t for t in tokens if t not in _ALL_PARTICLES and t != "Y")
    return significant or tuple(tokens)


@_cached
def compact_surname(last: str | None) -> str | None:
    """A surname with every space removed, particles included.

    DE LA CRUZ, DELACRUZ and DE LACRUZ are all written in the sources; with
    the spaces gone they agree exactly, as do MAC NAB and MACNAB.

    Args:
        last: a surname (cleaned or not).

    Returns:
        The compact surname, or None for an empty or placeholder value.

    Example:
        >>> compact_surname("De La Cruz"), compact_surname("Garcia y Lopez")
        ('DELACRUZ', 'GARCIALOPEZ')
    """
    cleaned = clean_name(last)
    if cleaned is None:
        return None
    return "".join(_drop_joining_y(cleaned.split()))

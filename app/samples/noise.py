"""How one agency writes a person on one record, errors included.

Every rate lives in a `Profile`, one per source, so the differences between
agencies (the jail keeps accents less often than the clerk, the disposition
system drops birth dates) are visible in one place. The functions draw from a
`random.Random` owned by the writer: per-record Python is fast enough here and
keeps each decision readable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from app.samples import names
from app.samples.people import FIRST_NAMES, STREETS, SURNAMES
from app.samples.places import CITIES, DIRECTION_LONG, STREET_TYPE_LONG


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-record error and style rates of one source (probabilities)."""

    typo: float
    nickname: float
    swap: float
    middle_missing: float
    middle_initial: float
    accent_keep: float
    enye_keep: float
    alias_use: float
    dob_missing: float
    dob_swap: float
    dob_digit: float
    dob_year: float
    addr_missing: float
    addr_typo: float
    addr_long: float


PROFILES: dict[str, Profile] = {
    "clerk": Profile(
        typo=0.02, nickname=0.02, swap=0.01, middle_missing=0.35, middle_initial=0.35,
        accent_keep=0.5, enye_keep=0.75, alias_use=0.15, dob_missing=0.02,
        dob_swap=0.01, dob_digit=0.01, dob_year=0.01, addr_missing=0.06,
        addr_typo=0.02, addr_long=0.15,
    ),
    # Booking desks key fast from what the arrestee says: more typos, nicknames
    # and aliases; the old jail system drops most accents but keeps Ñ.
    "arrest": Profile(
        typo=0.03, nickname=0.05, swap=0.015, middle_missing=0.4, middle_initial=0.4,
        accent_keep=0.25, enye_keep=0.6, alias_use=0.4, dob_missing=0.01,
        dob_swap=0.015, dob_digit=0.01, dob_year=0.01, addr_missing=0.05,
        addr_typo=0.03, addr_long=0.3,
    ),
    # The disposition system is ASCII-minded, often lacks the birth date and
    # never records an address.
    "disposition": Profile(
        typo=0.02, nickname=0.02, swap=0.01, middle_missing=0.5, middle_initial=0.3,
        accent_keep=0.0, enye_keep=0.15, alias_use=0.1, dob_missing=0.15,
        dob_swap=0.01, dob_digit=0.01, dob_year=0.01, addr_missing=1.0,
        addr_typo=0.0, addr_long=0.0,
    ),
}  # fmt: skip

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_ACUTE_TABLE = str.maketrans({ch: names.strip_accents(ch) for ch in "ÁÉÍÓÚÜáéíóúü"})
_FIRST_ASCII = tuple(names.strip_accents(n) for n in FIRST_NAMES)
NICKNAMES_BY_FIRST: dict[int, tuple[str, ...]] = {
    i: names.NICKNAMES[a] for i, a in enumerate(_FIRST_ASCII) if a in names.NICKNAMES
}
_PARTICLES = ("DE LA ", "DEL ", "DE ", "VAN ", "VANDER ", "MC ", "ST ")


def typo(text: str, rng: random.Random) -> str:
    """One keying error: substitute, transpose or drop a character."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.4:
        pool = _DIGITS if text[i].isdigit() else _LETTERS
        return text[:i] + rng.choice(pool) + text[i + 1 :]
    if op < 0.75:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def accents(text: str, profile: Profile, rng: random.Random) -> str:
    """Keep or drop accents and Ñ the way this source's system would."""
    if text.isascii():
        return text
    if rng.random() >= profile.enye_keep:
        text = text.replace("Ñ", "N")
    if rng.random() >= profile.accent_keep:
        text = text.translate(_ACUTE_TABLE)
    return text


def surname(last: int, last2: int, rng: random.Random) -> str:
    """A surname as written: compound, particle and apostrophe variants."""
    name = SURNAMES[last]
    if last2 >= 0:
        second = SURNAMES[last2]
        u = rng.random()
        if u < 0.45:
            return f"{name} {second}"
        if u < 0.6:
            return f"{name}-{second}"
        if u < 0.85:
            return name
        if u < 0.92:
            return second
        return name + second
    if "'" in name:
        u = rng.random()
        return name if u < 0.5 else name.replace("'", "" if u < 0.9 else " ")
    if " " in name and name.startswith(_PARTICLES):
        u = rng.random()
        if u < 0.6:
            return name
        if u < 0.9 or name.count(" ") < 2:
            return name.replace(" ", "")
        head, _, tail = name.partition(" ")
        return head + " " + tail.replace(" ", "")
    return name


def person_name(
    p: tuple[int, ...], on: int, profile: Profile, rng: random.Random
) -> tuple[str, str, str, str]:
    """(first, middle, last, suffix) of person `p` on a record dated `on`.

    `p` is (first, middle, last, last2, suffix, alias_first, alias_last,
    married_last, married_on) as indices and ordinals.
    """
    (
        first_i,
        middle_i,
        last_i,
        last2_i,
        suffix_i,
        al_first,
        al_last,
        mar_last,
        mar_on,
    ) = p
    if al_first >= 0 and rng.random() < profile.alias_use:
        first_i = al_first
        if al_last >= 0:
            last_i, last2_i = al_last, -1
    first = FIRST_NAMES[first_i]
    nicks = NICKNAMES_BY_FIRST.get(first_i)
    if nicks and rng.random() < profile.nickname:
        first = rng.choice(nicks)
    last = surname(last_i, last2_i, rng)
    if mar_last >= 0 and on >= mar_on:
        u = rng.random()
        married = SURNAMES[mar_last]
        last = married if u < 0.85 else (last if u < 0.95 else f"{last}-{married}")
    middle = ""
    if middle_i >= 0 and rng.random() >= profile.middle_missing:
        middle = FIRST_NAMES[middle_i]
        if rng.random() < profile.middle_initial:
            middle = middle[0]
    if rng.random() < profile.typo:
        first = typo(first, rng)
    if rng.random() < profile.typo:
        last = typo(last, rng)
    if rng.random() < profile.swap:
        first, last = last, first
    first = accents(first, profile, rng)
    last = accents(last, profile, rng)
    middle = accents(middle, profile, rng)
    return first, middle, last, names.SUFFIXES[suffix_i]


def birth_date(dob: int, profile: Profile, rng: random.Random) -> date | None:
    """The birth date as keyed: missing, day/month swapped, a digit or year off."""
    if rng.random() < profile.dob_missing:
        return None
    d = date.fromordinal(dob)
    u = rng.random()
    if u < profile.dob_swap and d.day <= 12 and d.day != d.month:
        return d.replace(month=d.day, day=d.month)
    u -= profile.dob_swap
    if u < profile.dob_year:
        return _safe_replace(d, year=d.year + rng.choice((-1, 1)))
    u -= profile.dob_year
    if u < profile.dob_digit:
        if rng.random() < 0.5:
            return _safe_replace(d, year=d.year // 10 * 10 + rng.randrange(10))
        return _safe_replace(d, day=d.day // 10 * 10 + rng.randrange(10))
    return d


def _safe_replace(d: date, *, year: int | None = None, day: int | None = None) -> date:
    """`date.replace`, keeping the original where the result is not a date."""
    try:
        return d.replace(year=year or d.year, day=day or d.day)
    except ValueError:
        return d


def address(
    a: tuple[int, int, int, int, int], profile: Profile, rng: random.Random
) -> tuple[str, str, str] | None:
    """(street line, city, ZIP) of address `a`, or None when not recorded.

    `a` is (number, street, apt, city, zip).
    """
    if rng.random() < profile.addr_missing:
        return None
    number, street_i, apt, city_i, zip_ = a
    direction, name, kind = STREETS[street_i]
    if rng.random() < profile.addr_long:
        direction = DIRECTION_LONG.get(direction, direction)
        kind = STREET_TYPE_LONG.get(kind, kind)
    elif rng.random() < 0.15:
        direction = f"{direction}." if direction else ""
    if rng.random() < profile.addr_typo:
        name = typo(name, rng)
    line = " ".join(part for part in (str(number), direction, name, kind) if part)
    if apt:
        unit = f"{1 + apt % 4}{'ABCD'[apt // 4 % 4]}" if apt % 3 else str(apt)
        line += rng.choice((f" APT {unit}", f" #{unit}", f" UNIT {unit}"))
    city = CITIES[city_i][0]
    return line, city, f"{zip_:05d}"

"""Charges, the many ways agencies cite them, and disposition wordings.

Clearing cannabis records under Illinois law turns on the exact statute and
subsection (550/4(a)-(g) possession by weight, 550/5 delivery, ...), whether the
charge was an attempt, and whether it ended in a conviction. Each agency writes
all three differently and old cases cite the pre-1993 Illinois Revised
Statutes, so the generator writes the same charge many ways and keeps the clean
key in the truth files.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass
from datetime import date

# Illinois compiled statutes replaced the Revised Statutes on 1993-01-01; the
# aggravated battery section was renumbered 12-4 -> 12-3.05 on 2011-07-01;
# P.A. 99-697 gave the possession subsections 550/4(a)-(d) new amounts for
# offences on or after 2016-07-29 (see resources/rules/illinois_cannabis.toml).
ILCS_START_ORDINAL = date(1993, 1, 1).toordinal()
AGG_BATTERY_RENUMBERED_ORDINAL = date(2011, 7, 1).toordinal()
POSSESSION_REBANDED_ORDINAL = date(2016, 7, 29).toordinal()

CONVICTION = "conviction"
NON_CONVICTION = "non_conviction"
NO_OUTCOME = "none"


@dataclass(frozen=True, slots=True)
class Charge:
    """One statute a charge can cite, with its pre-1993 equivalent.

    `key` is the clean form in the truth file: for chapter 720 it omits the
    chapter ('550/4(c)'), for other chapters it keeps it ('625 5/11-501').
    `sub` is part of the key; `written_sub` is cited by agencies but is not.
    `grams` are "more than lo, up to hi" as the statute words them; a
    subsection whose amounts changed (550/4 from 2016-07-29) carries the newer
    amounts and descriptions in `rebanded` (see :meth:`on`).
    """

    key: str
    chapter: str
    act: str
    section: str
    sub: str
    written_sub: str
    old_chapter: str
    old_par: str
    clerk_desc: str
    arrest_desc: str
    grams: tuple[float, float] | None
    case_type: str
    weight: float
    rebanded: Charge | None = None

    @property
    def cannabis(self) -> bool:
        """True for the Cannabis Control Act (720 ILCS 550)."""
        return self.chapter == "720" and self.act == "550"

    def on(self, offense_ordinal: int) -> Charge:
        """The charge as the law read it on the offence date: amounts, descriptions.

        Example:
            >>> c = CHARGES[CHARGE_INDEX["550/4(c)"]]
            >>> c.on(date(2016, 7, 28).toordinal()).grams
            (10.0, 30.0)
            >>> c.on(date(2016, 7, 29).toordinal()).grams
            (30.0, 100.0)
        """
        if self.rebanded is not None and offense_ordinal >= POSSESSION_REBANDED_ORDINAL:
            return self.rebanded
        return self


def _cannabis(
    section: str,
    sub: str,
    grams: tuple[float, float],
    case_type: str,
    weight: float,
    rebanded: tuple[float, float] | None = None,
) -> Charge:
    """A 550/4 (possession) or 550/5 (delivery) subsection, keyed by weight band.

    `rebanded` is the subsection's amount from 2016-07-29 when it differs.
    """
    lo, hi = grams
    band = f">{lo:g}" if lo >= 5000 else f"{lo:g}-{hi:g}"
    if sub == "a":
        band = f"<={hi:g}"
    verb_clerk = "POSS CANNABIS" if section == "4" else "MFG/DEL CANNABIS"
    verb_arrest = "POSSESSION OF CANNABIS" if section == "4" else "DELIVERY OF CANNABIS"
    return Charge(
        key=f"550/{section}({sub})",
        chapter="720",
        act="550",
        section=section,
        sub=sub,
        written_sub="",
        old_chapter="56 1/2",
        old_par=f"70{section}",
        clerk_desc=f"{verb_clerk} {band} GRAMS",
        arrest_desc=f"{verb_arrest} {band}G",
        grams=grams,
        case_type=case_type,
        weight=weight,
        rebanded=None
        if rebanded is None
        else _cannabis(section, sub, rebanded, case_type, weight),
    )


_BANDS = (
    ("a", (0.1, 2.5)),
    ("b", (2.5, 10.0)),
    ("c", (10.0, 30.0)),
    ("d", (30.0, 500.0)),
    ("e", (500.0, 2000.0)),
    ("f", (2000.0, 5000.0)),
    ("g", (5000.0, 20000.0)),
)
# Possession from P.A. 99-697 (offences on or after 2016-07-29): (a)-(b) up to
# 30 g, (c) 30-100 g, (d) 100-500 g; (e)-(g) and delivery (550/5) unchanged.
_POSS_BANDS_FROM_2016: dict[str, tuple[float, float]] = {
    "a": (0.1, 10.0),
    "b": (10.0, 30.0),
    "c": (30.0, 100.0),
    "d": (100.0, 500.0),
}
_POSS_WEIGHTS = (10.0, 10.0, 8.0, 5.0, 1.5, 0.5, 0.3)
_DEL_WEIGHTS = (2.0, 2.5, 2.5, 2.0, 0.8, 0.3, 0.2)
_POSS_TYPES = ("CM", "CM", "CM", "CR", "CR", "CR", "CR")
_DEL_TYPES = ("CM", "CM", "CR", "CR", "CR", "CR", "CR")


def _other(
    key: str,
    chapter: str,
    act: str,
    section: str,
    old: tuple[str, str],
    descs: tuple[str, str],
    case_type: str,
    weight: float,
    *,
    sub: str = "",
    written_sub: str = "",
    grams: tuple[float, float] | None = None,
) -> Charge:
    return Charge(
        key, chapter, act, section, sub, written_sub, old[0], old[1], descs[0],
        descs[1], grams, case_type, weight,
    )  # fmt: skip


CHARGES: tuple[Charge, ...] = (
    *(
        _cannabis("4", sub, band, t, w, _POSS_BANDS_FROM_2016.get(sub))
        for (sub, band), w, t in zip(_BANDS, _POSS_WEIGHTS, _POSS_TYPES, strict=True)
    ),
    *(
        _cannabis("5", sub, band, t, w)
        for (sub, band), w, t in zip(_BANDS, _DEL_WEIGHTS, _DEL_TYPES, strict=True)
    ),
    _other("550/5.1", "720", "550", "5.1", ("56 1/2", "705.1"),
           ("CANNABIS TRAFFICKING", "CANNABIS TRAFFICKING"), "CR", 0.3,
           grams=(2500.0, 15000.0)),
    _other("550/7", "720", "550", "7", ("56 1/2", "707"),
           ("DEL CANNABIS TO MINOR", "DELIVERY CANNABIS TO MINOR"), "CR", 0.3,
           grams=(1.0, 30.0)),
    _other("550/8", "720", "550", "8", ("56 1/2", "708"),
           ("MFG/PRODUCE CANNABIS PLANTS", "CULTIVATION OF CANNABIS"), "CR", 0.8),
    _other("570/402", "720", "570", "402", ("56 1/2", "1402"),
           ("POSS AMT CON SUB EXCEPT(A)/(D)", "POSS CONTROLLED SUBSTANCE"), "CR",
           12.0, written_sub="c"),
    _other("5/12-3", "720", "5", "12-3", ("38", "12-3"),
           ("BATTERY/CAUSE BODILY HARM", "BATTERY"), "CM", 6.0),
    _other("5/12-3.05", "720", "5", "12-3.05", ("38", "12-4"),
           ("AGG BATTERY/GREAT BODILY HARM", "AGGRAVATED BATTERY"), "CR", 3.0),
    _other("5/18-1", "720", "5", "18-1", ("38", "18-1"),
           ("ROBBERY", "ROBBERY"), "CR", 2.5),
    _other("625 5/11-501", "625", "5", "11-501", ("95 1/2", "11-501"),
           ("DUI/ALCOHOL", "DRIVING UNDER THE INFLUENCE"), "DT", 6.0,
           written_sub="a"),
    _other("5/16-1", "720", "5", "16-1", ("38", "16-1"),
           ("THEFT/LABOR/SERVICES/PROPERTY", "THEFT"), "CM", 7.0,
           written_sub="a"),
    _other("5/21-1", "720", "5", "21-1", ("38", "21-1"),
           ("CRIMINAL DAMAGE TO PROPERTY", "CRIM DAMAGE TO PROPERTY"), "CM", 4.0),
    # Drawn only by renaming 5/12-3.05 for offenses before the renumbering.
    _other("5/12-4", "720", "5", "12-4", ("38", "12-4"),
           ("AGG BATTERY", "AGGRAVATED BATTERY"), "CR", 0.0),
)  # fmt: skip

CHARGE_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(CHARGES)}
AGG_BATTERY = CHARGE_INDEX["5/12-3.05"]
AGG_BATTERY_OLD = CHARGE_INDEX["5/12-4"]
CASE_TYPES: tuple[str, ...] = ("CM", "DT", "CR")  # ordered by seriousness

# How each source cites a statute under the ILCS and before it (weights).
MODERN_STYLES: dict[str, dict[str, float]] = {
    "clerk": {"ilcs": 45, "dashparen": 25, "dash": 15, "space": 10, "short": 5},
    "arrest": {"short": 35, "dash": 30, "space": 20, "ilcs": 15},
    "disposition": {"space": 35, "ilcs": 30, "dash": 20, "short": 15},
}
OLD_STYLES: dict[str, dict[str, float]] = {
    "clerk": {"old_long": 40, "old_short": 40, "old_caps": 20},
    "arrest": {"old_short": 60, "old_caps": 40},
    "disposition": {"old_long": 50, "old_short": 50},
}
# Share of pre-1993 charges that a source re-coded to the ILCS citation.
RECODED_SHARE: dict[str, float] = {"clerk": 0.15, "arrest": 0.3, "disposition": 0.1}


def _modern(charge: Charge, style: str, sub: str) -> str:
    """Cite `charge` under the ILCS in one agency style."""
    c, a, s = charge.chapter, charge.act, charge.section
    if style == "ilcs":
        return f"{c} ILCS {a}/{s}" + (f"({sub})" if sub else "")
    if style == "dashparen":
        return f"{c}-{a}/{s}" + (f"({sub})" if sub else "")
    if style == "dash":
        return f"{c}-{a}/{s}" + (f"-{sub}" if sub else "")
    if style == "space":
        return f"{c} {a} /{s}" + (f"({sub})" if sub else "")
    if c == "625":  # traffic officers write the section alone
        return f"{s}({sub.upper()})" if sub else s
    return f"{a}/{s}{sub.upper()}"


def _old(charge: Charge, style: str, sub: str) -> str:
    """Cite `charge` under the Illinois Revised Statutes (before 1993)."""
    ch, par = charge.old_chapter, charge.old_par
    if style == "old_long":
        return f"Ill. Rev. Stat. ch. {ch}, par. {par}" + (f"({sub})" if sub else "")
    if style == "old_short":
        short_ch = ch.replace(" 1/2", ".5")
        return f"{short_ch}-{par}" + (f"({sub})" if sub else "")
    return f"CH {ch.replace(' ', '-')} PAR {par}" + (f"-{sub.upper()}" if sub else "")


_STYLE_TABLES = {
    (source, old): (list(styles), list(itertools.accumulate(styles.values())))
    for old, table in ((False, MODERN_STYLES), (True, OLD_STYLES))
    for source, styles in table.items()
}


def cite(
    charge: Charge,
    *,
    source: str,
    offense_ordinal: int,
    attempt: bool,
    rng: random.Random,
) -> str:
    """Write `charge` the way `source` would, old or new, with any attempt marker.

    Example:
        >>> c = CHARGES[CHARGE_INDEX["550/4(c)"]]
        >>> cite(c, source="clerk", offense_ordinal=740000, attempt=False,
        ...      rng=random.Random(1)) in {"720 ILCS 550/4(c)", "720-550/4(c)",
        ...      "720-550/4-c", "720 550 /4(c)", "550/4C"}
        True
    """
    sub = charge.sub or (charge.written_sub if rng.random() < 0.7 else "")
    old = offense_ordinal < ILCS_START_ORDINAL and rng.random() >= RECODED_SHARE[source]
    styles, cum_weights = _STYLE_TABLES[(source, old)]
    style = rng.choices(styles, cum_weights=cum_weights)[0]
    if style == "dash" and rng.random() < 0.3:
        sub = sub.upper()
    text = _old(charge, style, sub) if old else _modern(charge, style, sub)
    if not attempt:
        return text
    if rng.random() < 0.5:
        return text + " (att)"
    return ("38-8-4 " if old else "720-5/8-4 ") + text


@dataclass(frozen=True, slots=True)
class Wording:
    """A disposition as written, the class it means, and where it may be used."""

    text: str
    outcome: str
    only: tuple[str, ...] = ()  # charge-key prefixes it applies to; () = any


WORDINGS: tuple[Wording, ...] = (
    Wording("GUILTY", CONVICTION),
    Wording("GUILTY PLEA", CONVICTION),
    Wording("PLEA OF GUILTY", CONVICTION),
    Wording("CONVICTED", CONVICTION),
    Wording("FINDING OF GUILTY", CONVICTION),
    Wording("DISMISSED", NON_CONVICTION),
    Wording("NOLLE PROSEQUI", NON_CONVICTION),
    Wording("NOLLE PROS", NON_CONVICTION),
    Wording("SOL", NON_CONVICTION),
    Wording("STRICKEN OFF WITH LEAVE", NON_CONVICTION),
    Wording("NOT GUILTY", NON_CONVICTION),
    Wording("FINDING OF NOT GUILTY", NON_CONVICTION),
    Wording("ACQUITTED", NON_CONVICTION),
    Wording("SUPERVISION TERMINATED SATISFACTORILY", NON_CONVICTION,
            ("550/4", "5/12-3", "5/16-1", "5/21-1", "625 ")),
    Wording("410 PROBATION COMPLETED", NON_CONVICTION, ("550/4", "570/402")),
    Wording("NO BILL", NON_CONVICTION),
    Wording("NO CHARGES FILED", NON_CONVICTION),
)  # fmt: skip

SENTENCES: tuple[str, ...] = (
    "PROBATION 12 MONTHS",
    "PROBATION 24 MONTHS",
    "IDOC 2 YRS",
    "IDOC 4 YRS",
    "CCDOC 30 DAYS",
    "FINE AND COSTS $250",
    "CONDITIONAL DISCHARGE 1 YR",
    "TIME CONSIDERED SERVED",
)


@functools.cache
def _wordings(charge: Charge, outcome: str) -> tuple[Wording, ...]:
    return tuple(
        w
        for w in WORDINGS
        if w.outcome == outcome
        and (not w.only or any(charge.key.startswith(p) for p in w.only))
    )


def wording_for(charge: Charge, outcome: str, rng: random.Random) -> Wording:
    """Pick a wording of `outcome` that makes sense for `charge`."""
    return rng.choice(_wordings(charge, outcome))

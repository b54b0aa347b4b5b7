"""Given-name nicknames: BILL and WILLIAM may be the same person.

The groups come from the ``nicknames`` package (a curated genealogy list),
pruned, plus a small table of Spanish short forms the package lacks. Two
given names are nickname-equivalent when their variant sets (the name plus
every formal name it may stand for) intersect: a nickname meets its formal
name (BILL ~ WILLIAM) and two nicknames of one formal name meet each other
(BOB ~ ROB via ROBERT). A name that is nobody's nickname stands only for
itself (WILLIAM -> {WILLIAM}), so two such names never meet through a
nickname they share.

Why the package list is pruned rather than taken whole:

* It holds rows that run backwards (``bill has_nickname william`` beside
  ``william has_nickname bill``), so ``canonicals_of("william")`` answers
  BILL, BILLY, WILLIE and WILMA, and WILLIAM would meet ROBERT through BILL.
  A row is kept only when the nickname is not longer than the formal name;
  equal lengths stay in both directions, which keeps spelling variants
  (ALLAN/ALLEN, SHAUN/SHAWN) equivalent. Diminutives longer than their base
  (JIMMIE for JIM) lose nothing: they also list the formal name (JAMES).
* Some rows are genealogy folklore or translations that tie distinct modern
  names together: BILL and BILLY for ROBERT (BILL ~ BOB), FRED for BILL,
  JOE for JOSHUA (JOE ~ JOSH), IVAN for JOHN, PETER for PATRICK, ANN for
  ANTONIA (ANN ~ TONY). Others list a common formal name as someone's
  nickname, which ties two formal names together (NATHAN for JONATHAN makes
  JOHN ~ NATHAN; likewise LINDA, HANNAH, EMILY, EMMA, LISA, CARL, RANDY).
  For this office a false link files one person's record under another,
  which is far worse than a missed nickname a reviewer can still link by
  hand, so those rows are dropped (``_DROPPED``).

Broad but real groups stay (AL for ALAN, ALBERT, ALFRED, ...; CHRIS for
CHRISTOPHER and CHRISTINA): nickname agreement is only a partial-agreement
level that date of birth, sex and identifiers must confirm.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from matching.normalize.names import clean_name

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


# (formal name, nickname) rows of the package judged over-broad; see above.
_DROPPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("robert", "bill"),
        ("robert", "billy"),
        ("bill", "fred"),
        ("billy", "fred"),
        ("will", "fred"),
        ("willie", "fred"),
        ("bert", "bob"),
        ("roger", "bobby"),
        ("rodger", "bobby"),
        ("joshua", "joe"),
        ("ivan", "john"),
        ("patrick", "peter"),
        ("antonia", "ann"),
        ("antoinette", "ann"),
        ("christiana", "ann"),
        ("jalen", "al"),
        # Formal names in their own right listed as nicknames, which would tie
        # two common formal names together (JOHN ~ NATHAN via JONATHAN).
        ("jonathan", "nathan"),
        ("johnathan", "nathan"),
        ("rosalinda", "linda"),
        ("rosalyn", "linda"),
        ("joanna", "hannah"),
        ("johannah", "hannah"),
        ("susannah", "hannah"),
        ("amelia", "emily"),
        ("emily", "emma"),
        ("emeline", "emma"),
        ("alice", "lisa"),
        ("alicia", "lisa"),
        ("charles", "carl"),
        ("andrew", "randy"),
        ("alexandria", "alexander"),
    }
)

# Spanish short forms (formal name -> nicknames); the package has almost none.
# JOE/FRANK/TONY/ALEX/BETO-style English forms used by Hispanic men are
# included because US agencies often record them instead of the formal name.
_SPANISH: dict[str, tuple[str, ...]] = {
    "ALBERTO": ("BETO", "BETTO", "AL"),
    "ALEJANDRA": ("ALE", "JANDRA"),
    "ALEJANDRO": ("ALE", "ALEX", "JANDRO"),
    "ALICIA": ("LICHA",),
    "ANTONIO": ("TONO", "TONY", "TONI"),
    "CARLOS": ("CARLITOS", "CHARLIE"),
    "CONCEPCION": ("CONCHA", "CONCHITA", "CONCHI"),
    "CONSUELO": ("CHELO",),
    "DOLORES": ("LOLA", "LOLIS", "LOLITA"),
    "EDUARDO": ("LALO", "EDDIE", "ED"),
    "ENRIQUE": ("QUIQUE", "KIKE"),
    "ERNESTO": ("NETO",),
    "FERNANDO": ("NANDO", "FER"),
    "FRANCISCA": ("PACA", "PAQUITA", "PANCHA"),
    "FRANCISCO": ("PACO", "PANCHO", "PANCHITO", "FRANK", "CISCO", "KIKO"),
    "GILBERTO": ("BETO", "GIL"),
    "GONZALO": ("CHALO",),
    "GRACIELA": ("CHELA",),
    "GREGORIO": ("GOYO",),
    "GUADALUPE": ("LUPE", "LUPITA"),
    "GUILLERMO": ("MEMO", "GUILLE", "WILLIE"),
    "HERIBERTO": ("BETO",),
    "HERNANDO": ("NANDO",),
    "HUMBERTO": ("BETO",),
    "IGNACIO": ("NACHO",),
    "ISABEL": ("CHABELA", "CHAVELA", "ISA"),
    "JESUS": ("CHUY", "CHUCHO", "CHEWY"),
    "JOSE": ("PEPE", "PEPITO", "CHEPE", "CHEMA", "JOE"),
    "JOSEFINA": ("PEPA", "CHEPA", "FINA"),
    "JUAN": ("JUANITO", "JUANCHO"),
    "LETICIA": ("LETY", "LETI"),
    "LUIS": ("LUCHO", "WICHO"),
    "MANUEL": ("MANOLO", "MANNY"),
    "MARGARITA": ("MAGO", "MAGUI"),
    "MERCEDES": ("MECHE",),
    "MIGUEL": ("MIKE",),
    "NORBERTO": ("BETO",),
    "PATRICIA": ("PATY",),
    "RAFAEL": ("RAFA", "RAFI"),
    "REFUGIO": ("CUCO", "CUCA", "CUQUITA"),
    "RIGOBERTO": ("RIGO", "BETO"),
    "ROBERTO": ("BETO", "ROB", "BOB"),
    "ROSARIO": ("CHARO", "CHAYO"),
    "SALVADOR": ("CHAVA", "CHAVO", "SAL"),
    "SANTIAGO": ("SANTI", "CHAGO"),
    "SOCORRO": ("COCO",),
    "TERESA": ("TERE",),
    "TOMAS": ("TOMMY", "TOM"),
    "VICENTE": ("CHENTE",),
}


@functools.cache
def _canonical_table() -> dict[str, frozenset[str]]:
    """Nickname -> its variant set (itself plus formal names), built once.

    Built lazily, and the package imported lazily (it pulls in
    importlib.metadata, ~20 ms), so importing the normalisers stays cheap for
    code that never compares given names; the first call takes ~30 ms.
    """
    from nicknames import NickNamer

    formal_of: defaultdict[str, set[str]] = defaultdict(set)
    for formal, nicks in NickNamer.default_lookup().items():
        formal_key = clean_name(formal)  # the package has a few like "k.c."
        for nick in nicks:
            nick_key = clean_name(nick)
            if (
                formal_key
                and nick_key
                and len(nick) <= len(formal)
                and (formal, nick) not in _DROPPED
            ):
                formal_of[nick_key].add(formal_key)
    for formal, short_forms in _SPANISH.items():
        for nick in short_forms:
            formal_of[nick].add(formal)
    return {nick: frozenset({nick, *formals}) for nick, formals in formal_of.items()}


@_cached
def given_name_variants(first: str | None) -> frozenset[str]:
    """The given name itself plus every formal name it may be a nickname of.

    Args:
        first: a given name (cleaned or not).

    Returns:
        Uppercase names; empty for an empty or placeholder name. A formal
        name's set is just itself (WILLIAM -> {WILLIAM}).

    Example:
        >>> sorted(given_name_variants("Bill"))
        ['BILL', 'WILL', 'WILLIAM', 'WILLIS']
        >>> sorted(given_name_variants("Paco"))
        ['FRANCISCO', 'PACO']
    """
    name = clean_name(first)
    if name is None:
        return frozenset()
    return _canonical_table().get(name) or frozenset((name,))


def nickname_equivalent(a: str | None, b: str | None) -> bool:
    """True when two given names may name the same person by nickname.

    Equal names are equivalent too; an empty name is equivalent to nothing.

    Example:
        >>> nickname_equivalent("BOB", "ROB"), nickname_equivalent("BILL", "BOB")
        (True, False)
    """
    return not given_name_variants(a).isdisjoint(given_name_variants(b))

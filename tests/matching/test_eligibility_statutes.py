"""Statute citations as written -> canonical ILCS citations."""

from __future__ import annotations

import csv
import doctest
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.samples.layouts import LAYOUTS, SourceLayout
from matching.eligibility import statutes
from matching.eligibility.statutes import Citation, parse_statute

SAMPLE = Path(__file__).parents[2] / "resources" / "sample"


@pytest.mark.parametrize(
    ("written", "key", "attempt"),
    [
        # the spellings named in the brief
        ("720 ILCS 550/4(c)", "720 ILCS 550/4(c)", False),
        ("720-550/4-c", "720 ILCS 550/4(c)", False),
        ("720 550 /4(d)", "720 ILCS 550/4(d)", False),
        ("550/4C", "720 ILCS 550/4(c)", False),
        ("56.5-704(a)", "720 ILCS 550/4(a)", False),
        ("CH 56-1/2 PAR 704-C", "720 ILCS 550/4(c)", False),
        ("Ill. Rev. Stat. ch. 56 1/2, par. 704(a)", "720 ILCS 550/4(a)", False),
        # every generator style, modern and old
        ("720-550/4(b)", "720 ILCS 550/4(b)", False),
        ("720-550/5-G", "720 ILCS 550/5(g)", False),
        ("550/5B", "720 ILCS 550/5(b)", False),
        ("720-550/5.1", "720 ILCS 550/5.1", False),
        ("56.5-705.1", "720 ILCS 550/5.1", False),
        ("CH 56-1/2 PAR 707", "720 ILCS 550/7", False),
        ("Ill. Rev. Stat. ch. 56 1/2, par. 708", "720 ILCS 550/8", False),
        ("Ill. Rev. Stat. ch. 56 1/2, par. 1402(c)", "720 ILCS 570/402(c)", False),
        ("720-570/402-C", "720 ILCS 570/402(c)", False),
        ("38-12-4", "720 ILCS 5/12-4", False),
        ("CH 38 PAR 21-1", "720 ILCS 5/21-1", False),
        ("Ill. Rev. Stat. ch. 38, par. 16-1", "720 ILCS 5/16-1", False),
        ("720-5/16-1-A", "720 ILCS 5/16-1(a)", False),
        ("720 5 /12-3.05", "720 ILCS 5/12-3.05", False),
        ("5/12-3.05", "720 ILCS 5/12-3.05", False),
        ("11-501(A)", "625 ILCS 5/11-501(a)", False),
        ("625 ILCS 5/11-501", "625 ILCS 5/11-501", False),
        ("95.5-11-501(a)", "625 ILCS 5/11-501(a)", False),
        ("CH 95-1/2 PAR 11-501-A", "625 ILCS 5/11-501(a)", False),
        # attempts: the 8-4 prefix (ILCS and Revised Statutes) or "(att)"
        ("720-5/8-4 720-550/4-c", "720 ILCS 550/4(c)", True),
        ("720-5/8-4 550/4D", "720 ILCS 550/4(d)", True),
        ("38-8-4 Ill. Rev. Stat. ch. 56 1/2, par. 705(d)", "720 ILCS 550/5(d)", True),
        ("CH 56-1/2 PAR 705-D (att)", "720 ILCS 550/5(d)", True),
        ("56.5-704(c) (att)", "720 ILCS 550/4(c)", True),
        ("720 ILCS 5/8-4 720 ILCS 5/18-1", "720 ILCS 5/18-1", True),
        ("ATTEMPT 550/4C", "720 ILCS 550/4(c)", True),
        # other common office spellings
        ("720ILCS550/4(c)", "720 ILCS 550/4(c)", False),
        ("720 ILCS 550/4 (c)", "720 ILCS 550/4(c)", False),
        ("720 ilcs 550/4(c)", "720 ILCS 550/4(c)", False),
        ("720 ILCS 5/12-3.05(a)(1)", "720 ILCS 5/12-3.05(a)", False),
        ("Ill. Rev. Stat. 1991, ch. 56½, par. 704(c)", "720 ILCS 550/4(c)", False),
        ("720 ILCS 550/4", "720 ILCS 550/4", False),
    ],
)
def test_spellings(written: str, key: str, attempt: bool) -> None:
    citation = parse_statute(written)
    assert citation is not None, written
    assert (citation.key, citation.attempt) == (key, attempt)
    assert citation.as_written == written


@pytest.mark.parametrize(
    "written",
    [
        None,
        "",
        "   ",
        "SEE REMARKS",
        "720-5/8-4",  # an attempt, but of what?
        "38-8-4",
        "12-3",  # a bare Criminal Code section could be several acts
        "CH 99 PAR 704",  # no known ILCS equivalent
        "56.5-2501",  # chapter 56 1/2, paragraph outside the known acts
        "999/4",  # an act without its chapter that we do not know
        "720-5/8-2 550/4C",  # conspiracy is not an attempt: a person decides
        "550/4CC",
        "550/4(c) 570/402",
    ],
)
def test_unreadable_is_none(written: str | None) -> None:
    assert parse_statute(written) is None


def test_citation_keys() -> None:
    citation = parse_statute("720-5/8-4 CH 56-1/2 PAR 704-C")
    assert citation == Citation(
        "720 ILCS 550", "4", "c", True, "720-5/8-4 CH 56-1/2 PAR 704-C"
    )
    assert citation.section_key == "720 ILCS 550/4"
    assert str(citation) == "attempt 720 ILCS 550/4(c)"
    assert parse_statute("720 ILCS 550/5.1").key == "720 ILCS 550/5.1"  # type: ignore[union-attr]


def test_docstring_examples() -> None:
    assert doctest.testmod(statutes).failed == 0


@given(
    act=st.sampled_from(["720 ILCS 550", "720 ILCS 5", "720 ILCS 570", "625 ILCS 5"]),
    section=st.from_regex(r"\A[1-9][0-9]?(-[1-9][0-9]{0,2}(\.[0-9]{1,2})?)?\Z"),
    sub=st.sampled_from([None, "a", "b", "c", "d"]),
)
def test_canonical_key_reads_back_as_itself(
    act: str, section: str, sub: str | None
) -> None:
    """The canonical form is a fixed point, so keys can be stored and re-read."""
    key = f"{act}/{section}" + (f"({sub})" if sub else "")
    citation = parse_statute(key)
    assert citation is not None
    assert citation.key == key


@given(st.text(max_size=60))
def test_never_raises(text: str) -> None:
    result = parse_statute(text)
    assert result is None or result.key.startswith(result.act)


def _truth() -> dict[tuple[str, int], dict[str, str]]:
    with (SAMPLE / "charges_truth.csv").open(newline="", encoding="utf-8") as fh:
        return {(t["source"], int(t["record_id"])): t for t in csv.DictReader(fh)}


def _expected_key(statute_key: str) -> str:
    """The truth file's short key ('550/4(c)', '625 5/11-501') as an ILCS key."""
    if statute_key.startswith("625 "):
        return statute_key.replace("625 ", "625 ILCS ", 1)
    return f"720 ILCS {statute_key}"


def sample_cells(layout: SourceLayout, field: str) -> list[tuple[int, str]]:
    """(record id, cell) of one canonical field, record id = physical start line."""
    column = {f: c for c, f in layout.columns}[field]
    path = SAMPLE / layout.filename
    with path.open(encoding=layout.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter)
        index = next(reader).index(column)
        cells, start = [], 2
        for row in reader:
            cells.append((start, row[index]))
            start = reader.line_num + 1
    return cells


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.source)
def test_agrees_with_generator_truth(layout: SourceLayout) -> None:
    """Every statute cell the generator wrote reads as the charge it meant.

    The truth key drops subsections that do not name the offence (570/402,
    not 570/402(c)), so those compare by section.
    """
    truth = _truth()
    cells = sample_cells(layout, "statute")
    wrong = []
    for record_id, cell in cells:
        t = truth[(layout.source, record_id)]
        expected = _expected_key(t["statute_key"])
        citation = parse_statute(cell)
        got = None
        if citation is not None:
            got = citation.key if "(" in expected else citation.section_key
        if got != expected or citation.attempt != (t["attempt"] == "true"):  # type: ignore[union-attr]
            wrong.append((cell, expected, t["attempt"], citation))
    assert len(cells) > 1000
    assert wrong == [], f"{len(wrong)} of {len(cells)} disagree: {wrong[:20]}"


def test_sample_uses_every_style() -> None:
    """The sample exercises old and new citations and both attempt markers."""
    cells = [c for layout in LAYOUTS for _, c in sample_cells(layout, "statute")]
    shapes = Counter(
        "old_long" if c.startswith("Ill.") else
        "old_caps" if c.startswith("CH ") else
        "att_suffix" if c.endswith("(att)") else
        "att_prefix" if c.startswith(("720-5/8-4 ", "38-8-4 ")) else
        "ilcs" if " ILCS " in c else "other"
        for c in cells
    )  # fmt: skip
    assert all(shapes[s] >= 10 for s in ("old_long", "old_caps", "att_suffix",
                                          "att_prefix", "ilcs", "other"))  # fmt: skip

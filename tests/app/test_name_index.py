"""The fuzzy name index: no first-letter blocking, fresh after every import."""

from __future__ import annotations

from pathlib import Path

from app import review_queries as rq
from app.actor import Actor
from app.importer import import_file
from app.name_index import NameIndex, name_index, warm, worth_warming
from app.workspace import Connection, open_workspace
from tests.conftest import TODAY

NAMES = [
    ("SMITH", "JAMES"),
    ("SMYTHE", "JANE"),
    ("JAMES", "SMITH"),
    ("DIXON", "JAMES"),
    ("SMITH", None),
    ("GARCIA", "MARIA"),
]


def test_a_typo_in_the_first_letter_of_both_names_still_finds_the_person():
    """'Jsmes Dmith' is SMITH, JAMES with both first letters mistyped: a
    first-letter block could never bring them together."""
    index = NameIndex.build(NAMES)
    best = index.best([("DMITH", "JSMES"), ("JSMES", "DMITH")], limit=3)
    assert ("SMITH", "JAMES") in best
    assert ("GARCIA", "MARIA") not in best
    kames = index.best([("SMITH", "KAMES"), ("KAMES", "SMITH")], limit=1)
    assert list(kames) == [("SMITH", "JAMES")]


def test_the_typed_reading_ranks_above_the_swapped_one():
    """'James Smith' lists SMITH, JAMES first and JAMES, SMITH (a record with
    its names keyed the wrong way round) just after it."""
    index = NameIndex.build(NAMES)
    best = index.best([("SMITH", "JAMES"), ("JAMES", "SMITH")], limit=2)
    assert list(best) == [("SMITH", "JAMES"), ("JAMES", "SMITH")]
    assert best[("SMITH", "JAMES")] == 100.0
    assert 90 < best[("JAMES", "SMITH")] < 100


def test_ties_keep_alphabetical_order_and_the_limit():
    """A surname alone ties every given name; the same ones are shown each time."""
    index = NameIndex.build(NAMES)
    best = index.best([("SMITH", None)], limit=2)
    assert list(best) == [("SMITH", "JAMES"), ("SMITH", None)]
    assert list(index.best([("SMITH", None)], limit=1)) == [("SMITH", "JAMES")]
    assert NameIndex.build([]).best([("SMITH", None)], limit=5) == {}


def test_an_import_refreshes_the_cached_index(sample_dir: Path, tmp_path: Path):
    """Names imported after the first search are found by the next one."""
    conn: Connection = open_workspace(
        tmp_path / "w.rmws", create=True, actor=Actor("t", "t")
    )
    try:
        import_file(
            conn, sample_dir / "clerk.csv", source="clerk", kind="clerk", today=TODAY
        )
        before = name_index(conn)
        assert name_index(conn) is before
        import_file(
            conn, sample_dir / "arrest.csv", source="arrest", kind="arrest", today=TODAY
        )
        after = name_index(conn)
        assert after is not before
        assert len(after) > len(before)
        last, first = after.name(0)
        hits = rq.search(conn, f"{last}, {first or ''}").hits
        assert hits
        assert hits[0].name.startswith(last)
    finally:
        conn.close()


def test_warming_on_another_connection_fills_the_shared_cache(
    linked: Connection,
) -> None:
    """The Search page warms the index on a worker's own connection; the GUI's
    connection to the same file then finds it built."""
    count = warm(linked.path, actor=Actor("t", "t"))
    index = name_index(linked)
    assert len(index) == count > 0
    assert name_index(linked) is index
    assert not worth_warming(linked), "a small workspace builds it on demand"

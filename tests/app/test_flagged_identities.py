"""Identities the clustering flagged can be listed and walked, not only stumbled on."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import cli
from app.identity_queries import flagged_identities, next_flagged
from app.workspace.core import Connection


def test_flagged_identities_are_listed_and_walked_in_id_order(
    linked: Connection,
) -> None:
    table = linked.conn.execute(
        "SELECT identity_id FROM identity_flags ORDER BY identity_id"
    ).fetchall()
    listed = flagged_identities(linked)
    assert [f.identity_id for f in listed] == [r[0] for r in table]
    if not listed:  # the sample always holds look-alikes; say so if not
        raise AssertionError("the linked sample has no flagged identity to walk")
    assert all(f.reasons and f.records >= 2 for f in listed)
    first = listed[0].identity_id
    assert next_flagged(linked, 0) == first
    if len(listed) > 1:
        assert next_flagged(linked, first) == listed[1].identity_id
    assert next_flagged(linked, listed[-1].identity_id) == first  # wraps round


def test_cli_lists_flagged_identities_without_names(linked: Connection) -> None:
    ws = str(linked.path)
    expected = [f.identity_id for f in flagged_identities(linked)]
    linked.close()
    result = CliRunner().invoke(cli, ["flagged", ws])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("identity_id,records,reasons")
    assert [int(line.split(",")[0]) for line in lines[1:]] == expected

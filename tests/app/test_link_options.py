"""Threshold overrides: one rule for the CLI and the Run page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.errors import UserError
from app.link_options import (
    ThresholdOverrides,
    check_overrides,
    link_with_overrides,
    saved_overrides,
)
from app.workspace import Connection


@pytest.mark.parametrize(
    ("upper", "lower", "words"),
    [
        (1.0, None, "between 0 and 1"),
        (None, 0.0, "between 0 and 1"),
        (0.5, 0.5, "must be below the upper"),
        (0.4, 0.6, "must be below the upper"),
    ],
)
def test_nonsense_limits_are_refused_with_the_reason(
    upper: float | None, lower: float | None, words: str
) -> None:
    """A limit outside (0, 1), or lower not below upper, is a user error."""
    with pytest.raises(UserError, match=words):
        check_overrides(upper, lower)


def test_sensible_limits_become_link_settings() -> None:
    """Either limit alone, or both in order, go to the engine unchanged."""
    both = check_overrides(0.98, 0.2)
    assert (both.settings().upper_threshold, both.settings().lower_threshold) == (
        0.98,
        0.2,
    )
    assert check_overrides(None, 0.3).settings().upper_threshold is None
    assert check_overrides(None, None).empty
    assert ThresholdOverrides.from_json(both.to_json()) == both


def test_the_cli_refuses_what_the_run_page_refuses(
    linked_template: Path, tmp_path: Path
) -> None:
    """`link --upper 0.3 --lower 0.5` fails with the same words, changing nothing."""
    ws = tmp_path / "w.rmws"
    shutil.copy(linked_template, ws)
    result = CliRunner().invoke(
        cli, ["link", str(ws), "--upper", "0.3", "--lower", "0.5", "--quiet"]
    )
    assert result.exit_code != 0
    assert "must be below the upper" in result.output


def test_overrides_are_remembered_only_after_a_run(linked: Connection) -> None:
    """The workspace keeps the last overrides with the run they were used for;
    a run with none set leaves nothing behind."""
    assert saved_overrides(linked).empty
    summary = link_with_overrides(linked, ThresholdOverrides())
    assert saved_overrides(linked).empty
    summary = link_with_overrides(linked, check_overrides(0.995, 0.3))
    saved = saved_overrides(linked)
    assert (saved.upper, saved.lower, saved.run_id) == (0.995, 0.3, summary.run_id)
    assert summary.thresholds == {"upper": 0.995, "lower": 0.3}


def test_a_threshold_change_is_in_the_settings_log(linked: Connection) -> None:
    """Who changed the link thresholds, from what to what, and when."""
    from app.settings_log import history

    link_with_overrides(linked, check_overrides(0.995, 0.3))
    link_with_overrides(linked, check_overrides(0.995, 0.3))  # the same again
    link_with_overrides(linked, ThresholdOverrides())  # back to the model's
    changes = [
        e.details
        for e in history(linked)
        if e.details.get("setting") == "link_thresholds"
    ]
    assert changes == [
        {
            "setting": "link_thresholds",
            "from": {"upper": 0.995, "lower": 0.3},
            "to": None,
        },
        {
            "setting": "link_thresholds",
            "from": None,
            "to": {"upper": 0.995, "lower": 0.3},
        },
    ]

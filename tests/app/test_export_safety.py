"""Files sent to other agencies never carry a value a spreadsheet would run."""

from __future__ import annotations

import pytest

from app.export import spreadsheet_safe


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx"])
def test_formula_like_text_is_quoted(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["720 ILCS 550/4(c)", "1985-CM-0003126", 7, None, ""])
def test_other_values_pass_unchanged(value: object) -> None:
    assert spreadsheet_safe(value) == value

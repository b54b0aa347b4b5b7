"""The rule file: the shipped one loads, and mistaken edits are refused clearly."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from importlib.resources import files
from typing import Any

import pytest

from matching.eligibility import (
    Category,
    Outcome,
    Reason,
    RuleFileError,
    load_rules,
    parse_rules,
)


def shipped_text() -> str:
    """The rule file as the app ships it (read the way a wheel would)."""
    path = files("resources") / "rules" / "illinois_cannabis.toml"
    return path.read_text(encoding="utf-8")


def shipped_data() -> dict[str, Any]:
    return tomllib.loads(shipped_text())


def test_shipped_file_loads_and_says_what_the_law_says() -> None:
    rules = parse_rules(shipped_text())
    assert rules.version
    assert rules.effective == date(2019, 6, 25)
    assert rules.act == "720 ILCS 550"
    pre, post = rules.tables_for("4")
    assert (pre.ends_before, post.starts) == (date(2016, 7, 29), date(2016, 7, 29))
    assert [(b.subsection, b.up_to) for b in pre.bands][:4] == [
        ("a", 2.5),
        ("b", 10),
        ("c", 30),
        ("d", 500),
    ]
    assert [(b.subsection, b.up_to) for b in post.bands][:4] == [
        ("a", 10),
        ("b", 30),
        ("c", 100),
        ("d", 500),
    ]
    (delivery,) = rules.tables_for("5")
    assert delivery.band("c").up_to == 30  # type: ignore[union-attr]
    assert delivery.band("d").up_to == 500  # type: ignore[union-attr]
    assert {e.section: e.reason for e in rules.exclusions} == {
        "7": Reason.SECTION7,
        "5.1": Reason.TRAFFICKING,
        "8": Reason.CULTIVATION,
    }
    assert rules.exclusion_for("7").whole_case  # type: ignore[union-attr]
    assert {c.category for c in rules.clearances} == {
        Category.NON_CONVICTION_MINOR,
        Category.CONVICTION_MINOR,
        Category.MOTION_TO_VACATE,
    }
    for key in ("720 ILCS 5/12-3", "720 ILCS 5/12-3.05", "720 ILCS 5/12-4",
                "720 ILCS 5/18-1", "720 ILCS 5/18-2", "720 ILCS 5/9-1",
                "720 ILCS 5/11-1.20", "720 ILCS 5/24-1.1"):  # fmt: skip
        assert any(o.section_key == key for o in rules.violent.offenses), key
    assert not any("11-501" in o.section_key for o in rules.violent.offenses)


SHIPPED_RULE_IDS = (
    "statute-format", "cannabis-act", "possession-pre-2016", "possession-from-2016",
    "delivery", "minor-non-conviction", "minor-conviction", "vacate-possession",
    "vacate-delivery", "section7", "trafficking", "cultivation", "violent-cocharge",
    "disposition-wording",
)  # fmt: skip


def test_every_rule_id_is_described() -> None:
    rules = parse_rules(shipped_text())
    for rule_id in SHIPPED_RULE_IDS:
        info = rules.rule(rule_id)
        assert info.id == rule_id
        assert info.description
        assert info.source
    with pytest.raises(KeyError):
        rules.rule("no-such-rule")


def test_text_and_dict_give_the_same_rules() -> None:
    assert parse_rules(shipped_text()) == load_rules(shipped_data())


def test_iso_date_strings_are_accepted() -> None:
    """A rule set stored as JSON has no date type; ISO strings must do."""
    data = shipped_data()
    data["effective"] = "2019-06-25"
    data["weight_table"][0]["ends_before"] = "2016-07-29"
    data["weight_table"][1]["starts"] = "2016-07-29"
    assert load_rules(data) == load_rules(shipped_data())


def test_bad_toml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="line"):
        parse_rules("version = \n")


Edit = Callable[[dict[str, Any]], None]


def _table(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    for key in ("weight_table", "clearance", "excluded"):
        for entry in data[key]:
            if entry["id"] == rule_id:
                return entry  # type: ignore[no-any-return]
    raise KeyError(rule_id)


def _set(rule_id: str, key: str, value: object) -> Edit:
    return lambda data: _table(data, rule_id).__setitem__(key, value)


def _grams(rule_id: str, **bands: object) -> Edit:
    return lambda data: _table(data, rule_id)["grams"].update(bands)


def _drop_band(rule_id: str, sub: str) -> Edit:
    return lambda data: _table(data, rule_id)["grams"].pop(sub)


def _add(key: str, entry: dict[str, Any]) -> Edit:
    return lambda data: data[key].append(entry)


def _top(key: str, value: object) -> Edit:
    return lambda data: data.__setitem__(key, value)


_DELIVERY_TO_MINOR = {
    "id": "delivery-extra",
    "description": "d",
    "source": "s",
    "section": "5",
    "grams": {"a": [0, 30], "b": [30, float("inf")]},
}


@pytest.mark.parametrize(
    ("edit", "rule_id", "message"),
    [
        (_top("colour", "red"), None, "unknown key 'colour'"),
        (_top("schema", 2), None, "schema is 2"),
        (lambda d: d.pop("version"), None, "missing key 'version'"),
        (_top("effective", "25/06/2019"), None, "not a date like"),
        (_set("delivery", "colour", "red"), "delivery", "unknown key 'colour'"),
        (lambda d: _table(d, "delivery").pop("section"), "delivery",
         "missing key 'section'"),
        (_set("possession-pre-2016", "ends_before", "2016-13-01"),
         "possession-pre-2016", "not a date like"),
        (_set("possession-pre-2016", "ends_before", datetime(2016, 7, 29, 12)),
         "possession-pre-2016", "no time of day"),
        (_set("possession-pre-2016", "ends_before", date(2016, 8, 30)),
         "possession-from-2016", "overlap rule 'possession-pre-2016'"),
        (_set("possession-pre-2016", "ends_before", date(2016, 6, 1)),
         "possession-from-2016", "from 2016-06-01 to before 2016-07-29"),
        (_set("possession-pre-2016", "starts", date(1970, 1, 1)),
         "possession-pre-2016", "offences before 1970-01-01"),
        (_set("possession-from-2016", "ends_before", date(2030, 1, 1)),
         "possession-from-2016", "offences from 2030-01-01"),
        (_set("possession-from-2016", "starts", date(2017, 1, 1)),
         "possession-from-2016", "from 2016-07-29 to before 2017-01-01"),
        (_add("weight_table", _DELIVERY_TO_MINOR), "delivery-extra",
         "overlap rule 'delivery'"),
        (_drop_band("possession-from-2016", "g"), "possession-from-2016",
         "subsection (g) is in only one of rules"),
        (_grams("delivery", c=[10, 40]), "delivery", "grams.d (30-500 g) overlaps"),
        (_grams("delivery", c=[12, 30]), "delivery", "grams.c (12-30 g) leaves a gap"),
        (_grams("delivery", c=[30, 10]), "delivery", "must rise"),
        (_grams("delivery", C=[10, 30]), "delivery", "lowercase letter"),
        (_grams("delivery", c="10-30"), "delivery", "give [more than, up to]"),
        (_set("minor-conviction", "up_to_grams", 20), "minor-conviction",
         "10-30 g, partly inside"),
        (_set("minor-conviction", "sections", ["4", "5"]), "vacate-delivery",
         "overlaps rule 'minor-conviction'"),
        (_set("vacate-possession", "more_than_grams", 10), "vacate-possession",
         "overlaps rule 'minor-conviction'"),
        (_set("minor-conviction", "sections", ["9"]), "minor-conviction",
         "section 9 has no [[weight_table]]"),
        (_set("minor-conviction", "outcome", "guilty"), "minor-conviction",
         "should be 'conviction' or 'non_conviction'"),
        (_set("minor-conviction", "category", "clear"), "minor-conviction",
         "category 'clear'"),
        (_set("minor-conviction", "up_to_grams", "30"), "minor-conviction",
         "number of grams"),
        (_set("section7", "section", "4"), "section7", "also has a [[weight_table]]"),
        (_set("section7", "reason", "violent_cocharge"), "section7", "reason"),
        (_set("section7", "whole_case", "yes"), "section7", "true or false"),
        (_set("trafficking", "id", "section7"), "section7", "used 2 times"),
        (_set("cultivation", "section", "5.1"), "cultivation",
         "already excluded by rule 'trafficking'"),
        (lambda d: d["violent"]["offenses"].append(
            {"statute": "battery", "name": "x"}), "violent-cocharge",
         "cannot read statute 'battery'"),
        (lambda d: d["violent"]["offenses"].append(
            {"statute": "38-12-4", "name": "x"}), "violent-cocharge", "listed twice"),
        (lambda d: d["outcomes"]["undecided"].append("NOLLE PROS"),
         "disposition-wording", "both non_conviction and undecided"),
        (lambda d: d["outcomes"]["conviction"].append(" ; "),
         "disposition-wording", "empty conviction phrase"),
        (lambda d: d["outcomes"].__setitem__("maybe", []), "disposition-wording",
         "unknown key 'maybe'"),
        (lambda d: d["scope"].__setitem__("act", "Cannabis Control Act"),
         "cannabis-act", "should look like '720 ILCS 550'"),
    ],
)  # fmt: skip
def test_mistakes_are_refused_naming_the_rule(
    edit: Edit, rule_id: str | None, message: str
) -> None:
    data = copy.deepcopy(shipped_data())
    edit(data)
    with pytest.raises(RuleFileError, match=re.escape(message)) as caught:
        load_rules(data)
    assert caught.value.rule_id == rule_id
    if rule_id is not None:
        assert f"rule {rule_id!r}" in str(caught.value)


def test_outcome_phrases_come_from_the_file() -> None:
    data = shipped_data()
    data["outcomes"]["non_conviction"].append("DISCHARGED UNDER 410")
    rules = load_rules(data)
    assert rules.outcomes.read("DISCHARGED UNDER 410").outcome is Outcome.NON_CONVICTION
    shipped = parse_rules(shipped_text())
    assert shipped.outcomes.read("DISCHARGED UNDER 410").outcome is Outcome.UNREADABLE

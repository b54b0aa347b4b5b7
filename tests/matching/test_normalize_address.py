"""Street, city, state and ZIP."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.normalize import address, clean_city, clean_state, clean_street, clean_zip


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("123 North Main Street, Apt. #4B", "123 N MAIN ST APT 4B"),
        ("123 N. Main St. Unit 4B", "123 N MAIN ST APT 4B"),
        ("123 n main st # 4b", "123 N MAIN ST APT 4B"),
        ("123 N MAIN ST APARTMENT 4B", "123 N MAIN ST APT 4B"),
        ("55 West Elm Avenue", "55 W ELM AVE"),
        ("9 South Oak Boulevard", "9 S OAK BLVD"),
        ("1 East River Road", "1 E RIVER RD"),
        ("10 Park Drive", "10 PARK DR"),
        ("12 Memory Lane", "12 MEMORY LN"),
        ("3 Royal Court", "3 ROYAL CT"),
        ("4 Pine Place", "4 PINE PL"),
        ("5 Lake Shore Parkway", "5 LAKE SHORE PKWY"),
        ("6 Hill Terrace", "6 HILL TER"),
        ("700 Northwest Highway Suite 5", "700 NW HWY STE 5"),
        ("1 First Avenue", "1 1ST AVE"),
        ("456 Saint James Pl.", "456 ST JAMES PL"),
        ("12 Calle José Martí", "12 CALLE JOSE MARTI"),
        ("P.O. Box 12", "PO BOX 12"),
        ("P O BOX 12", "PO BOX 12"),
        ("O'Hare Dr", "OHARE DR"),
        ("Homeless", None),
        ("TRANSIENT", None),
        ("No fixed address", None),
        ("unknown", None),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_street(raw: str | None, cleaned: str | None) -> None:
    assert clean_street(raw) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Chicago", "CHICAGO"),
        ("  chicago ", "CHICAGO"),
        ("Saint Louis", "ST LOUIS"),
        ("St. Louis", "ST LOUIS"),
        ("Fort Worth", "FT WORTH"),
        ("Mount Prospect", "MT PROSPECT"),
        ("San José", "SAN JOSE"),
        ("Winston-Salem", "WINSTON SALEM"),
        ("Coeur d'Alene", "COEUR DALENE"),
        ("UNK", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_city(raw: str | None, cleaned: str | None) -> None:
    assert clean_city(raw) == cleaned


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("IL", "IL"),
        ("il", "IL"),
        (" Il. ", "IL"),
        ("Illinois", "IL"),
        ("ILLINOIS", "IL"),
        ("New York", "NY"),
        ("new  york", "NY"),
        ("North Carolina", "NC"),
        ("West Virginia", "WV"),
        ("Washington", "WA"),
        ("D.C.", "DC"),
        ("Washington, D.C.", "DC"),
        ("District of Columbia", "DC"),
        ("Calif.", "CA"),
        ("Penna", "PA"),
        ("Puerto Rico", "PR"),
        ("AE", "AE"),
        ("XX", None),
        ("Ontario", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_state(raw: str | None, code: str | None) -> None:
    assert clean_state(raw) == code


_STATE_TEXT = (
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware "
    "Florida Georgia Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky "
    "Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi "
    "Missouri Montana Nebraska Nevada New_Hampshire New_Jersey New_Mexico "
    "New_York North_Carolina North_Dakota Ohio Oklahoma Oregon Pennsylvania "
    "Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont "
    "Virginia Washington West_Virginia Wisconsin Wyoming District_of_Columbia"
)
STATE_NAMES = [name.replace("_", " ") for name in _STATE_TEXT.split()]


def test_all_fifty_states_and_dc_have_distinct_codes() -> None:
    codes = {clean_state(name) for name in STATE_NAMES}
    assert len(STATE_NAMES) == 51
    assert None not in codes
    assert len(codes) == 51
    assert all(clean_state(code) == code for code in codes if code)


@pytest.mark.parametrize(
    ("raw", "zip_code"),
    [
        ("60601", "60601"),
        (" 60601 ", "60601"),
        ("60601-1234", "60601"),
        ("60601 1234", "60601"),
        ("606011234", "60601"),
        ("60601.0", "60601"),
        ("2134", "02134"),  # leading zero lost in a spreadsheet
        ("21341234", "02134"),
        ("6060A", None),
        ("606", None),
        ("606012", None),
        ("00000", None),
        ("99999", None),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_zip(raw: str | None, zip_code: str | None) -> None:
    assert clean_zip(raw) == zip_code


address_text = st.text(
    alphabet=st.sampled_from(list("0123456789 ABCNOPSTEWUXaeinrt.,#-'é")), max_size=40
)


@given(address_text)
def test_address_cleaners_are_idempotent(text: str) -> None:
    for clean in (clean_street, clean_city, clean_state, clean_zip):
        once = clean(text)
        assert clean(once) == once, clean.__name__


@given(st.text(alphabet="0123456789 -.", max_size=12))
def test_clean_zip_is_five_digits_or_none(text: str) -> None:
    zip_code = clean_zip(text)
    assert zip_code is None or (len(zip_code) == 5 and zip_code.isdigit())


def test_docstring_examples() -> None:
    """The Example blocks other engineers read must stay true."""
    result = doctest.testmod(address)
    assert result.attempted > 0
    assert result.failed == 0

"""How to read each sample file, and which canonical field each column maps to.

The demo and the benches import the sample files through the normal importer;
they need the encoding, the delimiter and a column mapping onto
`matching.fields`. Declaring them here, next to the writers, keeps the two from
drifting apart (a test checks every mapped name is a canonical field).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceLayout:
    """One agency file: where it is, how it is encoded, what its columns mean."""

    source: str
    filename: str
    encoding: str
    delimiter: str
    columns: tuple[tuple[str, str], ...]  # (column header, canonical field name)

    @property
    def mapping(self) -> dict[str, str]:
        """Column header -> canonical field name."""
        return dict(self.columns)


CLERK = SourceLayout(
    "clerk",
    "clerk.csv",
    "utf-8",
    ",",
    (
        ("CASE_NO", "case_number"),
        ("DEF_NAME", "full_name"),
        ("DOB", "dob"),
        ("SEX", "sex"),
        ("RACE", "race"),
        ("ADDR", "street"),
        ("CITY", "city"),
        ("ST", "state"),
        ("ZIP", "zip"),
        ("SID", "sid"),
        ("STATUTE", "statute"),
        ("CHARGE_DESC", "charge"),
        ("OFFENSE_DT", "event_date"),
        ("DISP", "disposition"),
    ),
)
ARREST = SourceLayout(
    "arrest",
    "arrest.csv",
    "cp1252",
    ",",
    (
        ("Booking #", "booking_number"),
        ("IR #", "ir_number"),
        ("Last Name", "last_name"),
        ("First Name", "first_name"),
        ("Middle", "middle_name"),
        ("Date of Birth", "dob"),
        ("Gender", "sex"),
        ("Race", "race"),
        ("Address", "street"),
        ("City", "city"),
        ("Arrest Date", "event_date"),
        ("Statute", "statute"),
        ("Offense", "charge"),
        ("SID", "sid"),
        ("FBI #", "fbi_number"),
    ),
)
DISPOSITION = SourceLayout(
    "disposition",
    "disposition.csv",
    "utf-8",
    ";",
    (
        ("CASE NUMBER", "case_number"),
        ("DEFENDANT", "full_name"),
        ("BIRTH DATE", "dob"),
        ("AGE", "age"),
        ("STATUTE", "statute"),
        ("DISPOSITION", "disposition"),
        ("DISPOSITION DATE", "event_date"),
    ),
)
LAYOUTS: tuple[SourceLayout, ...] = (CLERK, ARREST, DISPOSITION)

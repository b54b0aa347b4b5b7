"""The canonical fields every source is mapped onto.

One list shared by the importer (which maps columns onto these names), the
workspace (which stores one column per field) and the matcher (which compares
them). Keeping the list in `matching` means the algorithms never learn about
files or SQL, yet everybody agrees on the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class FieldGroup(StrEnum):
    """What a field is for; decides how it is normalised and compared."""

    KEY = "key"
    NAME = "name"
    PERSON = "person"
    ADDRESS = "address"
    PERSON_ID = "person_id"  # names a person: equal is strong, different is strong
    EVENT_ID = "event_id"  # names an event: equal is strong, different says nothing
    EVENT = "event"  # what happened: shown to reviewers, not compared


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    group: FieldGroup
    label: str
    help: str


FIELDS: tuple[Field, ...] = (
    Field("record_id", FieldGroup.KEY, "Record id", "the row's id in its source"),
    Field(
        "full_name",
        FieldGroup.NAME,
        "Full name",
        "'LAST, FIRST MIDDLE' or 'FIRST MIDDLE LAST'",
    ),
    Field("first_name", FieldGroup.NAME, "First name", "given name"),
    Field("middle_name", FieldGroup.NAME, "Middle name", "middle names or initials"),
    Field(
        "last_name",
        FieldGroup.NAME,
        "Last name",
        "surname, compound surnames kept whole",
    ),
    Field("suffix", FieldGroup.NAME, "Suffix", "JR, SR, II, III, IV"),
    Field("dob", FieldGroup.PERSON, "Date of birth", "any common written form"),
    Field("age", FieldGroup.PERSON, "Age", "age at the event"),
    Field("sex", FieldGroup.PERSON, "Sex", "M / F / X"),
    Field("race", FieldGroup.PERSON, "Race", "census group"),
    Field("street", FieldGroup.ADDRESS, "Street", "street address"),
    Field("city", FieldGroup.ADDRESS, "City", "city"),
    Field("state", FieldGroup.ADDRESS, "State", "two-letter state"),
    Field("zip", FieldGroup.ADDRESS, "ZIP", "five-digit ZIP code"),
    Field("booking_number", FieldGroup.EVENT_ID, "Booking no.", "jail booking number"),
    Field(
        "ir_number",
        FieldGroup.PERSON_ID,
        "IR no.",
        "police identification record number",
    ),
    Field("sid", FieldGroup.PERSON_ID, "SID", "state identification number"),
    Field("fbi_number", FieldGroup.PERSON_ID, "FBI no.", "FBI number"),
    Field("case_number", FieldGroup.EVENT_ID, "Case no.", "court case number"),
    Field(
        "event_date", FieldGroup.EVENT, "Event date", "arrest, offense or filing date"
    ),
    Field("statute", FieldGroup.EVENT, "Statute", "statute as written"),
    Field("charge", FieldGroup.EVENT, "Charge", "charge description"),
    Field("disposition", FieldGroup.EVENT, "Disposition", "outcome as written"),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

# Any further identifier a source carries: `id_ssn`, `id_dl`, ... compared exactly
# (as a person identifier) where two sources share it.
EXTRA_ID_PATTERN = re.compile(r"^id_[a-z][a-z0-9_]{0,30}$")

# The normalised columns a record carries into matching (besides `id_*` extras).
# `full_name` is split into the name parts at import and is not stored itself.
NORMALISED_FIELDS: tuple[str, ...] = tuple(n for n in FIELD_NAMES if n != "full_name")


def is_field_name(name: str) -> bool:
    """True for a canonical field or a well-formed extra identifier `id_NAME`."""
    return name in FIELDS_BY_NAME or bool(EXTRA_ID_PATTERN.match(name))

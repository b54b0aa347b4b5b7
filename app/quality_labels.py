"""Blind labelling outside the workstation: a CSV out, a CSV of labels in.

So a quality sample can be run from the command line (or by someone with
only a spreadsheet): the blind file lists each item's two records by source
and record id, and nothing that would give the first decision away (no
score, band, stratum, or identity). The answers come back as
``pos,label[,note]`` and are checked whole before any is written, like
``recordmatch decide``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.actor import Actor
from app.audit_file import LABELS, AuditFile
from app.errors import InputError, UserError

BLIND_COLUMNS = (
    "pos", "left_source", "left_record_id", "right_source", "right_record_id",
    "label", "note",
)  # fmt: skip


def write_blind_csv(audit: AuditFile, out: Path) -> int:
    """Every sample item, blind, with empty label and note columns to fill."""
    items = audit.items()
    if not items:
        raise UserError(f"{audit.path.name} holds no sample yet; draw one first")
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(BLIND_COLUMNS)
        for item in items:
            writer.writerow(
                (
                    item.pos,
                    item.left_source,
                    item.left_record_id,
                    item.right_source,
                    item.right_record_id,
                    "",
                    "",
                )
            )
    return len(items)


@dataclass(frozen=True, slots=True)
class LabelRow:
    pos: int
    label: str
    note: str | None


def read_labels(path: Path, *, known: set[int]) -> list[LabelRow]:
    """``pos,label[,note]`` rows (a header with those names is allowed; rows
    with an empty label are skipped, so a half-filled blind file works)."""
    rows: list[LabelRow] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header: list[str] | None = None
        for line, row in enumerate(reader, start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if line == 1 and not row[0].strip().isdigit():
                header = [c.strip().lower() for c in row]
                if "pos" not in header or "label" not in header:
                    raise InputError(
                        path,
                        "the header needs a 'pos' and a 'label' column "
                        f"(it has {', '.join(header)})",
                        line=1,
                    )
                continue
            cells = dict(zip(header, row, strict=False)) if header else None
            pos_text = (cells["pos"] if cells else row[0]).strip()
            label = (cells.get("label", "") if cells else _at(row, 1)).strip().lower()
            note = (cells.get("note", "") if cells else _at(row, 2)).strip()
            if not label:
                continue
            if not pos_text.isdigit() or int(pos_text) not in known:
                raise InputError(path, f"no sample item '{pos_text}'", line=line)
            if label not in LABELS:
                raise InputError(
                    path,
                    f"label '{label}' is not one of {', '.join(LABELS)}",
                    line=line,
                )
            rows.append(LabelRow(int(pos_text), label, note or None))
    return rows


def _at(row: list[str], index: int) -> str:
    return row[index] if len(row) > index else ""


def apply_labels(audit: AuditFile, path: Path, *, actor: Actor) -> int:
    """Append every label in the file to the audit file, all or nothing."""
    rows = read_labels(path, known={i.pos for i in audit.items()})
    audit.conn.execute("BEGIN IMMEDIATE")
    try:
        for row in rows:
            audit.add_label(row.pos, row.label, actor=actor, note=row.note)
        audit.conn.execute("COMMIT")
    except BaseException:
        audit.conn.execute("ROLLBACK")
        raise
    return len(rows)

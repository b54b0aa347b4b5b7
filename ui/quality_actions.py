"""The Quality page's keyboard actions, and the audit file's reader and writer.

Blind labels use the review page's keys (M, N, U; S or Right; Left; O;
Ctrl+Enter) so a reviewer's hands already know them. Adjudication is a
decision in the ledger, so its actions (Shift+M, Shift+N, Shift+U) are only
built in normal mode: in the auditor's read-only mode they do not exist.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction

from app.audit_file import AuditFile
from app.quality_draw import DrawResult, draw_sample
from app.workspace import open_workspace
from ui.actions import page_action
from ui.tasks import WriteQueue

READONLY_NOTE = (
    "Adjudication is a decision: open the workspace in normal mode (not for "
    "audit) to adjudicate these disagreements."
)
WRITABLE_NOTE = (
    "Adjudicating writes the final decision to the ledger with the reason "
    "'adjudication' and a note naming this audit file."
)


class AuditFiles:
    """The audit file's GUI-thread reader and its label writer, closed together.

    Labels are written on the writer's own thread, in order, so the GUI never
    waits on the disk; reads (a few hundred rows) stay on the GUI thread.
    """

    def __init__(self, path: Path, workspace_uuid: str) -> None:
        self.reader = AuditFile.open(path, workspace_uuid=workspace_uuid)
        self.writer = WriteQueue(
            lambda: AuditFile.open(path, workspace_uuid=workspace_uuid)
        )

    def close(self) -> None:
        self.writer.close()
        self.reader.close()


def draw_job(
    workspace: Path, audit: Path, actor: Any, size: int, seed: int, **progress: Any
) -> DrawResult:
    """The background draw: its own read-only connection, never the GUI's."""
    conn = open_workspace(workspace, readonly=True, actor=actor)
    try:
        return draw_sample(conn, audit, size=size, seed=seed, **progress)
    finally:
        conn.close()


def build_actions(page: Any) -> list[QAction]:
    """Every action of the page; buttons are added to its tabs as they are made."""

    act = partial(page_action, page)

    label = page.label
    blind = [
        act("Blind: &match", ["M"], lambda: label("match"), "The same person"),
        act(
            "Blind: &non-match",
            ["N"],
            lambda: label("non-match"),
            "Different people",
        ),
        act("Blind: &unsure", ["U"], lambda: label("unsure"), "Cannot tell"),
        act("Blind: &skip", ["S", "Right"], lambda: page.step(1), "Next pair"),
        act("Blind: &previous", ["Left"], lambda: page.step(-1), "Back one pair"),
    ]
    for action in blind:
        page.blind_tab.add_button(action)
    original = act(
        "Show &original rows", ["O"], page.blind_tab.view.show_original,
        "The two records as their files had them",
    )  # fmt: skip
    original.setCheckable(True)
    note = act(
        "Note for the next label", ["Ctrl+Return", "Ctrl+Enter"],
        page.blind_tab.note.setFocus, "Type a note; Enter returns to the pair",
    )  # fmt: skip
    actions = [*blind, original, note]
    if page.session.readonly:
        page.agreement.mode_note.setText(READONLY_NOTE)
        return actions
    for text, key, decision in (
        ("Adjudicate: m&atch", "Shift+M", "match"),
        ("Adjudicate: non-matc&h", "Shift+N", "non-match"),
        ("Adjudicate: unsur&e", "Shift+U", "unsure"),
    ):
        action = act(
            text, [key], partial(page.adjudicate, decision),
            "Record the final decision in the ledger (reason: adjudication)",
        )  # fmt: skip
        page.agreement.add_button(action)
        actions.append(action)
    page.agreement.mode_note.setText(WRITABLE_NOTE)
    return actions

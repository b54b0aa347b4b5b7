"""File dialogs for choosing a new or an existing workspace file.

A new workspace never overwrites anything: the save dialog's own "replace?"
question is turned off and an existing file is refused with a message,
because "replacing" a workspace would throw away every decision in it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.errors import UserError
from ui.settings import Settings

WORKSPACE_FILTER = "Recordmatch workspaces (*.rmws);;All files (*)"


def ask_new_workspace(parent: QWidget, settings: Settings) -> Path | None:
    """A path for a new workspace (``.rmws`` added), or None if cancelled.

    Raises:
        UserError: the file exists already.
    """
    start = settings.last_folder or str(Path.home())
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "New workspace",
        start,
        WORKSPACE_FILTER,
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".rmws":
        path = path.with_name(path.name + ".rmws")
    settings.last_folder = str(path.parent)
    if path.exists():
        raise UserError(f"{path.name} already exists; open it, or choose another name.")
    return path


def ask_open_workspace(parent: QWidget, settings: Settings) -> Path | None:
    start = settings.last_folder or str(Path.home())
    name, _ = QFileDialog.getOpenFileName(
        parent, "Open workspace", start, WORKSPACE_FILTER
    )
    if not name:
        return None
    settings.last_folder = str(Path(name).parent)
    return Path(name)

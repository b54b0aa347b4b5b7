"""Which dropped files Recordmatch can use: workspaces, and agency exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

WORKSPACE_SUFFIXES = frozenset({".rmws", ".sqlite", ".sqlite3", ".db"})
DATA_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx"})


def dropped_paths(mime: QMimeData) -> list[Path]:
    """Local files with a suffix we open; anything else is not accepted."""
    urls = mime.urls() if mime.hasUrls() else []
    paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    known = WORKSPACE_SUFFIXES | DATA_SUFFIXES
    return [p for p in paths if p.suffix.lower() in known]


def split_paths(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(workspaces, agency files), each in the order they were dropped."""
    workspaces = [p for p in paths if p.suffix.lower() in WORKSPACE_SUFFIXES]
    data = [p for p in paths if p.suffix.lower() in DATA_SUFFIXES]
    return workspaces, data

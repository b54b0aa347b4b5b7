"""Shared fixtures. Tests never need a display: Qt runs offscreen."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated three-agency data set with ground truth."""
    from app.samples import generate

    folder = tmp_path_factory.mktemp("sample")
    generate(folder, people=300, seed=5)
    return folder


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "test.rmws"


@pytest.fixture
def conn(ws_path: Path) -> Iterator[object]:
    from app.actor import Actor
    from app.workspace import open_workspace

    connection = open_workspace(ws_path, create=True, actor=Actor("tester", "tester"))
    yield connection
    connection.close()


def snapshot(path: Path) -> list[str]:
    """The whole database as SQL text: equal snapshots mean nothing changed."""
    db = sqlite3.connect(path)
    try:
        return list(db.iterdump())
    finally:
        db.close()

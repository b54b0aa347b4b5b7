"""Fixtures for the core: a linked workspace built from generated sample files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.actor import Actor
from app.importer import import_file
from app.linking import run_link
from app.workspace import Connection, open_workspace
from tests.conftest import TODAY

SOURCES = (
    ("clerk", "clerk.csv"),
    ("arrest", "arrest.csv"),
    ("disposition", "disposition.csv"),
)


def build_linked(path: Path, sample_dir: Path, *, sources=SOURCES) -> None:
    conn = open_workspace(path, create=True, actor=Actor("tester", "tester"))
    try:
        for source, name in sources:
            import_file(
                conn, sample_dir / name, source=source, kind=source, today=TODAY
            )
        run_link(conn)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def linked_template(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Linked once per test session; tests get their own copy."""
    path = tmp_path_factory.mktemp("linked") / "linked.rmws"
    build_linked(path, sample_dir)
    return path


@pytest.fixture
def linked(linked_template: Path, tmp_path: Path) -> Iterator[Connection]:
    path = tmp_path / "linked.rmws"
    shutil.copy(linked_template, path)
    conn = open_workspace(path, actor=Actor("reviewer", "reviewer"))
    yield conn
    conn.close()

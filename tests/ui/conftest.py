"""Fixtures for the workstation: throwaway settings and real sample workspaces.

Every test gets its own INI file (never the user's settings) and its own copy
of a workspace built once per session from generated sample files, so tests
can write to it freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.actor import Actor
from app.importer import import_file
from app.linking import run_link
from app.workspace import open_workspace
from tests.conftest import TODAY
from ui.none_guard import keep_none_alive

# A no-op with a sound binding; with PySide6 6.12 on CPython 3.11 it keeps the
# suite from aborting in "none_dealloc" (see ui/none_guard.py).
keep_none_alive()

SOURCES = (
    ("clerk", "clerk.csv"),
    ("arrest", "arrest.csv"),
    ("disposition", "disposition.csv"),
)
REVIEWER = "Test Reviewer"


@pytest.fixture(scope="session")
def ui_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three agency files for 200 people, with their own layouts and errors."""
    from app.samples import generate

    folder = tmp_path_factory.mktemp("ui-sample")
    generate(folder, people=200, seed=3)
    return folder


@pytest.fixture(scope="session")
def imported_template(
    ui_sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The three sample files imported, not linked yet."""
    path = tmp_path_factory.mktemp("ui-imported") / "imported.rmws"
    conn = open_workspace(path, create=True, actor=Actor("builder", "builder"))
    try:
        for source, name in SOURCES:
            import_file(conn, ui_sample / name, source=source, kind=source, today=TODAY)
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def linked_template(
    imported_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The imported sample, linked once."""
    path = tmp_path_factory.mktemp("ui-linked") / "linked.rmws"
    shutil.copy(imported_template, path)
    conn = open_workspace(path, actor=Actor("builder", "builder"))
    try:
        run_link(conn)
    finally:
        conn.close()
    return path


@pytest.fixture
def settings(tmp_path: Path) -> object:
    """Settings in a temporary INI file, with the reviewer's name confirmed."""
    from ui.settings import Settings

    result = Settings.from_file(tmp_path / "settings.ini")
    result.reviewer_name = REVIEWER
    return result


@pytest.fixture
def workspace(imported_template: Path, tmp_path: Path) -> Path:
    """This test's own copy of the imported (unlinked) workspace."""
    path = tmp_path / "county.rmws"
    shutil.copy(imported_template, path)
    return path


@pytest.fixture
def linked_workspace(linked_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "linked.rmws"
    shutil.copy(linked_template, path)
    return path


def _session(path: Path) -> Iterator[object]:
    from ui.session import Session

    session = Session(path, Actor(REVIEWER, "tester"))
    yield session
    session.close()


@pytest.fixture
def session(workspace: Path) -> Iterator[object]:
    """A Session on the imported sample workspace."""
    yield from _session(workspace)


@pytest.fixture
def empty_session(tmp_path: Path) -> Iterator[object]:
    """A Session on a new, empty workspace."""
    yield from _session(tmp_path / "empty.rmws")


@pytest.fixture
def linked_session(linked_workspace: Path) -> Iterator[object]:
    yield from _session(linked_workspace)

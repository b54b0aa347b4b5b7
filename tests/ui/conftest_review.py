"""Fixtures for the review screens: one linked sample workspace per session.

Imported explicitly by the review tests (``from tests.ui.conftest_review
import ...``) rather than living in ``tests/ui/conftest.py``, which belongs
to the shell. Building means generating 200 people, importing the three
agency files and linking: a few seconds, so it happens once and every test
works on its own copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.actor import Actor
from app.workspace import Connection, open_workspace
from ui.none_guard import keep_none_alive

# PySide6 6.12 on CPython 3.11 spends a reference to None on every void call;
# a long test session would abort with "none_dealloc" (see ui.none_guard).
keep_none_alive()

REVIEWER = Actor("reviewer", "reviewer")
TODAY = date(2026, 11, 25)


def build_review_workspace(path: Path, folder: Path, *, people: int = 200) -> Path:
    """Generate, import and link a sample workspace at ``path``."""
    from app.importer import import_file
    from app.linking import run_link
    from app.samples import generate

    files = generate(folder, people=people, seed=11)
    conn = open_workspace(path, create=True, actor=Actor("builder", "builder"))
    try:
        for name, file in files.sources().items():
            import_file(conn, file, source=name, kind=name, today=TODAY)
        run_link(conn)
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def review_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("review")
    return build_review_workspace(base / "linked.rmws", base / "sample")


@pytest.fixture
def review_path(review_template: Path, tmp_path: Path) -> Path:
    """A private copy of the linked workspace."""
    path = tmp_path / "review.rmws"
    shutil.copy(review_template, path)
    return path


@pytest.fixture
def review_read(review_path: Path) -> Iterator[Connection]:
    conn = open_workspace(review_path, readonly=True, actor=REVIEWER)
    yield conn
    conn.close()


@pytest.fixture
def review_write(review_path: Path) -> Iterator[Connection]:
    conn = open_workspace(review_path, actor=REVIEWER)
    yield conn
    conn.close()


class StubSettings:
    """The two preferences the review screens read, with the shell's names."""

    def __init__(self, *, hide_model_score: bool = False) -> None:
        self.hide_model_score = hide_model_score
        self.high_contrast = False


@pytest.fixture
def review_session(review_path: Path, qtbot: Any) -> Iterator[Any]:
    from ui.session import Session

    session = Session(review_path, REVIEWER)
    yield session
    session.close()


@pytest.fixture
def identity_page(review_session: Any, qtbot: Any) -> Any:
    """The Identities page on the review workspace, shown at a desktop size."""
    from ui.identity_page import IdentityPage

    page = IdentityPage(review_session, StubSettings())
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    return page

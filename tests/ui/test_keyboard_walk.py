"""From an empty workspace to confirmed identities, with the keyboard alone.

Issue 4's "done when": a person who cannot or will not use a mouse must be
able to do the whole job. Every step below is a key press sent to whichever
widget has the keyboard focus at that moment (``QApplication.focusWidget``),
exactly as a physical keyboard would deliver it; the test never clicks,
never calls a slot and never sets focus itself. Where focus lands in the
wrong place, the program is what gets fixed, not the test.

The one thing not driven by the program's own widgets is the operating
system's file dialog: under the offscreen platform Qt shows its own file
dialog instead, and the test types the new workspace's path into its file
name field and presses Enter, as a person would in either.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QWidget,
    QWizard,
)

from app import overview
from app import review_queries as rq
from app.workspace import ledger
from ui.main_window import MainWindow
from ui.settings import Settings

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier
WALKER = "Kay Board"
FILES = (
    ("clerk.csv", "clerk"),
    ("arrest.csv", "arrest"),
    ("disposition.csv", "disposition"),
)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def window_manager_returns_focus(qtbot: Any, window: QWidget) -> None:
    """What a desktop's window manager does when a dialog closes: activate
    the window below it. The offscreen platform has no window manager, so
    the test does this (and only this) on its behalf."""
    if QApplication.activeWindow() is None:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)


class Keyboard:
    """Sends keys where the focus is, as a real keyboard does."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> None:
        self.qtbot.keyClick(focused(), key, modifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(focused(), text)


def when_modal(kind: type, then: Callable[[Any], None], *, tries: int = 250) -> None:
    """Run ``then(dialog)`` once a modal dialog of ``kind`` is up and has the
    keyboard focus (a static QFileDialog runs its own event loop, so the test
    acts from inside it). Gives up, closing the dialog, after ``tries`` polls
    rather than hang the suite."""

    def poll(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        ready = (
            isinstance(dialog, kind)
            and dialog.isVisible()
            and dialog.isAncestorOf(QApplication.focusWidget())
        )
        if ready:
            then(dialog)
        elif left == 0:
            if isinstance(dialog, QDialog):
                dialog.reject()
        else:
            if isinstance(dialog, kind) and QApplication.activeWindow() is not dialog:
                dialog.activateWindow()  # no window manager offscreen
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(20, lambda: poll(tries))


@pytest.fixture
def fresh_settings(tmp_path: Path) -> Settings:
    """A first start: no reviewer name confirmed yet, no recent workspaces."""
    return Settings.from_file(tmp_path / "first-start.ini")


@pytest.fixture
def window(qtbot: Any, fresh_settings: Settings) -> Any:
    win = MainWindow(fresh_settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    if win.session is not None:
        win.session.writes.wait()
    win.close()


def test_empty_workspace_to_confirmed_identities_by_keyboard(
    window: MainWindow, qtbot: Any, ui_sample: Path, tmp_path: Path
) -> None:
    """Name, new workspace, three imports, link, review with M/N, identities:
    the whole job with key presses only."""
    keys = Keyboard(qtbot)

    # Start page: the cursor is in the name field; type a name, Enter keeps it.
    start = window.start_page
    qtbot.waitUntil(lambda: focused() is start.name_edit)
    keys.press(Qt.Key.Key_A, CTRL)
    keys.type(WALKER)
    keys.press(Qt.Key.Key_Return)
    assert window.settings.reviewer_name == WALKER

    # Alt+N, the start page's "New workspace…": its path typed into the
    # file dialog.
    target = tmp_path / "walk.rmws"

    def type_path(dialog: QFileDialog) -> None:
        qtbot.keyClick(focused(), Qt.Key.Key_A, CTRL)
        qtbot.keyClicks(focused(), str(target))
        qtbot.keyClick(focused(), Qt.Key.Key_Return)

    when_modal(QFileDialog, type_path)
    keys.press(Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: window.session is not None)
    window_manager_returns_focus(qtbot, window)
    assert window.session.path == target
    assert window.session.actor.name == WALKER

    # Ctrl+I three times: each file through the wizard with Enter.
    for name, source in FILES:
        keys.press(Qt.Key.Key_I, CTRL)
        qtbot.waitUntil(lambda: isinstance(QApplication.activeWindow(), QWizard))
        wizard = QApplication.activeWindow()
        qtbot.waitUntil(lambda w=wizard: focused() is w.file_page.path_edit)
        keys.type(str(ui_sample / name))
        qtbot.waitUntil(
            lambda w=wizard: w.button(QWizard.WizardButton.NextButton).isEnabled()
        )
        qtbot.waitUntil(lambda w=wizard: w.preview is not None, timeout=10_000)
        keys.press(Qt.Key.Key_Return)  # Next: the columns
        qtbot.waitUntil(lambda w=wizard: w.currentPage() is w.mapping_page)
        keys.press(Qt.Key.Key_Return)  # Next: the source
        qtbot.waitUntil(lambda w=wizard: w.currentPage() is w.source_page)
        assert wizard.source_page.name.currentText() == source
        keys.press(Qt.Key.Key_Return)  # Import
        qtbot.waitUntil(lambda w=wizard: w.summary is not None, timeout=60_000)
        qtbot.waitUntil(
            lambda w=wizard: w.button(QWizard.WizardButton.FinishButton).isEnabled()
        )
        keys.press(Qt.Key.Key_Return)  # Finish
        qtbot.waitUntil(lambda w=wizard: not w.isVisible())
        window_manager_returns_focus(qtbot, window)
    sources = {i.source for i in overview.imports_overview(window.session.read)}
    assert sources == {s for _, s in FILES}

    # Ctrl+3: the Run page; Ctrl+L links in the background.
    keys.press(Qt.Key.Key_3, CTRL)
    assert window.pages.current_key() == "run"
    run = window.pages.page("run")
    keys.press(Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: run.is_busy(), timeout=5_000)
    qtbot.waitUntil(lambda: not run.is_busy(), timeout=180_000)
    assert "Linked:" in run.status.text(), run.status.text()

    # Ctrl+4: Review. M, M, N on the first three pairs.
    keys.press(Qt.Key.Key_4, CTRL)
    review = window.pages.page("review")
    assert window.pages.current_key() == "review"
    pairs = []
    for key in (Qt.Key.Key_M, Qt.Key.Key_M, Qt.Key.Key_N):
        detail = review.pair_view.detail()
        assert detail is not None
        pairs.append(detail)
        with qtbot.waitSignal(window.session.data_changed, timeout=10_000):
            keys.press(key)
    standing = ledger.current_decisions(window.session.read.conn)
    assert sorted(d.kind for d in standing) == ["match", "match", "non-match"]
    assert {d.actor for d in standing} == {WALKER}
    matched = pairs[0]
    assert rq.identity_of_record(window.session.read, matched.left.key) == (
        rq.identity_of_record(window.session.read, matched.right.key)
    )

    # Ctrl+6: Search. The matched person's name and Enter; Down into the
    # results, Enter opens their identity: both records of the pair are in it.
    keys.press(Qt.Key.Key_6, CTRL)
    search = window.pages.page("search")
    assert focused() is search.box
    keys.type(
        matched.left.values["last_name"]
        + ", "
        + matched.left.values.get("first_name", "")
    )
    keys.press(Qt.Key.Key_Return)
    identity_id = rq.identity_of_record(window.session.read, matched.left.key)
    assert identity_id in search.identities()
    keys.press(Qt.Key.Key_Down)  # from the box into the results
    assert focused() is search.tree
    for _ in range(search.tree.topLevelItemCount() * 10):
        if search.tree.currentItem().data(0, search.IdentityRole) == identity_id:
            break
        keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)  # opens the person
    assert window.pages.current_key() == "identities"
    shown = window.pages.page("identities").detail
    assert shown.identity_id == identity_id
    assert {matched.left.key, matched.right.key} <= {r.key for r in shown.records}

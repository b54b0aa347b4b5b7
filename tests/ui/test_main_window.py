"""The main window: workspaces, pages, menus, keys, drops and remembered state."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from app.errors import UserError
from app.importer import import_file
from app.workspace import open_workspace
from matching.progress import Cancelled
from tests.ui.conftest import REVIEWER
from ui.actions import MainAction, shortcut_text
from ui.error_dialog import error_box
from ui.import_wizard import ImportWizard
from ui.main_window import MainWindow
from ui.page_stack import PAGES, PageSpec, PlaceholderPage, load_page
from ui.resources import LARGER_POINT_SIZE
from ui.shortcuts_dialog import ShortcutsDialog


@pytest.fixture
def window(qtbot: Any, settings: Any) -> MainWindow:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def drop(win: MainWindow, *paths: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(event)


def enabled_menu_actions(win: MainWindow) -> list[Any]:
    return [
        a
        for menu in win.findChildren(QMenu)
        if menu.menuAction() in win.menuBar().actions()
        for a in menu.actions()
        if a.isEnabled() and not a.isSeparator()
    ]


def test_window_opens_a_workspace_and_shows_every_page(
    window: MainWindow, workspace: Path
) -> None:
    """Opening a workspace builds every page and says who works on what."""
    assert window.pages.current_key() == "start"
    assert not window.action_map[MainAction.IMPORT_FILE].isEnabled()
    assert window.open_workspace(workspace)
    assert window.session is not None
    assert window.session.path == workspace
    assert window.session.actor.name == REVIEWER
    assert list(window.pages.pages()) == [spec.key for spec in PAGES]
    for spec in PAGES:
        window.go_to(spec.key)
        assert window.pages.current_key() == spec.key
        page = window.pages.page(spec.key)
        assert window.pages.stack.currentWidget() is page
        assert isinstance(page.title, str)
        assert page.title
        assert isinstance(page.page_actions(), list)
    assert window.workspace_label.text() == "Workspace: county.rmws"
    assert window.reviewer_label.text() == f"Reviewer: {REVIEWER}"
    assert "county.rmws" in window.windowTitle()
    assert window.action_map[MainAction.IMPORT_FILE].isEnabled()
    assert window.close_workspace()
    assert window.session is None
    assert window.pages.current_key() == "start"


def test_going_to_review_puts_the_keys_on_the_queue(
    window: MainWindow, workspace: Path
) -> None:
    """M, N and the arrows must reach the queue at once, not a filter box."""
    assert window.open_workspace(workspace)
    window.show()
    window.go_to("review")
    page = window.pages.page("review")
    assert page.table.hasFocus() or QApplication.focusWidget() is page.table
    assert window.close_workspace()


def test_page_actions_are_enabled_only_on_their_page(
    window: MainWindow, workspace: Path
) -> None:
    """Page keys (Link, Refresh, Match...) act only where their page shows."""
    window.open_workspace(workspace)
    titles = [a.text() for a in window.menuBar().actions()]
    assert "&Sources" in titles
    assert "R&un" in titles
    link = window.pages.page("run").page_actions()[0]
    refresh = window.pages.page("sources").page_actions()[0]
    window.go_to("run")
    assert link.isEnabled()
    assert not refresh.isEnabled()
    window.go_to("sources")
    assert refresh.isEnabled()
    assert not link.isEnabled()
    cancel = window.pages.page("run").page_actions()[1]
    window.go_to("run")
    assert not cancel.isEnabled()  # the page's own state survives the switch


def test_no_two_enabled_actions_share_a_key_on_any_page(
    window: MainWindow, workspace: Path
) -> None:
    """One key, one meaning: a clash would make Qt ignore both shortcuts."""
    window.open_workspace(workspace)
    for spec in PAGES:
        window.go_to(spec.key)
        keys = Counter(
            seq.toString()
            for action in enabled_menu_actions(window)
            for seq in action.shortcuts()
        )
        clashes = [k for k, n in keys.items() if n > 1]
        assert clashes == [], f"{spec.key}: {clashes}"


def test_shortcuts_dialog_lists_every_action_including_page_actions(
    qtbot: Any, window: MainWindow, workspace: Path
) -> None:
    """Help ▸ Keyboard shortcuts is generated, so it cannot go out of date."""
    window.open_workspace(workspace)
    window.action_map[MainAction.SHORTCUTS].trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    assert dialog.isVisible()
    rows = dialog.rows()
    open_keys = shortcut_text(window.action_map[MainAction.OPEN_WORKSPACE])
    assert ("File", "Open workspace…", open_keys) in rows
    assert ("Run", "Link now", "Ctrl+L") in rows
    listed = {(g, a) for g, a, _ in rows}
    for menu in window.findChildren(QMenu):
        if menu.menuAction() in window.menuBar().actions():
            for action in menu.actions():
                if action.text() and not action.isSeparator() and not action.menu():
                    title = menu.title().replace("&", "")
                    assert (title, action.text().replace("&", "")) in listed
    dialog.filter.setText("ctrl+l")
    shown = [
        dialog.tree.topLevelItem(i).isHidden()
        for i in range(dialog.tree.topLevelItemCount())
    ]
    assert shown.count(False) == 1  # only the Run group matches
    dialog.close()


def test_dropped_agency_files_open_the_import_wizard(
    qtbot: Any, window: MainWindow, workspace: Path, ui_sample: Path
) -> None:
    """Dragging exports onto the window starts an import for each of them."""
    window.open_workspace(workspace)
    drop(window, ui_sample / "clerk.csv", ui_sample / "arrest.csv")
    qtbot.waitUntil(lambda: bool(window.findChildren(ImportWizard)), timeout=5000)
    wizards = window.findChildren(ImportWizard)
    assert [w.path for w in wizards] == [ui_sample / "clerk.csv"]
    assert window.pages.current_key() == "sources"
    wizards[0].reject()  # the next file's wizard follows
    qtbot.waitUntil(
        lambda: any(
            w.path == ui_sample / "arrest.csv" and w.isVisible()
            for w in window.findChildren(ImportWizard)
        ),
        timeout=5000,
    )
    for wizard in window.findChildren(ImportWizard):
        wizard.reject()


def test_a_dropped_workspace_is_opened(
    qtbot: Any, window: MainWindow, workspace: Path
) -> None:
    """A workspace file dropped on the window opens, like File ▸ Open."""
    drop(window, workspace)
    qtbot.waitUntil(lambda: window.session is not None, timeout=5000)
    assert window.session.path == workspace


def test_data_changed_refreshes_the_sources_page(
    window: MainWindow, workspace: Path, ui_sample: Path, tmp_path: Path
) -> None:
    """Whatever wrote the workspace, data_changed brings every page up to date."""
    window.open_workspace(workspace)
    sources = window.pages.page("sources")
    assert sources.imports.rowCount() == 3
    extra = tmp_path / "arrest_2026.csv"
    extra.write_bytes((ui_sample / "arrest.csv").read_bytes() + b"\r\n")
    conn = open_workspace(workspace)
    try:
        import_file(conn, extra, source="arrest", kind="arrest", match_by_line=True)
    finally:
        conn.close()
    window.session.data_changed.emit("import")
    assert sources.imports.rowCount() == 4
    assert sources.selected_import_id() == 4  # the newest import is selected
    assert "4 files imported" in window.start_page.current.text()


def test_window_remembers_page_geometry_and_recent_workspaces(
    qtbot: Any, settings: Any, workspace: Path
) -> None:
    """Tomorrow morning the clerk is back on the page they left, same file."""
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # within the offscreen screen (800 x 600)
    first.open_workspace(workspace)
    first.go_to("run")
    size = first.size()
    first.close()
    assert settings.recent_workspaces()[0] == str(workspace.resolve())
    assert settings.last_page == "run"
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    assert not settings.window_geometry.isEmpty()
    # Width is clamped to the 800-pixel offscreen screen; the height is not.
    assert second.height() == size.height() == 500
    assert second.start_page.recent.count() == 1
    second.start_page.recent.setFocus()
    qtbot.keyClick(second.start_page.recent, Qt.Key.Key_Return)  # Enter opens
    assert second.session is not None
    assert second.session.path == workspace
    assert second.pages.current_key() == "run"
    second.close()


def test_reviewer_name_is_asked_once_and_shown(
    qtbot: Any, tmp_path: Path, workspace: Path
) -> None:
    """The name goes beside every decision, so it is confirmed, then used."""
    from ui.settings import Settings

    settings = Settings.from_file(tmp_path / "fresh.ini")
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    start = win.start_page
    assert start.ask.isVisible()
    win.open_workspace(workspace)
    start.name_edit.clear()
    qtbot.keyClicks(start.name_edit, "A. Clerk")
    qtbot.keyClick(start.name_edit, Qt.Key.Key_Return)
    assert settings.reviewer_name == "A. Clerk"
    assert not start.ask.isVisible()
    assert win.reviewer_label.text() == "Reviewer: A. Clerk"
    assert win.session.actor.name == "A. Clerk"  # reopened under the new name
    win.close()


def test_audit_mode_opens_read_only(
    qtbot: Any, settings: Any, linked_workspace: Path
) -> None:
    """--audit: an auditor can look at everything and change nothing."""
    win = MainWindow(settings, audit=True)
    qtbot.addWidget(win)
    win.show()
    assert win.open_workspace(linked_workspace)
    assert win.session.readonly
    assert "read-only" in win.workspace_label.text()
    assert not win.action_map[MainAction.IMPORT_FILE].isEnabled()
    assert not win.action_map[MainAction.NEW_WORKSPACE].isEnabled()
    assert not win.pages.page("run").link_button.isEnabled()
    win.close()


def test_opening_something_that_is_not_a_workspace_says_so(
    qtbot: Any, window: MainWindow, ui_sample: Path
) -> None:
    """A CSV opened as a workspace is a plain message, never a bug report."""
    assert not window.open_workspace(ui_sample / "clerk.csv")
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert "not a workspace" in boxes[0].text()
    assert boxes[0].objectName() != "bug_dialog"
    assert window.session is None
    boxes[0].close()


def test_error_boxes_split_user_errors_from_bugs(qtbot: Any) -> None:
    """Known problems read plainly; bugs carry a traceback; Cancel shows nothing."""
    plain = error_box(None, UserError("clerk.csv: file is empty"))
    assert plain.text() == "clerk.csv: file is empty"
    assert not plain.detailedText()
    try:
        raise KeyError("pair 12")
    except KeyError as exc:
        bug = error_box(None, exc)
    assert bug.objectName() == "bug_dialog"
    assert "KeyError" in bug.detailedText()
    assert "Traceback" in bug.detailedText()
    assert error_box(None, Cancelled()) is None


def test_missing_page_module_shows_a_placeholder(
    window: MainWindow, session: Any, settings: Any
) -> None:
    """A page that is not there yet must not stop the workspace from opening."""
    spec = PageSpec("later", "Later", "start", "ui.no_such_page.LaterPage")
    page = load_page(spec, session, settings, window)
    assert isinstance(page, PlaceholderPage)
    assert page.title == "Later"
    assert page.page_actions() == []


def test_view_options_restyle_and_are_saved(
    qtbot: Any, window: MainWindow, settings: Any, monkeypatch: Any
) -> None:
    """Larger text and high contrast apply at once and persist."""
    app = QApplication.instance()
    window.action_map[MainAction.LARGER_FONT].trigger()
    window.action_map[MainAction.HIGH_CONTRAST].trigger()
    try:
        assert settings.larger_font
        assert settings.high_contrast
        assert app.font().pointSizeF() == LARGER_POINT_SIZE
        assert "10_contrast.qss" in app.styleSheet()
    finally:
        window.action_map[MainAction.LARGER_FONT].trigger()
        window.action_map[MainAction.HIGH_CONTRAST].trigger()
    assert "10_contrast.qss" not in app.styleSheet()
    window.action_map[MainAction.HIDE_MODEL_SCORE].trigger()
    assert settings.hide_model_score is True


def test_gui_entry_builds_the_window_on_a_workspace(
    qtbot: Any, settings: Any, workspace: Path, monkeypatch: Any
) -> None:
    """`recordmatch gui WS --audit` reaches a shown window on WS, read-only."""
    from ui.main import build

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build() installs one
    _app, win = build([str(workspace), "--audit"], settings)
    qtbot.addWidget(win)
    assert win.isVisible()
    assert win.session is not None
    assert win.session.readonly
    win.close()


def test_settings_keep_values_with_commas(tmp_path: Path) -> None:
    """INI files split unquoted commas into lists: "Smith, John" must survive."""
    from ui.settings import Settings

    first = Settings.from_file(tmp_path / "s.ini")
    first.reviewer_name = "Smith, John"
    first.add_recent(tmp_path / "a, b.rmws")
    first.sync()
    again = Settings.from_file(tmp_path / "s.ini")
    assert again.reviewer_name == "Smith, John"
    assert again.recent_workspaces() == [str((tmp_path / "a, b.rmws").resolve())]
    assert again.hide_model_score is False  # the review page's getter: a bool

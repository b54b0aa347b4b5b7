"""The workstation's main window: one open workspace, its pages and menus.

The window owns the ``Session`` and little else: pages read and write
through it, long jobs run in the background, and ``session.data_changed``
tells each page what to refresh. Page actions get a menu named after the
page and are enabled only while it shows (a QActionGroup per page, which
keeps an action the page itself disabled disabled), so "M" means Match on
the Review page and nothing anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWizard,
)

from app import settings_log
from app.errors import UserError
from ui.actions import MainAction, create_actions
from ui.drops import dropped_paths, split_paths
from ui.error_dialog import show_error
from ui.import_wizard import open_import_wizards
from ui.jobs import JobGuard
from ui.menus import (
    PageMenus,
    build_menus,
    build_toolbar,
    fill_recent_menu,
    menu_groups,
)
from ui.page_stack import PageStack, focus_first_child
from ui.resources import apply_style, icon
from ui.session import Session
from ui.settings import Settings
from ui.shortcuts_dialog import ShortcutsDialog
from ui.start_page import StartPage
from ui.workspace_dialogs import ask_new_workspace, ask_open_workspace

_SETTINGS_LOG = "settings-log"  # the writer token of app.settings_log entries
NEED_WORKSPACE = (
    "Open or create a workspace first, then drop the agency files on the window again."
)


class MainWindow(QMainWindow):
    """Menus, toolbar, navigation, status bar; at most one workspace open."""

    def __init__(self, settings: Settings, *, audit: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.audit = audit  # every workspace opens read-only (--audit)
        self.session: Session | None = None
        self.setObjectName("main_window")
        self.setWindowIcon(icon("recordmatch"))
        self.action_map: dict[MainAction, QAction] = dict(create_actions(self, self))
        act = self.action_map
        self.start_page = StartPage(
            settings,
            new_action=act[MainAction.NEW_WORKSPACE],
            open_action=act[MainAction.OPEN_WORKSPACE],
        )
        self.start_page.recent_chosen.connect(self.open_workspace)
        self.start_page.reviewer_changed.connect(self._on_reviewer_changed)
        self.pages = PageStack(self.start_page, self)
        self.pages.page_changed.connect(self._on_page_changed)
        self.setCentralWidget(self.pages)
        self.jobs = JobGuard(self, lambda: self.pages.pages().values())
        self.menus = build_menus(self, self.action_map, fill_recent=self._fill_recent)
        build_toolbar(self, self.action_map)
        self.page_menus = PageMenus(self, before=self.menus["Help"])
        self.workspace_label = QLabel(self)
        self.reviewer_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.workspace_label)
        self.statusBar().addPermanentWidget(self.reviewer_label)
        self.setAcceptDrops(True)
        for key, on in (
            (MainAction.LARGER_FONT, settings.larger_font),
            (MainAction.HIGH_CONTRAST, settings.high_contrast),
            (MainAction.HIDE_MODEL_SCORE, settings.hide_model_score),
        ):
            act[key].blockSignals(True)
            act[key].setChecked(on)
            act[key].blockSignals(False)
        if not self.restoreGeometry(settings.window_geometry):
            room = self.screen().availableGeometry()  # 1366 x 768 is common
            self.resize(
                min(1280, room.width() * 9 // 10), min(800, room.height() * 9 // 10)
            )
        self.restoreState(settings.window_state)
        self._update_chrome()

    # --- workspace ---------------------------------------------------------------

    def open_workspace(
        self, path: str | Path, *, create: bool = False, audit: bool = False
    ) -> bool:
        """Open ``path`` (closing the current one); False if it could not be.

        ``audit`` opens this one workspace read-only; a window started with
        ``--audit`` opens every workspace so.
        """
        path = Path(path).expanduser()
        readonly = self.audit or audit
        if (
            self.session is not None
            and self.session.path.resolve() == path.resolve()
            and self.session.readonly == readonly
        ):
            return True
        if not create and not path.exists():
            show_error(self, UserError(f"{path.name}: no such workspace file."))
            return False
        if not self.close_workspace(
            then=lambda: self.open_workspace(path, create=create, audit=audit)
        ):
            return False
        try:
            session = Session(path, self.settings.actor(), readonly=readonly)
        except Exception as exc:  # UserError is plain; anything else a bug report
            show_error(self, exc)
            return False
        self.session = session
        session.write_failed.connect(self._on_session_write_failed)
        session.identity_requested.connect(lambda _i: self.go_to("identities"))
        session.record_requested.connect(lambda _r: self.go_to("identities"))
        session.pair_requested.connect(lambda _p: self.go_to("review"))
        self._log_settings_in_force()
        self.pages.set_session(session, self.settings)
        self.start_page.set_session(session)
        self.page_menus.build(self.pages.pages())
        self.page_menus.set_current(self.pages.current_key())
        self.settings.add_recent(path)
        last = self.settings.last_page
        self.go_to(last if last != "start" and self.pages.page(last) else "sources")
        self._update_chrome()
        return True

    def close_workspace(self, *, then: Callable[[], object] | None = None) -> bool:
        """Close the workspace; False (and nothing closed) while a job runs.

        If a job runs, the user may stop it; ``then`` (default: closing again)
        runs once it has rolled back.
        """
        if self.session is None:
            return True
        if self.jobs.busy():
            answer = QMessageBox.question(
                self,
                "Recordmatch",
                "An import or a link is still running. Stop it and close the "
                "workspace? Stopping leaves the workspace as it was before the job.",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.jobs.stop_all_then(then or self.close_workspace)
            return False
        self._save_page_state()
        for wizard in self.findChildren(QWizard):  # an idle import wizard
            wizard.reject()
        session, self.session = self.session, None
        self.pages.set_session(None, self.settings)
        self.start_page.set_session(None)
        self.page_menus.build({})
        session.close()
        session.deleteLater()
        self._update_chrome()
        return True

    def new_workspace_dialog(self) -> None:
        try:
            path = ask_new_workspace(self, self.settings)
        except UserError as exc:
            show_error(self, exc)
            return
        if path is not None:
            self.open_workspace(path, create=True)

    def open_workspace_dialog(self) -> None:
        path = ask_open_workspace(self, self.settings)
        if path is not None:
            self.open_workspace(path)

    def open_audit_dialog(self) -> None:
        path = ask_open_workspace(self, self.settings)
        if path is not None:
            self.open_workspace(path, audit=True)

    def audit_report_dialog(self) -> None:
        """File ▸ Audit report…: PDF and CSV, written in the background."""
        from ui.audit_report_dialog import open_audit_report_dialog

        if self.session is None:
            self.statusBar().showMessage("Open a workspace to report on first.", 8000)
            return
        open_audit_report_dialog(self.session, self.settings, self)

    def import_files_dialog(self, paths: list[str] | None = None) -> None:
        if self.session is not None:
            self.go_to("sources")
            open_import_wizards(self.session, self.settings, paths or [], self)

    # --- view --------------------------------------------------------------------

    def set_larger_font(self, on: bool) -> None:
        self.settings.larger_font = on
        self._restyle()

    def set_high_contrast(self, on: bool) -> None:
        self.settings.high_contrast = on
        self._restyle()

    def set_hide_model_score(self, on: bool) -> None:
        old = self.settings.hide_model_score
        self.settings.hide_model_score = on  # the review page watches the setting
        self._log_setting("hide_model_score", old, on)

    def _restyle(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_style(
                app,
                larger_font=self.settings.larger_font,
                high_contrast=self.settings.high_contrast,
            )
        for action in self.findChildren(QAction):
            if name := action.property("icon_name"):
                action.setIcon(icon(str(name)))
        self.pages.refresh_icons()

    def go_to(self, key: str) -> None:
        if self.pages.show_page(key):
            focus_first_child(self.pages.page(key))

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(menu_groups(self), self)
        dialog.setObjectName("shortcuts_dialog")
        dialog.open()

    def show_about(self) -> None:
        try:
            number = version("recordmatch")
        except PackageNotFoundError:
            number = "development"
        box = QMessageBox(self)
        box.setObjectName("about_box")
        box.setWindowTitle("About Recordmatch")
        box.setIconPixmap(icon("recordmatch").pixmap(64, 64))
        box.setText(
            f"<h3>Recordmatch {number}</h3><p>Links the same person across court, "
            "police and disposition records, and keeps every decision with who "
            "made it and why.</p><p>Works offline: it never opens a network "
            "connection. A workspace is one file you can carry.</p>"
        )
        box.open()  # not exec(): no nested event loop

    # --- events ------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_page_state()
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        if not self.close_workspace(then=self.close):
            event.ignore()
            return
        self.settings.sync()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        event.acceptProposedAction()
        # After the drop returns: the drag source (Explorer) is blocked until then.
        QTimer.singleShot(0, lambda: self.open_paths(paths))

    def open_paths(self, paths: list[Path]) -> None:
        """Open a dropped workspace, then import dropped agency files into it."""
        workspaces, data = split_paths(paths)
        if workspaces and not self.open_workspace(workspaces[0]):
            return
        if data and self.session is None:
            show_error(self, UserError(NEED_WORKSPACE))
        elif data:
            self.import_files_dialog([str(p) for p in data])

    # --- state -------------------------------------------------------------------

    def _save_page_state(self) -> None:
        for page in self.pages.pages().values():
            getattr(page, "save_state", lambda: None)()

    def _on_page_changed(self, key: str) -> None:
        self.page_menus.set_current(key)
        if self.session is not None:
            self.settings.last_page = key

    def _on_reviewer_changed(self, name: str) -> None:
        """A new name must reach every connection: reopen the workspace."""
        if self.session is not None:  # logged under the old name, then reopened
            self._log_setting("reviewer_name", self.session.actor.name, name)
            if self.jobs.busy():
                self.statusBar().showMessage(
                    "Your new name applies when you next open the workspace.", 8000
                )
            else:
                path, page = self.session.path, self.pages.current_key()
                audit = self.session.readonly  # opened for audit: stays so
                if self.close_workspace() and self.open_workspace(path, audit=audit):
                    self.go_to(page)
        self._update_chrome()

    def _on_session_write_failed(self, exc: BaseException, tb: str) -> None:
        if isinstance(exc, UserError):
            self.statusBar().showMessage(f"Not saved: {exc}", 15000)
        else:
            show_error(self, exc, tb)

    # --- the workspace log of settings (app.settings_log) -----------------------

    def _submit_settings_log(self, fn: Callable[[Any], None]) -> None:
        """Write a settings entry on the session's writer thread, in order.

        Not ``session.write()``: nothing on screen shows the log, and its
        ``data_changed`` would make the review page reload its queue, or reach
        the pages of a workspace closing meanwhile. An audit (read-only)
        session writes nothing: it cannot, and its log is not ours to add to.
        """
        s = self.session
        if s is None or s.readonly:
            return
        s.writes.submit(fn, _SETTINGS_LOG)

    def _log_setting(self, name: str, old: object, new: object) -> None:
        if old != new:
            self._submit_settings_log(
                lambda conn: settings_log.log_change(conn, name, old, new)
            )

    def _log_settings_in_force(self) -> None:
        s = self.session
        if s is None or s.readonly:
            return
        s.writes.failed.connect(self._on_settings_log_failed)
        values = {
            "reviewer_name": s.actor.name,
            "hide_model_score": bool(self.settings.hide_model_score),
        }
        self._submit_settings_log(lambda conn: settings_log.log_in_force(conn, values))

    def _on_settings_log_failed(
        self, token: object, exc: BaseException, _tb: str
    ) -> None:
        if token == _SETTINGS_LOG:
            self.statusBar().showMessage(f"Settings change not logged: {exc}", 15000)

    def _fill_recent(self, menu: QMenu) -> None:
        fill_recent_menu(menu, self.settings.recent_workspaces(), self.open_workspace)

    def _update_chrome(self) -> None:
        s, act = self.session, self.action_map
        writable = s is not None and not s.readonly
        act[MainAction.CLOSE_WORKSPACE].setEnabled(s is not None)
        act[MainAction.IMPORT_FILE].setEnabled(writable)
        act[MainAction.NEW_WORKSPACE].setEnabled(not self.audit)
        # Audit mode: editing actions are absent, not merely greyed out.
        act[MainAction.IMPORT_FILE].setVisible(s is None or writable)
        act[MainAction.NEW_WORKSPACE].setVisible(not self.audit)
        for key, action in act.items():
            if key.startswith("go_") and key != MainAction.GO_START:
                action.setEnabled(s is not None)
        name = "No workspace open" if s is None else s.path.name
        mode = " · read-only (audit)" if s is not None and s.readonly else ""
        self.workspace_label.setText(f"Workspace: {name}{mode}")
        self.workspace_label.setToolTip("" if s is None else str(s.path))
        self.reviewer_label.setText(f"Reviewer: {self.settings.reviewer()}")
        self.setWindowTitle(
            "Recordmatch"
            if s is None
            else f"{s.path.name}{' (audit)' if mode else ''} — Recordmatch"
        )

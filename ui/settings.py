"""Typed QSettings: the user's preferences and the window's remembered state.

As in Picard's ``config.py``/``options.py``: every option is declared once
below with its default, preferences live under ``setting/`` and UI state
under ``persist/`` (so "reset the layout" never loses a preference), and
``from_file()`` gives tests a throwaway INI file instead of the user's own.
QSettings is used nowhere else. Workspace data never goes here: it belongs in
the workspace file, which moves between PCs; these settings stay on one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from app.actor import Actor, os_user

T = TypeVar("T")
ORGANISATION = "Recordmatch"
APPLICATION = "Recordmatch"
MAX_RECENT = 10


class _Option(Generic[T]):
    """One typed value in a section; assigning it saves it and says so."""

    def __init__(self, section: str, default: T) -> None:
        self.section = section
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}"

    @overload
    def __get__(self, obj: None, owner: type) -> _Option[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...
    def __get__(self, obj: Settings | None, owner: type) -> T | _Option[T]:
        if obj is None:
            return self
        return obj.value(self.key, self.default)

    def __set__(self, obj: Settings, value: T) -> None:
        obj.qsettings.setValue(self.key, value)
        obj.changed.emit(self.name)


class Settings(QObject):
    """The app's settings; ``changed(name)`` fires after an option is set."""

    changed = Signal(str)

    # Preferences (section "setting"): what the user chose.
    reviewer_name = _Option("setting", "")  # "" until the user confirmed a name
    larger_font = _Option("setting", False)
    high_contrast = _Option("setting", False)
    # Read by the review page: a reviewer who sees 0.97 tends to click Match
    # without looking; some offices prefer to judge on the evidence alone.
    hide_model_score = _Option("setting", False)

    # Remembered state (section "persist"): what the UI looked like.
    window_geometry = _Option("persist", QByteArray())
    window_state = _Option("persist", QByteArray())
    last_page = _Option("persist", "start")
    last_folder = _Option("persist", "")

    def __init__(self, qsettings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qsettings = qsettings

    @classmethod
    def from_app(cls) -> Settings:
        """The user's own settings (an INI file in the per-user config folder)."""
        return cls(
            QSettings(
                QSettings.Format.IniFormat,
                QSettings.Scope.UserScope,
                ORGANISATION,
                APPLICATION,
            )
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Settings kept in one INI file: for tests, and never the user's own."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def value(self, key: str, default: Any) -> Any:
        """Read ``key`` as the type of ``default`` (INI files store text)."""
        raw = self.qsettings.value(key, default)
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() == "true"
        if isinstance(default, QByteArray):
            return raw if isinstance(raw, QByteArray) else QByteArray()
        if isinstance(default, list):
            # An INI list of one comes back as a bare string.
            return [raw] if isinstance(raw, str) else list(raw or [])
        return type(default)(raw) if raw is not None else default

    # --- the reviewer ------------------------------------------------------------

    def reviewer(self) -> str:
        """The name written into the workspace: the chosen one, else the login."""
        return self.reviewer_name.strip() or os_user()

    def actor(self) -> Actor:
        return Actor.current(self.reviewer_name)

    # --- recent workspaces -------------------------------------------------------

    def recent_workspaces(self) -> list[str]:
        """Most recent first, as absolute paths (missing files included)."""
        return [str(p) for p in self.value("persist/recent_workspaces", []) if p]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        paths = [path, *(p for p in self.recent_workspaces() if p != path)]
        self.qsettings.setValue("persist/recent_workspaces", paths[:MAX_RECENT])
        self.changed.emit("recent_workspaces")

    def remove_recent(self, path: str | Path) -> None:
        path = str(path)
        paths = [p for p in self.recent_workspaces() if p != path]
        self.qsettings.setValue("persist/recent_workspaces", paths)
        self.changed.emit("recent_workspaces")

    # --- per-view state ----------------------------------------------------------

    def header_state(self, view: str) -> QByteArray:
        """A table header's saved column widths and order (``saveState``)."""
        return self.value(f"persist/header/{view}", QByteArray())

    def set_header_state(self, view: str, state: QByteArray) -> None:
        self.qsettings.setValue(f"persist/header/{view}", state)

    def sync(self) -> None:
        self.qsettings.sync()

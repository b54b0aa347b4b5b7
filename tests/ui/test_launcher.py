"""The `recordmatch` entry point: CLI commands stay Qt-free, `gui` opens the GUI."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ui.launcher import cli, wants_gui

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, *, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_status_runs_without_importing_qt(workspace: Path) -> None:
    """Every command but `gui` must start fast and headless: no PySide6 at all."""
    out = run_python(
        "import sys\n"
        "from ui.launcher import main\n"
        "try:\n"
        f"    main(['status', {str(workspace)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('QT:', sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    assert "workspace county.rmws" in out
    assert "clerk" in out
    assert "QT: []" in out


def test_gui_is_a_registered_command_with_help() -> None:
    """`recordmatch gui` exists next to the other commands and explains itself."""
    assert "gui" in cli.commands
    result = CliRunner().invoke(cli, ["gui", "--help"])
    assert result.exit_code == 0
    assert "--audit" in result.output
    assert "Example: recordmatch gui" in result.output


@pytest.mark.parametrize(
    ("args", "gui"),
    [
        ([], True),
        (["cases.rmws"], True),
        (["cases.rmws", "--audit"], True),
        (["--audit"], True),
        (["status", "cases.rmws"], False),
        (["status"], False),
        (["--help"], False),
        (["import", "cases.rmws", "clerk.csv"], False),
    ],
)
def test_bare_command_or_a_lone_workspace_opens_the_gui(
    args: list[str], gui: bool
) -> None:
    """Double-clicking `recordmatch` (or a workspace) opens the workstation."""
    assert wants_gui(args) is gui


def test_lone_workspace_argument_reaches_the_gui(
    monkeypatch: Any, workspace: Path
) -> None:
    """`recordmatch WS` is `recordmatch gui WS`: the path gets to ui.main."""
    import ui.main
    from ui import launcher

    seen: list[list[str]] = []
    monkeypatch.setattr(ui.main, "main", lambda argv: seen.append(list(argv)) or 0)
    with pytest.raises(SystemExit) as stopped:
        launcher.main([str(workspace)])
    assert stopped.value.code == 0
    assert seen == [[str(workspace)]]


def test_entry_points_are_declared() -> None:
    """The installed commands point at the launcher and at the GUI's main."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["recordmatch"] == "ui.launcher:main"
    assert project["gui-scripts"]["recordmatch-gui"] == "ui.main:main"


def test_gui_command_opens_the_window_and_exits_cleanly(
    workspace: Path, tmp_path: Path
) -> None:
    """The whole `recordmatch gui WS` path, in its own process, offscreen."""
    out = run_python(
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "from ui.main_window import MainWindow\n"
        "def close():\n"
        "    for w in app.topLevelWidgets():\n"
        "        if isinstance(w, MainWindow):\n"
        "            print('OPEN', w.session.path.name, w.pages.current_key())\n"
        "            w.close()\n"
        "QTimer.singleShot(1000, close)\n"
        "from ui.launcher import main\n"
        "try:\n"
        f"    main(['gui', {str(workspace)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n",
        env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert "OPEN county.rmws sources" in out
    assert "EXIT 0" in out

"""Start the workstation: ``main(argv)`` builds the app and the main window.

Kept apart from ``ui.launcher`` so that ``recordmatch status`` and the other
commands never import Qt: starting PySide6 costs a second on an office PC,
and the command line must also run where there is no display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ui.error_dialog import install_excepthook
from ui.main_window import MainWindow
from ui.none_guard import keep_none_alive
from ui.resources import apply_style
from ui.settings import APPLICATION, ORGANISATION, Settings


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="recordmatch-gui", description="Open the Recordmatch workstation."
    )
    parser.add_argument("workspace", nargs="?", type=Path, help="workspace to open")
    parser.add_argument(
        "--audit",
        action="store_true",
        help="open read-only: see everything, change nothing (for auditors)",
    )
    return parser.parse_args(list(argv))


def build(
    argv: Sequence[str], settings: Settings | None = None
) -> tuple[QApplication, MainWindow]:
    """The application and its shown window, on the workspace named in ``argv``.

    Separate from ``main`` so the launcher test and the demo can build the
    real thing and close it again without entering the event loop.
    """
    args = parse_args(argv)
    keep_none_alive()  # a no-op unless the installed Qt binding leaks None
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Recordmatch")
    settings = settings or Settings.from_app()
    apply_style(
        app, larger_font=settings.larger_font, high_contrast=settings.high_contrast
    )
    install_excepthook()
    window = MainWindow(settings, audit=args.audit)
    window.show()
    if args.workspace is not None:
        window.open_workspace(args.workspace)  # after show: errors need a parent
    return app, window


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``recordmatch-gui [WS] [--audit]``; returns the exit code."""
    app, _window = build(sys.argv[1:] if argv is None else argv)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

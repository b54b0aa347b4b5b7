"""Show a failure the right way: a plain message, or a bug report.

The split is qutebrowser's KnownError/BugError. A ``UserError`` (bad file,
locked workspace, full disk) says what is wrong and how to fix it, so it is
shown as it is. Anything else is our bug: the user gets an apology, the
traceback to copy into a report, and the promise that nothing was saved
half-way (every job is one transaction). ``Cancelled`` is neither: the user
asked for it, so nothing is shown.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import UserError
from matching.progress import Cancelled

log = logging.getLogger(__name__)

BUG_TEXT = (
    "Recordmatch ran into a problem it did not expect. This is a fault in the "
    "program, not in what you did.\n\nThe workspace was not changed by the "
    "failed step. Please send the details below to your support contact."
)


def error_box(
    parent: QWidget | None, exc: BaseException, tb: str = ""
) -> QMessageBox | None:
    """Build (but do not show) the box for ``exc``; None for a cancel."""
    if isinstance(exc, Cancelled):
        return None
    box = QMessageBox(parent)
    if isinstance(exc, UserError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Recordmatch")
        box.setText(str(exc))
    else:
        log.error("unexpected error: %s\n%s", exc, tb)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Recordmatch: unexpected error")
        box.setText(BUG_TEXT)
        box.setInformativeText(f"{type(exc).__name__}: {exc}")
        box.setDetailedText(tb or "".join(traceback.format_exception(exc)))
        box.setObjectName("bug_dialog")
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAccessibleName(box.windowTitle())
    return box


def show_error(parent: QWidget | None, exc: BaseException, tb: str = "") -> None:
    """Show ``exc`` window-modally without blocking (``open``, not ``exec``).

    Not ``exec()``: a nested event loop inside a slot lets a second failure
    (or a finished job) re-enter the code that is still handling the first.
    """
    box = error_box(parent, exc, tb)
    if box is not None:
        box.open()


def install_excepthook() -> None:
    """Route exceptions escaping Qt slots to the bug dialog instead of stderr.

    PySide prints an exception raised in a slot and carries on, which the
    user never sees; a clerk would keep working on a half-updated screen.
    """

    def hook(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        if QApplication.instance() is None:
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc, text)

    sys.excepthook = hook

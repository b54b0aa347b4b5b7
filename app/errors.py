"""Errors the user can fix, as opposed to bugs.

The UI shows a `UserError` as a plain message and anything else as a bug report
with a traceback (qutebrowser's KnownError/BugError split). Keeping the split in
one small module lets every layer below the UI raise these without importing
anything else of ours.
"""

from __future__ import annotations

import os

__all__ = ["InputError", "UserError"]


class UserError(Exception):
    """A problem with the user's input or environment, not with our code.

    The message is shown to the user as it is, so it must say what is wrong and,
    where it can, how to fix it.
    """


class InputError(UserError):
    """A file the user gave us cannot be used as it is.

    `str()` is one line, such as ``clerk.csv, line 14: row has 9 fields, the
    header has 11`` or ``clerk.csv: file is empty``. Only the file's base name
    appears: full paths leak folder names (often a person's name or a case) into
    screenshots and bug reports, and they make the message hard to read.

    Args:
        path: the file the problem is in; only its base name is shown.
        message: what is wrong, and how to fix it where possible.
        line: the 1-based physical line (or spreadsheet row) it is on, if any.
    """

    def __init__(
        self, path: str | os.PathLike[str], message: str, *, line: int | None = None
    ) -> None:
        self.file_name = os.path.basename(os.fsdecode(path)) or os.fsdecode(path)
        self.message = _one_line(message)
        self.line = line
        where = self.file_name if line is None else f"{self.file_name}, line {line}"
        super().__init__(f"{_one_line(where)}: {self.message}")


def _one_line(text: str) -> str:
    """Collapse line breaks so a message from odd input still fits one line."""
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text

"""Keep ``None`` alive where the Qt binding forgets to count references to it.

PySide6-Essentials 6.12.0 (abi3 wheels) returns ``None`` from every void
method (``setText``, ``setStyleSheet``, ``update`` ...) without taking a
reference on CPython 3.11, where ``None`` is not yet immortal. Each call
then costs ``None`` one reference, and after a few thousand calls CPython
aborts with "Fatal Python error: none_dealloc" (seen after ~30 decisions on
the review page). This looks like CPython gh-134989 (``Py_RETURN_NONE`` in
the limited C API treated ``None`` as immortal for 3.11 and older). Python
3.12+ makes ``None`` immortal, so there this does nothing.

The guard gives ``None`` (and ``True``/``False``: a 200-decision bench run
also ended in "bool_dealloc" at exit) a reference count no program can
spend, which is what CPython 3.12 itself does for them. Call
``keep_none_alive()`` once, before the GUI starts (``ui.main``, the test
and bench set-ups).
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40
_applied = False


def binding_leaks_none() -> bool:
    """True when a void Qt call drops a reference to ``None`` (the bug)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 64


def keep_none_alive() -> bool:
    """Apply the guard where needed; returns True if it was applied now."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not binding_leaks_none():
        return False
    # ob_refcnt is the first field of every object (non-debug CPython builds).
    # True and False too: a long run once ended in "bool_dealloc" as well.
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
    _applied = True
    return True

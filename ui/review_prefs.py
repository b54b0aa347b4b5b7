"""The preferences the review screens read, read defensively.

The pages take the shell's settings object (``ui.settings.Settings``) but
must also run with a stub in tests and benches, so every read falls back to
off. ``hide_model_score`` is a plain attribute on ``Settings``; a callable
``hide_scores()`` getter is accepted too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HIDE_SCORE_NAMES = ("hide_model_score", "hide_scores")
WATCHED = frozenset({"hide_model_score", "hide_scores", "high_contrast"})


def _flag(settings: Any, names: tuple[str, ...]) -> bool:
    for name in names:
        value = getattr(settings, name, None)
        if value is not None:
            return bool(value() if callable(value) else value)
    return False


def hide_scores(settings: Any) -> bool:
    """True when the reviewer chose not to see the model's score."""
    return _flag(settings, HIDE_SCORE_NAMES)


def high_contrast(settings: Any) -> bool:
    return _flag(settings, ("high_contrast",))


def watch(settings: Any, slot: Callable[[], None]) -> None:
    """Call ``slot`` when a preference the review screens read changes."""
    changed = getattr(settings, "changed", None)
    if changed is not None and hasattr(changed, "connect"):
        changed.connect(lambda name: slot() if name in WATCHED else None)

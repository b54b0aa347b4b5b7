"""Rich text for two values, with the characters that differ marked.

A reviewer must see at once that DOB 1983-04-14 and 1983-14-04 differ in two
places, not just that the row differs. Levenshtein opcodes (rapidfuzz) align
the two strings; marked runs get a background and an underline, so the cue
survives colour blindness and high-contrast themes.
"""

from __future__ import annotations

from html import escape

from rapidfuzz.distance import Indel, Levenshtein

MARK = (
    'class="diff" style="background-color:{bg}; color:{fg}; text-decoration:underline"'
)
NORMAL_COLOURS = ("#ffd54f", "#000000")
HIGH_CONTRAST_COLOURS = ("#000000", "#ffff00")
# Below this similarity the whole value is marked: character marks on two
# unrelated names are noise.
WHOLE_VALUE_BELOW = 0.4


def _span(text: str, colours: tuple[str, str]) -> str:
    bg, fg = colours
    return f"<span {MARK.format(bg=bg, fg=fg)}>{escape(text)}</span>"


def diff_markup(
    left: str, right: str, *, high_contrast: bool = False
) -> tuple[str, str]:
    """HTML for each side, differing runs wrapped in ``<span class="diff">``."""
    colours = HIGH_CONTRAST_COLOURS if high_contrast else NORMAL_COLOURS
    if left == right:
        return escape(left), escape(right)
    if Indel.normalized_similarity(left, right) < WHOLE_VALUE_BELOW:
        return _span(left, colours), _span(right, colours)
    out_left: list[str] = []
    out_right: list[str] = []
    for op in Levenshtein.opcodes(left, right):
        a = left[op.src_start : op.src_end]
        b = right[op.dest_start : op.dest_end]
        if op.tag == "equal":
            out_left.append(escape(a))
            out_right.append(escape(b))
        else:
            if a:
                out_left.append(_span(a, colours))
            if b:
                out_right.append(_span(b, colours))
    return "".join(out_left), "".join(out_right)

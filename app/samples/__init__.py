"""Synthetic agency exports for the demo, the tests and the benches.

Three files that were never meant to meet (court clerk, police arrests, court
dispositions), with hard look-alikes, realistic keying errors and a full answer
key. Run `python -m app.samples OUTDIR --people N --seed S [--xlsx]`.
"""

from __future__ import annotations

from app.samples.generate import SampleFiles, generate
from app.samples.layouts import LAYOUTS, SourceLayout

__all__ = ["LAYOUTS", "SampleFiles", "SourceLayout", "generate"]

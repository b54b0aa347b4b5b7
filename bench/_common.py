"""Shared helpers for the benchmark scripts: sample data on disk, peak memory."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def sample_dir(people: int, seed: int = 11) -> Path:
    """Generate (once) the three agency files for ``people`` people."""
    from app.samples import generate

    target = OUT / f"sample-{people}-{seed}"
    if not (target / "truth.csv").exists():
        target.mkdir(parents=True, exist_ok=True)
        generate(target, people=people, seed=seed)
    return target

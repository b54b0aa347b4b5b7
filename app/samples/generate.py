"""`generate()`: write a synthetic three-agency data set with its answer key.

Tests, the demo and the benches all call this one function. Output depends only
on (people, seed): the population and events are drawn with numpy from seeded
generators and each writer owns a seeded `random.Random`, so the same
arguments give the same bytes on every run. Only the people and event tables
(numpy columns) are held in memory; rows are streamed to disk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.samples.arrest import write_arrest
from app.samples.clerk import write_clerk
from app.samples.disposition import write_disposition
from app.samples.events import build_events
from app.samples.lookalikes import build_people, with_marriages
from app.samples.roster import write_people
from app.samples.sinks import TruthSink


@dataclass(frozen=True, slots=True)
class SampleFiles:
    """Paths of the files written and how many records each holds."""

    directory: Path
    clerk: Path
    arrest: Path
    disposition: Path
    truth: Path
    charges_truth: Path
    people: Path
    clerk_rows: int
    arrest_rows: int
    disposition_rows: int
    people_count: int

    @property
    def total_rows(self) -> int:
        """Records over the three agency files (what a bench imports)."""
        return self.clerk_rows + self.arrest_rows + self.disposition_rows

    def sources(self) -> dict[str, Path]:
        """Source name -> agency file, in the order the truth file lists them."""
        return {
            "clerk": self.clerk,
            "arrest": self.arrest,
            "disposition": self.disposition,
        }


def generate(
    out_dir: Path, *, people: int = 1500, seed: int = 7, xlsx: bool = False
) -> SampleFiles:
    """Write clerk, arrest and disposition files plus truth files into `out_dir`.

    Args:
        out_dir: created if missing; files of the same names are replaced.
        people: size of the population (about four records per person).
        seed: any non-negative integer; same seed and size give the same bytes.
        xlsx: write disposition.xlsx (openpyxl) instead of disposition.csv.

    Returns:
        The paths written and the record count of each file.

    Raises:
        ValueError: `people` below 1 or a negative `seed`.

    Example:
        >>> import tempfile
        >>> files = generate(Path(tempfile.mkdtemp()), people=50, seed=1)
        >>> files.total_rows > 50
        True
    """
    if people < 1:
        raise ValueError(f"people must be at least 1 (got {people}); try people=1500")
    if seed < 0:
        raise ValueError(
            f"seed must be a non-negative integer (got {seed}); try seed=7"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    population = build_people(np.random.default_rng([seed, 0]), people)
    events = build_events(np.random.default_rng([seed, 1]), population)
    population = with_marriages(
        np.random.default_rng([seed, 2]),
        population,
        events.person_first_event,
        events.person_last_event,
    )
    disposition = out_dir / ("disposition.xlsx" if xlsx else "disposition.csv")
    # A stale file of the other format would be imported next to the fresh one.
    (out_dir / ("disposition.csv" if xlsx else "disposition.xlsx")).unlink(
        missing_ok=True
    )
    truth_path, charges_path = out_dir / "truth.csv", out_dir / "charges_truth.csv"
    with (
        truth_path.open("w", encoding="utf-8", newline="") as truth_fh,
        charges_path.open("w", encoding="utf-8", newline="") as charges_fh,
    ):
        sink = TruthSink(truth_fh, charges_fh)
        clerk_rows = write_clerk(
            out_dir / "clerk.csv",
            population,
            events,
            random.Random(f"{seed}:clerk"),
            sink,
        )
        arrest_rows = write_arrest(
            out_dir / "arrest.csv",
            population,
            events,
            random.Random(f"{seed}:arrest"),
            sink,
        )
        disposition_rows = write_disposition(
            disposition,
            population,
            events,
            random.Random(f"{seed}:disp"),
            sink,
            xlsx=xlsx,
        )
    people_count = write_people(out_dir / "people.csv", population)
    return SampleFiles(
        directory=out_dir,
        clerk=out_dir / "clerk.csv",
        arrest=out_dir / "arrest.csv",
        disposition=disposition,
        truth=truth_path,
        charges_truth=charges_path,
        people=out_dir / "people.csv",
        clerk_rows=clerk_rows,
        arrest_rows=arrest_rows,
        disposition_rows=disposition_rows,
        people_count=people_count,
    )

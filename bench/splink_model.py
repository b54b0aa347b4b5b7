"""Splink (DuckDB, unsupervised) on the scale bench's records, for comparison.

The model mirrors Recordmatch's as far as Splink's library allows:

* the same normalised fields, read from the workspace (exported once to
  Parquet outside the timed run; reading it is timed);
* comparisons: first and last name with Jaro-Winkler levels (0.92, 0.85) and
  term-frequency adjustment, middle name, suffix, date of birth (Splink's
  ``DateOfBirthComparison``), sex, address (street exact / Jaro-Winkler, ZIP,
  city) and each identifier exactly (SID, FBI, IR, booking, case number);
* blocking rules like Recordmatch's: shared identifiers, DOB + first or last
  initial, first name + surname (+ birth year, as Recordmatch splits big name
  blocks by birth year), surname sound + birth year-month or month-day, swapped
  first/last names, surname + house number, DOB + ZIP, street + ZIP;
* training as Splink's tutorials do it: the prior from deterministic rules,
  u by random sampling (10M pairs, as Splink advises; Recordmatch samples
  2M), m by EM over two training blocking rules (surname + ZIP, DOB + sex);
* predict, then cluster at a match probability of 0.95 (Recordmatch's
  automatic-link floor).

DuckDB runs with its defaults (all cores, memory limit 80% of RAM) unless a
memory limit is given: on a PC with a few GB, 80% of RAM is that limit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

CLUSTER_THRESHOLD = 0.95
FIELDS = (
    "first_name", "middle_name", "last_name", "suffix", "dob", "sex", "street",
    "city", "zip", "sid", "fbi_number", "ir_number", "booking_number", "case_number",
)  # fmt: skip


def export_records(ws: Path, target: Path) -> Path:
    """The workspace's normalised records as Parquet (once; not timed)."""
    import sqlite3

    import pandas as pd

    if target.exists() and target.stat().st_mtime >= ws.stat().st_mtime:
        return target
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    db = sqlite3.connect(ws)
    cols = ", ".join(f"r.{c}" for c in FIELDS)
    frame = pd.read_sql_query(
        f"SELECT r.id AS unique_id, s.name AS source, {cols} FROM records r "
        "JOIN sources s ON s.id = r.source_id ORDER BY r.id",
        db,
    )
    db.close()
    frame.to_parquet(partial, index=False)
    partial.replace(target)  # atomic: a concurrent run never reads half a file
    return target


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(street_l IS NULL OR street_r IS NULL) "
                "AND (zip_l IS NULL OR zip_r IS NULL) "
                "AND (city_l IS NULL OR city_r IS NULL)"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("street"),
            cll.JaroWinklerLevel("street", 0.9),
            cll.ExactMatchLevel("zip"),
            cll.ExactMatchLevel("city"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("sid"),
            block_on("fbi_number"),
            block_on("ir_number"),
            block_on("booking_number"),
            block_on("case_number"),
            block_on("dob", "substr(first_name, 1, 1)"),
            block_on("dob", "substr(last_name, 1, 1)"),
            block_on("first_name", "last_name", "substr(dob, 1, 4)"),
            block_on("last_name_mp", "substr(dob, 1, 7)"),
            block_on("last_name_mp", "substr(dob, 6, 5)"),
            "l.first_name = r.last_name AND l.last_name = r.first_name",
            block_on("last_name", "house"),
            block_on("dob", "zip"),
            block_on("street", "zip"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.85]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("last_name", [0.92, 0.85]).configure(
                term_frequency_adjustments=True
            ),
            cl.ExactMatch("middle_name"),
            cl.ExactMatch("suffix"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            address,
            cl.ExactMatch("sid"),
            cl.ExactMatch("fbi_number"),
            cl.ExactMatch("ir_number"),
            cl.ExactMatch("booking_number"),
            cl.ExactMatch("case_number"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_splink(
    parquet: Path,
    truth: Callable[[], tuple[np.ndarray, np.ndarray]],
    *,
    memory_limit: str | None = None,
) -> dict[str, Any]:
    """Link the records with Splink; time each stage; score the clusters.

    Args:
        parquet: from :func:`export_records`.
        truth: a zero-argument callable returning (record keys, true person),
            called after the timed run so its memory is not Splink's.
        memory_limit: DuckDB's ``memory_limit`` (e.g. "2.4GB"); None for its
            default, 80% of the machine's RAM.
    """
    import logging

    import duckdb
    import jellyfish
    import pandas as pd
    from splink import DuckDBAPI, Linker, block_on
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from bench._common import peak_rss_mb
    from matching.evaluation import pairwise_scores

    logging.getLogger("splink").setLevel(logging.WARNING)
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    start = clock

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[stage] = round(now - clock, 2)
        clock = now

    con = duckdb.connect()
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet('{parquet}')")
    lap("load")
    # Surname sound for blocking (DuckDB has no phonetic function): metaphone
    # of each distinct surname, joined back, as Splink's examples do.
    names = [n for (n,) in con.execute("SELECT DISTINCT last_name FROM raw").fetchall()]
    sounds = pd.DataFrame(
        {
            "last_name": names,
            "last_name_mp": [jellyfish.metaphone(n) if n else None for n in names],
        }
    )
    con.register("sounds", sounds)
    con.execute(
        "CREATE TABLE records AS SELECT r.*, s.last_name_mp, "
        "nullif(regexp_extract(r.street, '^([0-9]+)', 1), '') AS house "
        "FROM raw r LEFT JOIN sounds s USING (last_name)"
    )
    con.execute("DROP TABLE raw")
    con.unregister("sounds")
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("records"), _settings())
    lap("features")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("sid"), block_on("first_name", "last_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42)
    lap("train_u")
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("last_name", "zip")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob", "sex")
    )
    lap("train_em")
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=CLUSTER_THRESHOLD
    )
    labels = con.execute(
        f"SELECT unique_id, cluster_id FROM {clusters.physical_name} ORDER BY unique_id"
    ).fetchnumpy()
    lap("cluster")
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    cpu = _cpu_seconds()
    counts = count_comparisons_from_blocking_rules(
        db_api.register("records", table_name="records_for_counting"),
        blocking_rules=_settings().blocking_rules_to_generate_predictions,
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    candidates = int(counts[-1]["cumulative_comparison_count"]) if counts else 0
    keys, person = truth()
    ids = np.asarray(labels["unique_id"], dtype=np.int64)
    if not np.array_equal(ids, keys):
        raise ValueError("Splink's clusters do not cover the workspace's records")
    scores = pairwise_scores(np.asarray(labels["cluster_id"]), person)
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(peak),
        "stage_seconds": stages,
        "candidate_pairs": candidates,
        "pairs_per_s": round(candidates / seconds),
        "precision": round(scores.precision, 5),
        "recall": round(scores.recall, 5),
        "f1": round(scores.f1, 5),
    }

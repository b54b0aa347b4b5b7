"""The quality sample end to end on generated data whose truth is known.

The generator knows every record's person, so a "perfect second reviewer"
can label the sample with the truth; the estimates' intervals must then
cover the true precision and recall computed from *all* candidate pairs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from app.actor import Actor
from app.audit_file import AuditFile
from app.errors import UserError
from app.quality import quality_summary
from app.quality_draw import draw_sample
from app.quality_population import STRATA, candidate_population
from app.workspace import Connection
from matching.estimates import allocate

AUDITOR = Actor("auditor", "auditor-os")


def read_truth(folder: Path) -> dict[tuple[str, str], str]:
    with (folder / "truth.csv").open(newline="") as fh:
        return {
            (r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(fh)
        }


def label_with_truth(
    linked: Connection, audit_path: Path, truth: dict[tuple[str, str], str]
) -> None:
    audit = AuditFile.open(
        audit_path, workspace_uuid=linked.info("workspace_uuid") or ""
    )
    try:
        for item in audit.items():
            same = (
                truth[(item.left_source, item.left_record_id)]
                == truth[(item.right_source, item.right_record_id)]
            )
            audit.add_label(item.pos, "match" if same else "non-match", actor=AUDITOR)
    finally:
        audit.close()


def test_draw_is_reproducible_and_stratified(
    linked: Connection, tmp_path: Path
) -> None:
    """Same seed, same sample; each stratum gets its equal share of the size."""
    a = draw_sample(linked, tmp_path / "a.rmaudit", size=120, seed=3)
    b = draw_sample(linked, tmp_path / "b.rmaudit", size=120, seed=3)
    draw_sample(linked, tmp_path / "c.rmaudit", size=120, seed=4)
    uuid = linked.info("workspace_uuid") or ""

    def keys(name: str) -> list[tuple[int, int, str]]:
        audit = AuditFile.open(tmp_path / name, workspace_uuid=uuid)
        try:
            return [(i.left_key, i.right_key, i.stratum) for i in audit.items()]
        finally:
            audit.close()

    assert keys("a.rmaudit") == keys("b.rmaudit")
    assert keys("a.rmaudit") != keys("c.rmaudit")
    populations = [s.population for s in a.strata]
    assert [s.sampled for s in a.strata] == allocate(populations, 120)
    assert a.sample_size == b.sample_size == 120
    assert [s.name for s in a.strata] == [name for name, _, _ in STRATA]


def test_sample_includes_pairs_below_the_threshold_nobody_saw(
    linked: Connection, tmp_path: Path
) -> None:
    """Recall is lost below the lower threshold, so the sample must reach there."""
    path = tmp_path / "q.rmaudit"
    draw_sample(linked, path, size=150, seed=1)
    lower = float(
        linked.conn.execute(
            "SELECT json_extract(thresholds, '$.lower') FROM runs"
        ).fetchone()[0]
    )
    audit = AuditFile.open(path, workspace_uuid=linked.info("workspace_uuid") or "")
    try:
        below = [i for i in audit.items() if i.stratum.startswith("below")]
        auto = [i for i in audit.items() if i.stratum == "auto"]
    finally:
        audit.close()
    assert below
    assert all(i.probability < lower for i in below)
    # Never stored in the workspace: no pair id, nobody was ever shown them.
    assert all(i.pair_id is None for i in below)
    assert auto
    assert all(i.band == "auto" and i.first_by == "model" for i in auto)


def test_truth_labels_give_intervals_covering_the_true_values(
    linked: Connection, tmp_path: Path, sample_dir: Path
) -> None:
    truth = read_truth(sample_dir)
    path = tmp_path / "truth.rmaudit"
    draw_sample(linked, path, size=300, seed=11)
    label_with_truth(linked, path, truth)
    summary = quality_summary(linked, path)

    population = candidate_population(linked)
    names = dict(
        linked.conn.execute(
            "SELECT r.id, s.name || '|' || r.record_id FROM records r "
            "JOIN sources s ON s.id = r.source_id"
        ).fetchall()
    )

    def person(key: int) -> str:
        source, record = names[key].split("|")
        return truth[(source, record)]

    same = np.asarray(
        [
            person(a) == person(b)
            for a, b in zip(population.left, population.right, strict=True)
        ]
    )
    true_precision = same[population.linked].mean()
    true_recall = population.linked[same].mean()
    p, r = summary.precision, summary.recall
    assert p.low <= true_precision <= p.high, (p, true_precision)
    assert r.low <= true_recall <= r.high, (r, true_recall)
    assert summary.labelled == summary.sample_size == 300
    # Cohen's kappa against the first decisions, from the same confusion table.
    assert summary.kappa is not None
    # Pairs still waiting in the review queue have no first decision to agree
    # with; every other labelled pair counts.
    audit = AuditFile.open(path, workspace_uuid=linked.info("workspace_uuid") or "")
    waiting = sum(1 for i in audit.items() if i.first_decision == "waiting")
    audit.close()
    assert waiting > 0
    assert summary.agreement_n == 300 - waiting
    assert summary.disagreements == sum(
        n for (first, second), n in summary.confusion.items() if first != second
    )


def test_audit_file_of_another_workspace_is_refused(
    linked: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "other.rmaudit"
    AuditFile.open(path, workspace_uuid="another-workspace", create=True).close()
    with pytest.raises(UserError, match="another workspace"):
        draw_sample(linked, path, size=10, seed=1)
    with pytest.raises(UserError, match="another workspace"):
        quality_summary(linked, path)


def test_one_sample_per_audit_file(linked: Connection, tmp_path: Path) -> None:
    path = tmp_path / "once.rmaudit"
    draw_sample(linked, path, size=10, seed=1)
    with pytest.raises(UserError, match="already holds a sample"):
        draw_sample(linked, path, size=10, seed=2)


def test_labels_are_append_only(linked: Connection, tmp_path: Path) -> None:
    """A relabel adds a label (the latest counts); none can be changed or removed."""
    import sqlite3

    path = tmp_path / "labels.rmaudit"
    draw_sample(linked, path, size=5, seed=1)
    audit = AuditFile.open(path, workspace_uuid=linked.info("workspace_uuid") or "")
    try:
        audit.add_label(1, "match", actor=AUDITOR)
        audit.add_label(1, "non-match", actor=AUDITOR, note="second look")
        latest = audit.labels()[1]
        assert (latest.label, latest.note, latest.labeller) == (
            "non-match",
            "second look",
            "auditor",
        )
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            audit.conn.execute("UPDATE labels SET label = 'match'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            audit.conn.execute("DELETE FROM labels")
        with pytest.raises(UserError, match="unknown label"):
            audit.add_label(1, "maybe", actor=AUDITOR)
    finally:
        audit.close()


def test_unlinked_workspace_cannot_be_sampled(conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="link the workspace first"):
        draw_sample(conn, tmp_path / "x.rmaudit", size=10, seed=1)


def test_rescoring_reproduces_the_runs_weights(linked: Connection) -> None:
    """The draw scores candidates again with the run's model; for the pairs the
    run stored, that must give the weights the run stored (float32 rounding)."""
    from app.link_input import load_frame
    from app.quality_population import _run_model
    from matching.candidate_scores import score_candidates
    from matching.features import build_features

    _, settings, params = _run_model(linked)
    scored = score_candidates(build_features(load_frame(linked.conn)), settings, params)
    stored = {
        (left, right): weight
        for left, right, weight in linked.conn.execute(
            "SELECT left_key, right_key, weight FROM pairs"
        )
    }
    found = {
        (left, right): weight
        for left, right, weight in zip(
            scored.left.tolist(),
            scored.right.tolist(),
            scored.weights.tolist(),
            strict=True,
        )
        if (left, right) in stored
    }
    assert len(found) == len(stored)  # every stored pair is a candidate again
    assert len(scored) > len(stored)  # and there are candidates below the threshold
    assert max(abs(stored[k] - w) for k, w in found.items()) < 1e-3


def test_highest_record_key_only_below_the_threshold_is_decoded_right(
    linked: Connection, tmp_path: Path
) -> None:
    """Two new records that only ever pair below the lower threshold carry the
    workspace's highest keys; the population must not mistake their pairs."""
    from app.importer import import_file
    from app.linking import run_link
    from tests.conftest import TODAY

    extra = tmp_path / "extra.csv"
    extra.write_text(
        "id,last_name,first_name,dob,city\n"
        "X1,KOWALCZYK,ANNA,1926-05-20,PEORIA\n"
        "X2,NGUYEN,AMY,1926-05-20,ROCKFORD\n",
        encoding="utf-8",
    )
    import_file(linked, extra, source="extra", kind="other", today=TODAY)
    run_link(linked)
    keys = {r[0] for r in linked.conn.execute("SELECT id FROM records").fetchall()}
    population = candidate_population(linked)
    assert set(population.left.tolist()) <= keys
    assert set(population.right.tolist()) <= keys
    result = draw_sample(linked, tmp_path / "s.rmaudit", size=300, seed=1)
    assert result.sample_size == 300


def test_labels_file_without_pos_column_names_the_problem(tmp_path: Path) -> None:
    from app.errors import InputError
    from app.quality_labels import read_labels

    labels = tmp_path / "labels.csv"
    labels.write_text("item,label\n1,match\n", encoding="utf-8")
    with pytest.raises(InputError, match="'pos' and a 'label' column") as info:
        read_labels(labels, known={1})
    assert "line 1" in str(info.value)


def test_a_sample_nobody_could_label_is_refused(
    linked: Connection, tmp_path: Path
) -> None:
    from app.quality_draw import MAX_SAMPLE

    with pytest.raises(UserError, match="more than people can label"):
        draw_sample(linked, tmp_path / "big.rmaudit", size=MAX_SAMPLE + 1, seed=1)


def test_an_altered_audit_file_is_caught(linked: Connection, tmp_path: Path) -> None:
    """The report's estimates rest on the audit file: edits to it show."""
    import sqlite3

    path = tmp_path / "s.rmaudit"
    draw_sample(linked, path, size=60, seed=2)
    audit = AuditFile.open(path, workspace_uuid=linked.info("workspace_uuid") or "")
    first = audit.items()[0]
    audit.add_label(first.pos, "match", actor=Actor("a", "a"))
    audit.add_label(audit.items()[1].pos, "non-match", actor=Actor("a", "a"))
    assert audit.verify() == []
    audit.close()
    summary = quality_summary(linked, path)
    assert summary.file_problems == ()
    assert summary.labels_head
    assert summary.sample_digest

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE strata SET population = population + 1000 WHERE rowid = 1")
    db.close()
    assert any("sample" in p for p in quality_summary(linked, path).file_problems)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE strata SET population = population - 1000 WHERE rowid = 1")
    db.execute("DROP TRIGGER labels_no_delete")
    db.execute("DELETE FROM labels WHERE id = 2")
    db.close()
    problems = quality_summary(linked, path).file_problems
    assert any("labels were altered" in p for p in problems)
    assert any("triggers were removed" in p for p in problems)


def test_an_unsealed_audit_file_says_it_cannot_be_checked(
    linked: Connection, tmp_path: Path
) -> None:
    """A file from before the seals is not called altered, nor passed as intact."""
    import sqlite3

    path = tmp_path / "old.rmaudit"
    draw_sample(linked, path, size=30, seed=4)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DELETE FROM meta WHERE key IN ('sample_digest', 'labels_head')")
    db.close()
    problems = quality_summary(linked, path).file_problems
    assert len(problems) == 1
    assert "cannot be checked" in problems[0]

"""The link job: pairs, automatic links in the ledger, identities, incrementality."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from app.actor import Actor
from app.decisions import decide_pair
from app.importer import import_file
from app.linking import run_link
from app.review import export_queue
from app.workspace import Connection, ledger, open_workspace
from app.workspace import records as store
from matching.evaluation import pairwise_scores
from matching.progress import Cancelled
from tests.app.conftest import SOURCES, build_linked
from tests.conftest import TODAY, snapshot


def _identities(conn: Connection) -> dict[tuple[str, str], int]:
    return {(s, r): i for i, s, r in store.iter_identity_rows(conn.conn)}


def _truth(sample_dir: Path) -> dict[tuple[str, str], str]:
    with (sample_dir / "truth.csv").open(newline="") as fh:
        return {
            (r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(fh)
        }


def test_link_finds_people_across_sources(linked: Connection, sample_dir: Path) -> None:
    ids = _identities(linked)
    truth = _truth(sample_dir)
    keys = sorted(ids)
    scores = pairwise_scores([ids[k] for k in keys], [truth[k] for k in keys])
    # A smoke bar on 200 people; bench/bench_quality.py measures the real figures.
    assert scores.precision > 0.9
    assert scores.recall > 0.95
    assert len(set(ids.values())) < len(ids)


def test_every_automatic_link_is_a_ledger_entry(linked: Connection) -> None:
    entries = list(ledger.iter_entries(linked.conn))
    auto = [e for e in entries if e["kind"] == "auto-link"]
    n_auto = linked.conn.execute("SELECT count(*) FROM pairs WHERE band = 'auto'")
    assert len(auto) == n_auto.fetchone()[0] > 0
    first = auto[0]
    assert first["actor"] == "model"
    assert first["model_version"].startswith("run1-")
    assert first["probability"] >= 0.5
    assert first["left_values_hash"]
    assert first["right_values_hash"]
    check = ledger.verify_chain(linked.conn, linked.info("workspace_uuid") or "")
    assert check.problem is None
    assert check.entries == len(entries)


def test_link_is_deterministic(sample_dir: Path, tmp_path: Path) -> None:
    results = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.rmws"
        build_linked(path, sample_dir)
        conn = open_workspace(path)
        pairs = conn.conn.execute(
            "SELECT left_key, right_key, band, round(probability, 9) FROM pairs "
            "ORDER BY left_key, right_key"
        ).fetchall()
        results.append((pairs, _identities(conn)))
        conn.close()
    assert results[0] == results[1]


def test_incremental_link_keeps_decisions_and_ids(
    sample_dir: Path, tmp_path: Path
) -> None:
    """Importing another file and linking again must not undo or re-ask anything."""
    path = tmp_path / "inc.rmws"
    build_linked(path, sample_dir, sources=SOURCES[:2])
    conn = open_workspace(path, actor=Actor("rev", "rev"))
    waiting = conn.conn.execute(
        "SELECT id, left_key, right_key FROM pairs WHERE band = 'review' "
        "ORDER BY priority DESC, id LIMIT 6"
    ).fetchall()
    for i, (pair_id, _, _) in enumerate(waiting):
        decide_pair(conn, pair_id, "match" if i % 2 else "non-match")
    before_ids = _identities(conn)
    before_decisions = {
        (d.left_key, d.right_key, d.kind) for d in ledger.current_decisions(conn.conn)
    }
    import_file(conn, sample_dir / "disposition.csv", source="disposition",
                kind="disposition", today=TODAY)  # fmt: skip
    summary = run_link(conn)
    assert summary.labels_used == 6
    after_decisions = {
        (d.left_key, d.right_key, d.kind) for d in ledger.current_decisions(conn.conn)
    }
    assert after_decisions == before_decisions
    queue = tmp_path / "q.csv"
    export_queue(conn, queue)
    with queue.open(newline="") as fh:
        queued = {int(r["pair_id"]) for r in csv.DictReader(fh)}
    assert not queued & {p[0] for p in waiting}, "answered pairs are not asked again"
    # Non-match decisions hold after re-linking.
    after_ids = _identities(conn)
    key_of = {k: (s, r) for k, s, r in store.iter_record_keys(conn.conn)}
    for (_, left, right), kind in zip(waiting, ["non-match", "match"] * 3, strict=True):
        same = after_ids[key_of[left]] == after_ids[key_of[right]]
        assert same == (kind == "match")
    # Identities of old records keep their ids unless a merge retired them.
    aliases = dict(conn.conn.execute("SELECT old_id, new_id FROM identity_aliases"))
    kept = sum(
        1 for k, old in before_ids.items()
        if after_ids[k] == old or aliases.get(old) == after_ids[k]
    )  # fmt: skip
    assert kept / len(before_ids) > 0.97
    conn.close()


def test_cancel_leaves_the_workspace_unchanged(
    sample_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "c.rmws"
    conn = open_workspace(path, create=True)
    for source, name in SOURCES:
        import_file(conn, sample_dir / name, source=source, kind=source, today=TODAY)
    conn.close()
    before = snapshot(path)
    for stop_at in ("blocking", "training", "saving", "clustering"):
        conn = open_workspace(path)
        seen: list[str] = []

        def progress(stage: str, done: int, total: int, seen: list[str] = seen) -> None:
            seen.append(stage)

        def cancel(seen: list[str] = seen, stop_at: str = stop_at) -> bool:
            return stop_at in seen

        with pytest.raises(Cancelled):
            run_link(conn, on_progress=progress, cancel=cancel)
        conn.close()
        assert snapshot(path) == before, f"cancelled at {stop_at}"


def test_identity_flags_name_no_personal_values(linked: Connection) -> None:
    rows = linked.conn.execute("SELECT reasons FROM identity_flags").fetchall()
    values = {
        v
        for (v,) in linked.conn.execute("SELECT sid FROM records WHERE sid IS NOT NULL")
    }
    for (reasons,) in rows:
        assert not any(v in reasons for v in values)
    assert np.all([r[0].startswith("[") for r in rows])

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


# Scale paths (issue 3). A million records take the bulk paths below; these
# tests force them on the small sample and check they change nothing.


def _imported(path: Path, sample_dir: Path, sources=SOURCES) -> Path:  # type: ignore[no-untyped-def]
    conn = open_workspace(path, create=True, actor=Actor("tester", "tester"))
    for source, name in sources:
        import_file(conn, sample_dir / name, source=source, kind=source, today=TODAY)
    conn.close()
    return path


def _state(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a link run writes, without its timestamps and hashes."""
    conn = open_workspace(path)
    db = conn.conn
    state = {
        "pairs": db.execute("SELECT * FROM pairs ORDER BY id").fetchall(),
        "ledger": db.execute(
            "SELECT seq, kind, left_key, right_key, left_source, left_record_id, "
            "right_source, right_record_id, pair_id, probability, levels, details, "
            "left_values_hash, right_values_hash FROM ledger ORDER BY seq"
        ).fetchall(),
        "identities": db.execute(
            "SELECT id, identity_id FROM records ORDER BY id"
        ).fetchall(),
        "aliases": db.execute(
            "SELECT old_id, new_id FROM identity_aliases ORDER BY old_id"
        ).fetchall(),
        "flags": db.execute("SELECT * FROM identity_flags ORDER BY 1").fetchall(),
        "indexes": db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall(),
    }
    assert ledger.verify_chain(db, conn.info("workspace_uuid") or "").problem is None
    conn.close()
    return state


def _same_categorical(got: object, want: object) -> None:
    assert list(got.categories) == list(want.categories)  # type: ignore[attr-defined]
    assert got.categories.dtype == want.categories.dtype  # type: ignore[attr-defined]
    assert got.codes.dtype == want.codes.dtype  # type: ignore[attr-defined]
    np.testing.assert_array_equal(got.codes, want.codes)  # type: ignore[attr-defined]


def test_load_frame_matches_one_categorical_per_column(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interning chunk by chunk must give exactly ``pd.Categorical(column)``."""
    import pandas as pd

    import app.linking as linking
    from app.workspace import pairs as pair_store

    conn = open_workspace(_imported(tmp_path / "f.rmws", sample_dir))
    db = conn.conn
    # Chunks of 7 rows: many chunks hold only missing values in some column.
    chunks = pair_store.record_chunks
    monkeypatch.setattr(
        pair_store, "record_chunks", lambda c, cols: chunks(c, cols, size=7)
    )
    frame = linking.load_frame(db)
    keys = [k for (k,) in db.execute("SELECT id FROM records ORDER BY id")]
    assert frame.index.tolist() == keys
    assert frame.index.dtype == np.int64
    sources = db.execute(
        "SELECT s.name FROM records r JOIN sources s ON s.id = r.source_id "
        "ORDER BY r.id"
    ).fetchall()
    expected = pd.Categorical([s for (s,) in sources])
    _same_categorical(frame["source"].array, expected)
    for name in linking.ENGINE_COLUMNS:
        values = [v for (v,) in db.execute(f"SELECT {name} FROM records ORDER BY id")]
        if name == "age":
            want = np.asarray([np.nan if v is None else v for v in values], float)
            np.testing.assert_array_equal(frame[name].to_numpy(), want)
        else:
            _same_categorical(frame[name].array, pd.Categorical(values))
    assert list(frame.columns[: len(linking.ENGINE_COLUMNS)]) == list(
        linking.ENGINE_COLUMNS
    )
    conn.close()


def test_bulk_writing_changes_nothing(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilt indexes, small chunks and many engine batches give the same file.

    Three runs per path, with decisions in between, so auto-unlinks, labels
    and pairs known from an earlier run are all written too.
    """
    from dataclasses import replace

    import app.link_output as output
    from matching.engine import LinkSettings

    def scenario(path: Path, settings: LinkSettings) -> dict[str, list[object]]:
        _imported(path, sample_dir, SOURCES[:2])
        conn = open_workspace(path, actor=Actor("rev", "rev"))
        run_link(conn, settings=settings)
        answered = (
            conn.conn.execute(
                "SELECT id FROM pairs WHERE band = 'review' ORDER BY priority DESC, id "
                "LIMIT 6"
            ).fetchall()
            + conn.conn.execute(
                "SELECT id FROM pairs WHERE band = 'auto' ORDER BY id LIMIT 2"
            ).fetchall()
        )
        for i, (pair_id,) in enumerate(answered):
            decide_pair(conn, pair_id, "match" if i % 2 else "non-match")
        import_file(conn, sample_dir / "disposition.csv", source="disposition",
                    kind="disposition", today=TODAY)  # fmt: skip
        run_link(conn, settings=settings)
        # A stricter auto-link threshold turns automatic links into unlinks.
        run_link(conn, settings=replace(settings, upper_threshold=0.9999))
        conn.close()
        return _state(path)

    # Two multi-batch sizes: the aggregated vectors, hence the model, agree.
    usual = scenario(tmp_path / "usual.rmws", LinkSettings(batch_pairs=701))
    monkeypatch.setattr(output, "BULK_PAIRS", 0)
    monkeypatch.setattr(output, "CHUNK", 97)
    monkeypatch.setattr(output, "LEDGER_CHUNK", 53)
    bulk = scenario(tmp_path / "bulk.rmws", LinkSettings(batch_pairs=499))
    assert bulk == usual
    assert any(kind == "auto-unlink" for _, kind, *_ in bulk["ledger"])


def test_cancel_while_bulk_writing_restores_the_indexes(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs indexes are dropped inside the transaction: Cancel brings them back."""
    import app.link_output as output

    monkeypatch.setattr(output, "BULK_PAIRS", 0)
    monkeypatch.setattr(output, "CHUNK", 50)
    path = _imported(tmp_path / "c.rmws", sample_dir)
    before = snapshot(path)
    conn = open_workspace(path)
    seen: list[str] = []
    with pytest.raises(Cancelled):
        run_link(
            conn,
            on_progress=lambda stage, done, total: seen.append(stage),
            cancel=lambda: seen.count("saving") > 2,
        )
    conn.close()
    assert snapshot(path) == before


def test_ledger_append_keeps_each_entrys_own_evidence(conn: Connection) -> None:
    """Evidence and shared level dicts in one append: each entry keeps its own."""
    shared = {"first_name": "Same first name"}
    entries = [
        ledger.NewEntry(kind="auto-link", left_key=1, right_key=2, levels=shared),
        ledger.NewEntry(kind="match", left_key=1, right_key=3, evidence={"a": 1}),
        ledger.NewEntry(kind="auto-link", left_key=2, right_key=3, levels=shared),
        ledger.NewEntry(kind="non-match", left_key=2, right_key=4, evidence={"b": 2}),
    ]
    uuid = conn.info("workspace_uuid") or ""
    with conn.transaction():
        seqs = ledger.append(
            conn.conn, entries, at="2026-11-25T00:00:00Z", actor="t", os_user="t",
            workspace_uuid=uuid,
        )  # fmt: skip
    rows = list(ledger.iter_entries(conn.conn))
    assert [r["seq"] for r in rows] == seqs
    assert [r["levels"] for r in rows] == [
        ledger.canonical_json(shared),
        None,
        ledger.canonical_json(shared),
        None,
    ]
    assert [r["evidence_hash"] is not None for r in rows] == [False, True, False, True]
    snapshots = conn.conn.execute(
        "SELECT entry_seq, snapshot FROM evidence ORDER BY entry_seq"
    ).fetchall()
    assert snapshots == [(seqs[1], '{"a":1}'), (seqs[3], '{"b":2}')]
    assert ledger.verify_chain(conn.conn, uuid).problem is None

"""The review screen at scale: open time, key-to-next-pair latency, memory.

A records clerk opens a workspace of about a million records (250,000
generated people) and decides pairs with M / N / U. Measured headless
(``QT_QPA_PLATFORM=offscreen``) in a child process, so its memory is the
GUI's own:

* open: from creating the session to the review page painted with the
  queue and the first pair (Python and Qt imports reported apart);
* decision to next pair: from the key press to the next pair painted, over
  ``--decisions`` decisions; between two decisions the bench waits for the
  write to finish, as a reviewer reading the next pair would;
* burst: the same with keys pressed back to back (writes pile up behind);
* the writer thread's time per decision (ledger entry + identity update);
* peak and final resident memory.

Targets: open < 2 s, decision to next pair < 100 ms at p99, memory < 500 MB.

The linked workspace is built once into ``bench/out`` (generate, import and
link take about 15 minutes for a million records) and copied for each run,
so the decisions a run makes never pile up in the cache. The cached file is
only ever read: the copy is what gets migrated (another engineer's schema
step must not rewrite a 4 GB cache) or, if its model is outdated, relinked.

Usage: .venv/bin/python bench/bench_gui.py [--people 250000] [--decisions 200]
       [--workspace LINKED.rmws] [--scratch DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, peak_rss_mb, sample_dir


def linked_workspace(people: int, seed: int) -> Path:
    """Generate, import and link once; later runs reuse the file as it is."""
    from app.actor import Actor
    from app.importer import import_file
    from app.linking import run_link
    from app.workspace import open_workspace

    path = OUT / f"gui-{people}-{seed}.rmws"
    if path.exists():
        return path
    folder = sample_dir(people, seed)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = open_workspace(path, create=True, actor=Actor("bench", "bench"))
    try:
        for name in ("clerk", "arrest", "disposition"):
            print(f"importing {name} ...", flush=True)
            import_file(conn, folder / f"{name}.csv", source=name, kind=name)
        print("linking (minutes) ...", flush=True)
        run_link(conn)
    finally:
        conn.close()
    return path


def prepare_copy(copy: Path) -> int:
    """Migrate the measured copy (never the cache) and relink it if its model
    is of an older format (decisions would be refused); its record count."""
    from app.actor import Actor
    from app.linking import run_link
    from app.workspace import open_workspace
    from app.workspace.pairs import latest_run
    from app.workspace.records import count_records

    conn = open_workspace(copy, actor=Actor("bench", "bench"))  # migrates
    try:
        if latest_run(conn.conn) is None or not _model_is_current(conn):
            print("relinking the copy with the current model (minutes) ...", flush=True)
            run_link(conn)
        return count_records(conn.conn)
    finally:
        conn.close()


def _model_is_current(conn: object) -> bool:
    from app.workspace.pairs import latest_params
    from matching.model import ModelParams

    data = latest_params(conn.conn)  # type: ignore[attr-defined]
    try:
        return data is not None and ModelParams.from_dict(data) is not None
    except (ValueError, KeyError):
        return False


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 2**20


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def child(path: Path, decisions: int, burst: int) -> dict[str, object]:
    """Run in a fresh process: open the page, decide, measure."""
    import os

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.actor import Actor
    from ui.none_guard import keep_none_alive
    from ui.review_page import ReviewPage
    from ui.session import Session

    keep_none_alive()  # PySide6 6.12 on CPython 3.11 would abort otherwise
    app = QApplication([])
    imports = time.perf_counter() - started

    class Prefs:
        hide_model_score = False
        high_contrast = False

    t0 = time.perf_counter()
    session = Session(path, Actor("bench", "bench"))
    page = ReviewPage(session, Prefs())
    page.resize(1400, 900)
    page.show()
    app.processEvents()
    page.repaint()
    open_s = time.perf_counter() - t0
    assert page.pair_view.detail() is not None, "the first pair is on screen"
    page.addActions(page.page_actions())
    page.activateWindow()
    page.table.setFocus()
    keys = (Qt.Key.Key_M, Qt.Key.Key_N, Qt.Key.Key_U)
    write_times: list[float] = []
    session.writes.done.connect(lambda *_: write_times.append(time.perf_counter()))

    def press(key: Qt.Key) -> float:
        before = page.pair_view.detail().pair_id
        start = time.perf_counter()
        QTest.keyClick(page.table, key)
        app.processEvents()  # paint the next pair
        elapsed = time.perf_counter() - start
        assert page.pair_view.detail().pair_id != before
        return elapsed * 1000

    def drain() -> None:
        while session.writes.pending():
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()

    latencies, writes = [], []
    for i in range(decisions):
        submitted = time.perf_counter()
        latencies.append(press(keys[i % 3]))
        drain()
        writes.append((write_times[-1] - submitted) * 1000)
    bursts = [press(keys[i % 3]) for i in range(burst)]
    drain()
    result = {
        "records": None,
        "imports_s": round(imports, 2),
        "open_s": round(open_s, 3),
        "decisions": decisions,
        "next_pair_median_ms": round(statistics.median(latencies), 1),
        "next_pair_p99_ms": round(_percentile(latencies, 0.99), 1),
        "next_pair_max_ms": round(max(latencies), 1),
        "burst_median_ms": round(statistics.median(bursts), 1) if bursts else None,
        "burst_p99_ms": round(_percentile(bursts, 0.99), 1) if bursts else None,
        "write_median_ms": round(statistics.median(writes), 1),
        "write_p99_ms": round(_percentile(writes, 0.99), 1),
        "rss_mb": round(_rss_mb(), 0),
        "peak_rss_mb": round(peak_rss_mb(), 0),
    }
    page.close()
    session.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument(
        "--workspace", type=Path, help="a linked workspace to measure a copy of"
    )
    parser.add_argument(
        "--scratch", type=Path, default=OUT, help="folder for the measured copy"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.decisions, args.burst)))
        return
    source = args.workspace or linked_workspace(args.people, args.seed)
    copy = args.scratch / f"gui-run-{source.stem}.rmws"
    shutil.copy(source, copy)
    try:
        records = prepare_copy(copy)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(copy),
             "--decisions", str(args.decisions), "--burst", str(args.burst)],
            capture_output=True, text=True,
        )  # fmt: skip
        lines = out.stdout.strip().splitlines()
        if not lines or not lines[-1].startswith("{"):
            raise SystemExit(f"the measuring process failed:\n{out.stderr}")
        figures = json.loads(lines[-1])
        if out.returncode != 0:  # measured, then died on the way out: say so
            figures["exit_code"] = out.returncode
            print(f"note: the measuring process exited with {out.returncode}:")
            print("\n".join(out.stderr.strip().splitlines()[-3:]))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    figures["records"] = records
    print(f"workspace            {source.name}: {records:,} records")
    print(f"imports (Qt, app)    {figures['imports_s']} s")
    print(f"open to first pair   {figures['open_s']} s   (target < 2 s)")
    print(
        f"key to next pair     median {figures['next_pair_median_ms']} ms, "
        f"p99 {figures['next_pair_p99_ms']} ms, max {figures['next_pair_max_ms']} ms "
        f"over {figures['decisions']} decisions   (target p99 < 100 ms)"
    )
    print(
        f"  keys back to back  median {figures['burst_median_ms']} ms, "
        f"p99 {figures['burst_p99_ms']} ms"
    )
    print(
        f"write per decision   median {figures['write_median_ms']} ms, "
        f"p99 {figures['write_p99_ms']} ms (writer thread)"
    )
    print(
        f"memory               {figures['rss_mb']} MB now, "
        f"peak {figures['peak_rss_mb']} MB   (target < 500 MB)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

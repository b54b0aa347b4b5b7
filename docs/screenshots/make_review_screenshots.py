"""Regenerate review.png, pair-view.png, identity.png and search.png.

Builds a linked workspace from generated sample data (people=400), opens the
review, identity and search pages headless (``QT_QPA_PLATFORM=offscreen``)
and saves ``widget.grab()`` of each next to this file.

Usage: .venv/bin/python docs/screenshots/make_review_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def _interesting_pair(conn: object, rows: list[object]) -> int:
    """A pair whose names or birth dates differ by a few characters."""
    from app import review_queries as rq

    best, best_score = rows[0].pair_id, -1.0
    for row in rows[:200]:
        d = rq.pair_detail(conn, row.pair_id)
        if d is None or d.same_identity:
            continue
        score = 0.0
        for field in ("first_name", "last_name", "dob", "street"):
            a, b = d.left.values.get(field), d.right.values.get(field)
            if a and b and a != b:
                score += 2 if len(a) == len(b) else 1
        if len(d.fields) > 12:
            score += 1
        if score > best_score:
            best, best_score = row.pair_id, score
    return best


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from app import review_queries as rq
    from app.actor import Actor
    from tests.ui.conftest_review import build_review_workspace
    from ui.identity_page import IdentityPage
    from ui.none_guard import keep_none_alive
    from ui.pair_view import PairView
    from ui.review_page import ReviewPage
    from ui.search_page import SearchPage
    from ui.session import Session

    keep_none_alive()
    app = QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="rm-shots-"))
    path = build_review_workspace(folder / "demo.rmws", folder / "sample", people=400)
    session = Session(path, Actor("alice", "alice"))

    class Prefs:
        hide_model_score = False
        high_contrast = False

    review = ReviewPage(session, Prefs())
    review.resize(1500, 950)
    review.show()
    rows = list(rq.queue_page(session.read, rq.QueueFilter()).rows)
    review.show_pair_id(_interesting_pair(session.read, rows))
    deadline = time.monotonic() + 10
    while review.filters.counts.text() == "Counting…" and time.monotonic() < deadline:
        app.processEvents()  # the counts arrive from a background task
    for _ in range(5):  # let the layout settle around the new text
        app.processEvents()
        time.sleep(0.05)
    review.grab().save(str(HERE / "review.png"))
    view = PairView()
    view.resize(1400, 720)
    view.show()
    view.show_pair(review.pair_view.detail())
    app.processEvents()
    view.grab().save(str(HERE / "pair-view.png"))

    identity = IdentityPage(session, Prefs())
    identity.resize(1400, 700)
    identity.show()
    # A person with an arrest, a court case and a disposition fits one screen.
    candidates = [
        rq.identity_detail(session.read, rq.identity_of_record(session.read, k))
        for k in range(1, 300, 7)
    ]
    target = max(
        (d for d in candidates if d and len(d.timeline) <= 9),
        key=lambda d: (len({e.kind for e in d.timeline}), d.record_count),
    )
    identity.show_identity(target.identity_id, select=target.records[1].key)
    app.processEvents()
    identity.grab().save(str(HERE / "identity.png"))

    search = SearchPage(session, Prefs())
    search.resize(1100, 500)
    search.show()
    last, _, first = target.names[0].partition(", ")
    typo = last[:2] + last[3] + last[2] + last[4:] if len(last) > 4 else last
    search.search(f"{first.split()[0].title()} {typo.title()}")
    app.processEvents()
    search.grab().save(str(HERE / "search.png"))
    for page in (review, identity, search):
        page.close()
    session.close()
    sys.stdout.write(f"saved 4 screenshots in {HERE}\n")


if __name__ == "__main__":
    main()

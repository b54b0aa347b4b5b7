"""Regenerate ledger.png and provenance.png from the demo workspace.

Builds the demo workspace (``python -m app.demo``) in a temporary folder,
makes a few people's decisions through ``app.decisions`` (so the ledger has
more than the model's links), opens the Ledger page and the Identities page's
Provenance tab headless and saves ``widget.grab()`` of each next to this file.

Usage: .venv/bin/python docs/screenshots/make_ledger_screenshots.py [WS]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def _decide(path: Path) -> tuple[int, int]:
    """Alice and Bob answer a few pairs; one answer is undone. Returns the
    seq of a match with a note and a record of that match."""
    from app.actor import Actor
    from app.decisions import decide_pair, reverse
    from app.workspace import open_workspace

    alice = open_workspace(path, actor=Actor("Alice Moreno", "amoreno"))
    try:
        pairs = alice.conn.execute(
            "SELECT p.id, p.left_key FROM pairs p JOIN records a ON a.id = p.left_key "
            "JOIN records b ON b.id = p.right_key WHERE p.band = 'review' "
            "AND a.identity_id <> b.identity_id ORDER BY p.probability DESC LIMIT 6"
        ).fetchall()
        shown = decide_pair(
            alice, pairs[0][0], "match", reason_code="dob_typo",
            note="Same SID on the booking sheet; DOB day and month swapped",
        ).seq  # fmt: skip
        decide_pair(alice, pairs[1][0], "non-match", reason_code="family_member")
        seq = decide_pair(alice, pairs[2][0], "match").seq
        reverse(alice, seq, reason="undo")
    finally:
        alice.close()
    bob = open_workspace(path, actor=Actor("Bob Lee", "blee"))
    try:
        decide_pair(bob, pairs[3][0], "unsure", reason_code="not_enough")
        decide_pair(bob, pairs[4][0], "match", reason_code="same_ids")
    finally:
        bob.close()
    return shown, pairs[0][1]


def _settle(app: object, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from app import review_queries as rq
    from app.actor import Actor
    from app.demo import build_demo
    from ui.identity_page import IdentityPage
    from ui.ledger_page import LedgerPage
    from ui.none_guard import keep_none_alive
    from ui.provenance_view import STEP_ROLE
    from ui.resources import apply_style
    from ui.session import Session

    keep_none_alive()
    app = QApplication([])
    apply_style(app, larger_font=False, high_contrast=False)
    folder = Path(tempfile.mkdtemp(prefix="rm-ledger-shots-"))
    path = folder / "demo.rmws"
    if len(sys.argv) > 1 and Path(sys.argv[1]).exists():
        shutil.copy(sys.argv[1], path)
    build_demo(path)
    seq, record = _decide(path)
    session = Session(path, Actor("Auditor", "auditor"), readonly=True)

    class Prefs:
        hide_model_score = False
        high_contrast = False

    ledger = LedgerPage(session, Prefs())
    ledger.resize(1400, 860)
    ledger.show()
    ledger.filters.kind.setCurrentIndex(ledger.filters.kind.findData("human"))
    ledger.select_seq(seq)
    ledger.verify_chain()
    deadline = time.monotonic() + 30
    while not ledger.verify_button.isEnabled() and time.monotonic() < deadline:
        app.processEvents()
    _settle(app)
    ledger.grab().save(str(HERE / "ledger.png"))

    identity = IdentityPage(session, Prefs())
    identity.resize(1400, 1150)
    identity.show()
    identity.show_identity(rq.identity_of_record(session.read, record), select=record)
    tabs = identity.provenance.parentWidget().parentWidget()
    tabs.setCurrentWidget(identity.provenance)
    _settle(app)
    tree = identity.provenance.tree
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        for j in range(top.childCount()):
            step = top.child(j).data(0, STEP_ROLE)
            if step.seq == seq and top.data(0, 0x0100) == record:
                tree.setCurrentItem(top.child(j))
    _settle(app)
    identity.grab().save(str(HERE / "provenance.png"))
    session.close()


if __name__ == "__main__":
    main()

"""One person's records from every source, on a timeline, and how each joined.

Before a record is cleared, a clerk must be sure every arrest, court case
(with its charges) and disposition really is this person's, so each record
says why it is here: the automatic link and its score, or whose decision
and when. A wrong one is split out, and two halves of one person are
merged; both ask for a reason, because both change a person's history.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIntValidator, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import review_queries as rq
from app.decisions import REASON_CODES, merge_identities, split_record
from app.identity_queries import next_flagged
from ui.actions import page_action
from ui.merge_dialog import MergeDialog
from ui.reason_dialog import ReasonDialog

COLUMNS = ("When", "Record", "Name", "DOB", "Statute / charge", "How it joined")
COLUMN_WIDTHS = (135, 130, 210, 95, 0, 0)
KIND_TEXT = {"arrest": "Arrest", "clerk": "Court case", "disposition": "Disposition"}


def joined_text(join: rq.JoinInfo, other: str = "") -> str:
    """One line a clerk can read aloud: why this record is in the identity.

    Args:
        other: how to name the record it joined (e.g. "clerk 219").
    """
    when = (join.at or "")[:10]
    reason = REASON_CODES.get(join.reason_code or "", join.reason_code or "")
    why = f" ({reason})" if reason else ""
    to = f" to {other}" if other else ""
    if join.how == "auto":
        return f"Linked automatically{to}, score {join.probability:.3f}"
    if join.how == "decision":
        return f"Matched{to} by {join.actor} on {when}{why}"
    if join.how == "merge":
        return f"Merged{to} by {join.actor} on {when}{why}"
    if join.how == "cluster":
        return "Placed by re-clustering (no direct link)"
    return "First record of this identity"


class IdentityPage(QWidget):
    """Shows one identity; follows ``identity_requested``/``record_requested``."""

    title = "Identities"

    def __init__(
        self, session: Any, settings: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.detail: rq.IdentityDetail | None = None
        self.dialog: ReasonDialog | None = None
        self._stale = False
        self.go_box = QLineEdit()
        self.go_box.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.go_box.setPlaceholderText("Identity #")
        self.go_box.setMaximumWidth(120)
        self.go_box.returnPressed.connect(self._on_go)
        self.header = QLabel("No identity shown. Open one from review or search.")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        # Event titles span the row, so they never widen a column.
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                self.tree.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(QLabel("Go to:"))
        top.addWidget(self.go_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        # Issue 6: each charge's classification beside the timeline.
        from ui.identity_charges import IdentityCharges

        self.charges = IdentityCharges(session, self.tree, self)
        self.charges.place_beside(self.tree, layout)
        # Issue 5: the ledger entries behind each record, a tab beside the timeline.
        from ui.provenance_view import ProvenanceView

        self.provenance = ProvenanceView(session, self)
        self.provenance.place_as_tab(self.tree)
        self.provenance.follow(self)
        layout.addWidget(self.message)
        self._actions = self._make_actions()
        session.identity_requested.connect(self.show_identity)
        session.record_requested.connect(self.show_record)
        session.data_changed.connect(self._on_data_changed)
        session.write_failed.connect(lambda exc, _tb: self.message.setText(str(exc)))

    def _make_actions(self) -> list[QAction]:
        act = partial(page_action, self)

        actions = [
            act("Split record &out…", ["X"], self.split_selected,
                "Take the selected record out of this person, with a reason"),
            act("&Merge with identity…", ["J"], self.merge_dialog,
                "Join another identity into this one, with a reason"),
            act("Open the &pair that joined it", ["P"], self.open_joining_pair,
                "Show the scored pair behind the selected record's link"),
            act("&Go to identity…", ["Ctrl+G"], self.go_box.setFocus,
                "Type an identity number"),
            act("Next &flagged identity", ["F"], self.next_flagged,
                "An identity whose records disagree on identifiers or birth "
                "dates: look at its links"),
        ]  # fmt: skip
        if self.session.readonly:  # audit mode: split and merge are absent
            for action in actions[:2]:
                action.setEnabled(False)
                action.setVisible(False)
        return actions

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    # -- showing ---------------------------------------------------------------

    def next_flagged(self) -> None:
        """Walk the identities the clustering flagged, one key press each."""
        after = self.detail.identity_id if self.detail is not None else 0
        found = next_flagged(self.session.read, after)
        if found is None:
            self.message.setText("No identity is flagged.")
            return
        self.show_identity(found)

    def show_identity(self, identity_id: int, *, select: int | None = None) -> None:
        detail = rq.identity_detail(self.session.read, identity_id)
        self.detail = detail
        self.tree.clear()
        if detail is None:
            self.header.setText(f"There is no identity #{identity_id}.")
            return
        moved = ""
        if detail.requested_id != detail.identity_id:
            moved = f" (#{detail.requested_id} was merged into it)"
        flags = f"<br>Flagged: {'; '.join(detail.flags)}" if detail.flags else ""
        self.header.setText(
            f"<b>Identity #{detail.identity_id}</b>{moved} · "
            f"{detail.record_count} record{'s' * (detail.record_count != 1)}<br>"
            f"Names: {'; '.join(detail.names)}<br>"
            f"Birth dates: {', '.join(detail.dobs) or 'none recorded'}{flags}"
        )
        chosen = None
        label = {r.key: f"{r.source} {r.record_id}" for r in detail.records}
        for entry in detail.timeline:
            top = QTreeWidgetItem(
                self.tree, [f"{entry.when or 'no date'}   {entry.title}"]
            )
            top.setFirstColumnSpanned(True)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for r in entry.records:
                item = QTreeWidgetItem(
                    top,
                    [
                        r.event_date or "",
                        f"{r.source} {r.record_id}",
                        r.name,
                        r.dob or "",
                        " · ".join(p for p in (r.statute, r.charge) if p),
                        joined_text(r.joined, label.get(r.joined.other_key or 0, "")),
                    ],
                )
                item.setData(0, Qt.ItemDataRole.UserRole, r.key)
                if r.key == select:
                    chosen = item
        self.tree.expandAll()
        if chosen is not None:
            self.tree.setCurrentItem(chosen)

    def show_record(self, record_key: int) -> None:
        identity = rq.identity_of_record(self.session.read, record_key)
        if identity is not None:
            self.show_identity(identity, select=record_key)

    def selected_record(self) -> rq.IdentityRecord | None:
        item = self.tree.currentItem()
        key = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
        if key is None or self.detail is None:
            return None
        return next((r for r in self.detail.records if r.key == key), None)

    def select_record(self, record_key: int) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, Qt.ItemDataRole.UserRole) == record_key:
                    self.tree.setCurrentItem(top.child(j))
                    return

    def _on_go(self) -> None:
        if self.go_box.text().isdigit():
            self.show_identity(int(self.go_box.text()))

    def _on_data_changed(self, _what: str) -> None:
        # A hidden page re-reads when shown: a reviewer deciding all day on
        # the review page should not pay for this page on every key.
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        if self.detail is not None:
            record = self.selected_record()
            self.show_identity(
                self.detail.identity_id, select=None if record is None else record.key
            )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- changing ----------------------------------------------------------------

    def split_selected(self) -> None:
        """Ask for a reason, then take the selected record out of the identity."""
        record = self.selected_record()
        if record is None:
            self.message.setText("Select a record to split out.")
            return
        self.dialog = ReasonDialog(
            "Split record out",
            f"Take {record.source} record {record.record_id} ({record.name}) out of "
            f"identity #{self.detail.identity_id if self.detail else '?'}? It will "
            "stay apart from the records it is split from.",
            self,
        )
        key = record.key

        def apply() -> None:
            assert self.dialog is not None
            reason, note = self.dialog.reason(), self.dialog.note()
            self.session.write(
                lambda conn: split_record(conn, key, reason=reason, note=note),
                changed="identity",
                on_done=lambda _r: self.message.setText(
                    f"Split out: {record.source} record {record.record_id}."
                ),
            )

        self.dialog.accepted.connect(apply)
        self.dialog.open()

    def _describe(self, identity_id: int) -> str | None:
        if self.detail is not None and identity_id == self.detail.identity_id:
            return None
        other = rq.identity_detail(self.session.read, identity_id)
        if other is None:
            return None
        return f"{', '.join(other.names[:3])} · {other.record_count} records"

    def merge_dialog(self, other_identity: int | None = None) -> None:
        """Ask for the other identity and a reason, then merge the two."""
        if self.detail is None:
            return
        this = self.detail
        self.dialog = MergeDialog(
            f"Merge another identity into #{this.identity_id} "
            f"({', '.join(this.names[:2])})? Find the other person by name, "
            "birth date or number, or type their identity number.",
            self,
            this_identity=this.identity_id,
            search=lambda text: rq.search(self.session.read, text),
            describe_identity=self._describe,
        )
        if other_identity:
            self.dialog.identity_box.setText(str(other_identity))

        def apply() -> None:
            assert self.dialog is not None
            other = rq.identity_detail(self.session.read, self.dialog.identity() or 0)
            if other is None or not other.records or not this.records:
                return
            left, right = this.records[0].key, other.records[0].key
            reason, note = self.dialog.reason(), self.dialog.note()
            self.session.write(
                lambda conn: merge_identities(
                    conn, left, right, reason=reason, note=note
                ),
                changed="identity",
            )

        self.dialog.accepted.connect(apply)
        self.dialog.open()

    def open_joining_pair(self) -> None:
        record = self.selected_record()
        if record is not None and record.joined.pair_id is not None:
            self.session.pair_requested.emit(record.joined.pair_id)

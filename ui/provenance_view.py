"""Provenance: the ledger entries that put each record of an identity there.

Shown as a tab beside the identity's timeline. One row per record says which
entry holds it in the identity now; under it, every entry about the record,
oldest first: the model's links (version, thresholds, score), people's
decisions (who, when, reason, note), splits, merges and reversals. Selecting
an entry shows the values the reviewer saw when making it (or that they were
purged). Read-only: it works the same in audit mode.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import provenance as pv
from ui.ledger_detail import evidence_html, levels_html
from ui.ledger_model import when_text

COLUMNS = ("Record / entry", "When (UTC)", "Who", "Score", "Reason, note")
STEP_ROLE = Qt.ItemDataRole.UserRole + 1
HOW_TEXT = {
    "first": "the record the others joined",
    "cluster": "placed by re-clustering, no direct link",
}


def step_text(step: pv.Step) -> str:
    """One line: what the entry did, to which record."""
    other = step.other_label or "another record"
    texts = {
        "auto-link": f"Auto-linked to {other}",
        "auto-unlink": f"Auto-unlinked from {other}",
        "match": f"Matched to {other}",
        "non-match": f"Marked a different person from {other}",
        "unsure": f"Marked unsure against {other}",
        "split": "Split out of the identity",
        "merge": f"Identities merged through {other}",
        "reversal": f"Reversal of entry #{step.reverses}",
    }
    text = f"#{step.seq} {texts.get(step.kind, step.kind)}"
    marks = [
        f"reversed by #{step.reversed_by}" if step.reversed_by else "",
        "needs re-review" if step.rereview else "",
    ]
    shown = "; ".join(m for m in marks if m)
    return f"{text}  [{shown}]" if shown else text


def why_text(step: pv.Step) -> str:
    """The Reason column: a person's reason and note, or the model's terms."""
    if step.kind.startswith("auto"):
        limit = step.thresholds or {}
        upper = f"; auto-link ≥ {limit['upper']:.3f}" if "upper" in limit else ""
        return f"model {step.model_version or '?'}{upper}"
    return "; ".join(p for p in (step.reason_code, step.note) if p)


def step_html(step: pv.Step) -> str:
    """The entry in full: the evidence the reviewer saw comes right after who,
    when and why, before the model's levels and the hashes' detail."""
    rows = [
        ("Entry", f"#{step.seq} · {escape(step.kind)}"),
        ("Who", f"{escape(step.actor)} (OS account {escape(step.os_user)})"),
        ("When", f"{escape(when_text(step.at))} UTC"),
        ("Other record", escape(step.other_label or "—")),
        ("Reason", escape(step.reason_text or "—")),
        ("Note", escape(step.note or "—")),
        ("Score", "—" if step.probability is None else f"{step.probability:.4f}"),
    ]
    if step.reverses:
        rows.append(("Reverses", f"entry #{step.reverses}"))
    if step.reversed_by:
        rows.append(("Reversed by", f"entry #{step.reversed_by}"))
    if step.rereview:
        rows.append(("Re-review", "<b>a record changed since: needs re-review</b>"))
    top = _table(rows)
    rows = []
    if step.model_version:
        rows.append(("Model", escape(step.model_version)))
    if t := step.thresholds:
        limits = f"auto-link ≥ {t['upper']:.4f}, review ≥ {t['lower']:.4f}"
        rows.append(("Thresholds", limits))
    rows.append(("Comparison levels", levels_html(step.levels)))
    evidence = ""
    if step.kind not in ("auto-link", "auto-unlink"):
        evidence = "<h4>Evidence as the reviewer saw it</h4>" + evidence_html(
            step.evidence, step.evidence_state
        )
    return f"{top}{evidence}<h4>Model and comparison levels</h4>{_table(rows)}"


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th align='left' valign='top'>{k}</th><td>{v}</td></tr>" for k, v in rows
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


class ProvenanceView(QWidget):
    """The provenance of the identity a page shows; follows that page."""

    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.data: pv.Provenance | None = None
        self._page: Any = None
        self._stale = False
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("provenance_tree")
        self.tree.setAccessibleName("Provenance of each record")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        for column, width in enumerate((330, 128, 100, 56)):
            self.tree.setColumnWidth(column, width)
        self.step = QTextBrowser(self)
        self.step.setObjectName("provenance_step")
        self.step.setAccessibleName("Selected entry and its evidence")
        # Side by side: the identity page already stacks the charges below.
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tree)
        split.addWidget(self.step)
        split.setSizes([760, 440])  # kept in proportion on resize
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._follow_page)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)

    # -- embedding -----------------------------------------------------------------

    def place_as_tab(self, timeline: QWidget) -> QTabWidget:
        """Put a Timeline / Provenance tab pair where the timeline is now
        (a layout or a splitter), with the timeline in the first tab."""
        tabs = QTabWidget()
        tabs.setObjectName("identity_tabs")
        tabs.setSizePolicy(timeline.sizePolicy())  # a splitter keeps its stretch
        holder = timeline.parentWidget()
        if isinstance(holder, QSplitter):
            # Not replaceWidget(): it hands the timeline back parentless, and
            # PySide deletes it; addTab() below moves it out of the splitter.
            holder.insertWidget(holder.indexOf(timeline), tabs)
        elif holder is not None and holder.layout() is not None:
            holder.layout().replaceWidget(timeline, tabs)
        tabs.addTab(timeline, "&Timeline")
        tabs.addTab(self, "Pro&venance")
        return tabs

    def follow(self, page: Any) -> None:
        """Show ``page.detail``'s identity whenever the page redraws its
        timeline, and the record selected there."""
        self._page = page
        model = page.tree.model()
        model.modelReset.connect(self._on_timeline_redrawn)
        model.rowsInserted.connect(self._on_timeline_redrawn)
        page.tree.currentItemChanged.connect(self._on_timeline_current_changed)

    def _on_timeline_redrawn(self) -> None:
        self._stale = True  # the page re-read its identity: so do we
        self._timer.start()

    def _follow_page(self) -> None:
        detail = getattr(self._page, "detail", None)
        identity = None if detail is None else detail.identity_id
        shown = None if self.data is None else self.data.identity_id
        if (identity != shown or self._stale) and self.isVisible():
            self.show_identity(identity)
        self._on_timeline_current_changed()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Once shown for good: the hidden tab was not kept up to date.
        self._timer.start()

    # -- showing -----------------------------------------------------------------

    def show_identity(self, identity_id: int | None) -> None:
        self._stale = False
        self.tree.clear()
        self.step.clear()
        self.data = (
            None
            if identity_id is None
            else pv.identity_provenance(self.session.read, identity_id)
        )
        if self.data is None:
            self.summary.setText("No identity shown.")
            return
        d = self.data
        steps = sum(len(r.steps) for r in d.records)
        self.summary.setText(
            f"Identity #{d.identity_id}: {len(d.records)} of {d.record_count} "
            f"records, {steps} ledger entries about them. Select an entry to see "
            "the evidence as the reviewer saw it."
        )
        for record in d.records:
            self._add_record(record)
        for column in (1, 2, 3):
            self.tree.resizeColumnToContents(column)

    def _add_record(self, record: pv.RecordProvenance) -> None:
        holding = record.holding
        how = HOW_TEXT.get(record.how, "") if holding is None else ""
        why = f"held by entry #{holding.seq}" if holding else how
        top = QTreeWidgetItem(self.tree, [f"{record.label} · {record.name} — {why}"])
        top.setFirstColumnSpanned(True)
        top.setData(0, Qt.ItemDataRole.UserRole, record.key)
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        for step in record.steps:
            score = "" if step.probability is None else f"{step.probability:.3f}"
            item = QTreeWidgetItem(
                top,
                [step_text(step), when_text(step.at)[:16], step.actor, score,
                 why_text(step)],
            )  # fmt: skip
            item.setData(0, STEP_ROLE, step)
            tip = step_text(step)
            if step.holds:  # the row above says "held by entry #n" too
                tip += " (holds the record in this identity)"
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            item.setToolTip(0, tip)
        top.setExpanded(True)

    def select_record(self, record_key: int) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, Qt.ItemDataRole.UserRole) == record_key:
                held = next(
                    (
                        top.child(j)
                        for j in range(top.childCount())
                        if top.child(j).data(0, STEP_ROLE).holds
                    ),
                    top,
                )
                self.tree.setCurrentItem(held)
                self.tree.scrollToItem(held)
                return

    def _on_current_item_changed(self, item: QTreeWidgetItem | None, _old: Any) -> None:
        step = None if item is None else item.data(0, STEP_ROLE)
        if isinstance(step, pv.Step):
            self.step.setHtml(step_html(step))
        else:
            self.step.setHtml("<p><i>Select an entry to see it in full.</i></p>")

    def _on_timeline_current_changed(self, *_args: Any) -> None:
        item = None if self._page is None else self._page.tree.currentItem()
        key = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
        if key is not None and self.isVisible():
            self.select_record(int(key))

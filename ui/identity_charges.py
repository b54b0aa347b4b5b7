"""Beside the identity timeline: each cannabis charge, its category and why.

Identity and eligibility are judged on one screen: while a clerk checks
that the records are one person, each charge of each cannabis case shows
its category, the reason, the rule that decided it (with the rule file's
own description and legal source), the statute as written, the offence
date and the disposition. The panel follows whatever identity the page's
timeline shows (it reads the record keys the timeline holds), so the page
only has to place it, and selecting a record on the timeline picks out its
charge here. "Evidence packet…" writes the person's packet, logged.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app import review_queries as rq
from app.eligibility_person import ChargeLine, PersonCharges, identity_charges
from matching.eligibility import CLEARABLE, Category
from ui.dissemination_dialog import READ_ONLY_WHY, PacketExporter
from ui.eligibility_model import CATEGORY_TEXT
from ui.printed import escape

_COLOUR = {True: "#1b6b2a", None: "#8a5a00", False: "#a31515"}  # clear/review/no
KEY_ROLE = Qt.ItemDataRole.UserRole


def _colour(category: Category) -> str:
    if category in CLEARABLE:
        return _COLOUR[True]
    return _COLOUR[None] if category is Category.NEEDS_REVIEW else _COLOUR[False]


def _category(category: Category, reason: Any) -> str:
    text = CATEGORY_TEXT[category]
    if reason is not None:
        text += f" ({reason.value.replace('_', ' ')})"
    return f"<b style='color:{_colour(category)}'>{escape(text)}</b>"


def _charge_html(c: ChargeLine, selected: bool, *, explain: bool) -> str:
    """One charge; ``explain`` adds the rule's own words (once per rule)."""
    shade = " style='background-color:#fff4c2'" if selected else ""
    rule = f"rule <b>{escape(c.rule_id)}</b>"
    if explain and c.rule_text:
        rule += f": {escape(c.rule_text)}"
    if explain and c.rule_source:
        rule += f" <i>({escape(c.rule_source)})</i>"
    return (
        f"<a name='r{c.record_key}'></a>"
        f"<table width='100%' cellspacing='0' cellpadding='3'{shade}><tr><td>"
        f"<b>{escape(c.source)} {escape(c.record_id)}</b> · statute "
        f"<tt>{escape(c.statute or '(none)')}</tt> · disposition "
        f"{escape(c.disposition or '(none on this record)')}<br>"
        f"{_category(c.category, c.reason)} · {rule}<br>"
        f"<span style='color:#444444'>Why: {escape(c.why)}</span>"
        "</td></tr></table>"
    )


def charges_html(data: PersonCharges, selected: int | None = None) -> str:
    """The panel's text: a summary, then each case with its charges."""
    person = data.person
    if person is None:
        return "<p>No cannabis charge on any of this person's records.</p>"
    links = "every link confirmed by a person" if person.confirmed else (
        "links not all confirmed by a person; once confirmed: "
        + CATEGORY_TEXT[person.if_confirmed]
    )  # fmt: skip
    out = [
        f"<p>{_category(person.category, person.reason)}<br>{escape(person.why)}; "
        f"{escape(links)}. <span style='color:#555555'>Rules "
        f"{escape(data.rules_version)}.</span></p>"
    ]
    explained: set[str] = set()
    for row in data.rows:
        day = row.offense_date.isoformat() if row.offense_date else "unknown"
        case = row.case_number or "(no case: arrest only)"
        out.append(
            f"<h4 style='margin-bottom:2px'>Case {escape(case)} · offence {day} · "
            f"{_category(row.category, row.reason)}</h4>"
        )
        for c in data.charges:
            if c.record_key in row.record_keys:
                explain = c.rule_id not in explained
                explained.add(c.rule_id)
                out.append(_charge_html(c, c.record_key == selected, explain=explain))
    return "".join(out)


class AdaptiveSplitter(QSplitter):
    """Side by side when there is room for both, else the charges go below.

    The timeline needs about 1,000 pixels before its columns stop being cut
    off, and the charges about 450 to be read without a line per word; on
    a narrower page stacking them keeps both whole instead of clipping both.
    """

    SIDE_BY_SIDE_MIN = 1700
    WIDE_SHARE, TALL_SHARE = 0.62, 0.42  # the timeline's part of the room

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        wide = size.width() >= self.SIDE_BY_SIDE_MIN
        wanted = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        super().resizeEvent(event)
        if self.orientation() != wanted or not self._placed:
            self._placed = True
            self.setOrientation(wanted)
            room = size.width() if wide else size.height()
            first = int(room * (self.WIDE_SHARE if wide else self.TALL_SHARE))
            self.setSizes([first, room - first])

    _placed = False


class IdentityCharges(QWidget):
    """The charges panel; ``place_beside`` puts it next to the timeline."""

    charges_shown = Signal(int)  # the identity whose charges are now shown

    def __init__(self, session: Any, timeline: QTreeWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.timeline = timeline
        self.data: PersonCharges | None = None
        self.title = QLabel("<b>Cannabis charges</b>")
        self.packet_button = QPushButton("Evidence &packet…")
        self.packet_button.setToolTip(
            READ_ONLY_WHY
            if session.readonly
            else "Write this person's evidence packet (PDF); the export is logged"
        )
        self.packet_button.setEnabled(False)
        self.packet_button.setVisible(not session.readonly)
        self.packet_button.clicked.connect(self._on_packet_button_clicked)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.packets = PacketExporter(session, parent)
        self.packets.message.connect(self.message.setText)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.packet_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        # The timeline is refilled item by item; follow it once it settles.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.follow_timeline)
        model = timeline.model()
        model.rowsInserted.connect(self._timer.start)
        model.modelReset.connect(self._timer.start)
        model.rowsRemoved.connect(self._timer.start)
        timeline.currentItemChanged.connect(lambda *_: self._render())

    def place_beside(self, timeline: QWidget, layout: QLayout) -> QSplitter:
        """Put the timeline and this panel side by side where the timeline was.

        The splitter takes the timeline's place in ``layout`` (its stretch
        too) before the timeline moves into it: a widget moved first would
        already have left the layout, and the splitter would go nowhere.
        """
        split = AdaptiveSplitter()
        layout.replaceWidget(timeline, split)
        split.addWidget(timeline)
        split.addWidget(self)
        split.setChildrenCollapsible(False)
        return split

    def follow_timeline(self) -> None:
        """Show the charges of the identity the timeline holds now."""
        key = self._first_record_key()
        identity = (
            None if key is None else rq.identity_of_record(self.session.read, key)
        )
        if identity is None:
            self.data = None
            self.title.setText("<b>Cannabis charges</b>")
            self.text.setHtml("")
            self.packet_button.setEnabled(False)
            return
        self.show_identity(identity)

    def show_identity(self, identity_id: int) -> None:
        self.data = identity_charges(self.session.read, identity_id)
        count = len(self.data.charges) if self.data else 0
        self.title.setText(
            f"<b>Cannabis charges</b> · {count} record{'s' * (count != 1)}"
        )
        self.packet_button.setEnabled(
            self.data is not None and not self.session.readonly
        )
        self._render()
        if self.data is not None:
            self.charges_shown.emit(self.data.identity_id)

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def _first_record_key(self) -> int | None:
        for i in range(self.timeline.topLevelItemCount()):
            top = self.timeline.topLevelItem(i)
            for j in range(top.childCount() if top is not None else 0):
                child = top.child(j) if top is not None else None
                key = None if child is None else child.data(0, KEY_ROLE)
                if key is not None:
                    return int(key)
        return None

    def _render(self) -> None:
        if self.data is None:
            return
        item = self.timeline.currentItem()
        selected = None if item is None else item.data(0, KEY_ROLE)
        scroll = self.text.verticalScrollBar().value()
        self.text.setHtml(charges_html(self.data, selected))
        if selected is not None and any(
            c.record_key == selected for c in self.data.charges
        ):
            self.text.scrollToAnchor(f"r{selected}")
            bar = self.text.verticalScrollBar()  # keep its case's heading in view
            bar.setValue(bar.value() - 3 * self.text.fontMetrics().height())
        else:
            self.text.verticalScrollBar().setValue(scroll)

    def _on_packet_button_clicked(self) -> None:
        if self.data is not None:
            self.packets.start(self.data.identity_id)

"""The pair view: two records in aligned columns, and why the model scored them.

This is where a records clerk spends the day, so it answers the three
questions of every decision at a glance: *what differs* (fields that agree
are quiet, differing characters are marked), *how much it matters* (each
comparison's level and a signed weight bar, green for, red against) and
*who else is involved* (the records already in each side's identity). The
original source rows are one click away. Widgets are built once and only
their text changes between pairs, so the next pair shows within a frame.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.review_queries import FieldDiff, PairDetail
from matching.fields import FIELDS_BY_NAME
from ui.diff_markup import diff_markup
from ui.members_list import MembersList
from ui.original_rows import OriginalRows
from ui.weight_bar import WeightBar

# What happened, not who: shown for context, never marked as disagreeing.
EVENT_FIELDS = frozenset({"event_date", "statute", "charge", "disposition", "age"})
# Free text may wrap; an identifier or a date must stay on one line (Qt would
# break "2006-CM-0000180" at its hyphens).
WRAPPING_FIELDS = frozenset({"statute", "charge", "disposition", "street"})
MISSING = "<i>—</i>"


def _label(field: str) -> str:
    known = FIELDS_BY_NAME.get(field)
    return known.label if known else field


class _FieldRow:
    """One reusable grid row: field, left, right, comparison level, bar."""

    def __init__(self, grid: QGridLayout, row: int) -> None:
        self.name = QLabel()
        self.left = QLabel()
        self.right = QLabel()
        self.level = QLabel()
        self.bar = WeightBar()
        for column, label in enumerate((self.name, self.left, self.right, self.level)):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(label, row, column)
        self.level.setWordWrap(True)
        grid.addWidget(self.bar, row, 4)
        self.left_html = self.right_html = ""
        self.differs = False

    def show(
        self,
        field: str,
        left: str | None,
        right: str | None,
        evidence: FieldDiff | None,
        *,
        high_contrast: bool,
        scale: float,
        quiet_colour: str,
    ) -> None:
        comparable = left is not None and right is not None
        self.differs = comparable and left != right and field not in EVENT_FIELDS
        if self.differs:
            lh, rh = diff_markup(left or "", right or "", high_contrast=high_contrast)
        else:
            lh = MISSING if left is None else escape(left)
            rh = MISSING if right is None else escape(right)
        self.left_html, self.right_html = lh, rh
        wrap = field in WRAPPING_FIELDS
        if self.left.wordWrap() != wrap:
            self.left.setWordWrap(wrap)
            self.right.setWordWrap(wrap)

        # Colour goes in the rich text, not in style sheets: setStyleSheet
        # re-polishes the widget, and sixty of them per pair cost frames.
        def quiet(html: str) -> str:
            return f'<span style="color:{quiet_colour}">{html}</span>'

        if self.differs:
            self.name.setText(f"<b>{escape(_label(field))}</b>")
            self.left.setText(lh)
            self.right.setText(rh)
        else:
            self.name.setText(quiet(escape(_label(field))))
            self.left.setText(quiet(lh))
            self.right.setText(quiet(rh))
        if evidence is None or evidence.missing:
            self.level.setText("" if evidence is None else quiet("<i>not compared</i>"))
            self.bar.set_value(None, scale)
        else:
            self.level.setText(escape(evidence.level))
            self.bar.set_value(evidence.contribution, scale)
        self.set_visible(True)

    def set_visible(self, visible: bool) -> None:
        for widget in (self.name, self.left, self.right, self.level, self.bar):
            widget.setVisible(visible)


class PairView(QWidget):
    """Shows one ``PairDetail``; emits navigation requests, never writes."""

    identity_requested = Signal(int)
    record_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail: PairDetail | None = None
        self._hide_scores = False
        self._high_contrast = False
        self.standing_label = QLabel()
        self.score_label = QLabel()
        self.score_label.setTextFormat(Qt.TextFormat.RichText)
        self.left_title, self.right_title = QLabel(), QLabel()
        for title in (self.left_title, self.right_title):
            title.setWordWrap(True)
            title.linkActivated.connect(
                lambda link: self.identity_requested.emit(int(link.split(":")[1]))
            )
        self.left_members, self.right_members = MembersList(), MembersList()
        for members in (self.left_members, self.right_members):
            members.identity_requested.connect(self.identity_requested)
            members.record_requested.connect(self.record_requested)

        grid_host = QWidget()
        self._grid = QGridLayout(grid_host)
        self._grid.setHorizontalSpacing(16)
        for column, stretch in ((1, 4), (2, 4), (3, 3), (4, 2)):
            self._grid.setColumnStretch(column, stretch)
        self._grid.setColumnMinimumWidth(3, 170)
        self._grid.setColumnMinimumWidth(4, 130)
        for column, text in enumerate(("", "", "", "Comparison", "Weight")):
            header = QLabel(f"<b>{text}</b>")
            if text == "Weight":
                header.setToolTip(
                    "Each comparison's evidence in log2 units: right of the line "
                    "for the same person, left against"
                )
            self._grid.addWidget(header, 0, column)
        self._grid.addWidget(self.left_title, 0, 1)
        self._grid.addWidget(self.right_title, 0, 2)
        self._rows: list[_FieldRow] = []
        # Far below any field row (fields are added above it as needed).
        self.prior_row = _FieldRow(self._grid, 1000)
        self._grid.setRowStretch(1001, 1)
        scroll = QScrollArea()
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.original = OriginalRows()
        self.stack = QStackedWidget()
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.original)

        top = QHBoxLayout()
        top.addWidget(self.standing_label, 1)
        top.addWidget(self.score_label)
        middle = QHBoxLayout()
        middle.addWidget(self.left_members)
        middle.addWidget(self.stack, 1)
        middle.addWidget(self.right_members)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        self.show_pair(None)

    # -- options ---------------------------------------------------------------

    def set_hide_scores(self, hide: bool) -> None:
        """Hide the model's probability and total, so it cannot anchor a reviewer."""
        self._hide_scores = hide
        self._show_score()

    def set_high_contrast(self, on: bool) -> None:
        self._high_contrast = on
        self.show_pair(self._detail)

    def show_original(self, on: bool) -> None:
        """Swap the normalised fields for the rows as the files had them."""
        self.stack.setCurrentIndex(1 if on else 0)
        if on and self._detail is not None:
            self.original.show_records(self._detail.left, self._detail.right)

    def showing_original(self) -> bool:
        return self.stack.currentIndex() == 1

    # -- content ---------------------------------------------------------------

    def detail(self) -> PairDetail | None:
        return self._detail

    def show_pair(self, detail: PairDetail | None) -> None:
        self._detail = detail
        if detail is None:
            self.standing_label.setText("No pair selected.")
            self.left_title.clear()
            self.right_title.clear()
            for row in (*self._rows, self.prior_row):
                row.set_visible(False)
            self.score_label.clear()
            self.left_members.setVisible(False)
            self.right_members.setVisible(False)
            return
        self._show_titles(detail)
        self._show_fields(detail)
        self._show_score()
        if self.showing_original():  # filled only when shown: it is rarely open
            self.original.show_records(detail.left, detail.right)
        d = detail
        self.left_members.show_members(d.left, d.left_members, d.left_member_count)
        self.right_members.show_members(d.right, d.right_members, d.right_member_count)
        self.left_members.setVisible(True)
        # Both records in one identity: one list says it; the room goes to the
        # comparison (on a 1366-pixel laptop the weights were cut off).
        self.right_members.setVisible(d.left.identity_id != d.right.identity_id)

    def _show_titles(self, detail: PairDetail) -> None:
        sides = ((self.left_title, detail.left), (self.right_title, detail.right))
        for title, record in sides:
            title.setText(
                f"<b>{escape(record.source)}</b> record {escape(record.record_id)}"
                f'<br><a href="identity:{record.identity_id}">identity '
                f"#{record.identity_id}</a>"
            )
        s = detail.standing
        same = (
            " Both records are already in one identity." if detail.same_identity else ""
        )
        if s is None:
            self.standing_label.setText(f"Pair {detail.pair_id}: waiting.{same}")
        else:
            note = f" ({escape(s.note)})" if s.note else ""
            again = ""
            if s.rereview:
                changed = "; ".join(escape(c) for c in s.changes[:4]) or "its values"
                more = f" and {len(s.changes) - 4} more" if len(s.changes) > 4 else ""
                again = (
                    f"<br><b>Decide again:</b> a newer export changed {changed}{more}."
                )
            self.standing_label.setText(
                f"Pair {detail.pair_id}: <b>{s.kind}</b> by {escape(s.actor)}, "
                f"{s.at[:16].replace('T', ' ')} UTC{note}.{same}{again}"
            )

    def _show_fields(self, detail: PairDetail) -> None:
        by_field: dict[str, FieldDiff] = {}
        for evidence in detail.evidence:
            shown = [f for f in evidence.fields if f in detail.fields]
            if shown:
                by_field[shown[0]] = evidence
        weights = [abs(e.contribution) for e in detail.evidence]
        scale = min(20.0, max(8.0, *weights, abs(detail.prior_weight)))
        quiet = self._quiet_colour()
        while len(self._rows) < len(detail.fields):
            self._rows.append(_FieldRow(self._grid, len(self._rows) + 1))
        for row, field in zip(self._rows, detail.fields, strict=False):
            row.show(
                field,
                detail.left.values.get(field),
                detail.right.values.get(field),
                by_field.get(field),
                high_contrast=self._high_contrast,
                scale=scale,
                quiet_colour=quiet,
            )
        for row in self._rows[len(detail.fields) :]:
            row.set_visible(False)
        prior = FieldDiff(
            "prior", (), "Starting odds, before any field", detail.prior_weight, False
        )
        self.prior_row.show(
            "", None, None, prior, high_contrast=False, scale=scale, quiet_colour=quiet
        )
        self.prior_row.name.setText("<i>Prior</i>")
        self.prior_row.left.clear()
        self.prior_row.right.clear()
        self._scale = scale

    def _quiet_colour(self) -> str:
        """Text 60 % of the way from the background: quiet but still legible
        (about 5.6:1 on the default grey); plain text in high contrast."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        if self._high_contrast:
            return text.name()
        back = palette.color(QPalette.ColorRole.Window)
        mixed = [
            round(0.6 * t + 0.4 * b)
            for t, b in zip(text.getRgb()[:3], back.getRgb()[:3], strict=True)
        ]
        return "#{:02x}{:02x}{:02x}".format(*mixed)

    def _show_score(self) -> None:
        detail = self._detail
        hidden = self._hide_scores or detail is None
        self.score_label.setVisible(not hidden)
        self.prior_row.set_visible(not hidden and detail is not None)
        if detail is not None and not hidden:
            self.score_label.setText(
                f"Match probability <b>{detail.probability:.1%}</b> "
                f"(weight {detail.weight:+.1f}, {detail.band} band)"
            )

    # -- inspection (tests, accessibility) -------------------------------------

    def field_html(self, field: str) -> tuple[str, str]:
        """The rich text shown for a field on each side."""
        assert self._detail is not None
        row = self._rows[self._detail.fields.index(field)]
        return row.left_html, row.right_html

    def field_differs(self, field: str) -> bool:
        assert self._detail is not None
        return self._rows[self._detail.fields.index(field)].differs

    def bar_for(self, comparison: str) -> WeightBar | None:
        """The bar drawn for a comparison (on its first shown field)."""
        assert self._detail is not None
        for evidence in self._detail.evidence:
            shown = [f for f in evidence.fields if f in self._detail.fields]
            if evidence.comparison == comparison and shown:
                return self._rows[self._detail.fields.index(shown[0])].bar
        return None

    def score_visible(self) -> bool:
        return not self.score_label.isHidden()

"""The eligibility screen's table: one row per person, sortable, Qt model/view.

A county may have tens of thousands of people with cannabis records, so the
view holds only the already-built :class:`app.eligibility_people.EligiblePerson`
list (built off the GUI thread) and draws cells on demand; sorting and
filtering reorder that list in Python, which takes milliseconds at that size,
instead of a proxy model asking for every cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.eligibility_people import EligibilityFilter, EligiblePerson
from matching.eligibility import Category

CATEGORY_TEXT: dict[Category, str] = {
    Category.NON_CONVICTION_MINOR: "Non-conviction, minor",
    Category.CONVICTION_MINOR: "Conviction, minor",
    Category.MOTION_TO_VACATE: "Motion to vacate",
    Category.NOT_ELIGIBLE: "Not eligible",
    Category.NEEDS_REVIEW: "Needs review",
}
CATEGORY_TIP: dict[Category, str] = {
    Category.NON_CONVICTION_MINOR: "Minor cannabis records that did not end in a "
    "conviction: police and court records to clear.",
    Category.CONVICTION_MINOR: "A minor cannabis conviction (up to 30 g).",
    Category.MOTION_TO_VACATE: "Convictions cleared only on a motion to vacate "
    "(possession up to 500 g, delivery up to 30 g).",
    Category.NOT_ELIGIBLE: "Not eligible: amount, Section 7, a violent co-charge, "
    "trafficking or cultivation.",
    Category.NEEDS_REVIEW: "A person must look first: an unreadable statute, a "
    "missing disposition or date, or links nobody confirmed.",
}
PERSON_ROLE = Qt.ItemDataRole.UserRole
_ORDER = {c: i for i, c in enumerate(Category)}  # the screen's order, not A-Z
# Starting widths: measuring every row to fit (ResizeToContents) would read
# all of tens of thousands of people on each change.
WIDTHS = (70, 220, 95, 165, 140, 55, 195, 110)

Index = QModelIndex | QPersistentModelIndex


def _dates(p: EligiblePerson) -> str:
    first, last = p.first_offense, p.last_offense
    if first is None:
        return "unknown"
    return first.isoformat() if first == last else f"{first} to {last}"


def _reason(p: EligiblePerson) -> str:
    return p.reason.value.replace("_", " ") if p.reason else ""


# header, cell text, sort key
_Column = tuple[str, Callable[[EligiblePerson], str], Callable[[EligiblePerson], Any]]
COLUMNS: tuple[_Column, ...] = (
    ("Identity", lambda p: str(p.identity_id), lambda p: p.identity_id),
    ("Name", lambda p: p.name, lambda p: p.name),
    ("DOB", lambda p: p.dob, lambda p: p.dob),
    ("Category", lambda p: CATEGORY_TEXT[p.category], lambda p: _ORDER[p.category]),
    ("Reason", _reason, _reason),
    ("Cases", lambda p: str(p.cases), lambda p: p.cases),
    ("Offence dates", _dates, lambda p: p.first_offense or date.max),
    ("Links", lambda p: "confirmed" if p.confirmed else "not confirmed",
     lambda p: p.confirmed),
    ("Once confirmed", lambda p: CATEGORY_TEXT[p.if_confirmed],
     lambda p: _ORDER[p.if_confirmed]),
)  # fmt: skip


class EligibilityModel(QAbstractTableModel):
    """People with cannabis cases; the filter decides which rows exist."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[EligiblePerson] = []
        self._shown: list[EligiblePerson] = []
        self._filter = EligibilityFilter()
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    # -- Qt ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        person = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](person)
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() in (3, 4):
                return person.why
            if index.column() == 7 and not person.confirmed:
                return "The model linked these records; confirm them in review."
        if role == PERSON_ROLE:
            return person.identity_id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._apply_sort()
        self.layoutChanged.emit()

    # -- ours --------------------------------------------------------------------

    def set_people(self, people: Sequence[EligiblePerson]) -> None:
        self.beginResetModel()
        self._all = list(people)
        self._rebuild()
        self.endResetModel()

    def set_filter(self, where: EligibilityFilter) -> None:
        self.beginResetModel()
        self._filter = where
        self._rebuild()
        self.endResetModel()

    def people(self) -> list[EligiblePerson]:
        """Every person the last computation found, filtered or not."""
        return list(self._all)

    def shown(self) -> list[EligiblePerson]:
        return list(self._shown)

    def person_at(self, row: int) -> EligiblePerson | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def _rebuild(self) -> None:
        where = self._filter
        self._shown = [p for p in self._all if where.keeps_person(p)]
        self._apply_sort()

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = COLUMNS[column][2]
        self._shown.sort(
            key=lambda p: (key(p), p.identity_id),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

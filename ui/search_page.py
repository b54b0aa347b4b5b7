"""Find a person by a misspelt name, a birth date or any number on a record.

Requests arrive as "Jon Smyth, born 3/4/85" or a case number read over the
phone, so one box takes all of them and the results are people (identities)
with their matching records beneath, never a flat list of rows to piece
together. Typing searches after a short pause; Enter searches at once, and
Down moves from the box into the results (Enter there opens the person).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import review_queries as rq
from app.name_index import warm, worth_warming
from ui.actions import make_action
from ui.tasks import Task, run_in_background

TYPING_PAUSE_MS = 300
COLUMNS = ("Person / record", "DOB", "Event date", "Matched on", "Score")
KIND_TEXT = {
    "name": "names like",
    "dob": "born on",
    "identifier": "records numbered",
}


class SearchPage(QWidget):
    """One search box; results grouped by identity."""

    title = "Search"
    IdentityRole = Qt.ItemDataRole.UserRole + 1
    RecordRole = Qt.ItemDataRole.UserRole + 2

    def __init__(
        self, session: Any, settings: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.result: rq.SearchResult | None = None
        self._warm_task: Task | None = None
        self.box = QLineEdit()
        self.box.setPlaceholderText(
            "Name (SMITH, JOHN or John Smith), birth date, or SID / FBI / IR / "
            "booking / case / record number"
        )
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName("Search")
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        for column in range(1, len(COLUMNS)):
            self.tree.header().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run_search)
        self.box.textEdited.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self.run_search)
        self.tree.itemActivated.connect(self._on_activated)
        self.box.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self._actions = [
            self._act("&Find", ["Ctrl+F"], self.focus_box, "Type a name or number"),
            self._act(
                "Open &identity", ["Ctrl+Return"], self.open_selected,
                "Show the selected person's records on a timeline",
            ),
        ]  # fmt: skip

    def _act(self, text: str, keys: list[str], slot: Any, tip: str) -> QAction:
        action = make_action(self, text, shortcuts=keys, tip=tip)
        action.triggered.connect(slot)
        return action

    def showEvent(self, event: QShowEvent) -> None:
        """The first time the page shows, build the name index off the GUI
        thread (a fifth of a second at a million records), ready for typing;
        a small workspace builds it on the first search in milliseconds."""
        super().showEvent(event)
        if self._warm_task is None and worth_warming(self.session.read):
            # Kept: the pool does not own the task.
            self._warm_task = run_in_background(
                partial(warm, self.session.path, actor=self.session.actor)
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box goes to the results, as in a browser's
        address bar, so the keyboard never has to Tab past other controls."""
        if (
            watched is self.box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.tree.topLevelItemCount()
        ):
            self.tree.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def search(self, text: str) -> rq.SearchResult:
        """Search for ``text`` now and show the results (also used by tests)."""
        self.box.setText(text)
        self.run_search()
        assert self.result is not None
        return self.result

    def run_search(self) -> None:
        self._timer.stop()
        text = self.box.text()
        self.result = rq.search(self.session.read, text)
        self.tree.clear()
        groups: dict[int, list[rq.SearchHit]] = {}
        for hit in self.result.hits:
            groups.setdefault(hit.identity_id, []).append(hit)
        for identity_id, hits in groups.items():
            best = hits[0]
            size = best.identity_size
            top = QTreeWidgetItem(
                self.tree,
                [
                    f"Identity #{identity_id} · {best.name} · "
                    f"{size} record{'s' * (size != 1)}",
                    best.dob or "",
                    "",
                    "",
                    f"{max(h.score for h in hits):.0f}",
                ],
            )
            top.setData(0, self.IdentityRole, identity_id)
            for hit in hits:
                child = QTreeWidgetItem(
                    top,
                    [
                        f"{hit.source} {hit.record_id} · {hit.name}",
                        hit.dob or "",
                        hit.event_date or "",
                        hit.matched_on.replace("_", " "),
                        f"{hit.score:.0f}",
                    ],
                )
                child.setData(0, self.IdentityRole, identity_id)
                child.setData(0, self.RecordRole, hit.key)
        self.tree.expandAll()
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        if self.result.kind == "empty":
            self.summary.clear()
        else:
            records = len(self.result.hits)
            self.summary.setText(
                f"{len(groups)} people, {records} records: "
                f"{KIND_TEXT[self.result.kind]} “{text.strip()}”"
                + (" (showing the best 200)" if records >= 200 else "")
            )

    def identities(self) -> list[int]:
        """Identity ids listed, in order (for tests)."""
        return [
            self.tree.topLevelItem(i).data(0, self.IdentityRole)
            for i in range(self.tree.topLevelItemCount())
        ]

    def open_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._on_activated(item)

    def _on_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        record = item.data(0, self.RecordRole)
        if record is not None:
            self.session.record_requested.emit(record)
        else:
            self.session.identity_requested.emit(item.data(0, self.IdentityRole))

"""Merge two identities: find the other person by name, DOB or number first.

A reviewer who sees that two identities are one person rarely knows the
other identity's number; they know a name ("the Jon Smyth born 1985") or a
case number. So the merge dialog carries the search box of the Search page
(the same ``app`` search, misspellings forgiven) above the number: choosing
a result fills in the number, and the usual reason is still required.
Everything is reachable from the keyboard: type, Enter or Down to the
results, Enter to choose, then the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from app import review_queries as rq
from ui.reason_dialog import ReasonDialog

TYPING_PAUSE_MS = 300
SHOWN = 50
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _people(result: rq.SearchResult, *, exclude: int | None) -> list[tuple[int, str]]:
    """One line per identity found, best first, without the one being merged into."""
    seen: dict[int, str] = {}
    for hit in result.hits:
        if hit.identity_id == exclude or hit.identity_id in seen:
            continue
        born = f" · born {hit.dob}" if hit.dob else ""
        size = hit.identity_size
        seen[hit.identity_id] = (
            f"#{hit.identity_id} · {hit.name}{born} · {size} record{'s' * (size != 1)}"
        )
    return list(seen.items())[:SHOWN]


class MergeDialog(ReasonDialog):
    """A reason dialog asking for the other identity, with a search to find it.

    Args:
        this_identity: the identity being merged into (left out of results).
        search: runs the workspace search for the typed text.
        describe_identity: what to show for a typed identity number (None =
            no such identity), as in ``ReasonDialog``.
    """

    IdentityRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        prompt: str,
        parent: QWidget | None = None,
        *,
        this_identity: int | None,
        search: Callable[[str], rq.SearchResult],
        describe_identity: Callable[[int], str | None],
    ) -> None:
        super().__init__(
            "Merge identities", prompt, parent, describe_identity=describe_identity
        )
        self._this = this_identity
        self._search = search
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Name, birth date or any number")
        self.search_box.setAccessibleName("Find the other person")
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("People found")
        self.results.setMinimumWidth(460)
        self.results.setFixedHeight(150)
        self.form.insertRow(0, "&Find the other person:", self.search_box)
        self.form.insertRow(1, "", self.results)
        self.identity_box.setAccessibleName("Other identity number")
        self.setTabOrder(self.search_box, self.results)
        self.setTabOrder(self.results, self.identity_box)
        self.setTabOrder(self.identity_box, self.reason_box)
        self.setTabOrder(self.reason_box, self.note_box)
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_box.textEdited.connect(lambda _t: self._timer.start())
        self.results.currentItemChanged.connect(self._on_results_current_changed)
        self.results.itemActivated.connect(lambda _i: self.reason_box.setFocus())
        self.search_box.installEventFilter(self)
        self.results.installEventFilter(self)

    def showEvent(self, event: QShowEvent) -> None:
        """Open with the cursor in the search box (not on the first field)."""
        super().showEvent(event)
        self.search_box.setFocus()

    def run_search(self) -> None:
        """Search now and list the people found (the first one is chosen)."""
        self._timer.stop()
        text = self.search_box.text()
        people = _people(self._search(text), exclude=self._this) if text.strip() else []
        self.results.clear()
        for identity_id, line in people:
            item = QListWidgetItem(line, self.results)
            item.setData(self.IdentityRole, identity_id)
        if people:
            self.results.setCurrentRow(0)
        elif text.strip():
            self.identity_preview.setText(
                "Nobody found; try fewer letters or a number."
            )

    def found(self) -> list[int]:
        """Identity ids listed, in order (for tests and the walk-through)."""
        return [
            self.results.item(i).data(self.IdentityRole)
            for i in range(self.results.count())
        ]

    def _on_results_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            self.identity_box.setText(str(current.data(self.IdentityRole)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the search box searches (it must not press OK); Down
        goes to the results; Enter on a result chooses it and moves on."""
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if watched is self.search_box and key in (*_ENTER, Qt.Key.Key_Down):
            if key in _ENTER or not self.results.count():
                self.run_search()
            self.results.setFocus()
            return True
        if watched is self.results and key in _ENTER:
            self.reason_box.setFocus()
            return True
        return super().eventFilter(watched, event)

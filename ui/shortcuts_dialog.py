"""Help ▸ Keyboard shortcuts: a searchable list of every action and its keys."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.actions import plain_text, shortcut_text


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard shortcuts: every action the window has, by menu.

    Built from the live ``QAction`` objects, page actions included, so it
    lists what the keys do now rather than what a manual once said.
    """

    def __init__(
        self, groups: Sequence[tuple[str, Sequence[QAction]]], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(1000, 640)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type to filter, e.g. import or Ctrl+O")
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setClearButtonEnabled(True)
        label = QLabel("&Find:", self)
        label.setBuddy(self.filter)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Action", "Keys", "What it does"])
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(False)
        for title, actions in groups:
            group = QTreeWidgetItem(self.tree, [plain_text(title)])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            for action in actions:
                if action.isSeparator() or action.menu() or not action.text():
                    continue
                item = QTreeWidgetItem(
                    group,
                    [
                        plain_text(action.text()),
                        shortcut_text(action),
                        action.statusTip(),
                    ],
                )
                item.setToolTip(2, action.statusTip())
            group.setExpanded(True)
        for column in (0, 1):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 320))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._on_filter_text_changed)

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, action, keys) for every listed action, for tests."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                child = group.child(j)
                out.append((group.text(0), child.text(0), child.text(1)))
        return out

    def _on_filter_text_changed(self, text: str) -> None:
        needle = text.casefold().strip()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                child = group.child(j)
                hay = " ".join(child.text(c) for c in range(3)).casefold()
                child.setHidden(bool(needle) and needle not in hay)
                shown += not child.isHidden()
            group.setHidden(shown == 0)

"""Sources: every imported file with its counts, and the rows it rejected.

The auditor's first question about any identity is "where did this record
come from, and what did the import leave out?". The upper table answers the
first for each file; selecting a file lists its rejected rows, each with its
line and reason, below.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import overview
from ui.actions import make_action
from ui.import_models import SORT_ROLE, ImportsModel, RejectsModel, make_table
from ui.import_wizard import open_import_wizards
from ui.session import Session
from ui.settings import Settings

EMPTY_TEXT = (
    "No files imported yet. Import the clerk, arrest and disposition exports "
    "with Import agency file (Ctrl+I), or drag the files onto this window."
)


class SourcesPage(QWidget):
    """The imports table and, for the selected import, its rejects."""

    title = "Sources"

    def __init__(
        self, session: Session, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        heading = QLabel("Sources", self)
        heading.setProperty("role", "heading")
        self.import_button = QPushButton("&Import agency file…", self)
        self.import_button.setProperty("role", "primary")
        self.import_button.setAccessibleName("Import agency file")
        self.import_button.setEnabled(not session.readonly)
        self.import_button.setVisible(not session.readonly)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setProperty("role", "notice")
        self.empty.setWordWrap(True)

        self.imports = ImportsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.imports)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = make_table(self, "imports_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("Imported files")
        header = self.table.horizontalHeader()
        # Few rows, all of them read: every column as wide as its text.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed
        )
        files_label = QLabel("Imported fi&les", self)
        files_label.setBuddy(self.table)

        self.rejects = RejectsModel(self)
        self.rejects_table = make_table(self, "rejects_table")
        self.rejects_table.setModel(self.rejects)
        self.rejects_table.setAccessibleName("Rejected rows of the selected file")
        header = self.rejects_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.rejects_label = QLabel(self)
        self.rejects_label.setBuddy(self.rejects_table)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(files_label)
        top_layout.addWidget(self.table)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.rejects_label)
        bottom_layout.addWidget(self.rejects_table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setChildrenCollapsible(False)

        row = QHBoxLayout()
        row.addWidget(heading)
        row.addStretch(1)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(row)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.import_button, self.table)
        self.setTabOrder(self.table, self.rejects_table)

        self._actions = self._make_actions()
        self.splitter.restoreState(settings.header_state("sources.splitter"))
        session.data_changed.connect(self._on_session_data_changed)
        self.reload()

    def _make_actions(self) -> list[QAction]:
        refresh = make_action(
            self,
            "&Refresh",
            icon_name="refresh",
            shortcuts=["F5"],
            tip="Read the list of imports again",
        )
        refresh.triggered.connect(self.reload)
        show_rejects = make_action(
            self,
            "Show re&jected rows",
            icon_name="rejects",
            tip="Move to the rejected rows of the selected file",
        )
        show_rejects.triggered.connect(self.rejects_table.setFocus)
        return [refresh, show_rejects]

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    def reload(self, *, newest: bool = False) -> None:
        """Read the imports again, keeping the selection (or selecting the newest)."""
        selected = None if newest else self.selected_import_id()
        self.imports.set_rows(overview.imports_overview(self.session.read))
        self.empty.setVisible(self.imports.rowCount() == 0)
        self.splitter.setVisible(self.imports.rowCount() > 0)
        row = self.imports.row_of(selected) if selected is not None else -1
        if row < 0:
            row = self.imports.rowCount() - 1  # the newest import
        if row >= 0:
            self.table.selectRow(
                self.proxy.mapFromSource(self.imports.index(row, 0)).row()
            )
        else:
            self._show_rejects(None)

    def selected_import_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.imports.import_at(self.proxy.mapToSource(rows[0]).row()).id

    def select_import(self, import_id: int) -> None:
        row = self.imports.row_of(import_id)
        if row >= 0:
            self.table.selectRow(
                self.proxy.mapFromSource(self.imports.index(row, 0)).row()
            )

    def _show_rejects(self, import_id: int | None) -> None:
        if import_id is None:
            self.rejects.set_source(None)
            self.rejects_label.setText("Re&jected rows")
            return
        imp = self.imports.import_at(self.imports.row_of(import_id))
        read = self.session.read

        def fetch(after: tuple[int, int], limit: int) -> list[overview.RejectLine]:
            return overview.rejects_page(read, import_id, after=after, limit=limit)

        self.rejects.set_source(fetch)
        name = imp.file_name.replace("&", "&&")  # a bare & would be a mnemonic
        if imp.rows_rejected:
            text = f"Re&jected rows of {name}: {imp.rows_rejected:,}"
        else:
            text = f"Re&jected rows of {name}: none, every row was imported"
        self.rejects_label.setText(text)
        self.rejects_table.resizeColumnToContents(0)
        self.rejects_table.resizeColumnToContents(1)

    def _on_table_selection_changed(self, *_: QItemSelection) -> None:
        self._show_rejects(self.selected_import_id())

    def _on_import_clicked(self) -> None:
        open_import_wizards(self.session, self.settings, [], self.window())

    def _on_session_data_changed(self, what: str) -> None:
        if what == "import":
            self.reload(newest=True)

    def save_state(self) -> None:
        """Called by the window on close: the splitter survives a restart."""
        self.settings.set_header_state("sources.splitter", self.splitter.saveState())

"""The import wizard and its table models, driven through their real widgets."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from app import overview
from app.workspace import records as store
from tests.conftest import snapshot
from ui.import_models import ImportsModel, PreviewModel, RejectsModel
from ui.import_source_page import guess_source
from ui.import_wizard import ImportWizard, PageId
from ui.jobs import write_jobs
from ui.tasks import run_in_background


def make_wizard(qtbot: Any, session: Any, settings: Any) -> ImportWizard:
    wizard = ImportWizard(session, settings)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def to_columns(qtbot: Any, wizard: ImportWizard, path: Path) -> None:
    """Type the path as a clerk would, wait for the preview, go on."""
    wizard.file_page.path_edit.setText(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=15_000)
    wizard.next()
    assert wizard.currentId() == PageId.COLUMNS


def to_import(qtbot: Any, wizard: ImportWizard, source: str) -> None:
    wizard.next()
    assert wizard.currentId() == PageId.SOURCE
    wizard.source_page.name.setCurrentText(source)
    wizard.next()  # the commit button: "Import"
    assert wizard.currentId() == PageId.IMPORT


def bug_dialogs() -> list[Any]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "bug_dialog" and w.isVisible()
    ]


def ragged_copy(ui_sample: Path, tmp_path: Path) -> Path:
    """The head of the clerk file plus two rows with the wrong number of fields."""
    lines = (ui_sample / "clerk.csv").read_text(encoding="utf-8").splitlines()
    body = [*lines[:20], '"X1","1","SHORT, ROW"', *lines[20:30], '"only one field"']
    path = tmp_path / "clerk_2026-11.csv"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def test_wizard_maps_and_imports_a_file(
    qtbot: Any, empty_session: Any, settings: Any, ui_sample: Path
) -> None:
    """The mapping the clerk confirms (not the guess) is what gets imported."""
    wizard = make_wizard(qtbot, empty_session, settings)
    to_columns(qtbot, wizard, ui_sample / "clerk.csv")
    headers = wizard.preview.headers
    guessed = wizard.preview.mapping.columns
    assert guessed["event_date"] == "OFFENSE_DT"
    # The clerk decides the filing date is the event: choose it for FILING_DT.
    combo = wizard.mapping_page.combos[headers.index("FILING_DT")]
    combo.setCurrentIndex(combo.findData("event_date"))
    offense = wizard.mapping_page.combos[headers.index("OFFENSE_DT")]
    assert offense.currentData() is None  # a field reads one column: freed
    assert "OFFENSE_DT" in wizard.mapping_page.note.text()
    model = wizard.mapping_page.preview
    header = model.headerData(headers.index("FILING_DT"), Qt.Orientation.Horizontal)
    assert "Event date" in header

    assert guess_source(wizard.path) == ("clerk", "clerk")
    with qtbot.waitSignal(wizard.imported, timeout=60_000) as blocker:
        to_import(qtbot, wizard, "clerk")
    summary = blocker.args[0]

    imports = overview.imports_overview(empty_session.read)
    assert [(i.source, i.kind, i.file_name) for i in imports] == [
        ("clerk", "clerk", "clerk.csv")
    ]
    assert imports[0].rows_imported == summary.rows_imported > 0
    assert overview.record_count(empty_session.read) == summary.rows_imported
    stored = store.list_imports(empty_session.read.conn)[0].mapping
    assert stored["event_date"] == "FILING_DT"
    assert "OFFENSE_DT" not in stored.values()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()


def test_rejected_rows_are_listed_with_line_and_reason(
    qtbot: Any, empty_session: Any, settings: Any, ui_sample: Path, tmp_path: Path
) -> None:
    """Every row is accounted for: the rejects show on the last page with lines."""
    path = ragged_copy(ui_sample, tmp_path)
    wizard = make_wizard(qtbot, empty_session, settings)
    to_columns(qtbot, wizard, path)
    with qtbot.waitSignal(wizard.imported, timeout=60_000) as blocker:
        to_import(qtbot, wizard, "clerk")
    summary = blocker.args[0]
    assert summary.rows_rejected == 2
    assert summary.rows_imported + summary.rows_rejected == summary.rows_total
    rejects = wizard.import_page.rejects
    assert rejects.rowCount() == 2
    assert [rejects.reject_at(i).line for i in range(2)] == [
        21,
        32,
    ]  # physical lines; the header is line 1
    assert "fields" in rejects.data(rejects.index(0, 1))
    assert wizard.import_page.rejects_table.isVisible()
    assert "Rejected <b>2</b>" in wizard.import_page.result.text()


def test_unreadable_file_is_explained_on_the_page(
    qtbot: Any, empty_session: Any, settings: Any, tmp_path: Path
) -> None:
    """A bad file is the user's problem to fix: a plain message, no bug report."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"")
    wizard = make_wizard(qtbot, empty_session, settings)
    wizard.file_page.path_edit.setText(str(path))
    status = wizard.file_page.status
    qtbot.waitUntil(lambda: status.property("role") == "error", timeout=15_000)
    assert "export.csv" in status.text()
    assert not wizard.file_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert bug_dialogs() == []


def test_already_imported_file_is_refused_plainly(
    qtbot: Any, session: Any, settings: Any, ui_sample: Path, workspace: Path
) -> None:
    """Importing the same file twice changes nothing and says why, in words."""
    before = snapshot(workspace)
    wizard = make_wizard(qtbot, session, settings)
    to_columns(qtbot, wizard, ui_sample / "arrest.csv")
    to_import(qtbot, wizard, "arrest")
    qtbot.waitUntil(lambda: not wizard.is_running(), timeout=60_000)
    text = wizard.import_page.result.text()
    assert "already imported" in text
    assert "Nothing was changed" in text
    assert wizard.summary is None
    assert wizard.button(QWizard.WizardButton.CustomButton1).isVisible()  # Try again
    assert bug_dialogs() == []
    assert snapshot(workspace) == before


def test_cancel_during_import_leaves_the_workspace_unchanged(
    qtbot: Any,
    session: Any,
    settings: Any,
    ui_sample: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    """Cancel waits for the rollback, then closes; the workspace is as before."""
    gate, holding = threading.Event(), threading.Event()

    def hold(**_: Any) -> None:  # keeps the one write-job thread busy
        holding.set()
        gate.wait(30)

    holder = run_in_background(hold, pool=write_jobs())
    qtbot.waitUntil(holding.is_set, timeout=5000)
    before = snapshot(workspace)
    wizard = make_wizard(qtbot, session, settings)
    to_columns(qtbot, wizard, ragged_copy(ui_sample, tmp_path))
    to_import(qtbot, wizard, "newer")
    assert wizard.is_running()
    wizard.reject()  # the Cancel button
    assert wizard.isVisible()  # not closed until the job has rolled back
    with qtbot.waitSignal(wizard.finished, timeout=60_000):
        gate.set()
    assert holder.is_cancelled() is False
    assert not wizard.isVisible()
    assert snapshot(workspace) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Clerk_2024-05.csv", ("clerk", "clerk")),
        ("police arrests.xlsx", ("police arrests", "arrest")),
        ("DISP-2019.csv", ("disp", "disposition")),
        ("2019.csv", ("2019", "other")),
    ],
)
def test_source_name_and_kind_are_guessed_from_the_file_name(
    name: str, expected: tuple[str, str]
) -> None:
    """Monthly exports keep one source name, so the date is dropped from it."""
    assert guess_source(Path(name)) == expected


def test_imports_model_passes_the_model_tester(
    qtmodeltester: Any, session: Any
) -> None:
    """The Sources table model follows Qt's model rules (no crashes in views)."""
    model = ImportsModel()
    model.set_rows(overview.imports_overview(session.read))
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_rejects_model_pages_in_as_you_scroll(qtmodeltester: Any) -> None:
    """A million rejects are read a page at a time, not all at once."""
    rows = [
        overview.RejectLine(i, "ragged", f"raw {i}", (i, i)) for i in range(1, 1201)
    ]
    calls: list[tuple[tuple[int, int], int]] = []

    def fetch(after: tuple[int, int], limit: int) -> list[overview.RejectLine]:
        calls.append((after, limit))
        return [r for r in rows if r.key > after][:limit]

    model = RejectsModel()
    model.set_source(fetch)
    assert model.rowCount() == RejectsModel.PAGE
    qtmodeltester.check(model)
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 1200
    assert calls[1][0] == (500, 500)


def test_preview_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    """The preview's headers show each column's field and follow changes."""
    model = PreviewModel()
    model.set_preview(
        ["NAME", "DOB"], [["A B", "1/2/1980"], ["C D", ""]], ["full_name", None], {}
    )
    qtmodeltester.check(model)
    model.set_field(1, "dob")
    assert "dob" in model.headerData(1, Qt.Orientation.Horizontal)

"""The Quality page: draw a sample, review it blind, see agreement, adjudicate.

It works in the auditor's read-only mode: the sample and the blind labels
live in an audit file beside the workspace (:mod:`app.audit_file`), never in
the workspace. Drawing rebuilds every candidate pair, so it runs off the GUI
thread; labels go to the audit file through their own writer thread, in
order, so the next pair shows at once. Adjudication is a ledger entry, so it
goes through ``session.write`` and its actions do not exist in read-only mode.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import quality_review as qr
from app.audit_file import SUFFIX, AuditFile, default_path
from app.errors import UserError
from app.quality import summarize
from app.quality_draw import DrawResult
from ui.quality_actions import AuditFiles, build_actions, draw_job
from ui.quality_agreement import AgreementPanel
from ui.quality_tabs import BlindTab, SampleTab
from ui.tasks import Task, run_in_background

BLIND_TAB, AGREEMENT_TAB = 1, 2


class QualityPage(QWidget):
    """Audit-file chooser above three tabs: Sample, Blind review, Agreement."""

    title = "Quality"

    def __init__(self, session: Any, settings: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.audit_path: Path | None = None
        self._files: AuditFiles | None = None
        self._task: Task | None = None
        self._pos: int | None = None
        self._pending: set[int] = set()
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setAccessibleName("Audit file")
        self.choose_button = QPushButton("Choose audi&t file…")
        self.sample_tab = SampleTab()
        self.blind_tab = BlindTab()
        self.agreement = AgreementPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sample_tab, "Sa&mple and estimates")
        self.tabs.addTab(self.blind_tab, "Bl&ind review")
        self.tabs.addTab(self.agreement, "&Agreement")
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self._actions = build_actions(self)
        self.addActions(self._actions)
        self.choose_button.clicked.connect(self.choose_audit_file)
        self.sample_tab.draw_button.clicked.connect(self.draw)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.agreement.disagreement_selected.connect(self._show_disagreement)
        session.data_changed.connect(self._on_data_changed)
        uuid = session.read.info("workspace_uuid") or ""
        self.destroyed.connect(lambda *_: self._close_files_of(self._files))
        self._uuid = uuid
        self.set_audit_file(default_path(session.path))

    # -- actions ---------------------------------------------------------------

    def page_actions(self) -> list[QAction]:
        return list(self._actions)

    def is_busy(self) -> bool:
        return self._task is not None

    def cancel_work(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # -- the audit file ------------------------------------------------------------

    @staticmethod
    def _close_files_of(files: AuditFiles | None) -> None:
        if files is not None:
            files.close()

    def set_audit_file(self, path: Path) -> None:
        """Use ``path`` (opened if it exists, created when a sample is drawn)."""
        old, self._files = self._files, None
        self._close_files_of(old)
        self.audit_path, self._pos, self._pending = path, None, set()
        message = ""
        if path.exists():
            try:
                self._files = AuditFiles(path, self._uuid)
                self._files.writer.done.connect(self._on_label_written)
                self._files.writer.failed.connect(self._on_label_failed)
            except UserError as exc:
                message, self.audit_path = str(exc), None
        if self.audit_path is None:
            self.file_label.setText(f"<b>No audit file.</b> {message}")
        else:
            state = "" if path.exists() else " (new: created when you draw a sample)"
            self.file_label.setText(f"Audit file: <b>{path.name}</b>{state}")
        self.refresh()

    def choose_audit_file(self) -> None:
        start = str(self.audit_path or default_path(self.session.path))
        name, _ = QFileDialog.getSaveFileName(
            self, "Audit file (new or existing)", start,
            f"Recordmatch audit files (*{SUFFIX});;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )  # fmt: skip
        if name:
            path = Path(name)
            self.set_audit_file(path if path.suffix else path.with_suffix(SUFFIX))

    def _reader(self) -> AuditFile | None:
        return None if self._files is None else self._files.reader

    # -- drawing -------------------------------------------------------------------

    def draw(self) -> None:
        if self.audit_path is None or self._task is not None:
            return
        reader = self._reader()
        if reader is not None and reader.has_sample():
            self.sample_tab.status.setText(
                f"{self.audit_path.name} already holds a sample; choose a new audit "
                "file to draw another."
            )
            return
        job = partial(
            draw_job, self.session.path, self.audit_path, self.session.actor,
            self.sample_tab.size_box.value(), self.sample_tab.seed_box.value(),
        )  # fmt: skip
        self.sample_tab.set_drawing(True)
        self.sample_tab.status.setText("Finding and scoring every candidate pair…")
        self._task = run_in_background(
            job,
            on_done=self._on_drawn,
            on_error=self._on_draw_failed,
            on_progress=self.sample_tab.show_progress,
        )

    def _on_drawn(self, result: DrawResult) -> None:
        self._task = None
        self.sample_tab.set_drawing(False)
        assert self.audit_path is not None
        self.set_audit_file(self.audit_path)
        self.blind_tab.message.setText(f"Drew {result.sample_size:,} pairs.")

    def _on_draw_failed(self, exc: BaseException, _tb: str) -> None:
        self._task = None
        self.sample_tab.set_drawing(False)
        self.sample_tab.status.setText(f"No sample drawn: {exc}")

    # -- blind review --------------------------------------------------------------

    def _size(self) -> int:
        """Pairs in the sample; their positions are 1 to this (set at the draw).

        Read from the file's meta, one row: each key press used to load every
        sampled pair three times over, on the GUI thread.
        """
        reader = self._reader()
        if reader is None:
            return 0
        return int(reader.meta("sample_size") or 0)

    def show_item(self, pos: int | None) -> None:
        reader = self._reader()
        self._pos = pos
        pair = None
        if reader is not None and pos is not None:
            pair = qr.blind_pair(self.session.read, reader, pos)
        self.blind_tab.view.show_pair(pair)
        self._show_progress()

    def step(self, delta: int) -> None:
        size = self._size()
        if not size:
            return
        pos = (self._pos or 0) + delta
        if 1 <= pos <= size:
            self.show_item(pos)
        elif delta > 0:
            self.blind_tab.message.setText("That was the last pair of the sample.")

    def label(self, label: str) -> None:
        """Append a blind label for the pair shown, then show the next unlabelled."""
        if self.tabs.currentIndex() != BLIND_TAB:
            self.tabs.setCurrentIndex(BLIND_TAB)  # never label a pair not in view
            return
        pair = self.blind_tab.view.pair()
        if pair is None or self._files is None:
            return
        pos, note, actor = pair.pos, self.blind_tab.take_note(), self.session.actor
        self._pending.add(pos)
        self._files.writer.submit(
            lambda audit: audit.add_label(pos, label, actor=actor, note=note), pos
        )
        done = set(self._files.reader.labels()) | self._pending
        size = self._size()
        after = (*range(pos + 1, size + 1), *range(1, pos))
        following = next((p for p in after if p not in done), None)
        self.show_item(following if following is not None else pos)
        if following is None:
            self.blind_tab.message.setText("Every pair of the sample is labelled.")

    def _on_label_written(self, pos: object, _label: object) -> None:
        self._pending.discard(int(pos))  # type: ignore[call-overload]
        self._show_progress()
        if not self._pending:
            self.refresh_estimates()

    def _on_label_failed(self, pos: object, exc: BaseException, _tb: str) -> None:
        self._pending.discard(int(pos))  # type: ignore[call-overload]
        self.blind_tab.message.setText(f"Label not saved: {exc}")

    def _show_progress(self) -> None:
        reader = self._reader()
        total = self._size()
        done = 0 if reader is None else len(set(reader.labels()) | self._pending)
        self.blind_tab.progress.setText(f"Labelled <b>{done:,}</b> of {total:,}")

    # -- agreement and adjudication ------------------------------------------------

    def _show_disagreement(self, pos: int) -> None:
        reader = self._reader()
        item = None if reader is None else reader.item(pos)
        detail = None if item is None else qr.full_detail(self.session.read, item)
        self.agreement.show_detail(detail)

    def adjudicate(self, decision: str) -> None:
        pos = self.agreement.current_position()
        if pos is None or self.audit_path is None or self.session.readonly:
            return
        path = self.audit_path
        self.session.write(
            lambda conn: qr.adjudicate(conn, path, pos, decision),
            changed="decision",
            on_error=lambda exc, _tb: self.agreement.mode_note.setText(
                f"Not adjudicated: {exc}"
            ),
        )

    # -- refreshing ----------------------------------------------------------------

    def refresh(self) -> None:
        """Show the audit file's sample, labels, estimates and agreement."""
        reader = self._reader()
        has_sample = reader is not None and reader.has_sample()
        self.sample_tab.draw_button.setEnabled(
            self.audit_path is not None and not has_sample and self._task is None
        )
        if has_sample:
            assert reader is not None
            meta = reader.all_meta()
            self.sample_tab.status.setText(
                f"This audit file holds sample {meta['sample_id'][:8]}: "
                f"{int(meta['sample_size']):,} pairs, seed {meta['seed']}, drawn "
                f"{meta['drawn_at'][:16].replace('T', ' ')} UTC by "
                f"{meta['drawn_by']} at ledger head {meta['ledger_head'][:12]}. "
                "To draw another, choose a new audit file."
            )
        else:
            self.sample_tab.status.setText(
                "Choose the sample size and seed, then draw."
                if self.audit_path is not None
                else "Choose an audit file first."
            )
        self.refresh_estimates()
        if has_sample and self._pos is None:
            assert reader is not None
            self.show_item(qr.next_unlabelled(reader) or 1)
        elif not has_sample:
            self.show_item(None)

    def refresh_estimates(self) -> None:
        reader = self._reader()
        summary = (
            summarize(reader) if reader is not None and reader.has_sample() else None
        )
        self.sample_tab.estimates.show_summary(summary)
        items = (
            []
            if summary is None or reader is None
            else qr.disagreements(self.session.read, reader)
        )
        self.agreement.show_agreement(summary, items)

    def _on_data_changed(self, what: str) -> None:
        if what == "decision":
            self.refresh_estimates()

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == BLIND_TAB:
            self.blind_tab.view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif index == AGREEMENT_TAB:
            self.agreement.table.setFocus(Qt.FocusReason.OtherFocusReason)

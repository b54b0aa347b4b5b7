"""Regenerate start.png, sources.png, import-wizard.png and run.png.

Drives the real window over the bundled sample data, offscreen:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py

Pass ``contrast`` or ``larger`` to see those options (written to a temporary
folder, not over the documented screenshots).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.demo import build_demo
from app.samples import generate
from ui.import_wizard import ImportWizard, open_import_wizards
from ui.main import build
from ui.settings import Settings

HERE = Path(__file__).resolve().parent


def newer_export(folder: Path) -> Path:
    """A small clerk export with two broken rows and a blank one (for rejects)."""
    generate(folder, people=150, seed=11)
    lines = (folder / "clerk.csv").read_text(encoding="utf-8").splitlines()[:40]
    lines.insert(12, '"85CR0009999-01","1","WALKER, TERRENCE"')
    lines.insert(25, '"85CR0001234-01","1","HOLLIS, MAE","19520304","F","W"')
    lines.insert(31, ",,,,,,,,,,,,,,,,")
    path = folder / "Circuit_Clerk_2026-11.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(mode: str = "") -> None:
    tmp = Path(tempfile.mkdtemp(prefix="rm-shots-"))
    out = HERE if not mode else tmp / "out"
    out.mkdir(exist_ok=True)
    records = tmp / "County Records"
    workspace = records / "county-2026.rmws"
    build_demo(workspace)
    extra = newer_export(tmp / "exports")
    settings = Settings.from_file(tmp / "settings.ini")
    shutil.copy(workspace, records / "training-copy.rmws")
    for name in ("county-2019.rmws", "training-copy.rmws", "county-2026.rmws"):
        settings.add_recent(records / name)  # 2019 was moved away: "not found"
    settings.high_contrast = mode == "contrast"
    settings.larger_font = mode == "larger"
    app, win = build([], settings)
    win.resize(1280, 760)

    def shot(name: str, widget: QWidget | None = None) -> None:
        (widget or win).grab().save(str(out / f"{name}.png"))
        sys.stdout.write(f"wrote {out / name}.png\n")

    def step(ms: int, fn: Callable[[], object]) -> None:
        QTimer.singleShot(ms, fn)

    def start() -> None:
        shot("start")
        win.open_workspace(workspace)
        wizard = open_import_wizards(win.session, settings, [extra], win)
        assert wizard is not None
        step(1500, lambda: columns(wizard))

    def columns(wizard: ImportWizard) -> None:
        wizard.next()
        page = wizard.mapping_page
        headers = wizard.preview.headers if wizard.preview else ()
        combo = page.combos[headers.index("FILING_DT")]
        combo.setFocus()
        combo.setCurrentIndex(combo.findData("event_date"))
        page.scroll.ensureWidgetVisible(combo)
        step(300, lambda: (shot("import-wizard", wizard), wizard.next()))
        step(600, wizard.next)
        step(4000, lambda: (wizard.accept(), sources()))

    def sources() -> None:
        win.go_to("sources")
        step(300, lambda: (shot("sources"), run()))

    def run() -> None:
        win.go_to("run")
        page = win.pages.page("run")
        page.start_link()

        def wait() -> None:
            if page.is_busy():
                step(300, wait)
            else:
                step(300, lambda: (shot("run"), win.close(), app.quit()))

        step(500, wait)

    step(600, start)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")

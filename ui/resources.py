"""Icons and style sheets from the ``resources`` package, and applying the look.

Read through ``importlib.resources`` (Mu's ``load_icon``/``load_stylesheet``,
minus ``pkg_resources``) so a wheel or a frozen bundle works the same as a
checkout, and no ``.qrc`` has to be compiled. Style sheets are numbered
files concatenated in order (napari's ``get_stylesheet``); the high-contrast
one is added only when asked for.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from string import Template

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 10.5  # legible on a 1080p office monitor at 100 % scaling
LARGER_POINT_SIZE = 13.5
HEADING_SCALE = 1.45
ICON_SIZES = (16, 20, 24, 32, 48)
# Style files whose name (after the number) is listed here are optional.
OPTIONAL_STYLES = frozenset({"contrast"})


def _read(folder: str, name: str) -> str:
    return (files("resources") / folder / name).read_text(encoding="utf-8")


def icon_names() -> list[str]:
    """Every bundled icon's name, for tests and the about box."""
    return sorted(
        p.name.removesuffix(".svg")
        for p in (files("resources") / "icons").iterdir()
        if p.name.endswith(".svg")
    )


@cache
def _icon(name: str, color: str, selected: str | None) -> QIcon:
    # Our SVGs draw in currentColor; painting them in the palette's text colour
    # keeps them visible in high contrast, where dark strokes would vanish.
    result = QIcon()
    modes = [(QIcon.Mode.Normal, color)]
    if selected is not None:
        modes.append((QIcon.Mode.Selected, selected))
    for mode, ink in modes:
        svg = _read("icons", f"{name}.svg").replace("currentColor", ink)
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        for size in ICON_SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            result.addPixmap(pixmap, mode)
    return result


def icon(name: str, color: str | None = None, *, selected: str | None = None) -> QIcon:
    """The named icon (``resources/icons/NAME.svg``), by default in the text colour.

    ``selected`` is the colour on a selected row (black on high contrast's
    yellow, where a white icon would disappear).

    Raises:
        FileNotFoundError: there is no such icon (a typo is a bug, not a blank).
    """
    app = QApplication.instance()
    if color is None:
        color = "#1d2733"
        if isinstance(app, QApplication):
            color = app.palette().color(QPalette.ColorRole.WindowText).name()
    return _icon(name, color, selected)


def stylesheet(
    *, high_contrast: bool = False, point_size: float = BASE_POINT_SIZE
) -> str:
    """The numbered ``resources/styles/NN_*.qss`` files, in order, as one sheet.

    ``$heading_pt`` in a file becomes the heading size for ``point_size``:
    Qt style sheets have no relative font sizes, so the larger-font option
    rebuilds the sheet rather than leaving headings small.
    """
    names = sorted(
        p.name
        for p in (files("resources") / "styles").iterdir()
        if p.name.endswith(".qss")
    )
    parts = []
    for name in names:
        topic = name.removesuffix(".qss").partition("_")[2]
        if topic in OPTIONAL_STYLES and not (high_contrast and topic == "contrast"):
            continue
        parts.append(f"/* {name} */\n{_read('styles', name)}")
    return Template("\n".join(parts)).safe_substitute(
        base_pt=f"{point_size:g}", heading_pt=f"{point_size * HEADING_SCALE:.1f}"
    )


def _contrast_palette() -> QPalette:
    """White on black with yellow selection: WCAG AAA contrast everywhere."""
    palette = QPalette()
    black, white, yellow = QColor("#000000"), QColor("#ffffff"), QColor("#ffff00")
    roles = QPalette.ColorRole
    for role in (roles.Window, roles.Base, roles.AlternateBase, roles.Button):
        palette.setColor(role, black)
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.BrightText):
        palette.setColor(role, white)
    palette.setColor(roles.ToolTipBase, black)
    palette.setColor(roles.ToolTipText, white)
    palette.setColor(roles.Highlight, yellow)
    palette.setColor(roles.HighlightedText, black)
    palette.setColor(roles.Link, QColor("#80ffff"))
    palette.setColor(roles.PlaceholderText, QColor("#d0d0d0"))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#b0b0b0"))
    return palette


def apply_style(app: QApplication, *, larger_font: bool, high_contrast: bool) -> None:
    """Fusion, our palette, font size and sheet: the same look on every OS.

    Fusion because native Windows styles ignore parts of a style sheet (focus
    borders, padding), and a records clerk must always see where focus is.
    """
    app.setStyle("Fusion")
    style = app.style()
    app.setPalette(_contrast_palette() if high_contrast else style.standardPalette())
    point_size = LARGER_POINT_SIZE if larger_font else BASE_POINT_SIZE
    font = QFont(app.font())
    font.setPointSizeF(point_size)
    app.setFont(font)
    app.setStyleSheet(stylesheet(high_contrast=high_contrast, point_size=point_size))

"""Printed documents (audit report, evidence packet): HTML to PDF with Qt alone.

A ``QTextDocument`` laid out on the page size of a ``QPdfWriter`` gives the
PDF; the same layout painted onto images gives PNG previews of the very same
pages, so a person (or a test) can look at what the PDF holds without a PDF
reader. Every page carries a footer: the document's title, the page number
and when it was made, because printed pages get separated and photocopied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from app.errors import UserError

RESOLUTION = 300  # dots per inch of the PDF's layout; previews scale from it
FOOTER_MM = 10.0


def px(points: float) -> int:
    """Points as the CSS pixels Qt's HTML reads margins and paddings in.

    Qt's HTML subset silently drops a margin or padding written in pt, and
    takes px as pixels of a 96 dpi screen, scaled to the paint device (72 dpi
    on macOS, where spacing comes out a third larger). A ``padding`` on cells
    overrides the table's ``cellpadding``, so only the attribute is used.
    Font sizes in pt work as they are.
    """
    return max(1, round(points * 96 / 72))


BASE_CSS = f"""
body {{ font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; font-size: 9.5pt; }}
h1 {{ font-size: 16pt; margin-bottom: {px(2)}px; }}
h2 {{ font-size: 12.5pt; margin-top: {px(14)}px; margin-bottom: {px(4)}px; }}
h3 {{ font-size: 10.5pt; margin-top: {px(8)}px; margin-bottom: {px(2)}px; }}
p {{ margin-top: {px(3)}px; margin-bottom: {px(3)}px; }}
th {{ background-color: #e8ebef; text-align: left; font-weight: bold; }}
th, td {{ border: 1px solid #9aa3ad; vertical-align: top; }}
.muted {{ color: #555555; }}
.ok {{ color: #1b6b2a; font-weight: bold; }}
.bad {{ color: #a31515; font-weight: bold; }}
.num {{ text-align: right; }}
th.s, td.s {{ font-size: 7.5pt; }}
td.ns {{ font-size: 7.5pt; text-align: right; }}
th.title {{ font-size: 10.5pt; background-color: #ffffff; border: 0;
            padding-top: {px(6)}px; }}
"""
CELL_PADDING = px(2)


@dataclass(frozen=True, slots=True)
class PageSetup:
    """Paper and margins; Letter by default (a US county office)."""

    size: QPageSize.PageSizeId = QPageSize.PageSizeId.Letter
    landscape: bool = False
    margin_mm: float = 15.0


def html_page(title: str, body: str, *, css: str = "") -> str:
    """A whole HTML document with the shared print style."""
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{BASE_CSS}{css}</style></head>"
        f"<body>{body}</body></html>"
    )


def number(value: float | None) -> str:
    """A count with thousands separators; "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # counts the model stores as floats (2e6 pairs)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


def share(part: int, whole: int) -> str:
    """ "n of N (p %)", or "none" when N is 0 (no share to speak of)."""
    if not whole:
        return "none"
    return f"{part:,} of {whole:,} ({100 * part / whole:.1f} %)"


def utc(at: str | None) -> str:
    """An ISO time as "2026-11-26 10:04" (UTC, to the minute)."""
    return "—" if not at else at[:16].replace("T", " ")


def escape(text: object) -> str:
    """HTML-escape any value for a table cell; None prints as nothing."""
    if text is None:
        return ""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def table(
    header: list[str],
    rows: list[list[object]],
    *,
    numeric: set[int] | frozenset[int] = frozenset(),
    small: bool = False,
    title: str | None = None,
) -> str:
    """An HTML table; columns whose index is in ``numeric`` align right.

    ``small`` sets the table in 7.5 pt, for tables with many columns that
    would otherwise break words to fit the page width. ``title`` heads the
    table inside its header rows, so it is never left alone at the foot of a
    page and is repeated on each page the table continues on (Qt honours no
    "keep with next"). Cells carry one class each (Qt's HTML reads a single
    class per element, and an inline style on a cell would drop the
    stylesheet's borders).
    """
    text_cls = " class='s'" if small else ""
    num_cls = " class='ns'" if small else " class='num'"
    head = "".join(f"<th{text_cls}>{escape(h)}</th>" for h in header)
    if title is not None:
        head = (
            f"<th class='title' colspan='{len(header)}'>{escape(title)}</th>"
            f"</tr><tr>{head}"
        )
    body = []
    for row in rows:
        cells = "".join(
            f"<td{num_cls if i in numeric else text_cls}>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f"<table width='100%' cellspacing='0' cellpadding='{CELL_PADDING}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class PrintedDocument:
    """One HTML document laid out for paper, written as PDF or PNG pages."""

    def __init__(
        self, html: str, *, title: str, stamp: str, setup: PageSetup | None = None
    ) -> None:
        self.title = title
        self.stamp = stamp  # e.g. "made 2026-11-26 10:04 UTC by j.doe"
        self.setup = setup or PageSetup()
        self._html = html

    def _layout(self) -> QPageLayout:
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.setup.landscape
            else QPageLayout.Orientation.Portrait
        )
        m = self.setup.margin_mm
        return QPageLayout(
            QPageSize(self.setup.size),
            orientation,
            QMarginsF(m, m, m, m + FOOTER_MM),
            QPageLayout.Unit.Millimeter,
        )

    def _document(self, layout: QPageLayout) -> tuple[QTextDocument, QRectF]:
        """The text laid out to the page's printable area, in device pixels."""
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        font = QFont("DejaVu Sans")
        font.setPointSizeF(9.5)
        doc.setDefaultFont(font)
        doc.setHtml(self._html)
        area = layout.paintRectPixels(RESOLUTION)
        # QTextDocument sizes fonts in points at the paint device's dpi, so it
        # must be laid out in the same units it will be painted in.
        doc.documentLayout().setPaintDevice(_DpiImage.instance())
        doc.setPageSize(QSizeF(area.width(), area.height()))
        return doc, QRectF(area)

    def page_count(self) -> int:
        doc, _ = self._document(self._layout())
        return doc.pageCount()

    def write_pdf(self, path: Path) -> int:
        """Write the PDF; returns its number of pages."""
        layout = self._layout()
        writer = QPdfWriter(str(path))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(layout)
        writer.setTitle(self.title)
        writer.setCreator("Recordmatch")
        doc, area = self._document(layout)
        painter = QPainter(writer)
        if not painter.isActive():  # Qt reports an unwritable file only so
            raise UserError(f"{path.name}: cannot write the PDF there")
        try:
            pages = doc.pageCount()
            for number in range(pages):
                if number:
                    writer.newPage()
                self._paint_page(painter, doc, area, number, pages)
        finally:
            painter.end()
        return pages

    def write_pngs(self, folder: Path, *, stem: str, scale: float = 0.5) -> list[Path]:
        """Every page as a PNG (at ``scale`` x 300 dpi), to look at the PDF's pages."""
        layout = self._layout()
        doc, area = self._document(layout)
        full = layout.fullRectPixels(RESOLUTION)
        out: list[Path] = []
        pages = doc.pageCount()
        for number in range(pages):
            image = QImage(
                int(full.width() * scale),
                int(full.height() * scale),
                QImage.Format.Format_RGB32,
            )
            image.fill(QColor("white"))
            # Fonts are sized at the PDF's dpi; the painter's scale shrinks them.
            dots_per_metre = round(RESOLUTION / 0.0254)
            image.setDotsPerMeterX(dots_per_metre)
            image.setDotsPerMeterY(dots_per_metre)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.scale(scale, scale)
            margins = layout.marginsPixels(RESOLUTION)
            painter.translate(margins.left(), margins.top())
            self._paint_page(
                painter, doc, QRectF(0, 0, area.width(), area.height()), number, pages
            )
            painter.end()
            path = folder / f"{stem}-page{number + 1}.png"
            image.save(str(path))
            out.append(path)
        return out

    def _paint_page(
        self,
        painter: QPainter,
        doc: QTextDocument,
        area: QRectF,
        number: int,
        pages: int,
    ) -> None:
        height = area.height()
        painter.save()
        painter.translate(0, -number * height)
        clip = QRectF(0, number * height, area.width(), height)
        doc.drawContents(painter, clip)
        painter.restore()
        footer = QFont("DejaVu Sans")
        footer.setPointSizeF(7.5)
        painter.save()
        painter.setFont(footer)
        painter.setPen(QColor("#555555"))
        top = height + RESOLUTION * 3 / 25.4  # 3 mm below the text area
        line = QRectF(QPointF(0, top), QSizeF(area.width(), RESOLUTION * 6 / 25.4))
        painter.drawLine(QPointF(0, top), QPointF(area.width(), top))
        painter.drawText(
            line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self.title
        )
        painter.drawText(
            line,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
            f"{self.stamp} · page {number + 1} of {pages}",
        )
        painter.restore()


class _DpiImage:
    """A 1x1 image at the PDF's resolution: the layout's paint device."""

    _image: QImage | None = None

    @classmethod
    def instance(cls) -> QImage:
        if cls._image is None:
            image = QImage(1, 1, QImage.Format.Format_RGB32)
            dots_per_metre = round(RESOLUTION / 0.0254)
            image.setDotsPerMeterX(dots_per_metre)
            image.setDotsPerMeterY(dots_per_metre)
            cls._image = image
        return cls._image

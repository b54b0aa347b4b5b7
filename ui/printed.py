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

RESOLUTION = 300  # dots per inch of the PDF's layout; previews scale from it
FOOTER_MM = 10.0
BASE_CSS = """
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; font-size: 9.5pt; }
h1 { font-size: 16pt; margin-bottom: 2pt; }
h2 { font-size: 12.5pt; margin-top: 14pt; margin-bottom: 4pt; }
h3 { font-size: 10.5pt; margin-top: 8pt; margin-bottom: 2pt; }
table { border-collapse: collapse; margin-top: 2pt; }
th { background-color: #e8ebef; text-align: left; font-weight: bold; }
th, td { border: 1px solid #9aa3ad; padding: 2pt 4pt; vertical-align: top; }
.muted { color: #555555; }
.ok { color: #1b6b2a; font-weight: bold; }
.bad { color: #a31515; font-weight: bold; }
.num { text-align: right; }
"""


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
    header: list[str], rows: list[list[object]], *, numeric: set[int] = frozenset()
) -> str:
    """An HTML table; columns whose index is in ``numeric`` align right."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f"<td class='num'>{escape(v)}</td>"
            if i in numeric
            else f"<td>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        "<table width='100%' cellspacing='0' cellpadding='10'>"
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

"""Printable documents: one small model, rendered to HTML and to PDF.

Handouts and debrief reports are built once as a :class:`Document`, a title
and a list of blocks (headings, paragraphs, bullet lists, tables, page
breaks), and then rendered twice: :func:`to_html` gives one self-contained page
(its CSS inline, no external resources, text escaped) that prints cleanly from
a browser, and :func:`write_pdf` lays the same blocks out on A4 pages with
ReportLab. The PDF uses the DejaVu Sans fonts that ship with matplotlib, so any
Unicode text in a scenario (minus signs, dashes, accented names) prints.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Heading",
    "Image",
    "PageBreak",
    "Paragraph",
    "Table",
    "to_html",
    "write_document",
    "write_pdf",
]


@dataclass(frozen=True)
class Heading:
    """A section heading; ``level`` 1 (a section) or 2 (a subsection)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``style`` is ``"body"``, ``"lead"`` (larger), ``"note"`` (smaller, grey)
    or ``"box"`` (framed, for what a reader must not miss)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Bullets:
    """A list; ``numbered`` for steps or a ranking."""

    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row; numbers are given as text, already formatted."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page when printed."""


@dataclass(frozen=True)
class Image:
    """A figure as PNG bytes, with the text a reader without it needs (``alt``)."""

    png: bytes
    alt: str


Block = Heading | Paragraph | Bullets | Table | PageBreak | Image


@dataclass(frozen=True)
class Document:
    """A printable document: a title, a line under it, and its blocks in order."""

    title: str
    subtitle: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)


_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; max-width: 46em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 0.2em; }
.subtitle { color: #444; margin: 0 0 1.2em; font-size: 12pt; }
h2 { font-size: 14pt; margin: 1.4em 0 0.4em; border-bottom: 1.5px solid #111; }
h3 { font-size: 12pt; margin: 1.1em 0 0.3em; }
p { margin: 0.45em 0; }
p.lead { font-size: 12.5pt; }
p.note { font-size: 9.5pt; color: #444; }
p.box { border: 2px solid #111; padding: 0.5em 0.8em; }
table { border-collapse: collapse; margin: 0.6em 0; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #777; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
.figure { overflow-x: auto; margin: 0.6em 0; }
.figure img { display: block; }
@media print { .figure img { max-width: 100%; height: auto; } }
.break { break-after: page; page-break-after: always; }
@media print { body { margin: 0; max-width: none; } .break { border: 0; }
               .screen-only { display: none; } }
@media screen { .break { border-top: 1px dashed #aaa; margin: 2em 0; } }
"""


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        tag = "h2" if block.level <= 1 else "h3"
        return f"<{tag}>{html.escape(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        css = "" if block.style == "body" else f' class="{block.style}"'
        return f"<p{css}>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        tag = "ol" if block.numbered else "ul"
        items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(cell)}</th>" for cell in block.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Image):
        data = base64.b64encode(block.png).decode("ascii")
        return (
            '<div class="figure">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(block.alt)}"></div>'
        )
    return '<div class="break"></div>'


def to_html(document: Document) -> str:
    """The document as one self-contained HTML page, ready to print.

    Examples
    --------
    >>> page = to_html(Document("Briefing", "Seoul", (Paragraph("Fund <or> proceed?"),)))
    >>> "<p>Fund &lt;or&gt; proceed?</p>" in page
    True
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(document.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(document.title)}</h1>",
    ]
    if document.subtitle:
        parts.append(f'<p class="subtitle">{html.escape(document.subtitle)}</p>')
    parts.extend(_html_block(block) for block in document.blocks)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _fonts() -> tuple[str, str, str]:
    """Register DejaVu Sans (from matplotlib's data) with ReportLab, once."""
    from matplotlib import get_data_path
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        folder = Path(get_data_path()) / "fonts" / "ttf"
        faces = {
            "DejaVuSans": "DejaVuSans.ttf",
            "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
            "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
            "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
        }
        for name, file in faces.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
        addMapping("DejaVuSans", 0, 0, "DejaVuSans")
        addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
        addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique")
        addMapping("DejaVuSans", 1, 1, "DejaVuSans-BoldOblique")
    return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"


def _pdf_text(text: str) -> str:
    """Text for a ReportLab paragraph: its mini-markup escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br/>")


def write_pdf(document: Document, path: str | os.PathLike[str]) -> None:
    """Lay the document out on A4 pages and write it to ``path`` (a PDF).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "b.pdf"
    ...     write_pdf(Document("Briefing", "Seoul", (Paragraph("Fund \u2212 proceed"),)), out)
    ...     out.read_bytes()[:5]
    b'%PDF-'
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image as PDFImage
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import PageBreak as PDFPageBreak
    from reportlab.platypus import Paragraph as PDFParagraph
    from reportlab.platypus import Table as PDFTable

    regular, bold, _ = _fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14.5, spaceAfter=4)
    grey = colors.HexColor("#444444")

    def style(name: str, **changes: object) -> ParagraphStyle:
        return ParagraphStyle(name, base, **changes)

    styles = {
        "title": style("title", fontName=bold, fontSize=19, leading=23),
        "subtitle": style("subtitle", fontSize=12, textColor=grey, spaceAfter=10),
        "h1": style("h1", fontName=bold, fontSize=13.5, leading=17, spaceBefore=10, spaceAfter=5),
        "h2": style("h2", fontName=bold, fontSize=11.5, leading=15, spaceBefore=7),
        "body": base,
        "lead": style("lead", fontSize=12, leading=16),
        "note": style("note", fontSize=9, leading=12, textColor=grey),
        "box": style(
            "box", borderWidth=1.5, borderColor=colors.black, borderPadding=6,
            spaceBefore=6, spaceAfter=10,
        ),
        "cell": style("cell", fontSize=9, leading=11.5, spaceAfter=0),
        "head": style("head", fontName=bold, fontSize=9, leading=11.5, spaceAfter=0),
    }  # fmt: skip
    story: list[object] = [PDFParagraph(_pdf_text(document.title), styles["title"])]
    if document.subtitle:
        story.append(PDFParagraph(_pdf_text(document.subtitle), styles["subtitle"]))
    width = A4[0] - 32 * mm
    for block in document.blocks:
        if isinstance(block, Heading):
            style = styles["h1"] if block.level <= 1 else styles["h2"]
            story.append(PDFParagraph(_pdf_text(block.text), style))
        elif isinstance(block, Paragraph):
            story.append(PDFParagraph(_pdf_text(block.text), styles.get(block.style, base)))
        elif isinstance(block, Bullets):
            items = [ListItem(PDFParagraph(_pdf_text(item), base)) for item in block.items]
            story.append(
                ListFlowable(
                    items,
                    bulletType="1" if block.numbered else "bullet",
                    bulletFontName=regular,
                    leftIndent=14,
                )
            )
            story.append(Spacer(1, 3))
        elif isinstance(block, Table):
            rows = [[PDFParagraph(_pdf_text(c), styles["head"]) for c in block.header]]
            rows += [
                [PDFParagraph(_pdf_text(c), styles["cell"]) for c in row] for row in block.rows
            ]
            table = PDFTable(rows, colWidths=_column_widths(block, width), repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.extend([table, Spacer(1, 6)])
        elif isinstance(block, Image):
            picture = PDFImage(io.BytesIO(block.png))
            scale = min(1.0, width / picture.drawWidth)
            picture.drawWidth *= scale
            picture.drawHeight *= scale
            story.extend([picture, Spacer(1, 6)])
        else:
            story.append(PDFPageBreak())
    target = Path(path)
    pdf = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=document.title,
        subject=document.subtitle,
        author="sim",
        invariant=1,
    )
    pdf.build(story)


def _column_widths(table: Table, width: float) -> list[float]:
    """Columns in proportion to their longest text, none narrower than a short word."""
    lengths = [
        max([len(table.header[k])] + [len(row[k]) for row in table.rows])
        for k in range(len(table.header))
    ]
    capped = [min(max(n, 11), 60) for n in lengths]
    total = sum(capped)
    return [width * n / total for n in capped]


def write_document(
    document: Document, folder: Path, stem: str, formats: Sequence[str]
) -> list[Path]:
    """Write ``stem.html`` and/or ``stem.pdf`` into ``folder``; return the files written."""
    written = []
    if "html" in formats:
        page = folder / f"{stem}.html"
        page.write_text(to_html(document), encoding="utf-8")
        written.append(page)
    if "pdf" in formats:
        pdf = folder / f"{stem}.pdf"
        write_pdf(document, pdf)
        written.append(pdf)
    return written

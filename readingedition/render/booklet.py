"""Render stage: the booklet, the packet to print on both sides, fold and staple.

The PDF is laid out again on half-size pages (A5, or half letter; the styles' booklet sheets),
two-sided so that each note stands in the outer margin, then imposed two-up on landscape sheets
(A4, or letter) with pypdf: padded with blank pages to a multiple of four, and in the order that,
printed on both sides (flipped on the short edge), folded and stapled, reads 1, 2, 3 … . For
eight pages: sheet 1 front 8|1, back 2|7; sheet 2 front 6|3, back 4|5.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation

from ..model import AnnotatedEdition
from .pdf import PdfResult, render_pdf

MM = 72 / 25.4
SHEETS = {"a4": (297 * MM, 210 * MM), "letter": (11 * 72, 8.5 * 72)}  # landscape, in PDF points


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """The pages (1-based; past `pages` is blank) on each side of each sheet, left then right,
    front then back: `pages` must be a multiple of four."""
    sides = []
    for sheet in range(pages // 4):
        outer, inner = 2 * sheet + 1, pages - 2 * sheet
        sides += [(inner, outer), (outer + 1, inner - 1)]
    return sides


def render_booklet(annotated: AnnotatedEdition, target: Path) -> PdfResult:
    """Write the imposed booklet to `target`; the result of laying out its half-size pages."""
    edition = annotated.edition
    half_size = dataclasses.replace(
        annotated,
        edition=dataclasses.replace(
            edition,
            metadata=dataclasses.replace(edition.metadata, twosided=True),
            styles=dataclasses.replace(edition.styles, pdf_css=edition.styles.booklet_css),
        ),
    )
    with tempfile.TemporaryDirectory(prefix="readingedition-booklet-") as scratch:
        pages = Path(scratch) / "pages.pdf"
        result = render_pdf(half_size, pages, output="the booklet")
        impose(pages, target, SHEETS[edition.metadata.paper])
    return result


def impose(pages_pdf: Path, target: Path, sheet: tuple[float, float]) -> int:
    """Impose the pages of `pages_pdf` two-up on sheets of `sheet` (width, height); the number of
    sheet sides written."""
    reader = PdfReader(pages_pdf)
    pages = reader.pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    left = (sheet[0] - 2 * width) / 2  # centred: two A5 pages are a millimetre narrower than A4
    bottom = (sheet[1] - height) / 2
    writer = PdfWriter()
    sides = booklet_order(len(pages) + -len(pages) % 4)
    for side in sides:
        paper = writer.add_blank_page(width=sheet[0], height=sheet[1])
        for slot, number in enumerate(side):
            if number <= len(pages):
                placed = Transformation().translate(tx=left + slot * width, ty=bottom)
                paper.merge_transformed_page(pages[number - 1], placed)
        paper.compress_content_streams()  # pypdf writes merged pages' content uncompressed
    writer.add_metadata(
        {
            key: value
            for key, value in (reader.metadata or {}).items()
            if key in ("/Title", "/Author", "/Subject", "/CreationDate", "/ModDate", "/Creator")
        }
    )
    writer.write(target)
    return len(sides)

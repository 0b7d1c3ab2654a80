"""Read a built PDF's pages for the margin audit: characters, links, the text block and
the blocks of margin text beside it (see `margin_audit` for what is found and why)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..markup import CALL_PREFIX, NOTE_PREFIX

#: Tolerances, in PDF points.
_SAME_LINE = 3.5  # baselines closer than this are one line (labels are raised)
MARGIN_GAP = 2.0  # margin text starts this far beside the text block
_TOUCH = 0.5  # boxes must overlap by more than this to count

Extent = tuple[float, float, float, float]
Place = tuple[int, tuple]  # page index and link rectangle


@dataclass
class Line:
    baseline: float
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in sorted(self.chars, key=lambda c: c["x0"])).strip()

    @property
    def main_baseline(self) -> float:
        counts = Counter(round(baseline(c), 1) for c in self.chars)
        return counts.most_common(1)[0][0]


@dataclass
class Block:
    page: int
    lines: list[Line]
    note_id: str | None = None
    kind: str = "gloss"  # "note", "gloss" or "furniture"

    @property
    def chars(self) -> list[dict]:
        return [c for line in self.lines for c in line.chars]

    @property
    def bbox(self) -> Extent:
        chars = self.chars
        return (
            min(c["x0"] for c in chars),
            min(c["top"] for c in chars),
            max(c["x1"] for c in chars),
            max(c["bottom"] for c in chars),
        )

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


@dataclass
class PdfPages:
    """What the audit reads from the PDF: each page's size and visible characters, and its links."""

    sizes: list[tuple[float, float]]
    chars: list[list[dict]]
    call_links: dict[str, list[Place]]  # note id -> its calls (links to note-ID)
    label_links: dict[str, list[Place]]  # note id -> its labels (links back to call-ID)
    other_links: list[tuple[int, tuple, str]]
    page_ids: dict[Any, int]
    doc: Any  # the open pdfminer document, for named destinations

    def destination(self, name: str) -> tuple[int, float] | None:
        """Page index and height from the top of the named destination ``name``."""
        from pdfminer.pdftypes import resolve1

        try:
            dest = resolve1(self.doc.get_dest(name.encode()))
        except Exception:  # noqa: BLE001 - no such name, or odd tree
            return None
        if isinstance(dest, dict):
            dest = resolve1(dest.get("D"))
        if not dest:
            return None
        page_ref = dest[0]
        index = self.page_ids.get(getattr(page_ref, "objid", None))
        if index is None or len(dest) < 4 or dest[3] is None:
            return None
        return index, self.sizes[index][1] - float(dest[3])


@dataclass
class TextBlock:
    """Where the body text is set, page by page, and its size and line pitch."""

    body_size: float
    extents: list[Extent | None]
    pitch: float

    @property
    def known(self) -> list[Extent]:
        return [e for e in self.extents if e]

    def extent_of(self, index: int) -> Extent | None:
        """The text block of a page; for a page without body text (notes
        only), that of the nearest page on the same side."""
        if self.extents[index]:
            return self.extents[index]
        for distance in range(2, len(self.extents) + 2, 2):
            for other in (index - distance, index + distance):
                if 0 <= other < len(self.extents) and self.extents[other]:
                    return self.extents[other]
        known = self.known
        return known[0] if known else None


def read_pages(pdf: Any) -> PdfPages:
    """The characters and links of every page of an open pdfplumber PDF."""
    pages = pdf.pages
    chars_by_page: list[list[dict]] = []
    for page in pages:
        chars = [dict(c) for c in page.chars if c["text"].strip()]
        for char in chars:
            char["_page_height"] = float(page.height)
        chars_by_page.append(chars)
    call_links, label_links, other_links = _read_links(pages)
    return PdfPages(
        sizes=[(float(page.width), float(page.height)) for page in pages],
        chars=chars_by_page,
        call_links=call_links,
        label_links=label_links,
        other_links=other_links,
        page_ids={page.page_obj.pageid: index for index, page in enumerate(pages)},
        doc=pdf.doc,
    )


def _read_links(pages: Sequence[Any]) -> tuple[dict, dict, list]:
    """Links: calls (to note-ID) and labels (to call-ID), in every page; and the rest."""
    call_links: dict[str, list[Place]] = defaultdict(list)
    label_links: dict[str, list[Place]] = defaultdict(list)
    other_links: list[tuple[int, tuple, str]] = []
    for index, page in enumerate(pages):
        for annot in page.annots:
            rect = (annot["x0"], annot["top"], annot["x1"], annot["bottom"])
            name = _dest_name(annot)
            if name and name.startswith(NOTE_PREFIX):
                call_links[name.removeprefix(NOTE_PREFIX)].append((index, rect))
            elif name and name.startswith(CALL_PREFIX):
                label_links[name.removeprefix(CALL_PREFIX)].append((index, rect))
            else:
                other_links.append((index, rect, name or annot.get("uri") or "?"))
    return call_links, label_links, other_links


def measure_text_block(pages: PdfPages) -> TextBlock:
    body_size = _body_size(pages)
    extents = _body_extents(pages.chars, body_size)
    _widen_sparse_pages(extents)
    return TextBlock(body_size, extents, _body_pitch(pages.chars, body_size))


def _body_size(pages: PdfPages) -> float:
    """Body text: the font size of the text beside the calls in the upper part of
    their pages, above any footnotes (or, with no calls, the most common size)."""
    sizes: Counter = Counter()
    for places in pages.call_links.values():
        for index, rect in places:
            middle = (rect[1] + rect[3]) / 2
            if middle > 0.4 * pages.sizes[index][1]:
                continue
            sizes.update(
                round(c["size"], 1)
                for c in pages.chars[index]
                if c["top"] <= middle <= c["bottom"] and rect[0] - 60 < c["x1"] <= rect[0]
            )
    if not sizes:
        sizes = Counter(round(c["size"], 1) for chars in pages.chars for c in chars)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _body_extents(chars_by_page: list[list[dict]], body_size: float) -> list[Extent | None]:
    extents: list[Extent | None] = []
    for chars in chars_by_page:
        body = [c for c in chars if abs(c["size"] - body_size) < 0.3]
        if body:
            extents.append(
                (
                    min(c["x0"] for c in body),
                    min(c["top"] for c in body),
                    max(c["x1"] for c in body),
                    max(c["bottom"] for c in body),
                )
            )
        else:
            extents.append(None)
    return extents


def _widen_sparse_pages(extents: list[Extent | None]) -> None:
    """A page with little body text (a glossary, a list) shows only part of the text
    block: there, take the usual edges of the pages on the same side (justified body
    lines reach both edges)."""
    for parity in (0, 1):
        same_side = [e for i, e in enumerate(extents) if e and i % 2 == parity]
        if not same_side:
            continue
        left = Counter(round(e[0]) for e in same_side).most_common(1)[0][0]
        right = Counter(round(e[2]) for e in same_side).most_common(1)[0][0]
        for i, e in enumerate(extents):
            if e and i % 2 == parity and e[2] - e[0] < 0.9 * (right - left):
                extents[i] = (min(e[0], left), e[1], max(e[2], right), e[3])


def _body_pitch(chars_by_page: list[list[dict]], body_size: float) -> float:
    """Body line pitch: the most common distance between body baselines."""
    pitches: Counter = Counter()
    for chars in chars_by_page:
        body_lines = group_lines(c for c in chars if abs(c["size"] - body_size) < 0.3)
        for upper, lower in zip(body_lines, body_lines[1:]):
            pitches[round(lower.baseline - upper.baseline, 1)] += 1
    return pitches.most_common(1)[0][0] if pitches else (body_size * 1.3 or 14.0)


def margin_blocks(pages: PdfPages, text: TextBlock) -> tuple[list[Block], list[list[dict]]]:
    """The blocks of text beside the text block, and each page's other text (what a
    note must not meet)."""
    blocks: list[Block] = []
    obstacles_by_page: list[list[dict]] = []
    for index, chars in enumerate(pages.chars):
        extent = text.extent_of(index)
        if extent is None:
            obstacles_by_page.append(chars)
            continue
        left, top, right, bottom = extent
        margin = [c for c in chars if c["x0"] >= right + MARGIN_GAP or c["x1"] <= left - MARGIN_GAP]
        margin_ids = {id(c) for c in margin}
        obstacles_by_page.append([c for c in chars if id(c) not in margin_ids])
        for side in ("left", "right"):
            side_chars = [c for c in margin if (c["x0"] >= right) == (side == "right")]
            blocks.extend(_cut_blocks(index, group_lines(side_chars)))
    return blocks, obstacles_by_page


def _cut_blocks(page: int, lines: list[Line]) -> list[Block]:
    """Cut the lines of one margin column into blocks where the space between
    two lines is wider than the notes' line spacing."""
    if not lines:
        return []
    sizes = sorted(c["size"] for line in lines for c in line.chars)
    size = sizes[len(sizes) // 2]
    pitches = [lower.main_baseline - upper.main_baseline for upper, lower in zip(lines, lines[1:])]
    # The notes' line spacing: the closest two lines of text (at least one em
    # apart), but no more than a usual line height, in case every note here
    # has a single line.
    base = min([p for p in pitches if p >= size] + [1.35 * size])
    limit = 1.2 * base
    blocks = [Block(page, [lines[0]])]
    for upper, lower in zip(lines, lines[1:]):
        if lower.main_baseline - upper.main_baseline > limit:
            blocks.append(Block(page, [lower]))
        else:
            blocks[-1].lines.append(lower)
    return blocks


def call_place(
    chars_by_page: list[list[dict]], index: int, rect: Sequence[float], body_size: float, extent: Sequence[float] | None
) -> tuple[int, float]:
    """Page and baseline of the line a note belongs beside: its call's line, in the body text
    or, for a note called inside an author's footnote, in the footnote at the page foot."""
    chars = chars_by_page[index]
    body_bottom = max((c["bottom"] for c in chars if abs(c["size"] - body_size) < 0.3), default=None)
    if body_bottom is None or rect[1] < body_bottom or extent is None:
        return index, _call_baseline(chars, rect, body_size)
    return index, _call_baseline(chars, rect, None)


def _call_baseline(chars: list[dict], rect: Sequence[float], body_size: float | None) -> float:
    """Baseline of the line holding a call link (of body text, unless ``body_size`` is None)."""
    middle = (rect[1] + rect[3]) / 2
    near = [
        c
        for c in chars
        if (body_size is None or abs(c["size"] - body_size) < 0.3)
        and c["top"] <= middle <= c["bottom"]
        and abs((c["x0"] + c["x1"]) / 2 - (rect[0] + rect[2]) / 2) < 60
    ]
    if not near:
        return rect[3]
    return Counter(round(baseline(c), 1) for c in near).most_common(1)[0][0]


def folio_top(chars: list[dict]) -> float | None:
    """The top of a page's page number: its lowest line, if that line is all digits."""
    lowest = max(c["top"] for c in chars)
    line = "".join(c["text"] for c in chars if abs(c["top"] - lowest) < 1).strip()
    return round(lowest) if line.isdigit() else None


def baseline(char: dict) -> float:
    """Baseline of a character, from the page top (PDF points)."""
    return char["_page_height"] - char["matrix"][5]


def intersects(a: Sequence[float], b: Sequence[float], touch: float = _TOUCH) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > touch and min(a[3], b[3]) - max(a[1], b[1]) > touch


def inside(rect: Sequence[float], char: dict) -> bool:
    cx = (char["x0"] + char["x1"]) / 2
    cy = (char["top"] + char["bottom"]) / 2
    return rect[0] - 0.5 <= cx <= rect[2] + 0.5 and rect[1] - 0.5 <= cy <= rect[3] + 0.5


def group_lines(chars: Iterable[dict]) -> list[Line]:
    lines: list[Line] = []
    for char in sorted(chars, key=baseline):
        char_baseline = baseline(char)
        if lines and char_baseline - lines[-1].baseline <= _SAME_LINE:
            lines[-1].chars.append(char)
        else:
            lines.append(Line(char_baseline, [char]))
    return lines


def _dest_name(annot: dict) -> str | None:
    dest = (annot.get("data") or {}).get("Dest")
    if isinstance(dest, bytes):
        return dest.decode("utf-8", "replace")
    if isinstance(dest, str):
        return dest
    return None

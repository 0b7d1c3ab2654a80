"""Reading the laid-out pages: each page's text block and note column, its notes, glosses,
calls and the editor's notes set at its foot.

The geometry comes from the layout, not from the style sheet: the text block is the page's
content box; the note column starts where WeasyPrint put the notes (their most common distance
from the text block's edge) and is as wide as they were laid out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...markup import CALL_PREFIX, DATA_CALL, DATA_NOTE_ID, DATA_TERM, MARGIN_GLOSS, MARGIN_NOTE
from .boxes import baseline, classes, ink, is_absolute, marks, page_box, remove_child, unwrap, walk
from .internals import WP


@dataclass(eq=False)
class NoteBox:
    """A note (or gloss) box found in the tree, and where it is to go."""

    holder: Any  # what sits in the tree: a placeholder, or a box after a break
    box: Any
    parent: Any
    page: int  # index of the page whose tree holds it
    order: int  # tree order in the document
    line: Any  # the LineBox it was laid out in, if any
    element: Any
    gloss: bool
    note_id: str
    call: str
    height: float
    has_text: bool
    first_baseline: float  # from the box's top
    tail: float  # from its last baseline to its foot
    in_footnote: bool = False  # called in an author's footnote: beside it, at the page foot
    marks: list = field(default_factory=list)  # hidden "↑", "p. N" (box, parent)
    home: int = 0  # index of the page of the line it belongs beside
    call_baseline: float = 0.0
    line_height: float = 0.0
    desired_y: float = 0.0
    page_label: str = ""
    continued: bool = False  # drawn in the next page's margin, under a mark
    split: bool = False  # cut after its first lines, "continued on" the next page
    part: bool = False  # the rest of a split note
    offset: float = 0.0  # of a part: where its first line is below its box's top
    rest: NoteBox | None = None  # of a split note: its other part
    end_marks: list = field(default_factory=list)  # of a split note: for "continued on"
    from_page: int | None = None  # of a part: the page (index) its note continues from
    y: float = 0.0  # top of the note (with its mark, if continued)
    placed: int = 0  # index of the page where it is drawn

    @property
    def mark_height(self) -> float:
        return max((unwrap(m).margin_height() for m, _ in self.marks), default=0.0)

    @property
    def total_height(self) -> float:
        return self.height + (self.mark_height if self.continued else 0.0)


@dataclass(frozen=True)
class FootNote:
    """An editor's note set at the foot of a page."""

    note_id: str
    call: str
    page: int


@dataclass(eq=False)
class PageColumn:
    index: int
    page: Any
    box: Any
    side: str
    blank: bool
    left: float  # the text block's edges
    right: float
    top: float  # the note column's top and foot (above the footnotes)
    bottom: float
    page_bottom: float  # the foot of the page's content box
    line_height: float = 0.0  # body line
    foot_baseline: float | None = None  # last baseline of a full page's text
    margin_boxes: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # notes belonging beside its lines
    glosses: list = field(default_factory=list)
    stacked: list = field(default_factory=list)  # notes drawn on it
    changed: bool = False
    has_footnotes: bool = False

    @property
    def foot_alone(self) -> float:
        """The lowest a note continued from the page before may go when no note of the page's
        own stands in the column: beside the footnotes, if there are any, to the page foot."""
        return self.page_bottom if self.has_footnotes else self.bottom

    def bottom_for(self, note: NoteBox) -> float:
        """The lowest the foot of a note may go: beside the footnotes for a note called in
        one; else the column's foot, or on a full page, where the note's last baseline meets
        the text's."""
        if note.in_footnote:
            return self.page_bottom
        if self.foot_baseline is None:
            return self.bottom
        return min(self.bottom, self.foot_baseline + note.tail)


@dataclass
class Found:
    """What the pages hold: note boxes, calls by anchor (page, line, box), notes at the foot."""

    notes: list[NoteBox] = field(default_factory=list)
    calls: dict[str, tuple[int, Any, Any]] = field(default_factory=dict)
    foot: list[FootNote] = field(default_factory=list)
    split: list[NoteBox] = field(default_factory=list)  # notes and glosses laid out in parts, one kept


def read_page(index: int, page: Any, found: Found) -> PageColumn:
    """Describe a page; collect its notes, glosses, calls and notes at the foot."""
    return describe_page(index, page_box(page), found, page)


def describe_page(index: int, box: Any, found: Found, page: Any = None) -> PageColumn:
    """Describe a laid-out page box (``page``: its Page, once the document is made)."""
    page_type = getattr(box, "page_type", None)
    left, top = box.content_box_x(), box.content_box_y()
    info = PageColumn(
        index,
        page,
        box,
        getattr(page_type, "side", "right"),
        bool(getattr(page_type, "blank", False)),
        left,
        left + box.width,
        top,
        top + box.height,
        top + box.height,
    )
    root = box.children[0]
    line_heights: Counter = Counter()
    lowest = None  # the lowest line of the text flow
    for child, parent, line, top_box in walk(box):
        inner = unwrap(child)
        if isinstance(inner, WP["LineBox"]):
            line_heights[round(inner.height, 1)] += 1
            if top_box is root and (
                lowest is None or inner.position_y + inner.height > lowest.position_y + lowest.height
            ):
                lowest = inner
            continue
        _collect(index, child, parent, line, top_box is not root, found)
    if line_heights:
        info.line_height = line_heights.most_common(1)[0][0]
    _fit_column(info, lowest)
    info.margin_boxes = [c for c in box.children if isinstance(c, WP["MarginBox"])]
    return info


def _collect(index: int, child: Any, parent: Any, line: Any, in_footnote: bool, found: Found) -> None:
    inner = unwrap(child)
    anchor = inner.style["anchor"]
    if anchor and anchor.startswith(CALL_PREFIX) and anchor not in found.calls:
        found.calls[anchor] = (index, line, inner)
    names = classes(inner)
    if MARGIN_NOTE in names and not is_absolute(child) and "::" not in (inner.element_tag or ""):
        element = inner.element  # a note the page set at its foot
        if not any(f.note_id == element.get(DATA_NOTE_ID) for f in found.foot):
            found.foot.append(FootNote(element.get(DATA_NOTE_ID), element.get(DATA_CALL) or "", index))
        return
    if (
        not is_absolute(child)
        or "::" in (inner.element_tag or "")
        or (MARGIN_NOTE not in names and MARGIN_GLOSS not in names)
    ):
        return
    element, gloss = inner.element, MARGIN_NOTE not in names
    note_id = (element.get(DATA_TERM) if gloss else element.get(DATA_NOTE_ID)) or ""
    height = inner.margin_height()
    found.notes.append(
        NoteBox(
            holder=child,
            box=inner,
            parent=parent,
            page=index,
            order=len(found.notes),
            line=line,
            element=element,
            gloss=gloss,
            note_id=note_id,
            call=element.get(DATA_CALL) or "",
            height=height,
            in_footnote=in_footnote,
            has_text=any(isinstance(d, WP["TextBox"]) and d.text.strip() for d in inner.descendants()),
            first_baseline=baseline(inner) - inner.position_y,
            tail=inner.position_y + height - baseline(inner, last=True),
            marks=marks(inner),
        )
    )


def _fit_column(info: PageColumn, lowest: Any) -> None:
    """The notes stay above the author's footnotes (but for those called in them), and on a
    full page end on the baseline of the text's last line, not in the strip (less than a line)
    that the page break leaves below it. Where the text stops well above the foot (a chapter's
    end), they may use the whole height."""
    for child in info.box.children:
        if isinstance(child, WP["FootnoteAreaBox"]) and child.children:
            info.bottom = min(info.bottom, child.position_y)
            info.has_footnotes = True
    if lowest is not None and info.line_height:
        if info.bottom - (lowest.position_y + lowest.height) < 1.5 * info.line_height:
            info.bottom = min(info.bottom, lowest.position_y + lowest.height)
            info.foot_baseline = lowest.position_y + (lowest.baseline or 0)


@dataclass(frozen=True)
class Column:
    """The note column, as laid out: its distance from the text block and its width."""

    gap: float
    width: float

    def x(self, page: PageColumn, twosided: bool) -> float:
        """Left x of the column in the outer margin of a page."""
        if twosided and page.side == "left":
            return page.left - self.gap - self.width
        return page.right + self.gap


def laid_out_column(notes: list[NoteBox], pages: list[PageColumn]) -> Column:
    """The column where WeasyPrint put the notes: the style sheet places every note box at
    the same distance right of its paragraph (on every page), so the most common distance from
    the text block's right edge is the gap; notes in indented blocks are outvoted."""
    gaps = Counter(round(n.box.position_x - pages[n.page].right, 1) for n in notes)
    widths = Counter(round(n.box.margin_width(), 1) for n in notes)
    return Column(gaps.most_common(1)[0][0], widths.most_common(1)[0][0])


def avoid_margin_boxes(pages: list[PageColumn], column: Column, twosided: bool) -> None:
    """Shorten the column where a running head or footer reaches into it (by its text: top
    and bottom margin boxes span the whole margin)."""
    for page in pages:
        x1 = column.x(page, twosided)
        x2 = x1 + column.width
        middle = (page.top + page.bottom) / 2
        for margin_box in page.margin_boxes:
            extent = ink(margin_box)
            if (
                extent is None
                or extent[2] <= x1
                or extent[0] >= x2
                or extent[3] <= page.top
                or extent[1] >= page.page_bottom
            ):
                continue
            if (extent[1] + extent[3]) / 2 < middle:
                page.top = max(page.top, extent[3])
            else:
                page.bottom = min(page.bottom, extent[1])
                page.page_bottom = min(page.page_bottom, extent[1])


def one_per_element(found: Found, pages: list[PageColumn], page_label: Callable[[int], str] | None) -> list[NoteBox]:
    """Keep one box per note element, and say where it belongs.

    A note belongs beside the line it was laid out in: its call's line, or, for a note
    called in an author's footnote, the footnote's line at the page foot. If WeasyPrint
    carried a note whose call is near the foot over to the next page, it goes back; empty
    fragments and duplicates leave the tree."""
    by_element: dict[int, list[NoteBox]] = {}
    for note in found.notes:
        by_element.setdefault(id(note.element), []).append(note)
    kept = []
    for fragments in by_element.values():
        in_line = next((f for f in fragments if f.line is not None), None)
        with_text = [f for f in fragments if f.has_text] or fragments[:1]
        keep = next((f for f in with_text if in_line and f.page == in_line.page), with_text[0])
        if len(with_text) > 1:
            found.split.append(keep)
        for fragment in fragments:
            if fragment is not keep:
                remove_child(fragment.parent, fragment.holder)
                pages[fragment.page].changed = True
        _belongs(keep, in_line, found, pages)
        keep.page_label = page_label(keep.home + 1) if page_label else str(keep.home + 1)
        kept.append(keep)
    return sorted(kept, key=lambda note: note.order)


def _belongs(note: NoteBox, in_line: NoteBox | None, found: Found, pages: list[PageColumn]) -> None:
    """Set the page and the baseline a note belongs beside, and its desired top."""
    call = None if note.gloss else found.calls.get(CALL_PREFIX + note.note_id)
    line = in_line.line if in_line else call[1] if call else None
    note.home = in_line.page if in_line else call[0] if call else note.page
    note.in_footnote = in_line.in_footnote if in_line else note.in_footnote
    if line is not None:
        note.call_baseline = line.position_y + (line.baseline or 0)
        note.line_height = line.height
    elif call is not None:
        note.call_baseline = call[2].position_y
    else:
        note.call_baseline = note.box.position_y + note.first_baseline
    note.line_height = note.line_height or pages[note.home].line_height
    note.desired_y = note.call_baseline - note.first_baseline

"""Place editors' notes in the outer page margin of the PDF reading packet.

WeasyPrint lays out each ``.margin-note`` (and each glossary ``.margin-gloss``)
as an absolutely positioned box beside the line of its call (see
``styles/pdf-margins.css``): level with its line and outside the text flow,
but free to overlap its neighbours and to run off the page.  This module runs
once, after ``document = HTML(...).render(...)`` and before
``document.write_pdf()``, and settles that in one linear pass over the laid-out
pages, moving boxes, without a second layout:

* on each page the notes, in the order of their calls, are stacked in the note
  column: each with its first baseline on its call's baseline if it can, else
  just below the note above; where the stack passes the foot of the text block
  (or the top of the footnote area, or a running head/footer reaching into the
  column) it is pushed up; a run of crowded notes may rise by up to two lines
  when that brings more of them within two lines of their calls;
* only when a page's column cannot hold its notes do the last ones continue at
  the top of the next page's column, under a mark "↑ p. N" (N: the page of the
  call; the mark is laid out from the CSS, hidden, for every note);
* glosses keep their place where the column has room beside their line, and
  are removed where it has not;
* with ``twosided=True`` notes on verso pages go to the left margin, set
  ragged-left;
* the links and anchors of every page whose boxes moved are gathered again.

It also writes the page numbers of back-references (the glossary's "In the
text", the questions' passages) after layout (:func:`write_page_numbers`), and
keeps pydyf from rebuilding its list of page references for every element of a
tagged PDF (:func:`page_references_kept`).

ALL use of WeasyPrint's private internals is in this module (section
"WeasyPrint internals"); WeasyPrint is pinned at 70.0, and
``check_weasyprint_internals()`` fails loudly if a name we rely on changes.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from bisect import insort
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

__all__ = ["MarginPlacement", "PlacedNote", "check_weasyprint_internals",
           "page_references_kept", "place_margin_notes", "write_page_numbers"]

LOGGER = logging.getLogger(__name__)

NOTE_CLASS, GLOSS_CLASS, LABEL_CLASS = "margin-note", "margin-gloss", "note-label"
CALL_PREFIX = "call-"
#: Space between two notes in the column, in body lines.
NOTE_SPACING_LINES = 0.3
#: A note this close to its call (in body lines) stands beside it; a run of
#: crowded notes may rise by as much to bring more of them there.
NEAR_CALL_LINES = 1.95
#: How far (in body lines) a gloss may be nudged before it is dropped instead.
GLOSS_MAX_SHIFT_LINES = 1.0
#: Gap between text and notes if the notes' CSS (right, width) does not say (8mm).
DEFAULT_GAP = 7 * 96 / 25.4


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PlacedNote:
    """Where one ``.margin-note`` ended up."""

    note_id: str
    call: str
    page_number: int  # 1-based page where the note is drawn
    call_page_number: int  # 1-based page of the line it belongs beside
    lines_moved: float  # distance from its call's line, in body-line heights
    continued: bool  # moved to the next page's margin


@dataclass(frozen=True)
class MarginPlacement:
    """The outcome of :func:`place_margin_notes`."""

    notes: tuple[PlacedNote, ...]
    glosses_kept: int
    glosses_dropped: int

    def moved(self, more_than_lines: float = 2) -> tuple[PlacedNote, ...]:
        """Notes drawn more than ``more_than_lines`` body lines from their call
        (a note continued on another page always counts)."""
        return tuple(note for note in self.notes
                     if note.continued or note.lines_moved > more_than_lines)

    def report(self, more_than_lines: float = 2) -> str:
        """A short account of the notes that had to move."""
        moved = self.moved(more_than_lines)
        lines = [f"margin notes: {len(self.notes)} placed, {len(moved)} moved more than "
                 f"{more_than_lines:g} lines; glosses: {self.glosses_kept} kept, "
                 f"{self.glosses_dropped} dropped"]
        for note in moved:
            where = (f"continued on p. {note.page_number} (called on p. "
                     f"{note.call_page_number})" if note.continued else
                     f"p. {note.page_number}, {note.lines_moved:.1f} lines from its call")
            lines.append(f"  note {note.call} ({note.note_id}): {where}")
        return "\n".join(lines)


# --------------------------------------------------------------------------
# WeasyPrint internals (weasyprint==70.0)
# --------------------------------------------------------------------------
#
# * ``Page._page_box`` (document.py): the laid-out box tree of a page.
#   ``Page.__init__`` computes ``links``, ``anchors``, ``bookmarks`` and
#   ``forms`` with ``anchors.gather_anchors`` from absolute positions, so we
#   call it again for every page whose boxes moved.  ``Page(page_box)`` also
#   makes the page added when notes overflow the last page.
# * ``PageBox.children`` is ``(root box, [footnote area], [note area], margin
#   boxes...)`` (layout/__init__.py); ``PageBox.page_type.side/.blank``.
# * ``layout.absolute.AbsolutePlaceholder`` wraps each absolutely positioned
#   box in the tree (``._box``).  An absolute box continued after a page break
#   is a plain box among the next root box's children (layout/page.py).
# * Boxes (formatting_structure/boxes.py): ``translate(dx, dy)`` moves a box
#   and its descendants; ``position_x/_y``, ``width``, ``margin_height()``,
#   ``margin_width()``, ``children``, ``all_children()``, ``descendants()``,
#   ``copy_with_children()``, ``element``, ``element_tag``, ``style``;
#   ``LineBox.baseline`` (from the line's top); after layout an absolute box
#   has its used ``right`` as a number.
# * Text (text/line_break.py, draw/text.py): a TextBox is shaped again from
#   ``pango_layout.text`` when drawn (``Layout.reactivate``), so the text of
#   the continuation mark can be replaced; ``line_size`` measures it.
# * pydyf (pinned at the version WeasyPrint 70 requires): ``PDF.page_references``
#   is a property that builds a tuple of every page's reference from
#   ``PDF.pages["Kids"]`` each time it is read.

def _load() -> dict[str, Any]:
    try:
        import weasyprint
        from weasyprint import anchors, document
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import absolute
        from weasyprint.text import line_break
    except ImportError as error:  # pragma: no cover
        raise RuntimeError(f"WeasyPrint cannot be imported: {error}") from error
    import pydyf
    page_references = inspect.getattr_static(pydyf.PDF, "page_references", None)
    return {
        "version": getattr(weasyprint, "__version__", "?"),
        "PDF": pydyf.PDF if isinstance(page_references, property) else None,
        "Page": getattr(document, "Page", None),
        "gather_anchors": getattr(anchors, "gather_anchors", None),
        "Placeholder": getattr(absolute, "AbsolutePlaceholder", None),
        "Box": getattr(boxes, "Box", None),
        "ParentBox": getattr(boxes, "ParentBox", None),
        "LineBox": getattr(boxes, "LineBox", None),
        "TextBox": getattr(boxes, "TextBox", None),
        "InlineBlockBox": getattr(boxes, "InlineBlockBox", None),
        "MarginBox": getattr(boxes, "MarginBox", None),
        "FootnoteAreaBox": getattr(boxes, "FootnoteAreaBox", None),
        "Layout": getattr(line_break, "Layout", None),
        "line_size": getattr(line_break, "line_size", None),
    }


def check_weasyprint_internals() -> None:
    """Raise RuntimeError listing each private WeasyPrint name this module
    relies on that is missing or changed (WeasyPrint is pinned at 70.0)."""
    wp = _load()
    problems = [f"missing {name}" for name, value in wp.items() if value is None]
    if not problems:
        wanted = {
            "Box": ("translate", "margin_height", "margin_width", "all_children",
                    "descendants", "content_box_x", "content_box_y"),
            "ParentBox": ("copy_with_children",),
            "Placeholder": ("translate",),
            "Layout": ("reactivate", "deactivate", "get_first_line"),
        }
        problems += [f"missing {name}.{attr}" for name, attrs in wanted.items()
                     for attr in attrs if not callable(getattr(wp[name], attr, None))]
        sources = {name: _source(wp[name]) for name in ("Page", "Placeholder")}
        problems += [f"Page.__init__ no longer has {needle!r}" for needle in
                     ("self._page_box", "gather_anchors(", "self.links", "self.anchors",
                      "self.bookmarks", "self.forms") if needle not in sources["Page"]]
        if "self._box" not in sources["Placeholder"]:
            problems.append("AbsolutePlaceholder no longer has _box")
        parameters = list(inspect.signature(wp["gather_anchors"]).parameters)[:5]
        if parameters != ["box", "anchors", "links", "bookmarks", "forms"]:
            problems.append(f"gather_anchors takes {parameters}")
    if problems:
        raise RuntimeError(
            "readingedition.pdf_margins relies on WeasyPrint internals that changed "
            f"(installed: WeasyPrint {wp['version']}; pinned: 70.0):\n  "
            + "\n  ".join(problems))


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # pragma: no cover
        return ""


_WP: dict[str, Any] = {}


def _wp() -> dict[str, Any]:
    if not _WP:
        check_weasyprint_internals()
        _WP.update(_load())
    return _WP


def _page_box(page: Any) -> Any:
    return page._page_box


def _unwrap(box: Any) -> Any:
    """The laid-out box behind an AbsolutePlaceholder, or the box itself."""
    return box._box if isinstance(box, _WP["Placeholder"]) else box


def _classes(box: Any) -> tuple[str, ...]:
    return tuple((box.element.get("class") or "").split()) if box.element is not None else ()


def _is_absolute(box: Any) -> bool:
    return isinstance(box, _WP["Placeholder"]) or box.style["position"] in ("absolute", "fixed")


def _refresh_links(page: Any) -> None:
    """Gather links, anchors, bookmarks and forms again, as Page.__init__ does."""
    page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
    _WP["gather_anchors"](_page_box(page), page.anchors, page.links, page.bookmarks,
                          page.forms)


def _set_children(parent: Any, children: list) -> None:
    """Replace a box's children, keeping the container type WeasyPrint used."""
    parent.children = tuple(children) if isinstance(parent.children, tuple) else children


def _remove_child(parent: Any, child: Any) -> None:
    _set_children(parent, [c for c in parent.children if c is not child])


def _append_to_page(page_box: Any, box: Any) -> Any:
    """Put ``box`` at the end of a page's root box; return its new parent."""
    root = page_box.children[0]
    _set_children(root, [*root.children, box])
    return root


def _show(box: Any, text: str | None = None) -> None:
    """Make a hidden one-line box visible, replacing its text if given (the
    new text is measured, so the box can be aligned right)."""
    for descendant in box.descendants(placeholders=True):
        descendant = _unwrap(descendant)
        descendant.style = descendant.style.copy()
        descendant.style["visibility"] = "visible"
    if text is None:
        return
    text_boxes = [d for d in box.descendants() if isinstance(d, _WP["TextBox"])]
    for text_box in text_boxes[1:]:
        text_box.text = text_box.pango_layout.text = ""
    if text_boxes:
        delta = _set_text(text_boxes[0], text)
        for descendant in box.descendants():  # the mark is one line
            if not isinstance(descendant, _WP["TextBox"]):
                descendant.width += delta


def _set_text(text_box: Any, text: str) -> float:
    """Give a laid-out one-line text box a new text, measured; return how much
    wider it became."""
    text_box.text = text_box.pango_layout.text = text
    text_box.pango_layout.reactivate(text_box.style)
    line, _ = text_box.pango_layout.get_first_line()
    width, _ = _WP["line_size"](line, text_box.style)
    text_box.pango_layout.deactivate()
    delta = width - text_box.width
    text_box.width = width
    return delta


def _add_page(document: Any, like: Any) -> Any:
    """Append a page like ``like``, without content or running heads."""
    page_box = _page_box(like)
    root = page_box.children[0].copy_with_children([])
    page = _WP["Page"](page_box.copy_with_children([root]))
    document.pages.append(page)
    return page


def _walk(page_box: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Yield ``(box, parent, line, top)`` in tree order: ``line`` is the
    nearest LineBox ancestor, ``top`` the page child it is in (root box or
    footnote area).  Margin boxes are skipped; absolute boxes are yielded but
    not entered; text boxes are not yielded."""
    line_type, text_type = _WP["LineBox"], _WP["TextBox"]
    stack = [(child, page_box, None, child) for child in reversed(page_box.children)
             if not isinstance(child, _WP["MarginBox"])]
    while stack:
        box, parent, line, top = stack.pop()
        if isinstance(box, text_type):
            continue
        yield box, parent, line, top
        if _is_absolute(box):
            continue
        if isinstance(box, line_type):
            line = box
        # A table's children come as an iterator (its rows, then its column groups).
        stack.extend((child, box, line, top) for child in reversed(list(box.all_children())))


def _baseline(box: Any, last: bool = False) -> float:
    """Absolute y of the first (or last) baseline of a note box, looking
    through the inline-block that wraps the note's content."""
    line_type, inline_block = _WP["LineBox"], _WP["InlineBlockBox"]
    current = box
    while True:
        children = [c for c in current.children if not isinstance(c, _WP["Placeholder"])]
        child = children[-1 if last else 0] if children else None
        if isinstance(current, line_type) and not isinstance(child, inline_block):
            return current.position_y + (current.baseline or 0)
        if child is None or not hasattr(child, "children"):
            return box.position_y + (box.margin_height() if not last else 0)
        current = child


def _marks(note: Any) -> list[tuple[Any, Any]]:
    """The hidden parts of the continuation mark in a note: the absolute
    ``.note-label::before`` ("↑") and ``::after`` ("p. N") boxes, with their
    parents, in that order."""
    found: dict[str, tuple[Any, Any]] = {}
    stack = [note]
    while stack:
        box = stack.pop()
        for child in box.all_children():
            inner = _unwrap(child)
            if _is_absolute(child):
                pseudo = (inner.element_tag or "").rpartition("::")[2]
                if pseudo in ("before", "after") and LABEL_CLASS in _classes(inner):
                    found.setdefault(pseudo, (child, box))
            elif not isinstance(inner, _WP["TextBox"]):
                stack.append(inner)
    return [found[pseudo] for pseudo in ("before", "after") if pseudo in found]


def _ink(box: Any) -> tuple[float, float, float, float] | None:
    """Extent (x1, y1, x2, y2) of the text in a box, or None."""
    texts = [d for d in box.descendants() if isinstance(d, _WP["TextBox"]) and d.text.strip()]
    if not texts:
        return None
    return (min(t.position_x for t in texts), min(t.position_y for t in texts),
            max(t.position_x + t.width for t in texts),
            max(t.position_y + t.height for t in texts))


def _flush_right(note: Any) -> None:
    """Set a note ragged-left: move each of its lines to the note's right edge
    (lines are left-aligned by the CSS, so a line box is as wide as its text)."""
    line_type, inline_block = _WP["LineBox"], _WP["InlineBlockBox"]
    right = note.content_box_x() + note.width
    stack = [note]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, line_type):
                if len(child.children) == 1 and isinstance(child.children[0], inline_block):
                    stack.append(child.children[0])  # the .margin-note-body wrapper
                elif right - (child.position_x + child.width) > 0.01:
                    child.translate(right - (child.position_x + child.width), 0)
            elif hasattr(child, "children") and not _is_absolute(child):
                stack.append(child)


# --------------------------------------------------------------------------
# The notes and the pages
# --------------------------------------------------------------------------

@dataclass(eq=False)
class _Note:
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
    marks: list = field(default_factory=list)  # hidden "↑", "p. N" (box, parent)
    home: int = 0  # index of the page of the line it belongs beside
    call_baseline: float = 0.0
    line_height: float = 0.0
    desired_y: float = 0.0
    page_label: str = ""
    continued: bool = False
    y: float = 0.0  # top of the note (with its mark, if continued)
    placed: int = 0  # index of the page where it is drawn

    @property
    def mark_height(self) -> float:
        return max((_unwrap(m).margin_height() for m, _ in self.marks), default=0.0)

    @property
    def total_height(self) -> float:
        return self.height + (self.mark_height if self.continued else 0.0)


@dataclass(eq=False)
class _Page:
    index: int
    page: Any
    box: Any
    side: str
    blank: bool
    left: float  # the text block's edges
    right: float
    top: float  # the note column's top and foot
    bottom: float
    line_height: float = 0.0  # body line
    foot_baseline: float | None = None  # last baseline of a full page's text
    margin_boxes: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # notes belonging beside its lines
    glosses: list = field(default_factory=list)
    stacked: list = field(default_factory=list)  # notes drawn on it
    changed: bool = False

    def bottom_for(self, note: _Note) -> float:
        """The lowest the foot of a note may go: the column's foot, or on a
        full page, where the note's last baseline meets the text's."""
        if self.foot_baseline is None:
            return self.bottom
        return min(self.bottom, self.foot_baseline + note.tail)


def _read_page(index: int, page: Any, notes: list[_Note],
               calls: dict[str, tuple[int, Any, Any]]) -> _Page:
    """Describe a page; collect its notes, glosses and calls."""
    page_box = _page_box(page)
    page_type = getattr(page_box, "page_type", None)
    left, top = page_box.content_box_x(), page_box.content_box_y()
    info = _Page(index, page, page_box, getattr(page_type, "side", "right"),
                 bool(getattr(page_type, "blank", False)), left, left + page_box.width,
                 top, top + page_box.height)
    root = page_box.children[0]
    line_heights: dict[float, int] = {}
    lowest = None  # the lowest line of the text flow
    for box, parent, line, top_box in _walk(page_box):
        inner = _unwrap(box)
        if isinstance(inner, _WP["LineBox"]):
            height = round(inner.height, 1)
            line_heights[height] = line_heights.get(height, 0) + 1
            if top_box is root and (lowest is None or inner.position_y + inner.height
                                    > lowest.position_y + lowest.height):
                lowest = inner
            continue
        anchor = inner.style["anchor"]
        if anchor and anchor.startswith(CALL_PREFIX) and anchor not in calls:
            calls[anchor] = (index, line, inner)
        classes = _classes(inner)
        if (not _is_absolute(box) or "::" in (inner.element_tag or "")
                or (NOTE_CLASS not in classes and GLOSS_CLASS not in classes)):
            continue
        element, gloss = inner.element, NOTE_CLASS not in classes
        note_id = (element.get("data-term") if gloss else element.get("data-note-id")
                   or (element.get("id") or "").removeprefix("note-")) or ""
        height = inner.margin_height()
        notes.append(_Note(
            holder=box, box=inner, parent=parent, page=index, order=len(notes), line=line,
            element=element, gloss=gloss, note_id=note_id,
            call=element.get("data-call") or "", height=height,
            has_text=any(isinstance(d, _WP["TextBox"]) and d.text.strip()
                         for d in inner.descendants()),
            first_baseline=_baseline(inner) - inner.position_y,
            tail=inner.position_y + height - _baseline(inner, last=True),
            marks=_marks(inner)))
    if line_heights:
        info.line_height = max(line_heights.items(), key=lambda item: item[1])[0]
    # The notes stay above the author's footnotes ...
    for child in page_box.children:
        if isinstance(child, _WP["FootnoteAreaBox"]) and child.children:
            info.bottom = min(info.bottom, child.position_y)
    # ... and on a full page end on the baseline of the text's last line, not
    # in the strip (less than a line) that the page break leaves below it.
    # Where the text stops well above the foot (a chapter's end), they may
    # use the whole height.
    if lowest is not None and info.line_height:
        if info.bottom - (lowest.position_y + lowest.height) < 1.5 * info.line_height:
            info.bottom = min(info.bottom, lowest.position_y + lowest.height)
            info.foot_baseline = lowest.position_y + (lowest.baseline or 0)
    info.margin_boxes = [c for c in page_box.children if isinstance(c, _WP["MarginBox"])]
    return info


def _column_x(page: _Page, note: _Note, twosided: bool) -> float:
    """Left x of a note in the outer margin of a page."""
    width = note.box.margin_width()
    right = getattr(note.box, "right", "auto")  # used value, e.g. -46mm
    gap = -right - width if isinstance(right, (int, float)) else DEFAULT_GAP
    gap = gap if gap >= 0 else DEFAULT_GAP
    if twosided and page.side == "left":
        return page.left - gap - width
    return page.right + gap


# --------------------------------------------------------------------------
# Placement
# --------------------------------------------------------------------------

def place_margin_notes(
    document: "weasyprint.Document", *, twosided: bool = False,
    page_label: Callable[[int], str] | None = None,
) -> MarginPlacement:
    """Move the margin notes of a rendered ``document`` so that none overlaps
    anything and none is lost.  Call between ``render()`` and ``write_pdf()``.

    ``twosided``: notes go to the outer margin of each spread (the left margin
    of verso pages); use it with the ``html.twosided`` page rules of the CSS.
    ``page_label``: the page number as printed, from the 1-based page index,
    for the "↑ p. N" mark of a continued note (default: the index itself,
    right when the folio is ``counter(page)`` without resets).
    """
    _wp()
    found: list[_Note] = []
    calls: dict[str, tuple[int, Any, Any]] = {}
    pages = [_read_page(i, page, found, calls) for i, page in enumerate(document.pages)]
    if not found:
        return MarginPlacement(notes=(), glosses_kept=0, glosses_dropped=0)
    default_line = next((p.line_height for p in pages if p.line_height), 19.0)
    for page in pages:
        page.line_height = page.line_height or default_line
    _avoid_margin_boxes(pages, found[0], twosided)
    notes = _one_per_element(found, pages, calls, page_label)
    for note in notes:
        (pages[note.home].glosses if note.gloss else pages[note.home].notes).append(note)
    _stack_pages(pages, document, twosided)
    kept, dropped = _place_glosses(pages, twosided)

    results = []
    for note in notes:
        if note.gloss:
            continue
        _apply(note, pages, twosided)
        results.append(PlacedNote(
            note_id=note.note_id, call=note.call, page_number=note.placed + 1,
            call_page_number=note.home + 1, lines_moved=_lines_moved(note, pages),
            continued=note.continued))
    for page in pages:
        if page.changed:
            _refresh_links(page.page)
    placement = MarginPlacement(tuple(results), kept, dropped)
    for note in placement.moved():
        LOGGER.info("margin note %s (called on p. %d) is on p. %d, %.1f lines from its call%s",
                    note.note_id, note.call_page_number, note.page_number, note.lines_moved,
                    ", continued" if note.continued else "")
    return placement


def _avoid_margin_boxes(pages: list[_Page], reference: _Note, twosided: bool) -> None:
    """Shorten the column where a running head or footer reaches into it (by
    its text: top and bottom margin boxes span the whole margin)."""
    for page in pages:
        x1 = _column_x(page, reference, twosided)
        x2 = x1 + reference.box.margin_width()
        middle = (page.top + page.bottom) / 2
        for margin_box in page.margin_boxes:
            ink = _ink(margin_box)
            if (ink is None or ink[2] <= x1 or ink[0] >= x2
                    or ink[3] <= page.top or ink[1] >= page.bottom):
                continue
            if (ink[1] + ink[3]) / 2 < middle:
                page.top = max(page.top, ink[3])
            else:
                page.bottom = min(page.bottom, ink[1])


def _one_per_element(found: list[_Note], pages: list[_Page],
                     calls: dict[str, tuple[int, Any, Any]],
                     page_label: Callable[[int], str] | None) -> list[_Note]:
    """Keep one box per note element, and say where it belongs.

    A note belongs beside the line it was laid out in: its call's line, or,
    for a note called in a footnote, the line of the footnote's call.  If
    WeasyPrint carried a note whose call is near the foot over to the next
    page, it goes back; empty fragments and duplicates leave the tree."""
    by_element: dict[int, list[_Note]] = {}
    for note in found:
        by_element.setdefault(id(note.element), []).append(note)
    kept = []
    for fragments in by_element.values():
        in_line = next((f for f in fragments if f.line is not None), None)
        with_text = [f for f in fragments if f.has_text] or fragments[:1]
        keep = next((f for f in with_text if in_line and f.page == in_line.page), with_text[0])
        if len(with_text) > 1:
            LOGGER.warning("margin note %s was laid out in %d parts; keeping one",
                           keep.note_id, len(with_text))
        for fragment in fragments:
            if fragment is not keep:
                _remove_child(fragment.parent, fragment.holder)
                pages[fragment.page].changed = True
        call = None if keep.gloss else calls.get(CALL_PREFIX + keep.note_id)
        line = in_line.line if in_line else call[1] if call else None
        keep.home = in_line.page if in_line else call[0] if call else keep.page
        if line is not None:
            keep.call_baseline = line.position_y + (line.baseline or 0)
            keep.line_height = line.height
        elif call is not None:
            keep.call_baseline = call[2].position_y
        else:
            keep.call_baseline = keep.box.position_y + keep.first_baseline
        keep.line_height = keep.line_height or pages[keep.home].line_height
        keep.desired_y = keep.call_baseline - keep.first_baseline
        keep.page_label = page_label(keep.home + 1) if page_label else str(keep.home + 1)
        kept.append(keep)
    return sorted(kept, key=lambda note: note.order)


def _stack_pages(pages: list[_Page], document: Any, twosided: bool) -> None:
    """Stack each page's notes in its column; carry over what does not fit."""
    carried: list[_Note] = []
    index = 0
    while index < len(pages):
        page = pages[index]
        if page.blank and carried and index + 1 < len(pages):
            index += 1
            continue
        for note in carried:
            note.continued, note.desired_y = True, page.top
        items = carried + sorted(page.notes, key=lambda n: (n.desired_y, n.order))
        spacing = NOTE_SPACING_LINES * page.line_height
        heights = [note.total_height for note in items]
        bottoms = [page.bottom_for(note) for note in items]
        capacity = min(bottoms, default=page.bottom) - page.top
        total = sum(heights) + spacing * max(len(items) - 1, 0)
        carried = []
        while total > capacity and len(items) > 1:  # the last ones go on
            carried.insert(0, items.pop())
            total -= heights.pop() + spacing
            bottoms.pop()
        if total > capacity:
            LOGGER.warning("margin note %s is taller than the note column of page %d",
                           items[0].note_id, index + 1)
        ys = _stack(items, heights, page.top, bottoms, spacing)
        _pull_up(items, ys, heights, page.top, spacing, NEAR_CALL_LINES * page.line_height)
        for note, y in zip(items, ys):
            note.y, note.placed = y, index
        page.stacked = items
        if carried and index + 1 == len(pages):
            LOGGER.warning("margin notes overflow the last page: adding a page for %d",
                           len(carried))
            new = _add_page(document, page.page)
            pages.append(_Page(index + 1, new, _page_box(new), page.side, False, page.left,
                               page.right, page.top, page.bottom, page.line_height))
        index += 1


def _stack(items: list[_Note], heights: list[float], top: float, bottoms: list[float],
           spacing: float) -> list[float]:
    """Top y of each note: at its desired y or just below the note above,
    then pushed up where the stack passes ``bottoms[i]``."""
    ys, floor = [], top
    for note, height in zip(items, heights):
        ys.append(max(note.desired_y, floor))
        floor = ys[-1] + height + spacing
    ceiling = float("inf")
    for i in range(len(items) - 1, -1, -1):
        ceiling = min(ceiling, bottoms[i])
        ys[i] = min(ys[i], ceiling - heights[i])
        ceiling = ys[i] - spacing
    return ys


def _pull_up(items: list[_Note], ys: list[float], heights: list[float], top: float,
             spacing: float, tolerance: float) -> None:
    """Raise each run of touching notes by at most ``tolerance``, into free
    space above it, when that brings more of them within ``tolerance`` of
    their calls (the smallest such rise)."""
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and abs(ys[j + 1] - ys[j] - heights[j] - spacing) < 0.01:
            j += 1
        room = ys[i] - (ys[i - 1] + heights[i - 1] + spacing if i else top)
        offsets = [ys[k] - items[k].desired_y for k in range(i, j + 1)]
        limit = min(room, tolerance)

        def near(rise: float) -> int:
            return sum(1 for offset in offsets if abs(offset - rise) <= tolerance)

        if limit > 0.01:
            rises = sorted({0.0, limit} | {min(max(o - tolerance, 0.0), limit) for o in offsets})
            best = max(rises, key=near)
            if near(best) > near(0.0):
                for k in range(i, j + 1):
                    ys[k] -= best
        i = j + 1


def _place_glosses(pages: list[_Page], twosided: bool) -> tuple[int, int]:
    """Keep each gloss beside its line where the column has room (nudged by
    at most GLOSS_MAX_SHIFT_LINES); remove it elsewhere."""
    kept = dropped = 0
    for page in pages:
        occupied = sorted((n.y, n.y + n.total_height) for n in page.stacked)
        spacing = NOTE_SPACING_LINES * page.line_height
        for gloss in sorted(page.glosses, key=lambda n: (n.desired_y, n.order)):
            y = _fit(gloss, occupied, page.top, page.bottom_for(gloss), spacing,
                     GLOSS_MAX_SHIFT_LINES * page.line_height)
            if y is None:
                _remove_child(gloss.parent, gloss.holder)
                pages[gloss.page].changed = True
                dropped += 1
                continue
            gloss.y, gloss.placed = y, page.index
            insort(occupied, (y, y + gloss.height))
            _apply(gloss, pages, twosided)
            kept += 1
    return kept, dropped


def _fit(note: _Note, occupied: list[tuple[float, float]], top: float, bottom: float,
         spacing: float, max_shift: float) -> float | None:
    """The free y closest to a note's desired y, if within ``max_shift``."""
    best = None
    cursor = top
    for start, end in [*occupied, (bottom + spacing, bottom + spacing)]:
        low, high = cursor, min(start - spacing, bottom)
        if high - low >= note.height:
            y = min(max(note.desired_y, low), high - note.height)
            if best is None or abs(y - note.desired_y) < abs(best - note.desired_y):
                best = y
        cursor = max(cursor, end + spacing)
    return best if best is not None and abs(best - note.desired_y) <= max_shift else None


def _apply(note: _Note, pages: list[_Page], twosided: bool) -> None:
    """Move a note's boxes to where it was placed."""
    source, target = pages[note.page], pages[note.placed]
    if note.marks and not note.continued:
        for mark, parent in note.marks:
            _remove_child(parent, mark)
        source.changed = True
    if target is not source:
        _remove_child(note.parent, note.holder)
        note.parent = _append_to_page(target.box, note.holder)
        source.changed = True
    x = _column_x(target, note, twosided)
    top = note.y + (note.mark_height if note.continued else 0.0)
    note.box.translate(x - note.box.position_x, top - note.box.position_y)
    target.changed = True
    ragged_left = twosided and target.side == "left"
    if ragged_left:
        _flush_right(note.box)
    if note.continued and note.marks:
        _show_mark(note, x, note.y, x + note.box.margin_width() if ragged_left else None)


def _show_mark(note: _Note, x: float, y: float, right: float | None) -> None:
    """Show "↑ p. N" on its own line above a continued note, from ``x`` (or
    ending at ``right``): the arrow (::before), then the page (::after)."""
    parts = [_unwrap(mark) for mark, _ in note.marks]
    for part in parts:
        is_page = part.element_tag.endswith("::after")
        _show(part, f"p.\u00a0{note.page_label}" if is_page else None)
    baselines = [_baseline(part) - part.position_y for part in parts]
    spaces = [0.25 * part.style["font_size"] for part in parts]
    if right is not None:
        x = right - sum(p.margin_width() for p in parts) - sum(spaces[:-1])
    for part, baseline, space in zip(parts, baselines, spaces):
        part.translate(x - part.position_x, y + max(baselines) - baseline - part.position_y)
        x += part.margin_width() + space


def _lines_moved(note: _Note, pages: list[_Page]) -> float:
    """Distance from the call's baseline to the note's first, in body lines
    (for a continued note, measured down the columns in between)."""
    first = note.y + note.first_baseline + (note.mark_height if note.continued else 0.0)
    if note.placed == note.home:
        distance = abs(first - note.call_baseline)
    else:
        distance = (pages[note.home].bottom - note.call_baseline) + sum(
            pages[i].bottom - pages[i].top for i in range(note.home + 1, note.placed)) + (
            first - pages[note.placed].top)
    return round(distance / note.line_height, 2) if note.line_height else 0.0


# --------------------------------------------------------------------------
# Page numbers of back-references
# --------------------------------------------------------------------------

#: Where the style sheet wants a page number written after layout: three
#: figure spaces (digit-wide), so the line is broken with room for the number.
PAGE_NUMBER_SLOT = "\u2007\u2007\u2007"


def write_page_numbers(document: "weasyprint.Document") -> int:
    """Write into each page-number slot (``PAGE_NUMBER_SLOT`` in the content of
    a link's ``::after``) the page of the link's target, and close up the rest
    of its line by the width the number does not use.  Returns how many.

    CSS says this with ``target-counter()``, but WeasyPrint 70 then looks at
    every such reference again for every anchor it places on a page
    (``TargetCollector.cache_target_page_counters``): anchors × references.
    On a 250-page book with 3,000 glossary back-references that was a quarter
    of its layout time.  Run after :func:`place_margin_notes`, whose moves can
    change pages."""
    _wp()
    page_of = {anchor: number for number, page in enumerate(document.pages, 1)
               for anchor in page.anchors}
    written = 0
    for page in document.pages:
        changed = False
        for line in _line_boxes(_page_box(page)):
            for path in _slots(line):
                number = page_of.get(path[-2].element.get("href")[1:])  # the link whose ::after it is
                _replace_text(path, path[-1].text.replace(PAGE_NUMBER_SLOT, str(number or "?")))
                written += 1
                changed = True
        if changed:
            _refresh_links(page)
    return written


def _line_boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, _WP["LineBox"]):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _line_boxes(_unwrap(child))


def _slots(line: Any) -> Iterator[list[Any]]:
    """The path from the line down to each text box holding a slot: in the
    ``::after`` of an internal link (figure spaces in the text are text)."""
    def walk(path: list[Any]) -> Iterator[list[Any]]:
        box = path[-1]
        if isinstance(box, _WP["TextBox"]):
            if PAGE_NUMBER_SLOT in box.text and _in_link_after(path[-2]):
                yield path
            return
        for child in getattr(box, "children", ()):
            yield from walk([*path, child])
    return walk([line])


def _in_link_after(box: Any) -> bool:
    return (box.element_tag == "a::after" and box.element is not None
            and box.element.get("href", "").startswith("#"))


def _replace_text(path: list[Any], text: str) -> None:
    """Give the text box at the end of ``path`` (line first) a new, narrower
    text: it and the boxes holding it shrink; what follows it moves left."""
    text_box = path[-1]
    delta = _set_text(text_box, text)
    for parent, child in zip(path, path[1:]):
        if child is not text_box:
            child.width += delta
        after = False
        for sibling in parent.children:
            if after:
                sibling.translate(delta, 0)
            after = after or sibling is child


# --------------------------------------------------------------------------
# Page references of a tagged PDF
# --------------------------------------------------------------------------

@contextlib.contextmanager
def page_references_kept() -> Iterator[None]:
    """While writing a PDF, let pydyf build its tuple of page references once
    per page count instead of at every read.

    WeasyPrint 70 reads ``pdf.page_references[n]`` for every structure element
    of a tagged PDF, and pydyf rebuilds the whole tuple each time: writing
    grows with pages × elements, a tenth of a 300-page book's PDF time.  The
    tuple depends only on the page list, so it is kept until a page is added."""
    pdf_class = _wp()["PDF"]
    rebuilt = pdf_class.page_references

    def kept(pdf: Any) -> tuple:
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_page_references_kept")
        if cached is None or cached[0] != count:
            cached = pdf.__dict__["_page_references_kept"] = (count, rebuilt.fget(pdf))
        return cached[1]

    pdf_class.page_references = property(kept)
    try:
        yield
    finally:
        pdf_class.page_references = rebuilt

"""WeasyPrint's private internals: ALL the margin engine's use of them is in this module.

WeasyPrint is pinned at 70.0, and :func:`check_weasyprint_internals` fails loudly if a name
relied on here changes. Besides the box helpers the engine uses, it keeps pydyf from rebuilding
its list of page references for every element of a tagged PDF (:func:`page_references_kept`).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Iterator
from typing import Any

from ...markup import NOTE_LABEL as LABEL

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
        from weasyprint.layout import page as page_layout
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
        "InlineBox": getattr(boxes, "InlineBox", None),
        "BlockBox": getattr(boxes, "BlockBox", None),
        "make_page": getattr(page_layout, "make_page", None),
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
            "Box": (
                "translate",
                "margin_height",
                "margin_width",
                "all_children",
                "descendants",
                "content_box_x",
                "content_box_y",
            ),
            "ParentBox": ("copy_with_children",),
            "Placeholder": ("translate",),
            "Layout": ("reactivate", "deactivate", "get_first_line"),
        }
        problems += [
            f"missing {name}.{attr}"
            for name, attrs in wanted.items()
            for attr in attrs
            if not callable(getattr(wp[name], attr, None))
        ]
        sources = {name: _source(wp[name]) for name in ("Page", "Placeholder")}
        problems += [
            f"Page.__init__ no longer has {needle!r}"
            for needle in (
                "self._page_box",
                "gather_anchors(",
                "self.links",
                "self.anchors",
                "self.bookmarks",
                "self.forms",
            )
            if needle not in sources["Page"]
        ]
        problems += _make_page_problems(wp)
        if "self._box" not in sources["Placeholder"]:
            problems.append("AbsolutePlaceholder no longer has _box")
        parameters = list(inspect.signature(wp["gather_anchors"]).parameters)[:5]
        if parameters != ["box", "anchors", "links", "bookmarks", "forms"]:
            problems.append(f"gather_anchors takes {parameters}")
    if problems:
        raise RuntimeError(
            "readingedition.render.margins relies on WeasyPrint internals that changed "
            f"(installed: WeasyPrint {wp['version']}; pinned: 70.0):\n  " + "\n  ".join(problems)
        )


def _make_page_problems(wp: dict[str, Any]) -> list[str]:
    """What :class:`PagesMakeRoom` relies on in layout/page.py."""
    from weasyprint.layout import page as page_layout

    problems = []
    parameters = list(inspect.signature(wp["make_page"]).parameters)
    if parameters != ["context", "root_box", "page_type", "resume_at", "page_number", "page_state"]:
        problems.append(f"make_page takes {parameters}")
    if "make_page(" not in _source(page_layout.remake_page):
        problems.append("remake_page no longer calls make_page")
    made = _source(wp["make_page"])
    problems += [
        f"make_page no longer uses {needle!r}"
        for needle in ("context.reported_footnotes", "context.broken_out_of_flow", "context.current_page_footnotes")
        if needle not in made
    ]
    return problems


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # pragma: no cover
        return ""


WP: dict[str, Any] = {}


def wp() -> dict[str, Any]:
    """The private names, checked once."""
    if not WP:
        check_weasyprint_internals()
        WP.update(_load())
    return WP


def page_box(page: Any) -> Any:
    return page._page_box


def unwrap(box: Any) -> Any:
    """The laid-out box behind an AbsolutePlaceholder, or the box itself."""
    return box._box if isinstance(box, WP["Placeholder"]) else box


def classes(box: Any) -> tuple[str, ...]:
    return tuple((box.element.get("class") or "").split()) if box.element is not None else ()


def is_absolute(box: Any) -> bool:
    return isinstance(box, WP["Placeholder"]) or box.style["position"] in ("absolute", "fixed")


def refresh_links(page: Any) -> None:
    """Gather links, anchors, bookmarks and forms again, as Page.__init__ does."""
    page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
    WP["gather_anchors"](page_box(page), page.anchors, page.links, page.bookmarks, page.forms)


def set_children(parent: Any, children: list) -> None:
    """Replace a box's children, keeping the container type WeasyPrint used."""
    parent.children = tuple(children) if isinstance(parent.children, tuple) else children


def remove_child(parent: Any, child: Any) -> None:
    set_children(parent, [c for c in parent.children if c is not child])


def append_to_page(page_box: Any, box: Any) -> Any:
    """Put ``box`` at the end of a page's root box; return its new parent."""
    root = page_box.children[0]
    set_children(root, [*root.children, box])
    return root


def show(box: Any, text: str | None = None) -> None:
    """Make a hidden one-line box visible, replacing its text if given (the
    new text is measured, so the box can be aligned right)."""
    for descendant in box.descendants(placeholders=True):
        descendant = unwrap(descendant)
        descendant.style = descendant.style.copy()
        descendant.style["visibility"] = "visible"
    if text is None:
        return
    text_boxes = [d for d in box.descendants() if isinstance(d, WP["TextBox"])]
    for text_box in text_boxes[1:]:
        text_box.text = text_box.pango_layout.text = ""
    if text_boxes:
        delta = set_text(text_boxes[0], text)
        for descendant in box.descendants():  # the mark is one line
            if not isinstance(descendant, WP["TextBox"]):
                descendant.width += delta


def set_text(text_box: Any, text: str) -> float:
    """Give a laid-out one-line text box a new text, measured; return how much
    wider it became."""
    # Its own layout: a copied box (a note split across pages) shares its original's.
    text_box.pango_layout = copy.copy(text_box.pango_layout)
    text_box.text = text_box.pango_layout.text = text
    text_box.pango_layout.reactivate(text_box.style)
    line, _ = text_box.pango_layout.get_first_line()
    width, _ = WP["line_size"](line, text_box.style)
    text_box.pango_layout.deactivate()
    delta = width - text_box.width
    text_box.width = width
    return delta


def add_page(document: Any, like: Any) -> Any:
    """Append a page like ``like``, without content or running heads."""
    box = page_box(like)
    root = box.children[0].copy_with_children([])
    page = WP["Page"](box.copy_with_children([root]))
    document.pages.append(page)
    return page


def walk(page_box: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Yield ``(box, parent, line, top)`` in tree order: ``line`` is the
    nearest LineBox ancestor, ``top`` the page child it is in (root box or
    footnote area).  Margin boxes are skipped; absolute boxes are yielded but
    not entered; text boxes are not yielded."""
    line_type, text_type = WP["LineBox"], WP["TextBox"]
    stack = [
        (child, page_box, None, child)
        for child in reversed(page_box.children)
        if not isinstance(child, WP["MarginBox"])
    ]
    while stack:
        box, parent, line, top = stack.pop()
        if isinstance(box, text_type):
            continue
        yield box, parent, line, top
        if is_absolute(box):
            continue
        if isinstance(box, line_type):
            line = box
        # A table's children come as an iterator (its rows, then its column groups).
        stack.extend((child, box, line, top) for child in reversed(list(box.all_children())))


def baseline(box: Any, last: bool = False) -> float:
    """Absolute y of the first (or last) baseline of a note box, looking
    through the inline-block that wraps the note's content."""
    line_type, inline_block = WP["LineBox"], WP["InlineBlockBox"]
    current = box
    while True:
        children = [c for c in current.children if not isinstance(c, WP["Placeholder"])]
        child = children[-1 if last else 0] if children else None
        if isinstance(current, line_type) and not isinstance(child, inline_block):
            return current.position_y + (current.baseline or 0)
        if child is None or not hasattr(child, "children"):
            return box.position_y + (box.margin_height() if not last else 0)
        current = child


def marks(note: Any) -> list[tuple[Any, Any]]:
    """The hidden parts of the continuation mark in a note: the absolute
    ``.note-label::before`` ("↑") and ``::after`` ("p. N") boxes, with their
    parents, in that order."""
    found: dict[str, tuple[Any, Any]] = {}
    stack = [note]
    while stack:
        box = stack.pop()
        for child in box.all_children():
            inner = unwrap(child)
            if is_absolute(child):
                pseudo = (inner.element_tag or "").rpartition("::")[2]
                if pseudo in ("before", "after") and LABEL in classes(inner):
                    found.setdefault(pseudo, (child, box))
            elif not isinstance(inner, WP["TextBox"]):
                stack.append(inner)
    return [found[pseudo] for pseudo in ("before", "after") if pseudo in found]


def ink(box: Any) -> tuple[float, float, float, float] | None:
    """Extent (x1, y1, x2, y2) of the text in a box, or None."""
    texts = [d for d in box.descendants() if isinstance(d, WP["TextBox"]) and d.text.strip()]
    if not texts:
        return None
    return (
        min(t.position_x for t in texts),
        min(t.position_y for t in texts),
        max(t.position_x + t.width for t in texts),
        max(t.position_y + t.height for t in texts),
    )


def flush_right(note: Any) -> None:
    """Set a note ragged-left: move each of its lines to the note's right edge
    (lines are left-aligned by the CSS, so a line box is as wide as its text)."""
    line_type, inline_block = WP["LineBox"], WP["InlineBlockBox"]
    right = note.content_box_x() + note.width
    stack = [note]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, line_type):
                if len(child.children) == 1 and isinstance(child.children[0], inline_block):
                    stack.append(child.children[0])  # the .margin-note-body wrapper
                elif right - (child.position_x + child.width) > 0.01:
                    child.translate(right - (child.position_x + child.width), 0)
            elif hasattr(child, "children") and not is_absolute(child):
                stack.append(child)


@contextlib.contextmanager
def page_references_kept() -> Iterator[None]:
    """While writing a PDF, let pydyf build its tuple of page references once
    per page count instead of at every read.

    WeasyPrint 70 reads ``pdf.page_references[n]`` for every structure element
    of a tagged PDF, and pydyf rebuilds the whole tuple each time: writing
    grows with pages × elements, a tenth of a 300-page book's PDF time.  The
    tuple depends only on the page list, so it is kept until a page is added."""
    pdf_class = wp()["PDF"]
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


def note_lines(note: Any) -> list[tuple[Any, Any]]:
    """The lines of a laid-out note in order, with their parents, looking through the
    inline-block that wraps its content and the blocks inside it (paragraphs, verse)."""
    line_type, inline_block = WP["LineBox"], WP["InlineBlockBox"]
    found: list[tuple[Any, Any]] = []

    def visit(parent: Any) -> None:
        for child in parent.children:
            if isinstance(child, line_type):
                wrappers = [c for c in child.children if isinstance(c, inline_block)]
                if wrappers:
                    for wrapper in wrappers:
                        visit(wrapper)
                else:
                    found.append((child, parent))
            elif hasattr(child, "children") and not is_absolute(child):
                visit(child)

    visit(note)
    return found


def split_note(note: Any, keep: int) -> tuple[Any, list[tuple[Any, Any]]]:
    """Cut a laid-out note after its first ``keep`` lines: the note keeps them, and a copy
    keeps the rest (without the note's anchor, which stays with its start). Returns the copy
    and its hidden marks, moved out of its first line (which it loses) into the copy itself."""
    rest = note.deepcopy()
    rest.style = rest.style.copy()
    rest.style["anchor"] = None
    rest_marks = marks(rest)
    for mark, parent in rest_marks:
        remove_child(parent, mark)
    set_children(rest, [*rest.children, *(mark for mark, _ in rest_marks)])
    for line, parent in note_lines(note)[keep:]:
        remove_child(parent, line)
    for line, parent in note_lines(rest)[:keep]:
        remove_child(parent, line)
    return rest, [(mark, rest) for mark, _ in rest_marks]


def copy_marks(note: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A second set of a note's hidden marks, in the note box itself: a note split twice
    shows one mark above ("continued from") and one below ("continued on")."""
    copies = [unwrap(mark).deepcopy() for mark, _ in found]
    set_children(note, [*note.children, *copies])
    return [(mark, note) for mark in copies]

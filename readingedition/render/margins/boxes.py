"""Reading and changing WeasyPrint's laid-out boxes: the helpers the margin engine moves notes
with, finds lines and marks with, and splits a note with.

These touch WeasyPrint's private box tree (pinned at 70.0); the names relied on are listed and
checked in internals.py.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from ...markup import NOTE_LABEL as LABEL
from .internals import WP


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

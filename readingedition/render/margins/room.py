"""Making room on a page while WeasyPrint lays it out: the layout hook of the margin engine.

Like internals.py, this module uses WeasyPrint's private internals (pinned at 70.0; what it
relies on in layout/page.py is checked by ``internals.check_weasyprint_internals``).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import Any

from .boxes import remove_child, set_children
from .footnote_area import footnote_trials_without_absolute_boxes
from .internals import WP, wp

# What this relies on
# -------------------
# * ``layout.page.make_page(context, root_box, page_type, resume_at, page_number, page_state)``
#   lays out one page; ``remake_page`` calls it through the module global. It reads and
#   replaces ``context.footnotes`` (the footnotes waiting for their call's line),
#   ``context.reported_footnotes``, ``context.broken_out_of_flow``, and updates
#   ``page_state`` (a tuple of mutable objects) and the page's ``remake_state`` (the last item
#   of ``context.page_maker[page_number - 1]``): all restored before the page is made again.
# * A footnote is a block box, out of the box tree, whose call is an inline box with
#   ``.footnote`` (formatting_structure/build.py); a line lays out the footnotes of the calls
#   it holds that are still in ``context.footnotes``.


#: ``choose(page_box, carried)``: the elements of the notes a made page cannot hold, and what
#: its column carries on to the next page (None, or whatever the chooser makes of it), given
#: what the page before carried on to it.
Chooser = Callable[[Any, Any], tuple[list[Any], Any]]


class PagesMakeRoom:
    """While WeasyPrint lays out the pages, ask ``choose`` after each page which of its margin
    notes (their elements) the page cannot hold; turn those into footnotes of the page and make
    it again (at most ``tries`` times), so WeasyPrint gives up text lines for them, as it does
    for footnotes. What a page's column carries on is handed to the next page's choice."""

    def __init__(self, choose: Chooser, tries: int):
        self.choose, self.tries = choose, tries
        self.sources: dict[int, tuple[Any, Any, Any]] | None = None  # element -> parent, box, footnote
        self.converted: list[Any] = []
        self.placed: dict[int, list[Any]] = {}  # page number -> converted notes at its foot
        self.carried: dict[int, Any] = {}  # page number -> what its column carries on
        self.remade = 0

    def make(self, make_page: Callable, context: Any, root_box: Any, *args: Any) -> Any:
        page_number, page_state = args[2], args[3]
        for footnote in self.placed.pop(page_number, []):
            if footnote not in context.footnotes:  # laid out on an earlier try of this page
                context.footnotes.append(footnote)
        saved = _saved(context, page_state, page_number)
        made = make_page(context, root_box, *args)
        added: list[Any] = []  # the notes this page set at its foot, on every try
        carried = self.carried.get(page_number - 1)
        for _ in range(self.tries):
            elements, self.carried[page_number] = self.choose(made[0], carried)
            if not elements:
                break
            added += [self._convert(element, root_box) for element in elements]
            _restore(context, page_state, page_number, saved)
            context.footnotes.extend(f for f in added if f is not None)
            self.remade += 1
            made = make_page(context, root_box, *args)
        else:  # what the last making of the page carries on
            self.carried[page_number] = self.choose(made[0], carried)[1]
        self.placed[page_number] = [f for f in self.converted if f in context.current_page_footnotes]
        return made

    def _convert(self, element: Any, root_box: Any) -> Any:
        """Turn a margin note into a footnote (returned), or, for a note called in an
        author's footnote, into a block at the end of that footnote (None)."""
        if self.sources is None:
            self.sources = _note_sources(root_box)
        parent, box, footnote = self.sources.pop(id(element), (None, None, None))
        if box is None:
            return None
        _unlined(box)
        box.style = box.style.copy()
        box.style.update(
            position="static",
            float="none",
            top="auto",
            right="auto",
            bottom="auto",
            left="auto",
            width="auto",
            footnote_policy="line",
        )
        if footnote is not None:
            remove_child(parent, box)
            inline = WP["BlockBox"].anonymous_from(footnote, list(footnote.children))
            set_children(footnote, [inline, box])
            return None
        call = WP["InlineBox"].anonymous_from(parent, [])
        call.footnote = box
        set_children(parent, [call if child is box else child for child in parent.children])
        self.converted.append(box)
        return box


def _unlined(box: Any) -> None:
    """Take the line boxes out of a box tree, keeping their content: a footnote is made into
    lines anew each time the footnote area is laid out (build.inline_in_block), and the box
    tree's notes already are."""
    line_type = WP["LineBox"]
    children = []
    for child in getattr(box, "children", ()):
        for inner in child.children if isinstance(child, line_type) else [child]:
            _unlined(inner)
            children.append(inner)
    if hasattr(box, "children"):
        set_children(box, children)


def _note_sources(root_box: Any) -> dict[int, tuple[Any, Any, Any]]:
    """Every absolutely positioned element box in the box tree (and in the footnotes):
    element id -> (parent, box, the footnote it is in or None)."""
    found: dict[int, tuple[Any, Any, Any]] = {}
    stack: list[tuple[Any, Any]] = [(root_box, None)]
    while stack:
        box, footnote = stack.pop()
        for child in getattr(box, "children", ()):
            if child.element is not None and child.is_absolutely_positioned() and "::" not in child.element_tag:
                found.setdefault(id(child.element), (box, child, footnote))
                continue
            if getattr(child, "footnote", None) is not None:
                stack.append((child.footnote, child.footnote))
            stack.append((child, footnote))
    return found


def _saved(context: Any, page_state: tuple, page_number: int) -> tuple:
    remake_state = context.page_maker[page_number - 1][-1]
    return (
        list(context.footnotes),
        list(context.reported_footnotes),
        dict(context.broken_out_of_flow),
        copy.deepcopy(page_state),
        list(remake_state["anchors"]),
        list(remake_state["content_lookups"]),
    )


def _restore(context: Any, page_state: tuple, page_number: int, saved: tuple) -> None:
    footnotes, reported, broken, state, anchors, lookups = saved
    context.footnotes[:] = footnotes
    context.reported_footnotes = list(reported)
    context.broken_out_of_flow = dict(broken)
    fresh = copy.deepcopy(state)
    for kept, value in zip(page_state, fresh):
        if isinstance(kept, dict):
            kept.clear()
            kept.update(value)
        else:
            kept[:] = value
    remake_state = context.page_maker[page_number - 1][-1]
    remake_state["anchors"][:] = anchors
    remake_state["content_lookups"][:] = lookups


@contextlib.contextmanager
def pages_make_room(choose: Chooser, tries: int) -> Iterator[PagesMakeRoom]:
    """Lay out pages with :class:`PagesMakeRoom` while in this context."""
    from weasyprint.layout import page as page_module

    wp()
    original = page_module.make_page
    room = PagesMakeRoom(choose, tries)

    def make_page(context: Any, root_box: Any, *args: Any) -> Any:
        return room.make(original, context, root_box, *args)

    page_module.make_page = make_page
    try:
        with footnote_trials_without_absolute_boxes():
            yield room
    finally:
        page_module.make_page = original

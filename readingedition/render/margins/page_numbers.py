"""The page numbers of back-references (the glossary's "In the text", the questions'
passages), written after layout and after the margin notes have moved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .boxes import page_box, refresh_links, set_text, unwrap
from .internals import WP, wp

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

#: Where the style sheet wants a page number written after layout: three
#: figure spaces (digit-wide), so the line is broken with room for the number.
PAGE_NUMBER_SLOT = "\u2007\u2007\u2007"


def write_page_numbers(document: weasyprint.Document) -> int:
    """Write into each page-number slot (``PAGE_NUMBER_SLOT`` in the content of
    a link's ``::after``) the page of the link's target, and close up the rest
    of its line by the width the number does not use.  Returns how many.

    CSS says this with ``target-counter()``, but WeasyPrint 70 then looks at
    every such reference again for every anchor it places on a page
    (``TargetCollector.cache_target_page_counters``): anchors × references.
    On a 250-page book with 3,000 glossary back-references that was a quarter
    of its layout time.  Run after :func:`place_margin_notes`, whose moves can
    change pages."""
    wp()
    page_of = {anchor: number for number, page in enumerate(document.pages, 1) for anchor in page.anchors}
    written = 0
    for page in document.pages:
        changed = False
        for line in _line_boxes(page_box(page)):
            for path in _slots(line):
                number = page_of.get(path[-2].element.get("href")[1:])  # the link whose ::after it is
                _replace_text(path, path[-1].text.replace(PAGE_NUMBER_SLOT, str(number or "?")))
                written += 1
                changed = True
        if changed:
            refresh_links(page)
    return written


def _line_boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, WP["LineBox"]):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _line_boxes(unwrap(child))


def _slots(line: Any) -> Iterator[list[Any]]:
    """The path from the line down to each text box holding a slot: in the
    ``::after`` of an internal link (figure spaces in the text are text)."""

    def walk(path: list[Any]) -> Iterator[list[Any]]:
        box = path[-1]
        if isinstance(box, WP["TextBox"]):
            if PAGE_NUMBER_SLOT in box.text and _in_link_after(path[-2]):
                yield path
            return
        for child in getattr(box, "children", ()):
            yield from walk([*path, child])

    return walk([line])


def _in_link_after(box: Any) -> bool:
    return box.element_tag == "a::after" and box.element is not None and box.element.get("href", "").startswith("#")


def _replace_text(path: list[Any], text: str) -> None:
    """Give the text box at the end of ``path`` (line first) a new, narrower
    text: it and the boxes holding it shrink; what follows it moves left."""
    text_box = path[-1]
    delta = set_text(text_box, text)
    for parent, child in zip(path, path[1:]):
        if child is not text_box:
            child.width += delta
        after = False
        for sibling in parent.children:
            if after:
                sibling.translate(delta, 0)
            after = after or sibling is child

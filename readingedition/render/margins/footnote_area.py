"""The page foot's footnote area, measured once per set of footnotes.

Each time a line brings a footnote to a page, WeasyPrint lays the page's whole footnote area
out again (``LayoutContext._update_footnote_area``) to learn its height, then throws that
layout away; the area is laid out for good when the page is done. With many footnotes, or
footnotes holding margin notes, or a page made twice to make room, these trial layouts took
over half of the dense edition's layout time. Two things change, neither the result:

* a trial's height is kept, by the footnotes it holds, so the same footnotes on the same kind
  of page (again when the page is made again) are not laid out again;
* a trial does not lay out the absolutely positioned boxes in the area (margin notes called in
  footnotes, their hidden marks): they take no height, and the final layout places them.

Like internals.py, this uses WeasyPrint's private internals (pinned at 70.0): what it relies on
is checked by ``internals.check_weasyprint_internals``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from math import inf
from typing import Any

_TRIAL = "_readingedition_trial_footnote_area"


class FootnoteAreaHeights:
    """Trial heights of footnote areas: (footnotes, area style, page size) -> (height, margin
    height, overflow). The key's objects are kept in the entry, so an id is never reused."""

    def __init__(self) -> None:
        self.heights: dict[tuple, tuple[tuple, float, float, bool]] = {}

    def update(self, context: Any) -> bool:
        """What ``LayoutContext._update_footnote_area`` does, with its trial layout kept."""
        area = context.current_footnote_area
        if area.height != "auto" and not context.in_column:
            context.page_bottom += area.margin_height()
        area.children = context.current_page_footnotes
        if not area.children:
            area.height = 0
            if not context.in_column:
                context.page_bottom -= area.margin_height()
            return False
        held = (tuple(area.children), area.style, area.page.width, area.page.height)
        key = tuple(id(part) for part in held[:2]) + held[2:]
        entry = self.heights.get(key)
        if entry is None:
            laid = _trial_layout(context, area)
            entry = self.heights[key] = (held, laid.height, laid.margin_height(), _overflows(laid))
        _, area.height, margin_height, overflow = entry
        if not context.in_column:
            context.page_bottom -= margin_height
        return overflow


def _trial_layout(context: Any, area: Any) -> Any:
    """Lay out a copy of the area, as WeasyPrint does, without its absolutely positioned boxes."""
    from weasyprint.formatting_structure import build
    from weasyprint.layout.block import block_level_layout

    setattr(context, _TRIAL, True)
    try:
        return block_level_layout(context, build.create_anonymous_boxes(area.deepcopy()), -inf, None, area.page)[0]
    finally:
        setattr(context, _TRIAL, False)


def _overflows(area: Any) -> bool:
    """Whether the last footnote runs past the area's foot."""
    last = area.children[-1]
    last_bottom = last.position_y + last.margin_height() - last.margin_bottom
    return last_bottom > area.position_y + area.margin_height() - area.margin_bottom


def _outside_trials(absolute_layout: Any) -> Any:
    def layout(context: Any, *args: Any, **kwargs: Any) -> None:
        if not getattr(context, _TRIAL, False):
            absolute_layout(context, *args, **kwargs)

    return layout


@contextlib.contextmanager
def footnote_areas_measured_once() -> Iterator[FootnoteAreaHeights]:
    """Lay out footnote areas with :class:`FootnoteAreaHeights` while in this context."""
    from weasyprint.layout import LayoutContext, block, inline

    heights = FootnoteAreaHeights()
    original = LayoutContext._update_footnote_area
    absolute = {module: module.absolute_layout for module in (block, inline)}
    LayoutContext._update_footnote_area = lambda context: heights.update(context)
    for module, layout in absolute.items():
        module.absolute_layout = _outside_trials(layout)
    try:
        yield heights
    finally:
        LayoutContext._update_footnote_area = original
        for module, layout in absolute.items():
            module.absolute_layout = layout

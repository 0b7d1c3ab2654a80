"""Glossary terms' short glosses: in the column beside their line where there is room."""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable

from .boxes import remove_child
from .pages import NoteBox, PageColumn
from .placement import fit
from .results import DroppedGloss

#: How far (in body lines) a gloss may be nudged before it is dropped instead.
GLOSS_MAX_SHIFT_LINES = 1.0


def place_glosses(
    pages: list[PageColumn], spacing_lines: float, draw: Callable[[NoteBox], None]
) -> tuple[int, list[DroppedGloss]]:
    """Keep each gloss beside its line where the column has room around the notes (nudged
    by at most GLOSS_MAX_SHIFT_LINES) and draw it there; remove it elsewhere. Returns how many
    were kept, and those dropped."""
    kept, dropped = 0, []
    for page in pages:
        occupied = sorted((n.y, n.y + n.total_height) for n in page.stacked)
        spacing = spacing_lines * page.line_height
        for gloss in sorted(page.glosses, key=lambda n: (n.desired_y, n.order)):
            y = fit(
                gloss.desired_y,
                gloss.height,
                occupied,
                page.top,
                page.bottom_for(gloss),
                spacing,
                GLOSS_MAX_SHIFT_LINES * page.line_height,
            )
            if y is None:
                remove_child(gloss.parent, gloss.holder)
                pages[gloss.page].changed = True
                dropped.append(DroppedGloss(gloss.note_id, page.index + 1))
                continue
            gloss.y, gloss.placed = y, page.index
            insort(occupied, (y, y + gloss.height))
            draw(gloss)
            kept += 1
    return kept, dropped

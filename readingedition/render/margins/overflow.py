"""Which margin notes a page's column cannot hold, decided while WeasyPrint lays the page out
(room.PagesMakeRoom asks after each page is made): those go to the page's foot, and the page
is made again.

What a page's column cannot hold even so (a note too long for any foot) continues at the top of
the next page's column, ahead of that page's own notes: each page is told what the page before
carries on to it (:class:`Carried`), so that it makes room at its foot for its own notes that no
longer fit below it. engine.MarginPlan places the notes the same way after layout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .engine import NOTE_SPACING_LINES
from .pages import Found, NoteBox, describe_page
from .placement import above_notes, stack, to_set_elsewhere

#: The most of a page's height a note set at its foot may take; a longer note stays in the
#: margin and continues on the next page.
FOOT_SHARE = 0.45


@dataclass(frozen=True)
class Carried:
    """What a page's column carries on to the next page: the height of the rest of its notes
    (with the "↓ continued on" mark its first part ends with) and of one continuation mark."""

    height: float
    mark: float


def notes_the_page_cannot_hold(box: Any, carried: Carried | None = None) -> tuple[list[Any], Carried | None]:
    """While a page is laid out (its box, without running heads yet): the elements of the
    margin notes its column cannot hold, to be set at its foot, and what its column carries on.

    What the page before carries on takes the top of the column, under its "↑ continued from"
    mark. The tallest of the page's own notes go to the foot first, until the others fit below
    it; a note that would take more than FOOT_SHARE of the page at the foot stays in the margin,
    and continues on the next page if need be (so it counts as no taller than the room here)."""
    found = Found()
    page = describe_page(0, box, found)
    if page.blank:
        return [], carried
    notes = sorted(
        (n for n in found.notes if not n.gloss and n.line is not None), key=lambda n: (n.line.position_y, n.order)
    )
    mark = _mark_height(notes) or (carried.mark if carried else 0.0)
    spacing = NOTE_SPACING_LINES * page.line_height
    needed = carried.height + carried.mark + spacing if carried else 0.0
    top = page.top + min(needed, page.bottom - page.top)
    desired = [n.line.position_y + (n.line.baseline or 0) - n.first_baseline for n in notes]
    bottoms = [page.bottom_for(n) for n in notes]
    heights = [max(min(n.height, bottom - top), 0.0) for n, bottom in zip(notes, bottoms)]
    taken = to_set_elsewhere(desired, heights, top, bottoms, spacing, _movable(notes, page))
    kept = [i for i in range(len(notes)) if i not in taken]
    ys = stack([desired[i] for i in kept], [notes[i].height for i in kept], top, [bottoms[i] for i in kept], spacing)
    overflow = max(0.0, top - ys[0]) if ys else 0.0
    ceiling = above_notes([heights[i] for i in kept], [bottoms[i] for i in kept], spacing, page.foot_alone)
    rest = max(0.0, needed - (ceiling - page.top)) + overflow
    return [notes[i].element for i in taken], Carried(rest + mark, mark) if rest > 0.01 else None


def _movable(notes: list[NoteBox], page: Any) -> list[bool]:
    """Which notes may go to the page foot: those that take at most FOOT_SHARE of the page there
    (set across the text's width)."""
    if not notes:
        return []
    width = Counter(round(n.box.margin_width(), 1) for n in notes).most_common(1)[0][0]
    share = FOOT_SHARE * (page.page_bottom - page.top)
    return [n.height * width / (page.right - page.left) <= share for n in notes]


def _mark_height(notes: list[NoteBox]) -> float:
    """The height of a continuation mark ("↑ a, continued from p. N"), from the page's notes."""
    return max((note.mark_height for note in notes), default=0.0)

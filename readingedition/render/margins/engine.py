"""Placing the editor's notes: which notes a page's margin cannot hold, while WeasyPrint lays
the page out (they go to its foot); then, after layout, where each margin note is drawn.

On each page the notes, in the order of their calls, are stacked in the note column: each with
its first baseline on its call's baseline if it can, else just below the note above; where the
stack passes the foot of the column it is pushed up; a run of crowded notes may rise by up to
two lines when that brings more of them within two lines of their calls. A page whose column
cannot hold its notes sets the tallest at its foot (overflow.notes_the_page_cannot_hold, asked by
room.PagesMakeRoom as each page is made). A note too long for any foot stays in the margin
and, if its page cannot hold it, starts there and continues at the top of the next page's
column: "↓ continued on p. N" below its first part, "↑ a, continued from p. N" above the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...markup import call_id
from .boxes import (
    add_page,
    append_to_page,
    baseline,
    copy_marks,
    flush_right,
    note_lines,
    page_box,
    refresh_links,
    remove_child,
    show,
    split_note,
    unwrap,
)
from .glosses import place_glosses
from .internals import wp
from .pages import (
    Column,
    Found,
    NoteBox,
    PageColumn,
    avoid_margin_boxes,
    laid_out_column,
    one_per_element,
    read_page,
)
from .placement import above_notes, overflowing, pull_up, split_at, stack
from .results import MarginPlacement, PlacedNote

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

#: Space between two notes in the column, in body lines.
NOTE_SPACING_LINES = 0.3
#: A note this close to its call (in body lines) stands beside it; a run of crowded notes may
#: rise by as much to bring more of them there.
NEAR_CALL_LINES = 1.95
#: A note is split across two pages only if at least this many of its lines fit on the first.
MIN_SPLIT_LINES = 2


class MarginPlan:
    """The notes of a laid-out document, read once: which need the page foot, and where the
    others go. ``twosided``: notes go to the outer margin of each spread (the left margin of
    verso pages). ``page_label``: the page number as printed, from the 1-based page index."""

    def __init__(
        self, document: weasyprint.Document, *, twosided: bool = False, page_label: Callable[[int], str] | None = None
    ):
        wp()
        self.document, self.twosided = document, twosided
        found = Found()
        self.pages = [read_page(i, page, found) for i, page in enumerate(document.pages)]
        default_line = next((p.line_height for p in self.pages if p.line_height), 19.0)
        for page in self.pages:
            page.line_height = page.line_height or default_line
        self.found = found
        self.column: Column | None = None
        self.notes: list[NoteBox] = []
        if found.notes:
            self.column = laid_out_column(found.notes, self.pages)
            avoid_margin_boxes(self.pages, self.column, twosided)
            self.notes = one_per_element(found, self.pages, page_label)
        for note in self.notes:
            page = self.pages[note.home]
            (page.glosses if note.gloss else page.notes).append(note)

    def place(self, remade_pages: int = 0) -> MarginPlacement:
        """Move the margin notes so that none overlaps anything and none is lost; report
        where every note is, those at the page foot included."""
        pages, notes = self.pages, self.notes
        if notes:
            _stack_pages(pages, self.document, self.twosided)

        def draw(note: NoteBox) -> None:
            _draw(note, pages, self.column, self.twosided)

        kept, dropped = place_glosses(pages, NOTE_SPACING_LINES, draw)
        for page in pages:
            for note in page.stacked:
                draw(note)
        for page in pages:
            if page.changed:
                refresh_links(page.page)
        results = [_result(note, pages) for note in notes if not note.gloss and not note.part]
        results += [_foot_result(foot.note_id, foot.call, foot.page, self.found) for foot in self.found.foot]
        split = self.found.split
        return MarginPlacement(
            tuple(results),
            kept,
            tuple(dropped),
            remade_pages,
            split_notes=tuple(n.note_id for n in split if not n.gloss),
            split_glosses=tuple(n.note_id for n in split if n.gloss),
        )


def place_margin_notes(
    document: weasyprint.Document, *, twosided: bool = False, page_label: Callable[[int], str] | None = None
) -> MarginPlacement:
    """Move the margin notes of a rendered ``document`` (between ``render()`` and
    ``write_pdf()``), in one layout: what does not fit continues on the next page."""
    return MarginPlan(document, twosided=twosided, page_label=page_label).place()


def _result(note: NoteBox, pages: list[PageColumn]) -> PlacedNote:
    return PlacedNote(
        note_id=note.note_id,
        call=note.call,
        page_number=note.placed + 1,
        call_page_number=note.home + 1,
        lines_moved=_lines_moved(note, pages),
        continued=note.continued or note.split,
    )


def _foot_result(note_id: str, call: str, page: int, found: Found) -> PlacedNote:
    call_page = found.calls.get(call_id(note_id), (page,))[0]
    return PlacedNote(
        note_id=note_id,
        call=call,
        page_number=page + 1,
        call_page_number=call_page + 1,
        lines_moved=0.0,
        continued=False,
        at_foot=True,
    )


def _stack_pages(pages: list[PageColumn], document: Any, twosided: bool) -> None:
    """Stack each page's notes in its column; carry over what does not fit."""
    carried: list[NoteBox] = []
    index = 0
    while index < len(pages):
        page = pages[index]
        if page.blank and carried and index + 1 < len(pages):
            index += 1
            continue
        for note in carried:
            note.continued, note.desired_y = True, page.top
        # A part of a split note goes above the page's notes; a whole note that did not fit
        # on its page (with no room made for it there) stacks with them.
        parts = [note for note in carried if note.part]
        own = [n for n in carried if not n.part] + sorted(page.notes, key=lambda n: (n.desired_y, n.order))
        carried = _fill(page, parts, own)
        if carried and index + 1 == len(pages):
            new = add_page(document, page.page)
            side = {"left": "right", "right": "left"}[page.side] if twosided else page.side
            pages.append(
                replace(
                    page,
                    index=index + 1,
                    page=new,
                    box=page_box(new),
                    blank=False,
                    side=side,
                    notes=[],
                    glosses=[],
                    stacked=[],
                    changed=False,
                )
            )
        index += 1


def _fill(page: PageColumn, carried: list[NoteBox], own: list[NoteBox]) -> list[NoteBox]:
    """Stack a page's own notes in its column, the last that does not fit split if enough of
    it fits (a lone note taller than the column always is); above them, what continues from
    the page before, in the room they can give (they move down for it, as far as the column
    allows; it is split again if it needs more). Return what goes on to the next page: what
    continues, then the page's notes that did not fit."""
    spacing = NOTE_SPACING_LINES * page.line_height
    kept, rest = _fill_own(page, own, spacing)
    ceiling = above_notes([n.total_height for n in kept], [page.bottom_for(n) for n in kept], spacing, page.foot_alone)
    above: list[NoteBox] = []
    going_on: list[NoteBox] = []
    floor = page.top
    for note in carried:
        room = ceiling - floor
        if going_on or note.total_height <= room:
            (going_on if going_on else above).append(note)
        else:
            part = _split(note, room, page.index)
            going_on.append(part if part is not None else note)
            if part is not None:
                above.append(note)
        if above and above[-1] is note:
            note.y, note.placed = floor, page.index
            floor += note.total_height + spacing
    _stack_notes(page, kept, spacing, floor)
    page.stacked = [*above, *kept]
    return [*going_on, *rest]


def _fill_own(page: PageColumn, own: list[NoteBox], spacing: float) -> tuple[list[NoteBox], list[NoteBox]]:
    """The page's own notes its column holds, and what goes on: a note taller than the room
    it gets is cut there (its rest goes on), as overflow.notes_the_page_cannot_hold counted it;
    the notes that do not fit even so go on whole."""
    bottoms = [page.bottom_for(n) for n in own]
    clipped = [min(n.total_height, bottom - page.top) for n, bottom in zip(own, bottoms)]
    desired = [n.desired_y for n in own]
    count = overflowing(desired, clipped, page.top, bottoms, spacing)
    end = len(own) - count
    kept, rest = own[:end], own[end:]
    ys = stack(desired[:end], clipped[:end], page.top, bottoms[:end], spacing)
    parts, whole = [], []
    for i, note in enumerate(kept):
        limit = min(ys[i + 1] - spacing, bottoms[i]) if i + 1 < len(kept) else bottoms[i]
        if ys[i] + note.total_height > limit + 0.01:
            part = _split(note, limit - ys[i], page.index)
            (parts.append(part) if part is not None else whole.append(note))
    return [n for n in kept if n not in whole], [*parts, *whole, *rest]


def _stack_notes(page: PageColumn, notes: list[NoteBox], spacing: float, top: float) -> list[float]:
    """Stack notes in the column below ``top`` (and set where they are): see
    :func:`placement.stack`."""
    desired, heights = [n.desired_y for n in notes], [n.total_height for n in notes]
    ys = stack(desired, heights, top, [page.bottom_for(n) for n in notes], spacing)
    pull_up(desired, ys, heights, top, spacing, NEAR_CALL_LINES * page.line_height)
    for note, y in zip(notes, ys):
        note.y, note.placed = y, page.index
    return ys


def _split(note: NoteBox, room: float, index: int) -> NoteBox | None:
    """Cut a note so that its first part, with its "continued on" mark, fills ``room``;
    return the rest, or None if too little of it would fit."""
    lines = note_lines(note.box)
    top = note.box.position_y + note.offset  # where its content starts
    bottoms = [line.position_y + line.height - top for line, _ in lines]
    keep = split_at(bottoms, room - note.mark_height - (note.mark_height if note.continued else 0))
    if keep < MIN_SPLIT_LINES or keep >= len(lines) or bottoms[keep - 1] > room:
        return None
    first = lines[keep][0]
    offset = first.position_y - note.box.position_y
    rest, rest_marks = split_note(note.box, keep)
    part = replace(
        note,
        holder=rest,
        box=rest,
        parent=None,
        height=note.height - (offset - note.offset),
        first_baseline=first.baseline or 0.0,
        marks=rest_marks,
        part=True,
        split=False,
        offset=offset,
        continued=True,
        from_page=index,
        end_marks=[],
    )
    note.end_marks = copy_marks(note.box, note.marks) if note.continued else note.marks
    note.height, note.split, note.rest = bottoms[keep - 1] + note.mark_height, True, part
    return part


def _draw(note: NoteBox, pages: list[PageColumn], column: Column, twosided: bool) -> None:
    """Move a note's boxes to where it was placed, with its marks if it is continued."""
    source, target = pages[note.page], pages[note.placed]
    if note.marks and not (note.continued or note.split):
        for mark, parent in note.marks:
            remove_child(parent, mark)
        source.changed = True
    if note.part:
        note.parent = append_to_page(target.box, note.holder)
    elif target is not source:
        remove_child(note.parent, note.holder)
        note.parent = append_to_page(target.box, note.holder)
        source.changed = True
    x = column.x(target, twosided)
    top = note.y + (note.mark_height if note.continued else 0.0)
    note.box.translate(x - note.box.position_x, top - note.offset - note.box.position_y)
    target.changed = True
    right = x + column.width if twosided and target.side == "left" else None
    if right is not None:
        flush_right(note.box)
    if note.continued and note.marks:
        origin = note.page_label if note.from_page is None else str(note.from_page + 1)
        _show_mark(note.marks, "\u2191", f"{note.call}, continued from p.\u00a0{origin}", x, note.y, right)
    if note.split and note.end_marks and note.rest is not None:
        _show_mark(
            note.end_marks,
            "\u2193",
            f"continued on p.\u00a0{note.rest.placed + 1}",
            x,
            note.y + note.total_height - note.mark_height,
            right,
        )


def _show_mark(marks: list[tuple[Any, Any]], arrow: str, text: str, x: float, y: float, right: float | None) -> None:
    """Show a mark on its own line at ``y``, from ``x`` (or ending at ``right``): the arrow
    (the label's ::before), then the words (its ::after)."""
    parts = [unwrap(mark) for mark, _ in marks]
    for part in parts:
        show(part, text if part.element_tag.endswith("::after") else arrow)
    baselines = [baseline(part) - part.position_y for part in parts]
    spaces = [0.25 * part.style["font_size"] for part in parts]
    if right is not None:
        x = right - sum(p.margin_width() for p in parts) - sum(spaces[:-1])
    for part, base, space in zip(parts, baselines, spaces):
        part.translate(x - part.position_x, y + max(baselines) - base - part.position_y)
        x += part.margin_width() + space


def _lines_moved(note: NoteBox, pages: list[PageColumn]) -> float:
    """Distance from the call's baseline to the note's first, in body lines (for a note
    carried on, measured down the columns in between)."""
    first = note.y + note.first_baseline + (note.mark_height if note.continued else 0.0)
    if note.placed == note.home:
        distance = abs(first - note.call_baseline)
    else:
        distance = (
            (pages[note.home].bottom - note.call_baseline)
            + sum(pages[i].bottom - pages[i].top for i in range(note.home + 1, note.placed))
            + (first - pages[note.placed].top)
        )
    return round(distance / note.line_height, 2) if note.line_height else 0.0

"""Rebuilding the AST with marks: the spans of notes' passages, their calls and linked terms."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Any

from ..ast import CONTAINERS, map_blocks
from ..markup import DATA_NOTE, DATA_TERM, GLOSSED, NOTE_CALL, TERM
from .segments import SPACES, Segment, inline_text


# Many thousands are made for a book: slots without frozen-ness keep that cheap, and eq=False
# makes each mark hash and compare by identity, which is what the rebuild needs.
@dataclass(slots=True, eq=False)
class Mark:
    start: int  # offsets in the segment's reader text
    end: int
    kind: str  # "glossed", "term", or "call" (a point at `start`)
    name: str  # note id or term slug
    anchor_id: str = ""

    @property
    def order(self) -> tuple[int, int]:
        return (self.start, -self.end)


def _span(classes: list[str], attrs: list[list[str]], content: list[Any], ident: str = "") -> dict[str, Any]:
    return {"t": "Span", "c": [[ident, classes, attrs], content]}


def _mark_span(mark: Mark, content: list[Any], first_piece: bool) -> dict[str, Any]:
    if mark.kind == "term":
        return _span([TERM], [[DATA_TERM, mark.name]], content, mark.anchor_id if first_piece else "")
    return _span([GLOSSED], [[DATA_NOTE, mark.name]], content)


def _call(mark: Mark) -> dict[str, Any]:
    return _span([NOTE_CALL], [[DATA_NOTE, mark.name]], [])


@dataclass(slots=True)
class _Item:
    element: dict[str, Any]
    start: int
    end: int
    deferred: frozenset = frozenset()  # ranges applied inside this item, not around it


_RUN = "untouched-run"  # an item standing for inlines no mark meets; never covered, never split


def _length(inline: dict[str, Any]) -> int:
    """How many characters of reader text an inline holds (as inline_text counts them)."""
    kind = inline["t"]
    if kind == "Str":
        return len(inline["c"])
    if kind in SPACES:
        return 1
    return len(inline_text(inline, 0, Segment(0, "", 0, ""), []))


def _strictly_inside(items: list[_Item], starts: list[int], offset: int) -> bool:
    index = bisect.bisect_left(starts, offset) - 1
    return index >= 0 and items[index].start < offset < items[index].end


class Marker:
    """Rebuilds inline lists with marks, at the highest level each mark fully covers.

    Inline lists that neither carry a mark nor call a footnote that does are passed on as they
    are, not copied: no stage changes an AST in place, and most of a long book's text is unmarked.
    """

    def __init__(self, marks_by_segment: dict[int, list[Mark]], segments: list[Segment]):
        self.marks_by_segment = marks_by_segment
        self.lengths = {s.key: s.lengths for s in segments if s.key in marks_by_segment}
        self.first_piece_done: set[Mark] = set()
        # Lists whose footnotes carry marks: copied down to the footnote, which is rebuilt.
        self.calls_marked_footnote = {s.parent for s in segments if s.parent is not None and s.key in marks_by_segment}
        self.touched = set(marks_by_segment) | self.calls_marked_footnote

    def blocks(self, blocks: list[Any]) -> list[Any]:
        return map_blocks(blocks, self.segment)

    def segment(self, inlines: list[Any]) -> list[Any]:
        if id(inlines) not in self.touched:
            return inlines
        marks = self.marks_by_segment.get(id(inlines), [])
        ranges = sorted((m for m in marks if m.kind != "call"), key=lambda m: m.order)
        points = sorted((m for m in marks if m.kind == "call"), key=lambda m: m.start)
        if not ranges and not points:
            return [self._inline_plain(i) for i in inlines]
        out, _ = self._level(
            inlines, 0, ranges, points, id(inlines) in self.calls_marked_footnote, self.lengths[id(inlines)]
        )
        return out

    def _inline_plain(self, inline: dict[str, Any]) -> dict[str, Any]:
        """Copy through, but footnotes' own paragraphs may carry marks."""
        t = inline["t"]
        if t == "Note":
            return {"t": "Note", "c": self.blocks(inline["c"])}
        if t in CONTAINERS:
            return {"t": t, "c": [self._inline_plain(i) for i in inline["c"]]}
        if t in ("Span", "Link", "Cite", "Quoted"):
            c = list(inline["c"])
            index = 1
            c[index] = [self._inline_plain(i) for i in c[index]]
            return {"t": t, "c": c}
        return inline

    def _level(
        self,
        inlines: list[Any],
        pos: int,
        ranges: list[Mark],
        points: list[Mark],
        copy: bool,
        lengths: list[int] | None = None,
    ):
        """Items for the inlines, from `pos` on: those the marks' windows meet, one by one; the
        runs between them whole (`copy`: copied, because a footnote in them has marks).
        `lengths`: of each inline's reader text, if known (a segment's are, from its making)."""
        bounds = sorted({r.start for r in ranges} | {r.end for r in ranges} | {p.start for p in points})
        if lengths is None:
            lengths = [_length(inline) for inline in inlines]
        offsets = list(itertools.accumulate(lengths, initial=pos))  # offsets[k]: where inline k begins
        inline_starts, inline_ends = offsets[:-1], offsets[1:]
        items: list[_Item] = []
        done = 0  # inlines before this index have their items

        def run_until(index: int) -> None:
            if index > done:
                run = inlines[done:index]
                run = [self._inline_plain(i) for i in run] if copy else run
                items.append(_Item({"t": _RUN, "c": run}, offsets[index], offsets[index]))

        # The inlines a range overlaps, and those a call touches (it may sit at either edge).
        windows = sorted(
            [
                (r.start, bisect.bisect_right(inline_ends, r.start), bisect.bisect_left(inline_starts, r.end))
                for r in ranges
            ]
            + [
                (p.start, bisect.bisect_left(inline_ends, p.start), bisect.bisect_right(inline_starts, p.start))
                for p in points
            ]
        )
        for _, first, last in windows:
            first = max(done, first)
            if first >= last:
                continue
            run_until(first)
            for index in range(first, last):
                items.extend(
                    self._items(inlines[index], offsets[index], offsets[index + 1], ranges, points, bounds, copy)
                )
            done = last
        run_until(len(inlines))
        end = offsets[-1]
        return self._wrap(self._with_calls(items, points) if points else items, ranges), end

    @staticmethod
    def _with_calls(items: list[_Item], points: list[Mark]) -> list[_Item]:
        """A call goes before the first item at or after its offset (so before a footnote marker
        that follows the passage); calls strictly inside a container went down into it."""
        starts = [item.start for item in items]
        mine = [p for p in points if not _strictly_inside(items, starts, p.start)]
        placed: list[_Item] = []
        for item in items:
            while mine and mine[0].start <= item.start:
                call = mine.pop(0)
                placed.append(_Item(_call(call), call.start, call.start))
            placed.append(item)
        placed.extend(_Item(_call(call), call.start, call.start) for call in mine)
        return placed

    def _items(
        self,
        inline: dict[str, Any],
        pos: int,
        end: int,
        ranges: list[Mark],
        points: list[Mark],
        bounds: list[int],
        copy: bool,
    ) -> list[_Item]:
        """The items for one inline, which runs from `pos` to `end` in the reader text."""
        t = inline["t"]
        if t == "Str":
            text = inline["c"]
            cuts = bounds[bisect.bisect_right(bounds, pos) : bisect.bisect_left(bounds, end)]
            if not cuts:
                return [_Item(inline, pos, end)]  # untouched: the node itself, not a copy
            edges = [pos, *cuts, end]
            return [_Item({"t": "Str", "c": text[a - pos : b - pos]}, a, b) for a, b in zip(edges, edges[1:])]
        if t in SPACES:
            return [_Item(inline, pos, end)]
        if t == "Note":
            return [_Item({"t": "Note", "c": self.blocks(inline["c"])}, pos, pos)]
        if t in CONTAINERS or t in ("Quoted", "Span", "Link", "Cite"):
            opening = 1 if t == "Quoted" else 0
            children = inline["c"] if t in CONTAINERS else inline["c"][1]
            partial = [r for r in ranges if r.start < end and pos < r.end and not (r.start <= pos and end <= r.end)]
            inner_points = [p for p in points if pos < p.start < end]
            if partial or inner_points:
                new_children, _ = self._level(children, pos + opening, partial, inner_points, copy)
            else:
                new_children = [self._inline_plain(i) for i in children] if copy else children
            if t in CONTAINERS:
                rebuilt = {"t": t, "c": new_children}
            else:
                rebuilt = {"t": t, "c": [inline["c"][0], new_children, *inline["c"][2:]]}
            return [_Item(rebuilt, pos, end, frozenset(partial))]
        return [_Item(inline, pos, end)]

    def _wrap(self, items: list[_Item], ranges: list[Mark]) -> list[Any]:
        """Wrap items in the spans of the ranges covering them, outermost first, in one pass:
        a stack of open spans is kept while their ranges go on, and split where ranges cross."""
        starts = [item.start for item in items]
        covers: dict[int, list[Mark]] = {}
        for mark in ranges:  # ranges come outermost first, so each cover list is in nesting order
            for index in range(bisect.bisect_left(starts, mark.start), len(items)):
                item = items[index]
                if item.start >= mark.end:
                    break
                if mark in item.deferred:
                    continue  # applied inside this item, to the part of it the range covers
                zero_width = item.start == item.end  # calls and footnotes: inside if strictly within
                if (mark.start < item.start) if zero_width else (item.end <= mark.end):
                    covers.setdefault(index, []).append(mark)
        out: list[Any] = []
        stack: list[tuple[Mark, list[Any]]] = []
        for index, item in enumerate(items):
            cover = covers.get(index, ())
            if not cover:
                stack.clear()
                if item.element["t"] == _RUN:
                    out.extend(item.element["c"])
                else:
                    out.append(item.element)
                continue
            common = 0
            while common < min(len(stack), len(cover)) and stack[common][0] is cover[common]:
                common += 1
            del stack[common:]
            for mark in cover[common:]:
                content: list[Any] = []
                first = mark not in self.first_piece_done
                self.first_piece_done.add(mark)
                (stack[-1][1] if stack else out).append(_mark_span(mark, content, first))
                stack.append((mark, content))
            (stack[-1][1] if stack else out).append(item.element)
        return out

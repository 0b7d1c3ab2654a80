"""Find the margin notes among a PDF's margin blocks and measure them: where each
note is against its call, and what it overlaps (see `margin_audit`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .. import markup
from .margin_page import (
    MARGIN_GAP,
    Block,
    Line,
    PdfPages,
    Place,
    TextBlock,
    call_place,
    folio_top,
    inside,
    intersects,
)

_CONTINUATION_MARK = "\u2191"  # "↑ a, continued from p. N" (or "↑ p. N") above a note's rest
_CONTINUED_ON = "\u2193"  # "↓ continued on p. N" below a note's first part


@dataclass(frozen=True)
class AuditedNote:
    """A margin note found in the PDF."""

    note_id_or_call: str
    page_number: int  # 1-based page where the note's label is drawn
    call_page_number: int  # 1-based page of its call (0 if no call found)
    lines_from_call: float  # body lines from the call's baseline to the note's first
    call: str = ""  # the call letter(s)
    at_foot: bool = False  # set at the page foot (its label is in the text block), not in the margin


@dataclass
class Calls:
    """Each note's call: its letter(s), and the page and baseline it belongs beside."""

    letters: dict[str, str]
    places: dict[str, tuple[int, float]]


def locate_calls(pages: PdfPages, text: TextBlock) -> Calls:
    calls = Calls({}, {})
    for note_id, places in pages.call_links.items():
        index, rect = places[0]
        under = [c for c in pages.chars[index] if inside(rect, c)]
        calls.letters[note_id] = "".join(c["text"] for c in sorted(under, key=lambda c: c["x0"])).strip()
        calls.places[note_id] = call_place(pages.chars, index, rect, text.body_size, text.extent_of(index))
    return calls


def find_labels(
    pages: PdfPages, text: TextBlock, blocks: list[Block], calls: Calls
) -> tuple[dict[str, list[tuple[Block, Line]]], dict[str, Place]]:
    """The margin lines that start each note (by its label), and the notes whose
    label is in the text block (set at the page foot)."""
    blocks_by_page = _by_page(blocks)
    found: dict[str, list[tuple[Block, Line]]] = defaultdict(list)
    at_foot: dict[str, Place] = {}
    for note_id, places in pages.label_links.items():
        letter = calls.letters.get(note_id, "")
        for index, rect in places:
            hit = _label_line(blocks_by_page[index], rect, letter)
            if hit and not any(hit[1] is line for _, line in found[note_id]):
                found[note_id].append(hit)
            extent = text.extent_of(index)
            if not hit and extent and extent[0] - 1 <= (rect[0] + rect[2]) / 2 <= extent[2] + 1:
                at_foot.setdefault(note_id, (index, rect))
    return found, at_foot


def _label_line(page_blocks: list[Block], rect: tuple, letter: str) -> tuple[Block, Line] | None:
    """The line under a label link: the label is the link back to the call whose text
    is the call letter (the continuation mark "↑ p. N" links there too)."""
    exact = loose = None
    for block in page_blocks:
        for line in block.lines:
            if line.text.startswith((_CONTINUATION_MARK, _CONTINUED_ON)):
                continue
            chars = [c for c in line.chars if inside(rect, c)]
            if not chars:
                continue
            text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))
            if not letter or text.strip() == letter:
                exact = exact or (block, line)
            elif letter in text:
                loose = loose or (block, line)  # overlapping text
    return exact or loose


def split_at_labels(
    blocks: list[Block], found: dict[str, list[tuple[Block, Line]]], overlaps: list[str]
) -> list[Block]:
    """Split blocks that hold several labels; mark note blocks."""
    starts: dict[int, list[tuple[Line, str]]] = defaultdict(list)
    for note_id, hits in found.items():
        for block, line in hits:
            starts[id(block)].append((line, note_id))
    final_blocks: list[Block] = []
    for block in blocks:
        if id(block) in starts:
            final_blocks.extend(_split_block(block, starts[id(block)], overlaps))
        else:
            final_blocks.append(block)
    return final_blocks


def _split_block(block: Block, starts: list[tuple[Line, str]], overlaps: list[str]) -> list[Block]:
    marks = sorted(starts, key=lambda item: item[0].baseline)
    line_index = {id(line): i for i, line in enumerate(block.lines)}
    cut_points = [line_index[id(line)] for line, _ in marks]
    # A continuation mark line ("↑ p. N") belongs to the note below it.
    cut_points = [i - 1 if i > 0 and block.lines[i - 1].text.startswith(_CONTINUATION_MARK) else i for i in cut_points]
    parts: list[Block] = []
    if cut_points[0] > 0:
        parts.append(Block(block.page, block.lines[: cut_points[0]]))
    # Two labels in one block: the notes touch or overlap (the engine
    # keeps a space between notes, wider than their line spacing).
    for (_, upper), (_, lower) in zip(marks, marks[1:]):
        overlaps.append(f"p. {block.page + 1}: note {upper} overlaps note {lower}")
    ends = cut_points[1:] + [len(block.lines)]
    for (_, note_id), start, end in zip(marks, cut_points, ends):
        lines = block.lines[start : max(end, start + 1)]
        parts.append(Block(block.page, lines, note_id, "note"))
    return parts


def mark_furniture(blocks: list[Block], text: TextBlock) -> None:
    """A block without a label is a gloss beside the text, or a running
    head or footer above or below it."""
    notes_by_page: dict[int, list[tuple]] = defaultdict(list)
    for block in blocks:
        if block.kind == "note":
            notes_by_page[block.page].append(block.bbox)
    for block in blocks:
        if block.kind == "note":
            continue
        extent = text.extent_of(block.page)
        notes_here = notes_by_page[block.page]
        low = min([extent[1]] + [b[1] for b in notes_here]) if extent else None
        high = max([extent[3]] + [b[3] for b in notes_here]) if extent else None
        box = block.bbox
        middle = (box[1] + box[3]) / 2
        if low is not None and not (low - 2 <= middle <= high + 2):
            block.kind = "furniture"


def place_notes(
    blocks: list[Block], calls: Calls, pages: PdfPages, text: TextBlock, overlaps: list[str], broken_links: list[str]
) -> tuple[list[AuditedNote], dict[str, list[Block]]]:
    """The notes drawn in the margin, each measured against its call, and the blocks drawing them."""
    notes: list[AuditedNote] = []
    note_blocks: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        if block.kind == "note" and block.note_id:
            note_blocks[block.note_id].append(block)
    for note_id in sorted(note_blocks, key=lambda n: call_order(calls.letters.get(n, ""), n)):
        drawn = note_blocks[note_id]
        if len(drawn) > 1:
            overlaps.append(
                f"note {note_id} drawn {len(drawn)} times (pp. " + ", ".join(str(b.page + 1) for b in drawn) + ")"
            )
        block = drawn[0]
        call_page, call_baseline = calls.places.get(note_id, (block.page, None))
        notes.append(
            AuditedNote(
                note_id_or_call=note_id,
                page_number=block.page + 1,
                call_page_number=call_page + 1 if note_id in calls.places else 0,
                lines_from_call=round(_lines_from_call(block, call_page, call_baseline, text), 2),
                call=calls.letters.get(note_id, ""),
            )
        )
        broken_links.extend(_destination_problems(note_id, block, pages, text.pitch))
    return notes, note_blocks


def _lines_from_call(block: Block, call_page: int, call_baseline: float | None, text: TextBlock) -> float:
    """Body lines from the call's baseline to the note's first line (across pages, the
    text block's heights in between)."""
    label_line = next((line for line in block.lines if not line.text.startswith(_CONTINUATION_MARK)), block.lines[0])
    note_baseline = label_line.main_baseline
    if call_baseline is None:
        return 0.0
    if call_page == block.page:
        return (note_baseline - call_baseline) / text.pitch
    extent_of = text.extent_of
    span = (extent_of(call_page)[3] - call_baseline) + (note_baseline - extent_of(block.page)[1])
    span += sum(
        (extent_of(i)[3] - extent_of(i)[1]) for i in range(min(call_page, block.page) + 1, max(call_page, block.page))
    )
    return (span if block.page > call_page else -span) / text.pitch


def _destination_problems(note_id: str, block: Block, pages: PdfPages, pitch: float) -> list[str]:
    """Does the note's own anchor point at it?"""
    anchor = markup.note_id(note_id)
    target = pages.destination(anchor)
    box = block.bbox
    if target is None:
        return [f"no destination {anchor}"]
    if target[0] != block.page or not (box[1] - pitch <= target[1] <= box[3]):
        return [
            f"destination {anchor} points to p. {target[0] + 1} "
            f"y={target[1]:.0f}, the note is on p. {block.page + 1} "
            f"y={box[1]:.0f}-{box[3]:.0f}"
        ]
    return []


def foot_notes(at_foot: dict[str, Place], note_blocks: dict[str, list[Block]], calls: Calls) -> list[AuditedNote]:
    """The notes set at the page foot (and not also in the margin)."""
    notes: list[AuditedNote] = []
    for note_id, (index, _) in at_foot.items():
        if note_id in note_blocks:
            continue
        call_page = calls.places.get(note_id, (index, None))[0]
        notes.append(
            AuditedNote(
                note_id_or_call=note_id,
                page_number=index + 1,
                call_page_number=call_page + 1 if note_id in calls.places else 0,
                lines_from_call=0.0,
                call=calls.letters.get(note_id, ""),
                at_foot=True,
            )
        )
    return notes


def count_continued(blocks: list[Block]) -> int:
    """Notes that run on into the next page's margin ("↓ continued on p. N")."""
    return sum(
        1
        for block in blocks
        if block.kind == "note" and any(line.text.startswith(_CONTINUED_ON) for line in block.lines)
    )


def foot_limit(text: TextBlock, obstacles_by_page: list[list[dict]]) -> float | None:
    """How low a note may go: above the page number (the lowest text of a page, all
    digits) where pages have one; else not more than a line below the lowest body
    line in the document."""
    text_foot = max((e[3] for e in text.known), default=None)
    limit = None if text_foot is None else text_foot + 1.25 * text.pitch
    folios = Counter(folio_top(chars) for chars in obstacles_by_page if chars)
    folios.pop(None, None)
    if folios and limit is not None:
        top, _ = folios.most_common(1)[0]
        limit = max(limit, top - 0.5 * text.pitch)
    return limit


def page_overlaps(
    page_sizes: list[tuple[float, float]],
    blocks: list[Block],
    obstacles_by_page: list[list[dict]],
    limit: float | None,
) -> list[str]:
    """Notes and glosses meeting each other, the page edge, the bottom margin or other text."""
    overlaps: list[str] = []
    blocks_by_page = _by_page(blocks)
    for index, size in enumerate(page_sizes):
        page_blocks = blocks_by_page[index]
        marginal = [b for b in page_blocks if b.kind != "furniture"]
        for i, block in enumerate(marginal):
            overlaps.extend(
                _block_overlaps(index, size, block, marginal[i + 1 :], page_blocks, obstacles_by_page[index], limit)
            )
    return overlaps


def _block_overlaps(
    index: int,
    size: tuple[float, float],
    block: Block,
    later: list[Block],
    page_blocks: list[Block],
    obstacles: list[dict],
    limit: float | None,
) -> list[str]:
    width, height = size
    overlaps: list[str] = []
    box = block.bbox
    name = _describe(block)
    if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
        overlaps.append(f"p. {index + 1}: {name} passes the page edge")
    elif limit is not None and box[3] > limit:
        overlaps.append(f"p. {index + 1}: {name} runs into the bottom margin ({box[3] - limit:.0f}pt too low)")
    for other in later:
        if intersects(box, other.bbox):
            overlaps.append(f"p. {index + 1}: {name} overlaps {_describe(other)}")
    for other in page_blocks:
        if other.kind == "furniture" and intersects(box, other.bbox):
            overlaps.append(f"p. {index + 1}: {name} overlaps the running head/footer {other.text[:30]!r}")
    hits = [c for c in obstacles if intersects(box, (c["x0"], c["top"], c["x1"], c["bottom"]))]
    if hits:
        text = "".join(c["text"] for c in hits[:20])
        overlaps.append(f"p. {index + 1}: {name} overlaps text {text!r}")
    return overlaps


def link_problems(pages: PdfPages, text: TextBlock) -> list[str]:
    """Links in the margin, and the notes' links back to their calls, that cover no text."""
    problems: list[str] = []
    for index, rect, target in pages.other_links:
        extent = text.extent_of(index)
        if extent is None or extent[0] - MARGIN_GAP <= (rect[0] + rect[2]) / 2 <= extent[2] + MARGIN_GAP:
            continue  # a link in the body text: not ours to check
        if not any(inside(rect, c) for c in pages.chars[index]):
            problems.append(f"p. {index + 1}: link to {target} in the margin covers no text")
    for note_id, places in pages.label_links.items():
        for index, rect in places:
            if not any(inside(rect, c) for c in pages.chars[index]):
                problems.append(f"p. {index + 1}: link back to {markup.call_id(note_id)} covers no text")
    return problems


def call_order(letter: str, note_id: str) -> tuple:
    return (len(letter) if letter else 99, letter, note_id)


def _by_page(blocks: list[Block]) -> dict[int, list[Block]]:
    blocks_by_page: dict[int, list[Block]] = defaultdict(list)
    for block in blocks:
        blocks_by_page[block.page].append(block)
    return blocks_by_page


def _describe(block: Block) -> str:
    if block.kind == "note":
        return f"note {block.note_id}"
    return f"gloss {block.text[:24]!r}"

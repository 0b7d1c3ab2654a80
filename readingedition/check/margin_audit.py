"""Audit the margin notes of a built PDF reading packet, from the PDF itself.

Nothing here knows how the PDF was made; notes and calls are found through
what WeasyPrint writes into the file (read with pdfplumber):

* Each call is a link to the named destination ``note-ID``; the text under it
  is the call letter.  Each note starts with its label, a link back to
  ``call-ID`` whose text is that letter.  (A note called inside an author's
  footnote belongs beside that footnote's call in the text.)
* The text block is where the body text is: the font size next to the calls;
  on a page with little body text (glossary, lists), the usual edges of the
  pages on the same side.  Text beside the text block is margin text, cut
  into lines (by baseline) and blocks (by line spacing: notes are set apart by
  more than their own lines).  A block holding a label is a margin note; a
  block without one is a gloss, or, above or below the text, a running head
  or footer.
* An overlap is: two notes (or glosses) whose text boxes meet, or two labels
  in one block (notes touching); a note meeting any other text on the page
  (body, running head, footer, footnotes); a note passing the page edge, or
  running into the bottom margin (below the page numbers' line less half a
  line, or more than a line below the lowest body line).
* Broken links: a link in the margin that covers no text (its rectangle was
  not moved with its note), or a ``note-ID`` destination away from its note.
"""

from __future__ import annotations

import pathlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["AuditedNote", "MarginAudit", "audit_margin_notes"]

#: Tolerances, in PDF points.
_SAME_LINE = 3.5  # baselines closer than this are one line (labels are raised)
_MARGIN_GAP = 2.0  # margin text starts this far beside the text block
_TOUCH = 0.5  # boxes must overlap by more than this to count
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


@dataclass(frozen=True)
class MarginAudit:
    notes: tuple[AuditedNote, ...]
    moved: tuple[AuditedNote, ...]
    overlaps: tuple[str, ...]
    missing: tuple[str, ...]
    broken_links: tuple[str, ...] = ()
    continued: int = 0  # notes that run on into the next page's margin ("↓ continued on p. N")
    missing_text: tuple[str, ...] = ()  # notes whose text is not all in the PDF (from the fidelity check)

    def share_within(self, lines: float = 2) -> float:
        """Share of the notes drawn in the margin on their call's page within ``lines`` body
        lines of their call (1.0 when there are no notes)."""
        if not self.notes:
            return 1.0
        near = sum(
            1
            for note in self.notes
            if note.page_number == note.call_page_number and not note.at_foot and abs(note.lines_from_call) <= lines
        )
        return near / len(self.notes)

    def share_on_call_page(self) -> float:
        """Share of the notes that start on their call's page (1.0 when there are none)."""
        if not self.notes:
            return 1.0
        return sum(1 for n in self.notes if n.page_number == n.call_page_number) / len(self.notes)

    def figures(self) -> dict[str, float | int]:
        """The audit's figures: what `build.py check --editions` reports and tests assert."""
        in_margin = [n for n in self.notes if not n.at_foot and n.page_number == n.call_page_number]
        return {
            "notes": len(self.notes),
            "on_call_page": round(self.share_on_call_page(), 4),
            "within_two_lines": round(self.share_within(2), 4),
            "largest_distance": max((abs(n.lines_from_call) for n in in_margin), default=0.0),
            "continued": self.continued,
            "at_foot": sum(1 for n in self.notes if n.at_foot),
            "overlaps": len(self.overlaps),
            "missing_text": len(self.missing_text) + len(self.missing),
        }

    def summary(self) -> str:
        f = self.figures()
        return (
            f"{f['notes']} notes: {f['on_call_page']:.0%} on their call's page, "
            f"{f['within_two_lines']:.0%} within two lines (largest distance "
            f"{f['largest_distance']:.1f} lines), {f['continued']} continued, {f['at_foot']} at the "
            f"page foot; overlaps {f['overlaps']}, missing text {f['missing_text']}"
        )

    def render(self) -> str:
        """A short human-readable report."""
        out = [f"Margin-note audit: {self.summary()}"]
        for note in self.notes:
            where = f"p. {note.page_number}" + (" foot" if note.at_foot else "")
            if note.call_page_number != note.page_number:
                where += f" (call on p. {note.call_page_number})"
            out.append(
                f"  {note.call or '?':>3}  {note.note_id_or_call:<24} {where:<22} {note.lines_from_call:+.1f} lines"
            )
        out.append(f"Moved more than 2 lines: {len(self.moved)}")
        for note in self.moved:
            out.append(
                f"  {note.call or '?':>3}  {note.note_id_or_call}: p. {note.page_number},"
                f" call on p. {note.call_page_number}, {note.lines_from_call:+.1f} lines"
            )
        for title, items in (
            ("Overlaps", self.overlaps),
            ("Missing", self.missing),
            ("Missing text", self.missing_text),
            ("Broken links", self.broken_links),
        ):
            out.append(f"{title}: {len(items)}")
            out.extend(f"  {item}" for item in items)
        return "\n".join(out)


# --------------------------------------------------------------------------


@dataclass
class _Line:
    baseline: float
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in sorted(self.chars, key=lambda c: c["x0"])).strip()

    @property
    def main_baseline(self) -> float:
        counts = Counter(round(_baseline(c), 1) for c in self.chars)
        return counts.most_common(1)[0][0]


@dataclass
class _Block:
    page: int
    lines: list[_Line]
    note_id: str | None = None
    kind: str = "gloss"  # "note", "gloss" or "furniture"

    @property
    def chars(self) -> list[dict]:
        return [c for line in self.lines for c in line.chars]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        chars = self.chars
        return (
            min(c["x0"] for c in chars),
            min(c["top"] for c in chars),
            max(c["x1"] for c in chars),
            max(c["bottom"] for c in chars),
        )

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def _folio_top(chars: list[dict]) -> float | None:
    """The top of a page's page number: its lowest line, if that line is all digits."""
    lowest = max(c["top"] for c in chars)
    line = "".join(c["text"] for c in chars if abs(c["top"] - lowest) < 1).strip()
    return round(lowest) if line.isdigit() else None


def _baseline(char: dict) -> float:
    """Baseline of a character, from the page top (PDF points)."""
    return char["_page_height"] - char["matrix"][5]


def _intersects(a: Sequence[float], b: Sequence[float], touch: float = _TOUCH) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > touch and min(a[3], b[3]) - max(a[1], b[1]) > touch


def _inside(rect: Sequence[float], char: dict) -> bool:
    cx = (char["x0"] + char["x1"]) / 2
    cy = (char["top"] + char["bottom"]) / 2
    return rect[0] - 0.5 <= cx <= rect[2] + 0.5 and rect[1] - 0.5 <= cy <= rect[3] + 0.5


def _group_lines(chars: Iterable[dict]) -> list[_Line]:
    lines: list[_Line] = []
    for char in sorted(chars, key=_baseline):
        baseline = _baseline(char)
        if lines and baseline - lines[-1].baseline <= _SAME_LINE:
            lines[-1].chars.append(char)
        else:
            lines.append(_Line(baseline, [char]))
    return lines


def _dest_name(annot: dict) -> str | None:
    dest = (annot.get("data") or {}).get("Dest")
    if isinstance(dest, bytes):
        return dest.decode("utf-8", "replace")
    if isinstance(dest, str):
        return dest
    return None


def audit_margin_notes(pdf_path: pathlib.Path, expected_calls: Sequence[str]) -> MarginAudit:
    """Audit the margin notes of ``pdf_path``.

    ``expected_calls``: the notes that must be in the PDF, each given by its
    note id (the ``ID`` of ``#note-ID``) or by its call letter(s).
    """
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    with pdfplumber.open(str(pdf_path)) as pdf:
        pages = pdf.pages
        page_ids = {page.page_obj.pageid: index for index, page in enumerate(pages)}
        page_sizes = [(float(page.width), float(page.height)) for page in pages]
        chars_by_page: list[list[dict]] = []
        for page in pages:
            chars = [dict(c) for c in page.chars if c["text"].strip()]
            for char in chars:
                char["_page_height"] = float(page.height)
            chars_by_page.append(chars)
        # Links: calls (to note-ID) and labels (to call-ID), in every page.
        call_links: dict[str, list[tuple[int, tuple]]] = defaultdict(list)
        label_links: dict[str, list[tuple[int, tuple]]] = defaultdict(list)
        other_links: list[tuple[int, tuple, str]] = []
        for index, page in enumerate(pages):
            for annot in page.annots:
                rect = (annot["x0"], annot["top"], annot["x1"], annot["bottom"])
                name = _dest_name(annot)
                if name and name.startswith("note-"):
                    call_links[name[len("note-") :]].append((index, rect))
                elif name and name.startswith("call-"):
                    label_links[name[len("call-") :]].append((index, rect))
                else:
                    other_links.append((index, rect, name or annot.get("uri") or "?"))

        def destination(name: str) -> tuple[int, float] | None:
            try:
                dest = resolve1(pdf.doc.get_dest(name.encode()))
            except Exception:  # noqa: BLE001 - no such name, or odd tree
                return None
            if isinstance(dest, dict):
                dest = resolve1(dest.get("D"))
            if not dest:
                return None
            page_ref = dest[0]
            index = page_ids.get(getattr(page_ref, "objid", None))
            if index is None or len(dest) < 4 or dest[3] is None:
                return None
            return index, page_sizes[index][1] - float(dest[3])

        # ---- the text block ---------------------------------------------
        # Body text: the font size of the text beside the calls in the upper part
        # of their pages, above any footnotes (or, with no calls, the most common size).
        sizes: Counter = Counter()
        for places in call_links.values():
            for index, rect in places:
                middle = (rect[1] + rect[3]) / 2
                if middle > 0.4 * page_sizes[index][1]:
                    continue
                sizes.update(
                    round(c["size"], 1)
                    for c in chars_by_page[index]
                    if c["top"] <= middle <= c["bottom"] and rect[0] - 60 < c["x1"] <= rect[0]
                )
        if not sizes:
            sizes = Counter(round(c["size"], 1) for chars in chars_by_page for c in chars)
        body_size = sizes.most_common(1)[0][0] if sizes else 0.0
        extents: list[tuple[float, float, float, float] | None] = []
        for chars in chars_by_page:
            body = [c for c in chars if abs(c["size"] - body_size) < 0.3]
            if body:
                extents.append(
                    (
                        min(c["x0"] for c in body),
                        min(c["top"] for c in body),
                        max(c["x1"] for c in body),
                        max(c["bottom"] for c in body),
                    )
                )
            else:
                extents.append(None)
        # A page with little body text (a glossary, a list) shows only part
        # of the text block: there, take the usual edges of the pages on the
        # same side (justified body lines reach both edges).
        for parity in (0, 1):
            same_side = [e for i, e in enumerate(extents) if e and i % 2 == parity]
            if not same_side:
                continue
            left = Counter(round(e[0]) for e in same_side).most_common(1)[0][0]
            right = Counter(round(e[2]) for e in same_side).most_common(1)[0][0]
            for i, e in enumerate(extents):
                if e and i % 2 == parity and e[2] - e[0] < 0.9 * (right - left):
                    extents[i] = (min(e[0], left), e[1], max(e[2], right), e[3])
        known = [e for e in extents if e]

        def extent_of(index: int) -> tuple[float, float, float, float] | None:
            """The text block of a page; for a page without body text (notes
            only), that of the nearest page on the same side."""
            if extents[index]:
                return extents[index]
            for distance in range(2, len(extents) + 2, 2):
                for other in (index - distance, index + distance):
                    if 0 <= other < len(extents) and extents[other]:
                        return extents[other]
            return known[0] if known else None

        # Body line pitch: the most common distance between body baselines.
        pitches: Counter = Counter()
        for chars in chars_by_page:
            body_lines = _group_lines(c for c in chars if abs(c["size"] - body_size) < 0.3)
            for upper, lower in zip(body_lines, body_lines[1:]):
                pitches[round(lower.baseline - upper.baseline, 1)] += 1
        body_pitch = pitches.most_common(1)[0][0] if pitches else (body_size * 1.3 or 14.0)

        # ---- margin blocks -------------------------------------------------
        blocks: list[_Block] = []
        obstacles_by_page: list[list[dict]] = []
        for index, chars in enumerate(chars_by_page):
            extent = extent_of(index)
            if extent is None:
                obstacles_by_page.append(chars)
                continue
            left, top, right, bottom = extent
            margin = [c for c in chars if c["x0"] >= right + _MARGIN_GAP or c["x1"] <= left - _MARGIN_GAP]
            margin_ids = {id(c) for c in margin}
            obstacles_by_page.append([c for c in chars if id(c) not in margin_ids])
            for side in ("left", "right"):
                side_chars = [c for c in margin if (c["x0"] >= right) == (side == "right")]
                blocks.extend(_blocks(index, _group_lines(side_chars)))
        # ---- calls, labels, notes -------------------------------------------
        overlaps: list[str] = []
        broken_links: list[str] = []
        call_letters: dict[str, str] = {}
        call_places: dict[str, tuple[int, float]] = {}
        for note_id, places in call_links.items():
            index, rect = places[0]
            under = [c for c in chars_by_page[index] if _inside(rect, c)]
            call_letters[note_id] = "".join(c["text"] for c in sorted(under, key=lambda c: c["x0"])).strip()
            call_places[note_id] = _call_place(chars_by_page, index, rect, body_size, extent_of(index))

        blocks_by_page: dict[int, list[_Block]] = defaultdict(list)
        for block in blocks:
            blocks_by_page[block.page].append(block)
        found: dict[str, list[tuple[_Block, _Line]]] = defaultdict(list)
        at_foot: dict[str, tuple[int, tuple]] = {}
        for note_id, places in label_links.items():
            letter = call_letters.get(note_id, "")
            for index, rect in places:
                # The label is the link back to the call whose text is the
                # call letter (the continuation mark "↑ p. N" links there too).
                exact = loose = None
                for block in blocks_by_page[index]:
                    for line in block.lines:
                        if line.text.startswith((_CONTINUATION_MARK, _CONTINUED_ON)):
                            continue
                        chars = [c for c in line.chars if _inside(rect, c)]
                        if not chars:
                            continue
                        text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))
                        if not letter or text.strip() == letter:
                            exact = exact or (block, line)
                        elif letter in text:
                            loose = loose or (block, line)  # overlapping text
                hit = exact or loose
                if hit and not any(hit[1] is line for _, line in found[note_id]):
                    found[note_id].append(hit)
                extent = extent_of(index)
                if not hit and extent and extent[0] - 1 <= (rect[0] + rect[2]) / 2 <= extent[2] + 1:
                    at_foot.setdefault(note_id, (index, rect))  # a label in the text block

        # Split blocks that hold several labels; mark note blocks.
        starts: dict[int, list[tuple[_Line, str]]] = defaultdict(list)
        for note_id, hits in found.items():
            for block, line in hits:
                starts[id(block)].append((line, note_id))
        final_blocks: list[_Block] = []
        for block in blocks:
            if id(block) not in starts:
                final_blocks.append(block)
                continue
            marks = sorted(starts[id(block)], key=lambda item: item[0].baseline)
            line_index = {id(line): i for i, line in enumerate(block.lines)}
            cut_points = [line_index[id(line)] for line, _ in marks]
            # A continuation mark line ("↑ p. N") belongs to the note below it.
            cut_points = [
                i - 1 if i > 0 and block.lines[i - 1].text.startswith(_CONTINUATION_MARK) else i for i in cut_points
            ]
            if cut_points[0] > 0:
                final_blocks.append(_Block(block.page, block.lines[: cut_points[0]]))
            # Two labels in one block: the notes touch or overlap (the engine
            # keeps a space between notes, wider than their line spacing).
            for (_, upper), (_, lower) in zip(marks, marks[1:]):
                overlaps.append(f"p. {block.page + 1}: note {upper} overlaps note {lower}")
            ends = cut_points[1:] + [len(block.lines)]
            for (_, note_id), start, end in zip(marks, cut_points, ends):
                lines = block.lines[start : max(end, start + 1)]
                final_blocks.append(_Block(block.page, lines, note_id, "note"))
        blocks = final_blocks

        # A block without a label is a gloss beside the text, or a running
        # head or footer above or below it.
        notes_by_page: dict[int, list[tuple]] = defaultdict(list)
        for block in blocks:
            if block.kind == "note":
                notes_by_page[block.page].append(block.bbox)
        for block in blocks:
            if block.kind == "note":
                continue
            extent = extent_of(block.page)
            notes_here = notes_by_page[block.page]
            low = min([extent[1]] + [b[1] for b in notes_here]) if extent else None
            high = max([extent[3]] + [b[3] for b in notes_here]) if extent else None
            box = block.bbox
            middle = (box[1] + box[3]) / 2
            if low is not None and not (low - 2 <= middle <= high + 2):
                block.kind = "furniture"

        # ---- the notes ------------------------------------------------------
        notes: list[AuditedNote] = []
        note_blocks: dict[str, list[_Block]] = defaultdict(list)
        for block in blocks:
            if block.kind == "note" and block.note_id:
                note_blocks[block.note_id].append(block)
        for note_id in sorted(note_blocks, key=lambda n: _call_order(call_letters.get(n, ""), n)):
            drawn = note_blocks[note_id]
            if len(drawn) > 1:
                overlaps.append(
                    f"note {note_id} drawn {len(drawn)} times (pp. " + ", ".join(str(b.page + 1) for b in drawn) + ")"
                )
            block = drawn[0]
            label_line = next(
                (line for line in block.lines if not line.text.startswith(_CONTINUATION_MARK)), block.lines[0]
            )
            note_baseline = label_line.main_baseline
            call_page, call_baseline = call_places.get(note_id, (block.page, None))
            if call_baseline is None:
                distance = 0.0
            elif call_page == block.page:
                distance = (note_baseline - call_baseline) / body_pitch
            else:
                call_extent = extent_of(call_page)
                note_extent = extent_of(block.page)
                span = (call_extent[3] - call_baseline) + (note_baseline - note_extent[1])
                span += sum(
                    (extent_of(i)[3] - extent_of(i)[1])
                    for i in range(min(call_page, block.page) + 1, max(call_page, block.page))
                )
                distance = (span if block.page > call_page else -span) / body_pitch
            notes.append(
                AuditedNote(
                    note_id_or_call=note_id,
                    page_number=block.page + 1,
                    call_page_number=call_page + 1 if note_id in call_places else 0,
                    lines_from_call=round(distance, 2),
                    call=call_letters.get(note_id, ""),
                )
            )
            # Does the note's own anchor point at it?
            target = destination(f"note-{note_id}")
            box = block.bbox
            if target is None:
                broken_links.append(f"no destination note-{note_id}")
            elif target[0] != block.page or not (box[1] - body_pitch <= target[1] <= box[3]):
                broken_links.append(
                    f"destination note-{note_id} points to p. {target[0] + 1} "
                    f"y={target[1]:.0f}, the note is on p. {block.page + 1} "
                    f"y={box[1]:.0f}-{box[3]:.0f}"
                )

        for note_id, (index, _) in at_foot.items():
            if note_id in note_blocks:
                continue
            call_page = call_places.get(note_id, (index, None))[0]
            notes.append(
                AuditedNote(
                    note_id_or_call=note_id,
                    page_number=index + 1,
                    call_page_number=call_page + 1 if note_id in call_places else 0,
                    lines_from_call=0.0,
                    call=call_letters.get(note_id, ""),
                    at_foot=True,
                )
            )
        notes.sort(key=lambda n: _call_order(n.call, n.note_id_or_call))
        continued = sum(
            1
            for block in blocks
            if block.kind == "note" and any(line.text.startswith(_CONTINUED_ON) for line in block.lines)
        )

        # ---- overlaps -------------------------------------------------------
        # How low a note may go: above the page number (the lowest text of a
        # page, all digits) where pages have one; else not more than a line
        # below the lowest body line in the document.
        text_foot = max((e[3] for e in known), default=None)
        foot_limit = None if text_foot is None else text_foot + 1.25 * body_pitch
        folios = Counter(_folio_top(chars) for chars in obstacles_by_page if chars)
        folios.pop(None, None)
        if folios and foot_limit is not None:
            folio_top, _ = folios.most_common(1)[0]
            foot_limit = max(foot_limit, folio_top - 0.5 * body_pitch)
        blocks_by_page = defaultdict(list)
        for block in blocks:
            blocks_by_page[block.page].append(block)
        for index, (width, height) in enumerate(page_sizes):
            page_blocks = blocks_by_page[index]
            marginal = [b for b in page_blocks if b.kind != "furniture"]
            for i, block in enumerate(marginal):
                box = block.bbox
                name = _describe(block)
                if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                    overlaps.append(f"p. {index + 1}: {name} passes the page edge")
                elif foot_limit is not None and box[3] > foot_limit:
                    overlaps.append(
                        f"p. {index + 1}: {name} runs into the bottom margin ({box[3] - foot_limit:.0f}pt too low)"
                    )
                for other in marginal[i + 1 :]:
                    if _intersects(box, other.bbox):
                        overlaps.append(f"p. {index + 1}: {name} overlaps {_describe(other)}")
                for other in page_blocks:
                    if other.kind == "furniture" and _intersects(box, other.bbox):
                        overlaps.append(f"p. {index + 1}: {name} overlaps the running head/footer {other.text[:30]!r}")
                hits = [
                    c for c in obstacles_by_page[index] if _intersects(box, (c["x0"], c["top"], c["x1"], c["bottom"]))
                ]
                if hits:
                    text = "".join(c["text"] for c in hits[:20])
                    overlaps.append(f"p. {index + 1}: {name} overlaps text {text!r}")

        # ---- links inside notes land on text --------------------------------
        for index, rect, target in other_links:
            extent = extent_of(index)
            if extent is None or extent[0] - _MARGIN_GAP <= (rect[0] + rect[2]) / 2 <= extent[2] + _MARGIN_GAP:
                continue  # a link in the body text: not ours to check
            if not any(_inside(rect, c) for c in chars_by_page[index]):
                broken_links.append(f"p. {index + 1}: link to {target} in the margin covers no text")
        for note_id, places in label_links.items():
            for index, rect in places:
                if not any(_inside(rect, c) for c in chars_by_page[index]):
                    broken_links.append(f"p. {index + 1}: link back to call-{note_id} covers no text")

    # ---- expected notes -------------------------------------------------------
    by_id = {note.note_id_or_call: note for note in notes}
    by_call = {note.call: note for note in notes if note.call}
    missing = tuple(expected for expected in expected_calls if expected not in by_id and expected not in by_call)
    moved = tuple(note for note in notes if note.page_number != note.call_page_number or abs(note.lines_from_call) > 2)
    return MarginAudit(
        notes=tuple(notes),
        moved=moved,
        overlaps=tuple(overlaps),
        missing=missing,
        broken_links=tuple(broken_links),
        continued=continued,
    )


def _blocks(page: int, lines: list[_Line]) -> list[_Block]:
    """Cut the lines of one margin column into blocks where the space between
    two lines is wider than the notes' line spacing."""
    if not lines:
        return []
    sizes = sorted(c["size"] for line in lines for c in line.chars)
    size = sizes[len(sizes) // 2]
    pitches = [lower.main_baseline - upper.main_baseline for upper, lower in zip(lines, lines[1:])]
    # The notes' line spacing: the closest two lines of text (at least one em
    # apart), but no more than a usual line height, in case every note here
    # has a single line.
    base = min([p for p in pitches if p >= size] + [1.35 * size])
    limit = 1.2 * base
    blocks = [_Block(page, [lines[0]])]
    for upper, lower in zip(lines, lines[1:]):
        if lower.main_baseline - upper.main_baseline > limit:
            blocks.append(_Block(page, [lower]))
        else:
            blocks[-1].lines.append(lower)
    return blocks


def _call_place(
    chars_by_page: list[list[dict]], index: int, rect: Sequence[float], body_size: float, extent: Sequence[float] | None
) -> tuple[int, float]:
    """Page and baseline of the line a note belongs beside: its call's line, in the body text
    or, for a note called inside an author's footnote, in the footnote at the page foot."""
    chars = chars_by_page[index]
    body_bottom = max((c["bottom"] for c in chars if abs(c["size"] - body_size) < 0.3), default=None)
    if body_bottom is None or rect[1] < body_bottom or extent is None:
        return index, _call_baseline(chars, rect, body_size)
    return index, _call_baseline(chars, rect, None)


def _call_baseline(chars: list[dict], rect: Sequence[float], body_size: float | None) -> float:
    """Baseline of the line holding a call link (of body text, unless ``body_size`` is None)."""
    middle = (rect[1] + rect[3]) / 2
    near = [
        c
        for c in chars
        if (body_size is None or abs(c["size"] - body_size) < 0.3)
        and c["top"] <= middle <= c["bottom"]
        and abs((c["x0"] + c["x1"]) / 2 - (rect[0] + rect[2]) / 2) < 60
    ]
    if not near:
        return rect[3]
    return Counter(round(_baseline(c), 1) for c in near).most_common(1)[0][0]


def _call_order(letter: str, note_id: str) -> tuple:
    return (len(letter) if letter else 99, letter, note_id)


def _describe(block: _Block) -> str:
    if block.kind == "note":
        return f"note {block.note_id}"
    return f"gloss {block.text[:24]!r}"

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
from collections.abc import Sequence
from dataclasses import dataclass

from .margin_notes import (
    AuditedNote,
    call_order,
    count_continued,
    find_labels,
    foot_limit,
    foot_notes,
    link_problems,
    locate_calls,
    mark_furniture,
    page_overlaps,
    place_notes,
    split_at_labels,
)
from .margin_page import margin_blocks, measure_text_block, read_pages

__all__ = ["AuditedNote", "MarginAudit", "audit_margin_notes"]


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


def audit_margin_notes(pdf_path: pathlib.Path, expected_calls: Sequence[str]) -> MarginAudit:
    """Audit the margin notes of ``pdf_path``.

    ``expected_calls``: the notes that must be in the PDF, each given by its
    note id (the ``ID`` of ``#note-ID``) or by its call letter(s).
    """
    import pdfplumber

    overlaps: list[str] = []
    broken_links: list[str] = []
    # The notes' destinations are read from the document, so it stays open throughout.
    with pdfplumber.open(str(pdf_path)) as pdf:
        pages = read_pages(pdf)
        text = measure_text_block(pages)
        blocks, obstacles_by_page = margin_blocks(pages, text)
        calls = locate_calls(pages, text)
        found, at_foot = find_labels(pages, text, blocks, calls)
        blocks = split_at_labels(blocks, found, overlaps)
        mark_furniture(blocks, text)
        notes, note_blocks = place_notes(blocks, calls, pages, text, overlaps, broken_links)
        notes.extend(foot_notes(at_foot, note_blocks, calls))
        notes.sort(key=lambda n: call_order(n.call, n.note_id_or_call))
        overlaps.extend(page_overlaps(pages.sizes, blocks, obstacles_by_page, foot_limit(text, obstacles_by_page)))
        broken_links.extend(link_problems(pages, text))
    return _audit(notes, expected_calls, overlaps, broken_links, count_continued(blocks))


def _audit(
    notes: list[AuditedNote],
    expected_calls: Sequence[str],
    overlaps: list[str],
    broken_links: list[str],
    continued: int,
) -> MarginAudit:
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

"""What the margin engine did with each note: the results it hands back to the renderer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlacedNote:
    """Where one editor's note ended up."""

    note_id: str
    call: str
    page_number: int  # 1-based page where the note starts
    call_page_number: int  # 1-based page of the line it belongs beside
    lines_moved: float  # distance from its call's line, in body-line heights
    continued: bool  # runs on into the next page's margin
    at_foot: bool = False  # set at the foot of its page, with the footnotes


@dataclass(frozen=True)
class MarginPlacement:
    """The outcome of :func:`place_margin_notes`."""

    notes: tuple[PlacedNote, ...]
    glosses_kept: int
    glosses_dropped: int
    remade_pages: int = 0  # pages laid out again to make room at their foot

    def moved(self, more_than_lines: float = 2) -> tuple[PlacedNote, ...]:
        """Notes in the margin more than ``more_than_lines`` body lines from their call, or
        on another page (a note at the page foot is where it was put, and does not count)."""
        return tuple(
            note
            for note in self.notes
            if not note.at_foot and (note.page_number != note.call_page_number or note.lines_moved > more_than_lines)
        )

    def report(self, more_than_lines: float = 2) -> str:
        """A short account of the notes that had to move."""
        moved = self.moved(more_than_lines)
        foot = sum(note.at_foot for note in self.notes)
        continued = sum(note.continued for note in self.notes)
        lines = [
            f"margin notes: {len(self.notes)} placed, {len(moved)} moved more than "
            f"{more_than_lines:g} lines, {foot} at the page foot, {continued} continued "
            f"({self.remade_pages} pages laid out again); glosses: "
            f"{self.glosses_kept} kept, {self.glosses_dropped} dropped"
        ]
        for note in moved:
            where = (
                f"p. {note.page_number} (called on p. {note.call_page_number})"
                if note.page_number != note.call_page_number
                else f"p. {note.page_number}, {note.lines_moved:.1f} lines from its call"
            )
            lines.append(f"  note {note.call} ({note.note_id}): {where}")
        return "\n".join(lines)

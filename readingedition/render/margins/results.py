"""What the margin engine did with each note: the results it hands back to the renderer, and
the warnings they give the editor."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...diagnostics import Diagnostic
from ...model import AnnotatedEdition, Location


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
class DroppedGloss:
    """A glossary term's short gloss the margin had no room for (the term still links to the
    glossary)."""

    term: str  # its slug
    page_number: int  # 1-based page of its line


@dataclass(frozen=True)
class MarginPlacement:
    """The outcome of :func:`place_margin_notes`."""

    notes: tuple[PlacedNote, ...]
    glosses_kept: int
    dropped_glosses: tuple[DroppedGloss, ...] = ()
    remade_pages: int = 0  # pages laid out again to make room at their foot
    split_notes: tuple[str, ...] = ()  # laid out by WeasyPrint in parts, of which one was kept
    split_glosses: tuple[str, ...] = ()  # the terms whose glosses were (likewise)

    @property
    def glosses_dropped(self) -> int:
        return len(self.dropped_glosses)

    def moved(self, more_than_lines: float = 2) -> tuple[PlacedNote, ...]:
        """Notes in the margin more than ``more_than_lines`` body lines from their call, or
        on another page (a note at the page foot is where it was put, and does not count)."""
        return tuple(
            note
            for note in self.notes
            if not note.at_foot and (note.page_number != note.call_page_number or note.lines_moved > more_than_lines)
        )


def placement_warnings(placement: MarginPlacement, annotated: AnnotatedEdition, output: str) -> tuple[Diagnostic, ...]:
    """What the editor should hear of the placement, as warnings at the note's or the glossary
    term's place in the annotation files: a note off its call's page (R002), a gloss left out
    (R003), a note too long for its page (R004), a note or gloss WeasyPrint laid out in parts
    (R005). ``output``: what the page numbers are of ("the PDF", "the booklet")."""
    notes = {note.spec.id: note.spec.where for note in annotated.notes}
    terms = {term.slug: term.where for term in annotated.edition.annotations.glossary}

    def warning(code: str, message: str, where: Location | None) -> Diagnostic:
        return Diagnostic(code, message, where and where.path, where and where.line, severity="warning")

    found = []
    for note in placement.notes:
        name, where = f"note `{note.note_id}` ({note.call})", notes.get(note.note_id)
        if note.page_number != note.call_page_number:
            moved = f"starts on page {note.page_number} of {output}, its call on page {note.call_page_number}"
            found.append(warning("R002", f"{name} {moved}", where))
        if note.continued:
            too_long = f"is too long for page {note.page_number} of {output}: it continues on the next page"
            found.append(warning("R004", f"{name} {too_long}", where))
    if placement.dropped_glosses:  # one warning: a margin full of notes leaves out many glosses
        first = placement.dropped_glosses[0]
        count = len(placement.dropped_glosses)
        no_room = f"{output} has no room in the margin for {count} glossary gloss{'es' * (count > 1)}"
        where = [(g, terms.get(g.term)) for g in placement.dropped_glosses]
        detail = "\n".join(f"`{g.term}` on page {g.page_number}" + (f" (line {w.line})" if w else "") for g, w in where)
        found.append(replace(warning("R003", no_room, terms.get(first.term)), detail=detail))
    in_parts = f"was laid out in parts in {output}; one part was kept"
    found += [warning("R005", f"note `{n}` {in_parts}", notes.get(n)) for n in placement.split_notes]
    found += [warning("R005", f"the gloss of `{t}` {in_parts}", terms.get(t)) for t in placement.split_glosses]
    return tuple(found)

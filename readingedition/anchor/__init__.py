"""Anchor stage: find each note's passage and each glossary term's occurrences in the text.

Works on the text as a reader sees it. Each paragraph, heading or footnote is flattened to its
reader text; the text is normalised (quotes, dashes, whitespace, ellipses, footnote digits) with
a map back to the original offsets; all quotes are found in one Aho-Corasick pass, and all
glossary forms in another, so cost grows with the text, not with text × notes.

The result marks the AST with format-neutral Spans that each renderer turns into its own markup
(glossed passages, note calls, linked terms: see markup.py).

Modules, in the order the stage uses them: segments (reader text of each paragraph, heading,
footnote), fold (normalised text and its offset map), search (the whole text as one string),
quotes (placing notes, and the hints when a quote fails), terms (glossary occurrences), marker
(the AST rebuilt with the marks).
"""

from __future__ import annotations

from ..ast import collector_paused, split_chapters
from ..diagnostics import BuildFailed, Diagnostic
from ..markup import term_id
from ..model import AnchoredNote, AnchorReport, AnnotatedEdition, Chapter, Edition, TermUse
from .fold import fold_quote
from .marker import Mark, Marker
from .quotes import place_notes
from .search import SearchText
from .segments import Segment, collect_segments
from .terms import find_terms

__all__ = ["anchor_edition", "fold_quote", "note_label"]


# Two-letter calls that read as English words are skipped: a call must never read as text.
WORD_LABELS = frozenset(
    "ah am an as at ax be by do eh go ha he hi ho if in is it lo ma me my no of oh ok on or "
    "ow ox pa so to uh um up us we ye yo".split()
)


def _letters(number: int) -> str:
    label = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        label = chr(ord("a") + remainder) + label
    return label


_LABELS = [label for label in map(_letters, range(1, 26 * 27 + 1)) if label not in WORD_LABELS]
_SKIPPED = 26 * 27 - len(_LABELS)


def note_label(index: int) -> str:
    """a, b, … z, aa, ab, …: letters, because numbers are the author's footnotes; skipping
    the letter pairs that are words."""
    return _LABELS[index] if index < len(_LABELS) else _letters(index + 1 + _SKIPPED)


def _reading_position(search: SearchText, place: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a reader of the main text meets a note's call: a note on a footnote's text is
    called beside that footnote's own call, after any note that ends at the same place."""
    start, end = place
    segment = search.segment_at(start)
    if segment.parent is None:
        return (end, 0, start, 0)
    parent = search.segment_by_key[segment.parent]
    return (parent.start + segment.called_at, 1, end, start)


def anchor_edition(edition: Edition) -> AnnotatedEdition:
    with collector_paused():
        return _anchor(edition)


def _anchor(edition: Edition) -> AnnotatedEdition:
    chapters = split_chapters(edition.document["blocks"])
    segments: list[Segment] = []
    for number, (_, blocks) in enumerate(chapters):
        collect_segments(blocks, number, "para", segments)
    search = SearchText(segments)
    annotations = edition.annotations
    placed, problems = place_notes(search, annotations.notes)
    if problems or edition.problems:  # the load stage's, found before anchoring, come first
        raise BuildFailed((*edition.problems, *problems))

    marks: dict[int, list[Mark]] = {}
    order = sorted(annotations.notes, key=lambda n: _reading_position(search, placed[n.id]))
    anchored = []
    for index, note in enumerate(order):
        start, end = placed[note.id]
        segment = search.segment_at(start)
        local_start, local_end = start - segment.start, end - segment.start
        marks.setdefault(segment.key, []).extend(
            [Mark(local_start, local_end, "glossed", note.id), Mark(local_end, local_end, "call", note.id)]
        )
        anchored.append(AnchoredNote(note, note_label(index), segment.chapter, edition.note_bodies[note.id]))

    uses: list[TermUse] = []
    counts = {entry.slug: 0 for entry in annotations.glossary}
    linked, occurrences, present = find_terms(search, annotations.glossary, edition.metadata.glossary_links == "every")
    for start, end, slug, segment in linked:
        counts[slug] += 1
        anchor_id = term_id(slug, counts[slug])
        mark = Mark(start - segment.start, end - segment.start, "term", slug, anchor_id)
        marks.setdefault(segment.key, []).append(mark)
        uses.append(TermUse(slug, segment.chapter, anchor_id))
    warnings = tuple(
        Diagnostic(
            "G004",
            f"the glossary term `{e.term}` occurs nowhere in the text",
            e.where.path,
            e.where.line,
            severity="warning",
        )
        for e in annotations.glossary
        if e.slug not in present
    )

    marker = Marker(marks, segments)
    rebuilt = tuple(Chapter(title, marker.blocks(blocks)) for title, blocks in chapters)
    report = AnchorReport(len(anchored), counts, {slug: occurrences.get(slug, 0) for slug in counts}, warnings)
    return AnnotatedEdition(edition, rebuilt, tuple(anchored), tuple(uses), report)

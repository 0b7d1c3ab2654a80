"""Finding the occurrences of glossary terms to link."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import TermSpec
from .fold import fold_quote
from .search import SearchText, find_all
from .segments import Segment


def _term_patterns(glossary: Iterable[TermSpec]) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Lower-case pattern -> (slug, the spellings of it that count) for each form that folds to it."""
    patterns: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for entry in glossary:
        for form in entry.all_forms:
            folded = fold_quote(form)
            patterns.setdefault(_lower(folded), []).append((entry.slug, _spellings(folded)))
    return patterns


def _lower(text: str) -> str:
    """Lower case that keeps every offset (a few characters, like İ, lengthen when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _spellings(form: str) -> frozenset[str]:
    """A form with capitals matches only as written; a lower-case one also sentence-initially."""
    if form != _lower(form):
        return frozenset((form,))
    return frozenset((form, form[:1].upper() + form[1:]))


def find_terms(
    search: SearchText, glossary: tuple[TermSpec, ...], every: bool
) -> tuple[list[tuple[int, int, str, Segment]], dict[str, int], set[str]]:
    """The occurrences to link (raw offsets, slug, segment), how often each term occurs where it
    could be linked, and every term that occurs at all (a heading is not linked, but counts)."""
    text = search.folded.text
    patterns = _term_patterns(glossary)
    found = find_all(_lower(text), patterns)
    matches = []  # (start, minus length, end, slug): sorted, longest first where they begin together
    for pattern, starts in found.items():
        length = len(pattern)
        for start in starts:
            spelled = text[start : start + length]
            for slug, spellings in patterns[pattern]:
                if spelled in spellings:
                    matches.append((start, -length, start + length, slug))
                    break
    matches.sort()
    chosen: list[tuple[int, int, str, Segment]] = []
    occurrences: dict[str, int] = {}
    seen: set[tuple[int, str]] = set()
    present: set[str] = set()
    last_end = -1
    for start, _, end, slug in matches:
        if start < last_end:
            continue  # inside a longer term already taken
        present.add(slug)
        segment = search.segment_at_folded(start)
        if segment.kind != "para":
            continue
        if segment.no_terms:
            raw_start, raw_end = search.to_raw(start, end)
            local_start, local_end = raw_start - segment.start, raw_end - segment.start
            if any(a < local_end and local_start < b for a, b in segment.no_terms):
                continue
        last_end = end
        occurrences[slug] = occurrences.get(slug, 0) + 1
        if not every and (segment.chapter, slug) in seen:
            continue
        seen.add((segment.chapter, slug))
        chosen.append((*search.to_raw(start, end), slug, segment))
    return chosen, occurrences, present

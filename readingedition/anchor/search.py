"""The whole text as one folded string to search, and the search for bounded occurrences."""

from __future__ import annotations

import bisect
import re
from typing import Any

import ahocorasick

from .fold import fold, fold_quote
from .segments import Segment

SEPARATOR = "\x00"  # between segments in the searchable text; never part of a quote


class SearchText:
    """The whole text, folded, with each segment's place in it."""

    def __init__(self, segments: list[Segment]):
        raw_parts = []
        offset = 0
        for segment in segments:
            segment.start = offset
            raw_parts.append(segment.text)
            offset += len(segment.text) + 1
        self.segments = segments
        self.segment_by_key = {segment.key: segment for segment in segments}
        self.raw = SEPARATOR.join(raw_parts)
        self.folded = fold(self.raw)
        self._starts = [s.start for s in segments]
        # Folding never touches the separators, so they also mark the segments in the folded text.
        self._folded_starts = [0, *(match.end() for match in re.finditer(SEPARATOR, self.folded.text))]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.folded.raw(start), self.folded.raw(end - 1) + 1

    def segment_at(self, raw_offset: int) -> Segment:
        return self.segments[bisect.bisect_right(self._starts, raw_offset) - 1]

    def segment_at_folded(self, folded_offset: int) -> Segment:
        return self.segments[bisect.bisect_right(self._folded_starts, folded_offset) - 1]

    def context(self, start: int, end: int, width: int = 40) -> str:
        text = self.folded.text
        before = text[max(0, start - width) : start].split(SEPARATOR)[-1]
        after = text[end : end + width].split(SEPARATOR)[0]
        return f"…{before}«{text[start:end]}»{after}…"


def find_all(text: str, patterns: dict[str, list[Any]]) -> dict[str, list[int]]:
    """Every bounded occurrence (start offset) of every pattern, in one pass over the text."""
    found: dict[str, list[int]] = {p: [] for p in patterns}
    if not patterns:
        return found
    automaton = ahocorasick.Automaton()
    for pattern in patterns:
        automaton.add_word(pattern, pattern)
    automaton.make_automaton()
    for end_index, pattern in automaton.iter(text):
        start = end_index - len(pattern) + 1
        # Bounded: the match neither begins nor ends inside a word (inlined: this runs for every
        # occurrence of every term).
        if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
            continue
        if end_index + 1 < len(text) and text[end_index].isalnum() and text[end_index + 1].isalnum():
            continue
        found[pattern].append(start)
    return found


def context_matches(text: str, start: int, end: int, prefix: str | None, suffix: str | None) -> bool:
    if prefix is not None:
        prefix = fold_quote(prefix)
        window = text[max(0, start - len(prefix) - 2) : start].replace(SEPARATOR, " ").rstrip()
        if not window.endswith(prefix.rstrip()):
            return False
    if suffix is not None:
        suffix = fold_quote(suffix)
        window = text[end : end + len(suffix) + 2].replace(SEPARATOR, " ").lstrip()
        if not window.startswith(suffix.lstrip()):
            return False
    return True

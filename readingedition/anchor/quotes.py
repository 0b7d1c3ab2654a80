"""Placing each note at its quote; and, when a quote fails, what to tell the editor."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ..diagnostics import Diagnostic
from ..model import NoteSpec
from .fold import fold_quote
from .search import SEPARATOR, SearchText, context_matches, find_all


def place_notes(search: SearchText, notes: Iterable[NoteSpec]) -> tuple[dict[str, tuple[int, int]], list[Diagnostic]]:
    text = search.folded.text
    by_quote: dict[str, list[NoteSpec]] = {}
    problems: list[Diagnostic] = []
    for note in notes:
        by_quote.setdefault(fold_quote(note.quote), []).append(note)
    occurrences = find_all(text, by_quote)
    placed: dict[str, tuple[int, int]] = {}
    for quote, quote_notes in by_quote.items():
        for note in quote_notes:
            starts = occurrences[quote]
            chosen = [s for s in starts if context_matches(text, s, s + len(quote), note.prefix, note.suffix)]
            where = note.where
            if not starts and _spans_paragraphs(text, quote):
                problems.append(
                    Diagnostic(
                        "A001",
                        f"note `{note.id}`: the quote {note.quote!r} runs from one "
                        f"paragraph into the next; a quote must lie within one paragraph "
                        f"(or heading)",
                        where.path,
                        where.line,
                    )
                )
            elif not starts:
                problems.append(
                    Diagnostic(
                        "A001",
                        f"note `{note.id}`: the quote {note.quote!r} is not in the text",
                        where.path,
                        where.line,
                        _closest(search, quote),
                    )
                )
            elif not chosen:
                problems.append(
                    Diagnostic(
                        "A003",
                        f"note `{note.id}`: the quote occurs {len(starts)} time(s), but never with the given "
                        f"prefix/suffix",
                        where.path,
                        where.line,
                        "the quote occurs here:\n" + "\n".join(search.context(s, s + len(quote)) for s in starts[:5]),
                    )
                )
            elif len(chosen) > 1:
                problems.append(
                    Diagnostic(
                        "A002",
                        f"note `{note.id}`: the quote {note.quote!r} occurs {len(chosen)} times",
                        where.path,
                        where.line,
                        _disambiguation(search, chosen, len(quote)),
                    )
                )
            else:
                placed[note.id] = search.to_raw(chosen[0], chosen[0] + len(quote))
    return placed, problems


def _spans_paragraphs(text: str, quote: str) -> bool:
    """Is the quote in the text once the breaks between paragraphs are read as spaces?"""
    return " " in quote and quote in re.sub(f" *{SEPARATOR}+ *", " ", text)


def _disambiguation(search: SearchText, starts: list[int], length: int) -> str:
    """For each occurrence, the shortest run of words before it (or else after it) that singles it out."""
    text = search.folded.text
    lines = []
    for start in starts[:8]:
        end = start + length
        before = text[max(0, start - 200) : start].replace(SEPARATOR, " ")
        after = text[end : end + 200].replace(SEPARATOR, " ")
        choice = None
        for count in range(1, 12):
            prefix = before[_word_cut(before, count) :]
            if prefix.strip() and _unique(text, starts, length, prefix, None):
                choice = ("prefix", prefix)
                break
            suffix = after[: _word_cut_forward(after, count)]
            if suffix.strip() and _unique(text, starts, length, None, suffix):
                choice = ("suffix", suffix)
                break
        context = search.context(start, end, 30)
        lines.append(
            f"{choice[0]}: {choice[1]!r:<40} → {context}" if choice else f"(no short context is unique) {context}"
        )
    return "\n".join(lines)


def _word_cut(text: str, words: int) -> int:
    """Where the last `words` words of the text begin (keeping the space before the quote)."""
    position = len(text)
    for _ in range(words):
        position = text.rstrip().rfind(" ", 0, len(text[:position].rstrip())) + 1
        if position <= 0:
            return 0
    return position


def _word_cut_forward(text: str, words: int) -> int:
    position = 0
    for _ in range(words):
        following = text.find(" ", len(text) - len(text[position:].lstrip()) + 1)
        if following < 0:
            return len(text)
        position = following
    return position


def _unique(text: str, starts: list[int], length: int, prefix: str | None, suffix: str | None) -> bool:
    return sum(1 for s in starts if context_matches(text, s, s + length, prefix, suffix)) == 1


def _closest(search: SearchText, quote: str, limit: int = 3) -> str:
    """The passages most like the quote, and what differs. Only runs on failure."""
    text = search.folded.text
    quote_words = quote.split()
    if not quote_words:
        return ""
    lowered = [w.lower() for w in quote_words]
    spans = [(m.start(), m.group()) for m in re.finditer(r"[^\s\x00]+", text)]
    candidates = set()
    for index, (_, word) in enumerate(spans):
        if word.lower() in lowered:
            offset = lowered.index(word.lower())
            candidates.add(max(0, index - offset))
    scored = []
    for first in candidates:
        window = [w for _, w in spans[first : first + len(quote_words)]]
        ratio = difflib.SequenceMatcher(None, " ".join(quote_words), " ".join(window)).ratio()
        scored.append((-ratio, first, window))
    lines = []
    for negative_ratio, _, window in sorted(scored)[:limit]:
        if -negative_ratio < 0.5:
            break
        diffs = []
        matcher = difflib.SequenceMatcher(None, quote_words, window)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op != "equal":
                diffs.append(f"{' '.join(quote_words[a1:a2]) or '∅'!r} → {' '.join(window[b1:b2]) or '∅'!r}")
        # Words that differ only in what the matching ignores leave nothing to show: no "differs:" line.
        lines.append(f"closest: {' '.join(window)!r}" + (f"\n  differs: {'; '.join(diffs)}" if diffs else ""))
    return "\n".join(lines) or "no passage in the text is close to it"

"""Rejoining the text across chunk joins (and de-hyphenation)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum


class JoinKind(Enum):
    """How the end of one chunk meets the start of the next."""

    NEW_PARAGRAPH = "new-paragraph"  # the paragraph really ended at the chunk end
    SAME_PARAGRAPH = "same-paragraph"  # the text runs on: join with a space
    HYPHEN = "hyphen"  # a word was split: drop the hyphen, no space ("Rus-" + "sian")
    KEEP_HYPHEN = "keep-hyphen"  # a hyphenated compound was split: keep it, no space


_SENTENCE_END_RE = re.compile(r"[.!?:][\"'”’)\]]*(?:\[\^\d+\])*$")
SPLIT_WORD_RE = re.compile(r"[^\W\d_]-$")
_FIRST_LETTER_RE = re.compile(r"[\"'“‘(\[*\\]*([^\W\d_])")


def starts_lowercase(text: str) -> bool:
    """True if the first letter (after opening quotes or brackets) is lower case."""
    match = _FIRST_LETTER_RE.match(text)
    return bool(match) and match.group(1).islower()


def decide_join(before: str, after: str) -> JoinKind:
    """Decide a join from the text alone.

    A word cut by a hyphen and continued in lower case is one word. A chunk
    ending in sentence punctuation, followed by one that does not start in
    lower case, ended a paragraph (page breaks often fall between
    paragraphs). Anything else is a sentence cut mid-way: it continues.
    The recipe's ``joins`` overrides this where meaning says otherwise.
    """
    if SPLIT_WORD_RE.search(before) and starts_lowercase(after):
        return JoinKind.HYPHEN
    if _SENTENCE_END_RE.search(before) and not starts_lowercase(after):
        return JoinKind.NEW_PARAGRAPH
    return JoinKind.SAME_PARAGRAPH


def merge_join(before: str, after: str, kind: JoinKind) -> tuple[str, ...]:
    """Apply a join to the last paragraph of one chunk and the first of the next."""
    if kind is JoinKind.NEW_PARAGRAPH:
        return (before, after)
    if kind is JoinKind.SAME_PARAGRAPH:
        return (f"{before} {after}",)
    if kind is JoinKind.HYPHEN:
        return (before[:-1] + after,)
    return (before + after,)


def join_chunks(chunks: Sequence[Sequence[str]], overrides: Mapping[int, JoinKind] | None = None) -> tuple[str, ...]:
    """Concatenate chunks' paragraphs in reading order, rejoining at each join.

    ``overrides`` maps a chunk's index to the join with the chunk before it.
    """
    overrides = overrides or {}
    paragraphs: list[str] = []
    for index, chunk in enumerate(chunks):
        if not chunk:
            continue
        if not paragraphs:
            paragraphs.extend(chunk)
            continue
        kind = overrides.get(index) or decide_join(paragraphs[-1], chunk[0])
        paragraphs[-1:] = merge_join(paragraphs[-1], chunk[0], kind)
        paragraphs.extend(chunk[1:])
    return tuple(paragraphs)

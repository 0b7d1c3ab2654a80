"""The mechanical rules: the library's front matter, hand fixes, chunks and footnote texts,
inline markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import fail
from .patterns import (
    BLOCK_START_RE,
    FOOTNOTE_START_RE,
    INLINE_RE,
    INLINE_SPECIAL_RE,
    LIBRARY_BOILERPLATE,
    ORDERED_LIST_RE,
    marker_number,
    shorten,
)

# Rule 1: the library's banner, title page and retrieval lines
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontMatter:
    """The result of stripping the title page: what went, and what is left."""

    removed: tuple[str, ...]
    body: str


def is_title_page_line(line: str, values: Sequence[str]) -> bool:
    """True if ``line`` is made only of metadata values (in any order).

    The library's title page repeats title, subtitle, author and date, once
    as separate lines and once run together on one line; both go, but a line
    with any other word in it is text and stays.
    """
    rest = line
    for value in sorted((v for v in values if v), key=len, reverse=True):
        rest = rest.replace(value, " ")
    return bool(line.strip()) and not rest.strip()


def strip_front_matter(text: str, values: Sequence[str]) -> FrontMatter:
    """Drop the leading banner, title-page and retrieval lines.

    Only lines at the very top are considered, and only while each is blank,
    library boilerplate or title-page metadata: the first line of the essay
    stops the scan, so no text can be lost to a loose pattern.
    """
    lines = text.splitlines(keepends=True)
    removed: list[str] = []
    first_text = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if any(p.fullmatch(stripped) for p in LIBRARY_BOILERPLATE) or is_title_page_line(stripped, values):
            removed.append(stripped)
            continue
        first_text = index
        break
    return FrontMatter(tuple(removed), "".join(lines[first_text:]))


@dataclass(frozen=True)
class Fix:
    """An exact find/replace on the raw text, for extraction damage only."""

    find: str
    replace: str
    line: int | None = None  # of its entry in the recipe


def apply_fixes(text: str, fixes: Sequence[Fix], recipe: Path | None = None) -> str:
    """Apply hand fixes; each must match exactly once so none goes stale silently."""
    for fix in fixes:
        count = text.count(fix.find)
        if count != 1:
            raise fail(
                "C005",
                f"the fix 'find: {fix.find!r}' matches {count} times in the raw text (it must match exactly once)",
                recipe,
                fix.line,
            )
        text = text.replace(fix.find, fix.replace)
    return text


@dataclass(frozen=True)
class Footnote:
    """A footnote text found where a page bottom was; ``text`` is raw, marker removed."""

    number: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """One page-sized piece of the raw text, named by its first words."""

    start: str
    paragraphs: tuple[str, ...]
    footnotes: tuple[Footnote, ...]


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; inner line breaks are just spaces."""
    blocks = re.split(r"\n[ \t]*\n", text)
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def parse_footnote(paragraph: str) -> Footnote | None:
    """A paragraph opening with a marker ("¹ For example…", "$^{2}$ Oscar…") is a
    footnote text; body markers always follow a word, never open a paragraph."""
    match = FOOTNOTE_START_RE.match(paragraph)
    if not match or match.end() == len(paragraph):
        return None
    return Footnote(marker_number(match), paragraph[match.end() :].strip())


def parse_chunk(start: str, text: str) -> Chunk:
    """Split a chunk into body paragraphs and the footnote texts lodged in it."""
    body: list[str] = []
    notes: list[Footnote] = []
    for paragraph in split_paragraphs(text):
        note = parse_footnote(paragraph)
        if note is None:
            body.append(paragraph)
        else:
            notes.append(note)
    return Chunk(start, tuple(body), tuple(notes))


def locate_chunk_starts(
    text: str, starts: Sequence[str], recipe: Path | None = None, lines: Sequence[int | None] = ()
) -> dict[str, int]:
    """Offset of each named chunk start; each must occur exactly once. `lines`: of each start in
    the recipe's `order`."""
    offsets: dict[str, int] = {}
    for index, start in enumerate(starts):
        line = lines[index] if index < len(lines) else None
        first = text.find(start)
        if first < 0:
            raise fail(
                "C006", f"the chunk start {start!r} named in the recipe's 'order' is not in the raw text", recipe, line
            )
        if text.find(start, first + 1) >= 0:
            raise fail(
                "C007",
                f"the chunk start {start!r} named in the recipe's 'order' occurs more than once in the raw text",
                recipe,
                line,
            )
        offsets[start] = first
    return offsets


def split_chunks(
    text: str, starts: Sequence[str], recipe: Path | None = None, lines: Sequence[int | None] = ()
) -> tuple[Chunk, ...]:
    """Cut ``text`` wherever a named start appears, and return the chunks in the
    order of ``starts`` (the reading order).

    A start may sit mid-line (the extraction ran two chunks into one line), so
    cuts are by offset, not by line. Text before the first start would be lost
    without a trace, so it is an error.
    """
    offsets = locate_chunk_starts(text, starts, recipe, lines)
    cuts = sorted(offsets.items(), key=lambda item: item[1])
    leading = text[: cuts[0][1]].strip() if cuts else text.strip()
    if leading:
        raise fail(
            "C008",
            f"text before the first chunk start would be dropped: {shorten(leading)!r}",
            recipe,
            lines[0] if lines else None,
        )
    pieces = {
        start: text[offset : cuts[i + 1][1] if i + 1 < len(cuts) else len(text)]
        for i, (start, offset) in enumerate(cuts)
    }
    return tuple(parse_chunk(start, pieces[start]) for start in starts)


def escape_inline(text: str) -> str:
    """Backslash-escape characters pandoc would take as markup, so a literal
    ``*``, ``_``, ``[`` or ``$`` in the author's text reads as itself."""
    return INLINE_SPECIAL_RE.sub(r"\\\1", text)


def escape_block_start(paragraph: str) -> str:
    """Escape a paragraph opening that pandoc would read as a heading, quote or
    list (``# ``, ``> ``, ``- ``, ``1. ``…): the text must stay a paragraph."""
    if ORDERED_LIST_RE.match(paragraph):
        return ORDERED_LIST_RE.sub(r"\1\\\2", paragraph, count=1)
    if BLOCK_START_RE.match(paragraph):
        return "\\" + paragraph
    return paragraph


def to_markdown(text: str) -> str:
    """Convert one raw paragraph's inline markup to pandoc Markdown.

    Markers (⁴, $^{2}$, $^{\\rm 5}$) become ``[^n]``; TeX italics and the
    extraction's ``*Title*`` become ``*Title*``; all other text is escaped.
    """
    out: list[str] = []
    pos = 0
    for match in INLINE_RE.finditer(text):
        out.append(escape_inline(text[pos : match.start()]))
        if match["sup"] or match["tex"]:
            out.append(f"[^{marker_number(match)}]")
        elif match["it"] is not None:
            title = re.sub(r"\\(.)", r"\1", match["it"]).strip()
            out.append(f"*{escape_inline(title)}*")
        else:
            out.append(f"*{escape_inline(match['em'])}*")
        pos = match.end()
    out.append(escape_inline(text[pos:]))
    return "".join(out)

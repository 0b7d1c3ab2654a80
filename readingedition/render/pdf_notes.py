"""A note's Markdown as inline markup, for a note box that sits inside a paragraph of the PDF.

A margin note (and a note set at the page foot) is called inside a paragraph, so its content must
be phrasing content: a <p>, <blockquote> or <ul> there would end the paragraph in WeasyPrint's
HTML parser. Every block becomes a span that the style sheet (pdf-margins.css) sets as a block:
paragraphs, block quotes, verse (one span per line, with a hanging indent for the narrow
measure), lists (with their numbers or bullets written out), code and headings. Nothing is dropped.
"""

from __future__ import annotations

from typing import Any

from ..ast import stringify
from ..markup import (
    NOTE_CODE as CODE,
)
from ..markup import (
    NOTE_ITEM as ITEM,
)
from ..markup import (
    NOTE_LIST as LIST,
)
from ..markup import (
    NOTE_PARA as PARA,
)
from ..markup import (
    NOTE_QUOTE as QUOTE,
)
from ..markup import (
    NOTE_VERSE as VERSE,
)
from ..markup import (
    NOTE_VERSE_LINE as VERSE_LINE,
)
from ..model import Blocks


def _span(classes: list[str], content: list[Any]) -> dict[str, Any]:
    return {"t": "Span", "c": [["", classes, []], content]}


def note_inlines(blocks: Blocks, lead: list[Any]) -> list[Any]:
    """The blocks as block-styled spans; ``lead`` (the note's label) opens the first paragraph."""
    return _led(_blocks(blocks), lead)


def _led(spans: list[Any], lead: list[Any]) -> list[Any]:
    if spans and spans[0]["c"][0][1] == [PARA]:
        return [_span([PARA], [*lead, *spans[0]["c"][1]]), *spans[1:]]
    return [_span([PARA], lead), *spans]


def _blocks(blocks: Blocks) -> list[Any]:
    out: list[Any] = []
    for block in blocks:
        out.extend(_block(block))
    return out


def _block(block: dict[str, Any]) -> list[Any]:
    t, c = block["t"], block.get("c")
    if t in ("Para", "Plain"):
        return [_span([PARA], c)]
    if t == "Header":
        return [_span([PARA], [{"t": "Strong", "c": c[2]}])]
    if t == "LineBlock":
        return [_span([VERSE], [_span([VERSE_LINE], line or [{"t": "Str", "c": "\u00a0"}]) for line in c])]
    if t == "BlockQuote":
        return [_span([QUOTE], _blocks(c))]
    if t == "Div":
        return _blocks(c[1])
    if t == "BulletList":
        return [_list(["•"] * len(c), c)]
    if t == "OrderedList":
        (start, style, _), items = c
        markers = [
            f"{start + i}." if style["t"] != "LowerAlpha" else f"{chr(ord('a') + i)}." for i in range(len(items))
        ]
        return [_list(markers, items)]
    if t == "CodeBlock":
        return [_span([CODE], [{"t": "Code", "c": [["", [], []], c[1]]}])]
    if t == "HorizontalRule":
        return []
    return [_span([PARA], [{"t": "Str", "c": stringify(block)}])]  # a table: its text


def _list(markers: list[str], items: list[Blocks]) -> dict[str, Any]:
    return _span(
        [LIST],
        [
            _span([ITEM], _led(_blocks(item), [{"t": "Str", "c": f"{marker}\u2002"}]))
            for marker, item in zip(markers, items)
        ],
    )

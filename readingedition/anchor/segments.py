"""The reader text of the document, segment by segment (paragraph, heading, footnote)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ast import CONTAINERS, inline_lists

_OPAQUE_FOR_TERMS = {"Link", "Code", "Cite"}
SPACES = {"Space", "SoftBreak", "LineBreak"}


@dataclass
class Segment:
    key: int  # id() of the original inline list, so the rebuild can find its marks
    kind: str  # "para", "heading" or "footnote"
    chapter: int
    text: str
    no_terms: list[tuple[int, int]] = field(default_factory=list)  # inside links, code, citations
    start: int = 0  # offset in the searchable text
    parent: int | None = None  # a footnote's segment: the key of the inline list that calls it
    called_at: int = 0  # a footnote's segment: where the parent's text calls it
    lengths: list[int] = field(default_factory=list)  # of each inline's reader text


def inline_text(inline: dict[str, Any], pos: int, segment: Segment, pending: list) -> str:
    kind = inline["t"]
    if kind == "Str":
        return inline["c"]
    if kind in SPACES:
        return " "
    if kind in CONTAINERS:
        return _inlines_text(inline["c"], pos, segment, pending)
    if kind == "Quoted":
        opening, closing = ("“", "”") if inline["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
        return opening + _inlines_text(inline["c"][1], pos + 1, segment, pending) + closing
    if kind in ("Span", "Link", "Cite"):
        text = _inlines_text(inline["c"][1], pos, segment, pending)
        if kind in _OPAQUE_FOR_TERMS:
            segment.no_terms.append((pos, pos + len(text)))
        return text
    if kind == "Code":
        segment.no_terms.append((pos, pos + len(inline["c"][1])))
        return inline["c"][1]
    if kind == "Note":
        pending.append((inline["c"], pos))
        return ""
    return ""  # Image, RawInline, Math: nothing a quote can match


def _inlines_text(inlines: list[Any], pos: int, segment: Segment, pending: list) -> str:
    return "".join(_inline_pieces(inlines, pos, segment, pending))


def _inline_pieces(inlines: list[Any], pos: int, segment: Segment, pending: list) -> list[str]:
    """The reader text of each inline, from `pos` on."""
    parts = []
    for inline in inlines:
        kind = inline["t"]  # words and spaces are most of a text: handled here, without a call
        if kind == "Str":
            piece = inline["c"]
        elif kind in SPACES:
            piece = " "
        else:
            piece = inline_text(inline, pos, segment, pending)
        parts.append(piece)
        pos += len(piece)
    return parts


def collect_segments(blocks: list[Any], chapter: int, kind: str, out: list[Segment], parent: int | None = None) -> None:
    for block_type, inlines in inline_lists(blocks):
        _add_segment(inlines, chapter, "heading" if block_type == "Header" else kind, out, parent)


def _add_segment(inlines: list[Any], chapter: int, kind: str, out: list[Segment], parent: int | None) -> None:
    segment = Segment(key=id(inlines), kind=kind, chapter=chapter, text="", parent=parent)
    pending: list[Any] = []
    pieces = _inline_pieces(inlines, 0, segment, pending)
    segment.text = "".join(pieces)
    segment.lengths = list(map(len, pieces))
    out.append(segment)
    for note_blocks, called_at in pending:
        first = len(out)
        collect_segments(note_blocks, chapter, "footnote", out, segment.key)
        for footnote_segment in out[first:]:
            footnote_segment.called_at = called_at

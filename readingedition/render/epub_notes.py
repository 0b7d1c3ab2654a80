"""The EPUB's notes: the anchoring marks of a chapter turned into EPUB 3 pop-up notes.

A call is a `noteref` link holding a real `<sup>` (raised without CSS), placed after any
closing punctuation, to an `aside epub:type="footnote"` in the same file with a back-link.
Editor's notes follow the paragraph that calls them (Kobo's heuristic wants the note after its
link; KOReader dislikes many asides in one wrapper, so each aside stands alone); footnotes
close their chapter. A note on the text of an author's footnote is called in the main text,
beside that footnote's call, so that no pop-up has to open another; in the footnote, the
passage it glosses carries its letter, unlinked.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..ast import map_blocks, raw_block, raw_inline, rewrite_inlines, span_info, stringify
from ..markup import (
    CALL_SEPARATOR,
    DATA_NOTE,
    DATA_TERM,
    EDITOR_NOTE,
    FOOTNOTE,
    FOOTNOTE_BACK,
    FOOTNOTE_REF,
    GLOSSED,
    NOTE_CALL,
    NOTE_LABEL,
    NOTE_MARK,
    TERM,
    call_id,
    footnote_id,
    footnote_ref_id,
    gloss_id,
    kind_class,
    note_id,
)
from ..model import AnnotatedEdition

# Punctuation a call moves past, so that calls always stand after it: "delegates.ᵃ", "duties.”ᵇ".
CLOSING_PUNCTUATION = ".,;:!?…”’\"')]»"
_CONTAINERS = ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps")
_CALL = re.compile(r'<a [^>]*epub:type="noteref"')
# Between two calls of one kind that meet, so that "i" and "j" never read as "ij".
SEPARATOR = raw_inline(f'<sup class="{CALL_SEPARATOR}" aria-hidden="true">,</sup>')


class NoteMarkup:
    """Turns the anchoring marks of the chapters into EPUB markup."""

    def __init__(self, annotated: AnnotatedEdition):
        self.notes = {note.spec.id: note for note in annotated.notes}
        self.shorts = {slug: stringify(inlines) for slug, inlines in annotated.edition.term_shorts.items()}
        self.labels = annotated.edition.metadata.labels
        self.footnote_count = 0

    def chapter(self, blocks: list[Any]) -> list[Any]:
        out: list[Any] = []
        footnotes: list[Any] = []
        for block in blocks:
            calls: list[str] = []
            feet: list[Any] = []
            out.extend(map_blocks([block], lambda inlines, calls=calls, feet=feet: self._called(inlines, calls, feet)))
            out.extend(self._asides(calls))
            footnotes.extend(feet)
        return out + footnotes

    def _called(self, inlines: list[Any], calls: list[str], feet: list[Any]) -> list[Any]:
        """The inlines with their notes' calls, placed (place_calls); most hold none, and are as
        they were, for the calls are the only markup place_calls moves."""
        before = len(calls) + len(feet)
        out = self._inlines(inlines, calls, feet)
        return out if len(calls) + len(feet) == before else place_calls(out)

    def _inlines(self, inlines: list[Any], calls: list[str], feet: list[Any] | None) -> list[Any]:
        """`feet` is None inside a footnote: there, editor's notes are marked, not called."""
        return rewrite_inlines(inlines, lambda inline: self._inline(inline, calls, feet))

    def _inline(self, inline: dict[str, Any], calls: list[str], feet: list[Any] | None) -> list[Any] | None:
        t = inline["t"]
        if t == "Note" and feet is not None:
            return self._footnote_call(inline["c"], calls, feet)
        if t != "Span":
            return None
        ident, classes, attrs = span_info(inline)
        if NOTE_CALL in classes:
            note = self.notes[attrs[DATA_NOTE]]
            calls.append(note.spec.id)
            if feet is None:
                return [raw_inline(f'<sup class="{NOTE_MARK}">{note.label}</sup>')]
            return [self._note_call(note.spec.id)]
        content = self._inlines(inline["c"][1], calls, feet)
        if GLOSSED in classes:
            return [{"t": "Span", "c": [["", [GLOSSED], []], content]}]
        if TERM in classes:
            slug = attrs[DATA_TERM]
            return [
                {
                    "t": "Link",
                    "c": [
                        [ident, [TERM], [["epub:type", "glossref"], ["role", "doc-glossref"]]],
                        content,
                        [f"#{gloss_id(slug)}", self.shorts[slug]],
                    ],
                }
            ]
        return None

    def _note_call(self, note: str) -> dict[str, Any]:
        label = self.notes[note].label
        aria = html.escape(self.labels("editor-note", label=label))
        return raw_inline(
            f'<a href="#{note_id(note)}" id="{call_id(note)}" class="{NOTE_CALL}" epub:type="noteref" '
            f'role="doc-noteref" aria-label="{aria}"><sup>{label}</sup></a>'
        )

    def _footnote_call(self, blocks: list[Any], calls: list[str], feet: list[Any]) -> list[Any]:
        self.footnote_count += 1
        number = self.footnote_count
        glossing: list[str] = []
        body = map_blocks(blocks, lambda inlines: self._inlines(inlines, glossing, None))
        back_aria = html.escape(self.labels("back-to-footnote", n=number))
        back = raw_inline(
            f'<a href="#{footnote_ref_id(number)}" class="{FOOTNOTE_BACK}" epub:type="backlink" '
            f'role="doc-backlink" aria-label="{back_aria}">{number}.</a> '
        )
        feet.extend(
            [
                raw_block(
                    f'<aside id="{footnote_id(number)}" class="{FOOTNOTE}" epub:type="footnote" role="doc-footnote">'
                ),
                *_prepend(body, back),
                raw_block("</aside>"),
            ]
        )
        calls.extend(glossing)
        aria = html.escape(self.labels("footnote", n=number))
        return [
            raw_inline(
                f'<a href="#{footnote_id(number)}" id="{footnote_ref_id(number)}" class="{FOOTNOTE_REF}" '
                'epub:type="noteref" '
                f'role="doc-noteref" aria-label="{aria}"><sup>{number}</sup></a>'
            ),
            *(self._note_call(note) for note in glossing),
        ]

    def _asides(self, calls: list[str]) -> list[Any]:
        out = []
        for ident in calls:
            note = self.notes[ident]
            aria = html.escape(self.labels("back-to-note", label=note.label))
            back = raw_inline(
                f'<a href="#{call_id(ident)}" class="{NOTE_LABEL}" epub:type="backlink" '
                f'role="doc-backlink" aria-label="{aria}">{note.label}</a> '
            )
            out.append(
                raw_block(
                    f'<aside id="{note_id(ident)}" class="{EDITOR_NOTE} {kind_class(note.spec.kind)}" '
                    f'epub:type="footnote" role="doc-footnote">'
                )
            )
            out.extend(_prepend(list(note.body), back))
            out.append(raw_block("</aside>"))
        return out


def _prepend(blocks: list[Any], inline: dict[str, Any]) -> list[Any]:
    if blocks and blocks[0]["t"] in ("Para", "Plain"):
        return [{"t": blocks[0]["t"], "c": [inline, *blocks[0]["c"]]}, *blocks[1:]]
    return [{"t": "Plain", "c": [inline]}, *blocks]


def is_call(inline: dict[str, Any]) -> bool:
    return inline["t"] == "RawInline" and bool(_CALL.match(inline["c"][1]))


def place_calls(inlines: list[Any]) -> list[Any]:
    """Calls out of the end of italics and quotations, past closing punctuation, and kept apart
    from each other by a raised comma."""
    lifted: list[Any] = []
    for inline in inlines:
        t = inline["t"]
        if t in _CONTAINERS or t in ("Quoted", "Span"):
            content = place_calls(inline["c"] if t in _CONTAINERS else inline["c"][1])
            trailing = _trailing_calls(content)
            content = content[: len(content) - len(trailing)]
            lifted.append({"t": t, "c": content if t in _CONTAINERS else [inline["c"][0], content]})
            lifted.extend(trailing)
        else:
            lifted.append(inline)
    return _separate(_past_punctuation(lifted))


def _trailing_calls(inlines: list[Any]) -> list[Any]:
    count = 0
    while count < len(inlines) and is_call(inlines[len(inlines) - 1 - count]):
        count += 1
    return inlines[len(inlines) - count :]


def _past_punctuation(inlines: list[Any]) -> list[Any]:
    out: list[Any] = []
    index = 0
    while index < len(inlines):
        run_end = index
        while run_end < len(inlines) and is_call(inlines[run_end]):
            run_end += 1
        if run_end == index:
            out.append(inlines[index])
            index += 1
            continue
        following = inlines[run_end] if run_end < len(inlines) else None
        moved = _closing_prefix(following["c"]) if following and following["t"] == "Str" else ""
        if moved:
            out.append({"t": "Str", "c": moved})
        out.extend(inlines[index:run_end])
        if moved:
            rest = following["c"][len(moved) :]
            if rest:
                out.append({"t": "Str", "c": rest})
            run_end += 1
        index = run_end
    return out


def _closing_prefix(word: str) -> str:
    """The punctuation that opens a word, unless a letter follows it (an apostrophe's "’s")."""
    end = 0
    while end < len(word) and word[end] in CLOSING_PUNCTUATION:
        end += 1
    return word[:end] if end == len(word) or not word[end].isalnum() else ""


def _kind(call: dict[str, Any]) -> bool:
    return f'class="{NOTE_CALL}"' in call["c"][1]


def _separate(inlines: list[Any]) -> list[Any]:
    out: list[Any] = []
    for inline in inlines:
        if out and is_call(inline) and is_call(out[-1]) and _kind(inline) == _kind(out[-1]):
            out.append(SEPARATOR)
        out.append(inline)
    return out

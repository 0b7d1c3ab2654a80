"""Render stage: the PDF reading packet.

pandoc writes the HTML; WeasyPrint lays it out with the CSS in styles/; render/margins moves
editor's notes into the margin beside their line, with no overlaps, after layout and before the
PDF is written; a page whose margin cannot hold its notes sets the ones that do not fit at its
foot while it is laid out. The author's footnotes use `float: footnote`.
"""

from __future__ import annotations

import contextlib
import gc
import html
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import weasyprint

from ..ast import map_blocks, raw_block, raw_inline, rewrite_inlines, span_info, stringify, verse_as_lines
from ..diagnostics import BuildFailed, Diagnostic
from ..markup import (
    BACK_MATTER_CLASS,
    CHAPTER,
    CONTENTS_TITLE,
    DATA_CALL,
    DATA_NOTE,
    DATA_NOTE_ID,
    DATA_NUMBER,
    DATA_TERM,
    DATA_TITLE,
    FOOTNOTE,
    GLOSSARY,
    GLOSSED,
    MARGIN_GLOSS,
    MARGIN_NOTE,
    MARGIN_NOTE_BODY,
    NOTE_CALL,
    NOTE_LABEL,
    QUESTIONS,
    REFERENCES,
    TERM,
    VERSE,
    VERSE_LINE,
    call_id,
    chapter_id,
    gloss_id,
    kind_class,
    note_id,
)
from ..model import AnchoredNote, AnnotatedEdition, Blocks
from ..pandoc import divs_to_html
from ..reproducible import build_epoch, libraries_clock
from .apparatus import glossary_blocks, questions_blocks, references_blocks, title_page_extras, title_page_people
from .fetch import EDITION_URL, EditionFetcher
from .margins import (
    MarginPlacement,
    MarginPlan,
    notes_the_page_cannot_hold,
    page_references_kept,
    pages_make_room,
    placement_warnings,
    write_page_numbers,
)
from .pdf_notes import note_inlines

#: How many times a page is made again at most, each time with more of its notes at its foot
#: (what still does not fit continues in the next page's margin).
PAGE_TRIES = 4


@dataclass(frozen=True)
class PdfResult:
    pages: int
    placement: MarginPlacement
    warnings: tuple[Diagnostic, ...] = ()  # the margin engine's (R002-R005) and the files refused (S005)


class _Text:
    """Turns the anchoring marks into the note markup render/margins and the CSS expect."""

    def __init__(self, annotated: AnnotatedEdition):
        self.notes = {note.spec.id: note for note in annotated.notes}
        self.shorts = annotated.edition.term_shorts
        self.terms = annotated.edition.term_names
        self.glossed_terms: set[str] = set()
        self.footnotes = 0

    def blocks(self, blocks: Blocks) -> Blocks:
        return map_blocks([_titled(block) for block in blocks], self._inlines)

    def _inlines(self, inlines: list[Any]) -> list[Any]:
        return rewrite_inlines(inlines, self._inline)

    def _inline(self, inline: dict[str, Any]) -> list[Any] | None:
        t = inline["t"]
        if t == "Note":
            # Numbered here: the editor's notes set at the page foot are footnotes too, and
            # count in WeasyPrint's footnote counter. Margin notes called in the footnote stay
            # in it: beside it at the page foot.
            self.footnotes += 1
            number = str(self.footnotes)
            content = self._inlines(note_inlines(inline["c"], []))
            return [_span(["", [FOOTNOTE], [[DATA_NUMBER, number]]], content)]
        if t != "Span":
            return None
        ident, classes, attrs = span_info(inline)
        if NOTE_CALL in classes:
            return self._note(self.notes[attrs[DATA_NOTE]])
        content = self._inlines(inline["c"][1])
        if GLOSSED in classes:
            return _underline_around_boxes(content)
        if TERM in classes:
            return self._term(ident, attrs[DATA_TERM], content)
        return [_span(inline["c"][0], content)]  # its content rewritten once, here

    def _note(self, note: AnchoredNote) -> list[Any]:
        nid, label = note.spec.id, note.label
        label_link = {"t": "Link", "c": [["", [NOTE_LABEL], []], [{"t": "Str", "c": label}], [f"#{call_id(nid)}", ""]]}
        body = self._inlines(note_inlines(note.body, [label_link, {"t": "Space"}]))
        margin = _span(
            [note_id(nid), [MARGIN_NOTE, kind_class(note.spec.kind)], [[DATA_NOTE_ID, nid], [DATA_CALL, label]]],
            [_span(["", [MARGIN_NOTE_BODY], []], body)],
        )
        call = raw_inline(
            f'<a class="{NOTE_CALL}" id="{call_id(nid)}" href="#{note_id(nid)}" role="doc-noteref">{label}</a>'
        )
        return [call, margin]

    def _term(self, ident: str, slug: str, content: list[Any]) -> list[Any]:
        link = {"t": "Link", "c": [[ident, [TERM], []], content, [f"#{gloss_id(slug)}", ""]]}
        if slug in self.glossed_terms:
            return [link]
        self.glossed_terms.add(slug)  # the first occurrence in the packet gets a margin gloss
        headword = {"t": "Strong", "c": self.terms[slug]}
        gloss = [headword, {"t": "Str", "c": " —"}, {"t": "Space"}, *self.shorts[slug]]
        return [link, _span(["", [MARGIN_GLOSS], [[DATA_TERM, slug]]], [_span(["", [MARGIN_NOTE_BODY], []], gloss)])]


#: Boxes called inside a glossed passage that its underline must not reach.
_BOXES = (MARGIN_NOTE, MARGIN_GLOSS, FOOTNOTE)


def _titled(block: dict[str, Any]) -> dict[str, Any]:
    """A heading with its own text in ``data-title``, for running heads and bookmarks: its
    content also holds note calls and notes, which they must not show."""
    if block["t"] != "Header":
        return block
    level, (ident, classes, attrs), inlines = block["c"]
    title = " ".join(stringify(_without_marks(inlines)).split())
    return {"t": "Header", "c": [level, [ident, classes, [*attrs, [DATA_TITLE, title]]], inlines]}


def _without_marks(inlines: list[Any]) -> list[Any]:
    return rewrite_inlines(inlines, lambda i: [] if i["t"] == "Span" and NOTE_CALL in span_info(i)[1] else None)


def _span(attr: list[Any], content: list[Any]) -> dict[str, Any]:
    return {"t": "Span", "c": [attr, content]}


def _is_box(inline: dict[str, Any]) -> bool:
    return inline["t"] == "Span" and any(c in _BOXES for c in inline["c"][0][1])


def _underline_around_boxes(content: list[Any]) -> list[Any]:
    """Mark a glossed passage, but leave the notes, glosses and footnotes called inside it
    outside the mark: otherwise the passage's underline would be drawn under all their lines."""
    out: list[Any] = []
    run: list[Any] = []
    for inline in content:
        if _is_box(inline):
            if run:
                out.append(_span(["", [GLOSSED], []], run))
                run = []
            out.append(inline)
        else:
            run.append(inline)
    if run:
        out.append(_span(["", [GLOSSED], []], run))
    return out


def _html(annotated: AnnotatedEdition) -> str:
    edition = annotated.edition
    meta = edition.metadata
    text = _Text(annotated)
    sections: list[tuple[str, str, list[Any]]] = []  # id, class, blocks of each top-level div
    contents: list[tuple[int, str, str]] = []  # level, id, title
    for number, chapter in enumerate(annotated.chapters):
        ident = chapter_id(number)
        title = chapter.title or meta.title
        contents.append((1, ident, title))
        contents.extend(_sections(chapter.blocks))
        body = text.blocks(verse_as_lines(chapter.blocks, VERSE, VERSE_LINE))
        if chapter.title is None:
            body = [raw_block(f'<h1 class="text-title">{html.escape(title)}</h1>'), *body]
        sections.append((ident, CHAPTER, body))

    def href(anchor_id: str, _: int) -> str:
        return f"#{anchor_id}"

    labels = meta.labels
    for part, back in (
        (GLOSSARY, glossary_blocks(annotated, href)),
        (QUESTIONS, questions_blocks(annotated, href)),
        (REFERENCES, references_blocks(annotated)),
    ):
        if back:
            contents.append((1, part.id, labels(part.label)))
            sections.append((part.pdf_id, BACK_MATTER_CLASS, back))
    body = divs_to_html(sections, lang=meta.lang, cache_dir=edition.cache_dir, table="html-pdf")
    e = html.escape
    stamp = build_epoch().strftime("%Y-%m-%dT%H:%M:%SZ")
    toc = "".join(
        f'<li class="level-{level}"><a href="#{ident}">{e(title)}</a></li>' for level, ident, title in contents
    )
    subtitle = f'<p class="subtitle">{e(meta.subtitle)}</p>' if meta.subtitle else ""
    classes = "twosided" if meta.twosided else "onesided"
    return (
        f'<!DOCTYPE html><html lang="{e(meta.lang)}" class="{classes}"><head><meta charset="utf-8">'
        f'<title>{e(meta.title)}</title><meta name="author" content="{e(meta.author)}">'
        f'<meta name="description" content="{e(meta.subtitle or meta.title)}">'
        f'<meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" content="{stamp}">'
        f'<meta name="generator" content="readingedition"></head><body>'
        f'<section class="titlepage"><p class="title">{e(meta.title)}</p>{subtitle}'
        f'<p class="author">{e(meta.author)}</p>{title_page_people(meta)}<p class="date">{e(meta.date)}</p>'
        f'{title_page_extras(meta)}<p class="edition-note">{e(labels("edition-note-pdf"))}</p>'
        f'<p class="rights">{e(meta.rights)}</p><p class="source">{e(meta.source)}</p></section>'
        f'<nav class="contents" aria-labelledby="{CONTENTS_TITLE}"><h1 id="{CONTENTS_TITLE}">{e(labels("contents"))}</h1>'
        f"<ul>{toc}</ul></nav>{body}</body></html>"
    )


def _sections(blocks: Blocks) -> list[tuple[int, str, str]]:
    """A chapter's `##` and `###` headings, for the contents."""
    return [
        (block["c"][0], block["c"][1][0], stringify(block["c"][2]))
        for block in blocks
        if block["t"] == "Header" and block["c"][0] in (2, 3) and block["c"][1][0]
    ]


def _stylesheets(annotated: AnnotatedEdition, fetcher: EditionFetcher) -> list[weasyprint.CSS]:
    return [
        weasyprint.CSS(string=path.read_text("utf-8"), base_url=fetcher.url_of(path), url_fetcher=fetcher)
        for path in annotated.edition.styles.pdf_css
    ]


def layout_pdf(
    annotated: AnnotatedEdition, fetcher: EditionFetcher | None = None
) -> tuple[weasyprint.Document, MarginPlacement]:
    """Lay the packet out, each page making room at its foot for the notes its margin cannot
    hold; then place the margin notes."""
    page_html = _html(annotated)
    fetcher = fetcher or EditionFetcher(annotated.edition)
    with pages_make_room(notes_the_page_cannot_hold, PAGE_TRIES) as room:
        rendered = weasyprint.HTML(string=page_html, base_url=EDITION_URL, url_fetcher=fetcher).render(
            stylesheets=_stylesheets(annotated, fetcher), pdf_tags=True
        )
    placement = MarginPlan(rendered, twosided=annotated.edition.metadata.twosided).place(room.remade)
    write_page_numbers(rendered)
    expected = {note.spec.id for note in annotated.notes}
    lost = sorted(expected - {placed.note_id for placed in placement.notes})
    if lost:
        raise BuildFailed(tuple(Diagnostic("R001", f"note `{note_id}` is not in the laid-out PDF") for note_id in lost))
    return rendered, placement


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """WeasyPrint makes millions of objects, most short-lived, and Python's cyclic collector
    looks at them every 700 net allocations by default. Every 20,000 saves an eighth of a book's PDF
    time for a twelfth more peak memory (measured on the 324-page synthetic book: 31.3 s and
    770 MB by default; 27.3 s and 832 MB so; with the collector off, 27.1 s and 946 MB)."""
    default = gc.get_threshold()
    gc.set_threshold(20_000, *default[1:])
    try:
        yield
    finally:
        gc.set_threshold(*default)


def _without_attachments(rendered: weasyprint.Document) -> None:
    """No file is ever attached to the PDF: an attachment carries a file's bytes to every reader."""
    rendered.metadata.attachments = []
    for page in rendered.pages:
        page.links[:] = [link for link in page.links if link[0] != "attachment"]


def render_pdf(annotated: AnnotatedEdition, target: Path, output: str = "the PDF") -> PdfResult:
    """Write the packet to `target`. `output` names it in warnings ("page 3 of the PDF")."""
    fetcher = EditionFetcher(annotated.edition)
    with _fewer_collections():
        rendered, placement = layout_pdf(annotated, fetcher)
        identifier = annotated.edition.metadata.identifier.encode()
        _without_attachments(rendered)
        with libraries_clock(), page_references_kept():
            rendered.write_pdf(target, pdf_identifier=identifier, pdf_variant="pdf/ua-1")  # tagged, PDF/UA metadata
        warnings = placement_warnings(placement, annotated, output) + fetcher.warnings()
        return PdfResult(len(rendered.pages), placement, warnings)

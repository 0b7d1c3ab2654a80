"""Render stage: the EPUB 3 edition.

pandoc writes the XHTML (one call for the whole book, with citeproc); ebooklib packages it;
the notes' markup is epub_notes.py's, the cover cover.py's, the zip's finish epub_package.py's.
Every chapter is a section `epub:type="chapter"`; the book opens with a cover, a title page and
the contents.
"""

from __future__ import annotations

import datetime
import html
import io
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from ebooklib import epub

from ..ast import raw_block, verse_as_lines
from ..markup import CHAPTER, VERSE, VERSE_LINE, chapter_file, chapter_title_id, part_id
from ..model import AnnotatedEdition, Metadata
from ..pandoc import divs_to_html
from ..reproducible import build_epoch
from .apparatus import glossary_blocks, questions_blocks, references_blocks, title_page_extras, title_page_people
from .cover import cover_for
from .epub_notes import NoteMarkup
from .epub_package import normalise_package

ACCESSIBILITY = [
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "annotations"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
]
ACCESSIBILITY_SUMMARY = (
    "Apart from its cover, a text-only book with structured headings, a table of contents, "
    "and linked notes and glossary; it meets WCAG 2.1 level AA. Editor's notes are marked with "
    "letters, the author's footnotes with numbers; every note links back to its call."
)


@dataclass(frozen=True)
class Part:
    file_name: str
    title: str
    blocks: list[Any]
    landmark: str | None = None  # epub:type for the landmarks nav
    properties: tuple[str, ...] = ()


def _parts(annotated: AnnotatedEdition) -> list[Part]:
    text = NoteMarkup(annotated)
    file_of = {}
    parts = []
    for number, chapter in enumerate(annotated.chapters):
        name = chapter_file(number)
        file_of[number] = name
        title = chapter.title or annotated.edition.metadata.title
        blocks = text.chapter(verse_as_lines(chapter.blocks, VERSE, VERSE_LINE))
        heading_id = chapter_title_id(number)
        if chapter.title is None:  # an untitled text still needs a heading for navigation
            blocks = [raw_block(f'<h1 id="{heading_id}" class="text-title">{html.escape(title)}</h1>'), *blocks]
        elif blocks[0]["t"] == "Header" and blocks[0]["c"][1][0]:
            heading_id = blocks[0]["c"][1][0]
        section = raw_block(
            f'<section class="{CHAPTER}" epub:type="chapter" role="doc-chapter" aria-labelledby="{heading_id}">'
        )
        parts.append(
            Part(name, title, [section, *blocks, raw_block("</section>")], "bodymatter" if number == 0 else None)
        )

    def href(anchor_id: str, chapter: int) -> str:
        return f"{file_of[chapter]}#{anchor_id}"

    labels = annotated.edition.metadata.labels
    back = [
        ("glossary.xhtml", labels("glossary"), glossary_blocks(annotated, href), "glossary", ("glossary",)),
        ("questions.xhtml", labels("questions"), questions_blocks(annotated, href), None, ()),
        ("references.xhtml", labels("references"), references_blocks(annotated), "bibliography", ()),
    ]
    parts.extend(Part(name, title, blocks, landmark, props) for name, title, blocks, landmark, props in back if blocks)
    return parts


def _render_parts(annotated: AnnotatedEdition, parts: list[Part]) -> dict[str, tuple[str, Any]]:
    """The HTML of every part's blocks (at most one pandoc call); then split, and point links at
    the file that holds their target. Each part's HTML, with its element (for the contents)."""
    edition = annotated.edition
    html_text = divs_to_html(
        [(part_id(index), "part", part.blocks) for index, part in enumerate(parts)],
        lang=edition.metadata.lang,
        cache_dir=edition.cache_dir,
        table="html-epub",
    )
    tree = lxml.html.fromstring(f"<div>{html_text}</div>")
    first_with_id: dict[str, Any] = {}  # as tree.get_element_by_id finds them, in one pass
    for node in tree.iter():
        if node.get("id") is not None:
            first_with_id.setdefault(node.get("id"), node)
    bodies: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for index, part in enumerate(parts):
        element = first_with_id[part_id(index)]
        bodies[part.file_name] = element
        for node in element.iter():
            if node.get("id"):
                owner[node.get("id")] = part.file_name
    out = {}
    for file_name, element in bodies.items():
        for link in element.iter("a"):
            target = link.get("href", "")
            if target.startswith("#") and owner.get(target[1:], file_name) != file_name:
                link.set("href", owner[target[1:]] + target)
        inner = (element.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
        out[file_name] = (inner, element)
    return out


def _title_page(annotated: AnnotatedEdition) -> str:
    meta = annotated.edition.metadata
    e = html.escape
    subtitle = f'<p class="subtitle">{e(meta.subtitle)}</p>' if meta.subtitle else ""
    return (
        f'<section class="titlepage" epub:type="titlepage" aria-label="{e(meta.labels("title-page"))}">'
        f'<h1 class="title">{e(meta.title)}</h1>{subtitle}'
        f'<p class="author">{e(meta.author)}</p>{title_page_people(meta)}<p class="date">{e(meta.date)}</p>'
        f'{title_page_extras(meta)}<p class="edition-note">{e(meta.labels("edition-note-epub"))}</p>'
        f'<p class="rights">{e(meta.rights)}</p><p class="source">{e(meta.source)}</p></section>'
    )


def _cover_page(annotated: AnnotatedEdition, image_name: str) -> str:
    meta = annotated.edition.metadata
    alt = f"{meta.title} — {meta.author}" if meta.author else meta.title
    return (
        f'<section class="cover" epub:type="cover"><img src="{image_name}" role="doc-cover" '
        f'alt="{html.escape(alt)}"/></section>'
    )


def render_epub(annotated: AnnotatedEdition, target: Path) -> None:
    edition = annotated.edition
    meta = edition.metadata
    epoch = build_epoch()
    book = epub.EpubBook()
    book.set_template("chapter", CHAPTER_TEMPLATE)
    _add_metadata(book, meta)
    css = epub.EpubItem(
        uid="style",
        file_name="style/epub.css",
        media_type="text/css",
        content="\n".join(p.read_text("utf-8") for p in edition.styles.epub_css).encode(),
    )
    book.add_item(css)
    for image in _images(annotated):
        book.add_item(image)
    cover = cover_for(meta, edition.cache_dir)
    book.set_cover(cover.file_name, cover.content, create_page=False)

    def page(file_name: str, title: str, body: str, properties: tuple[str, ...] = ()) -> epub.EpubHtml:
        item = epub.EpubHtml(title=title, file_name=file_name, lang=meta.lang)
        item.content = f"<html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"
        item.add_item(css)
        item.properties.extend(properties)
        book.add_item(item)
        return item

    labels = meta.labels
    cover_page = page("cover.xhtml", labels("cover"), _cover_page(annotated, cover.file_name))
    title_page = page("titlepage.xhtml", labels("title-page"), _title_page(annotated))
    parts = _parts(annotated)
    rendered = _render_parts(annotated, parts)
    items = [page(p.file_name, p.title, rendered[p.file_name][0], p.properties) for p in parts]
    nav = epub.EpubNav(title=labels("contents"))
    nav.add_item(css)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())  # ebooklib always names an NCX in the spine
    book.toc = [_toc_entry(item.file_name, item.title, rendered[item.file_name][1]) for item in items]
    book.spine = [cover_page, title_page, nav, *items]
    book.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": labels("cover")},
        {"type": "titlepage", "href": "titlepage.xhtml", "title": labels("title-page")},
        {"type": "toc", "href": "nav.xhtml", "title": labels("contents")},
        *({"type": p.landmark, "href": p.file_name, "title": p.title} for p in parts if p.landmark),
    ]
    _write(book, meta, epoch, target)


def _add_metadata(book: epub.EpubBook, meta: Metadata) -> None:
    """The package's Dublin Core and accessibility metadata."""
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    _add_people(book, meta)
    for name, value in (
        ("date", meta.date),
        ("rights", meta.rights),
        ("source", meta.source),
        ("description", meta.subtitle or ""),
    ):
        if value:
            book.add_metadata("DC", name, value)
    for prop, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(None, "meta", ACCESSIBILITY_SUMMARY, {"property": "schema:accessibilitySummary"})
    book.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA", {"property": "dcterms:conformsTo"})


def _write(book: epub.EpubBook, meta: Metadata, epoch: datetime.datetime, target: Path) -> None:
    labels = meta.labels
    buffer = io.BytesIO()
    epub.write_epub(
        buffer,
        book,
        {
            "epub3_pages": False,
            "mtime": epoch,
            "epub2_guide": False,
            "landmark_title": labels("landmarks"),
            "toc_title": labels("contents"),
            "compresslevel": 0,  # normalise_package compresses each file once, as it rewrites the zip
        },
    )
    target.write_bytes(normalise_package(buffer.getvalue(), meta.lang, epoch))


# ebooklib's own template declares a vocabulary prefix (z3998) that nothing here uses.
CHAPTER_TEMPLATE = (
    b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" '
    b'xmlns:epub="http://www.idpf.org/2007/ops"></html>'
)


def _add_people(book: epub.EpubBook, meta: Metadata) -> None:
    """Each author a dc:creator, each editor and translator a dc:contributor, with MARC roles."""
    for index, name in enumerate(meta.authors):
        book.add_author(name, role="aut", uid=f"creator-{index + 1}")
    people = [*((name, "edt") for name in meta.editors), *((name, "trl") for name in meta.translators)]
    for index, (name, role) in enumerate(people):
        uid = f"contributor-{index + 1}"
        book.add_metadata("DC", "contributor", name, {"id": uid})
        book.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})


def _images(annotated: AnnotatedEdition) -> list[epub.EpubItem]:
    """The text's images (load made their paths relative to the edition), at the same paths."""
    root = annotated.edition.root
    return [
        epub.EpubItem(
            uid=f"image-{index + 1}",
            file_name=path,
            media_type=mimetypes.guess_type(path)[0],
            content=(root / path).read_bytes(),
        )
        for index, path in enumerate(annotated.edition.images)
    ]


def _toc_entry(file_name: str, title: str, body: Any) -> Any:
    """A part in the navigation (`body`, its element), with its `##` and `###` sections nested under it."""
    link = epub.Link(file_name, title, file_name.removesuffix(".xhtml"))
    children: list[Any] = []
    for heading in body.iter("h2", "h3"):
        if not heading.get("id") or any(a.tag == "aside" for a in heading.iterancestors()):
            continue
        entry = epub.Link(f"{file_name}#{heading.get('id')}", heading.text_content().strip(), heading.get("id"))
        if heading.tag == "h3" and children:
            children[-1][1].append(entry)
        else:
            children.append((entry, []))
    # ebooklib writes an empty list for a section without subsections, which EPUB forbids.
    if not children:
        return link
    return (link, [(entry, subsections) if subsections else entry for entry, subsections in children])

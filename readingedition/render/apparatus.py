"""The back matter both editions share: glossary, discussion questions, references.

Built as AST with HTML structure (dl/dt/dd with glossary semantics) that suits both the EPUB
and the PDF; the renderer supplies how to link to a place in the text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ..ast import div, para, raw_block, stringify, text
from ..markup import GLOSS_ENTRY, GLOSS_SEE, GLOSS_SHORT, GLOSS_USES, GLOSSARY, QUESTIONS, REFERENCES, call_id, gloss_id
from ..model import AnnotatedEdition, Metadata

Href = Callable[[str, int], str]  # (anchor id, chapter index) -> href


def glossary_blocks(annotated: AnnotatedEdition, href: Href) -> list[Any]:
    edition = annotated.edition
    entries = sorted(edition.annotations.glossary, key=lambda e: e.sort_key)
    if not entries:
        return []
    slugs = {e.term: e.slug for e in entries}
    names = edition.term_names
    labels = edition.metadata.labels
    uses: dict[str, list[Any]] = {}
    for use in annotated.term_uses:
        uses.setdefault(use.slug, []).append(use)
    blocks: list[Any] = [
        raw_block(
            f'<section id="{GLOSSARY.id}" class="{GLOSSARY.id}" epub:type="glossary" role="doc-glossary" '
            f'aria-labelledby="{GLOSSARY.title_id}">'
        ),
        heading(GLOSSARY.title_id, labels(GLOSSARY.label)),
        raw_block("<dl>"),
    ]
    for entry in entries:
        # Links point at the entry (term and definition together), so that a reading system that
        # shows a link's target in a pop-up shows the definition, and no page break parts them.
        blocks.append(raw_block(f'<div id="{gloss_id(entry.slug)}" class="{GLOSS_ENTRY}">'))
        blocks.append(raw_block('<dt epub:type="glossterm"><dfn>'))
        blocks.append({"t": "Plain", "c": names[entry.slug]})
        blocks.append(raw_block("</dfn></dt>"))
        blocks.append(raw_block('<dd epub:type="glossdef">'))
        blocks.append(div("", [GLOSS_SHORT], [para(edition.term_shorts[entry.slug])]))
        blocks.extend(edition.term_definitions[entry.slug])
        if entry.see:
            links: list[Any] = text(labels("see-also") + " ")
            for index, target in enumerate(entry.see):
                if index:
                    links.append({"t": "Str", "c": ", "})
                links.append(_link("#" + gloss_id(slugs[target]), names[slugs[target]]))
            blocks.append(div("", [GLOSS_SEE], [para(links)]))
        places = uses.get(entry.slug, [])
        if places:
            back: list[Any] = text(labels("in-the-text") + " ")
            for index, use in enumerate(places):
                if index:
                    back.append({"t": "Str", "c": ", "})
                back.append(
                    _link(
                        href(use.anchor_id, use.chapter),
                        text(_place_name(annotated, use.chapter, index)),
                        role="doc-backlink",
                    )
                )
            blocks.append(div("", [GLOSS_USES], [para(back)]))
        blocks.append(raw_block("</dd>"))
        blocks.append(raw_block("</div>"))
    blocks.append(raw_block("</dl>"))
    blocks.append(raw_block("</section>"))
    return blocks


def _place_name(annotated: AnnotatedEdition, chapter: int, index: int) -> str:
    title = annotated.chapters[chapter].title
    labels = annotated.edition.metadata.labels
    return (
        title
        if title and len(annotated.chapters) > 1
        else (labels("first-use") if index == 0 else labels("use-n", n=index + 1))
    )


def questions_blocks(annotated: AnnotatedEdition, href: Href) -> list[Any]:
    questions = [n for n in annotated.notes if n.spec.kind == "question"]
    if not questions:
        return []
    labels = annotated.edition.metadata.labels
    items = []
    for note in questions:
        body = list(note.body)
        back = _link(
            href(call_id(note.spec.id), note.chapter), text(labels("passage", label=note.label)), role="doc-backlink"
        )
        if body and body[-1]["t"] in ("Para", "Plain"):
            body[-1] = {"t": body[-1]["t"], "c": [*body[-1]["c"], {"t": "Space"}, back]}
        items.append(body)
    return [
        raw_block(f'<section id="{QUESTIONS.id}" class="{QUESTIONS.id}" aria-labelledby="{QUESTIONS.title_id}">'),
        heading(QUESTIONS.title_id, labels(QUESTIONS.label)),
        {"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]},
        raw_block("</section>"),
    ]


def references_blocks(annotated: AnnotatedEdition) -> list[Any]:
    if not annotated.edition.bibliography:
        return []
    return [
        raw_block(
            f'<section id="{REFERENCES.id}" class="{REFERENCES.id}" epub:type="bibliography" '
            f'role="doc-bibliography" aria-labelledby="{REFERENCES.title_id}">'
        ),
        heading(REFERENCES.title_id, annotated.edition.metadata.labels(REFERENCES.label)),
        *annotated.edition.bibliography,
        raw_block("</section>"),
    ]


def title_page_people(meta: Metadata) -> str:
    """The title page's editors and translators, "Edited by A and B", in the text's language."""
    labels, e = meta.labels, html.escape
    lines = [
        (cls, labels(key, names=labels.names(names)))
        for cls, key, names in (
            ("editors", "edited-by", meta.editors),
            ("translators", "translated-by", meta.translators),
        )
        if names
    ]
    return "".join(f'<p class="{cls}">{e(line)}</p>' for cls, line in lines)


def title_page_extras(meta: Metadata) -> str:
    """The dedication and the epigraph, as plain text in their own sections."""
    parts = []
    for key, blocks in (("dedication", meta.dedication), ("epigraph", meta.epigraph)):
        if blocks:
            paragraphs = "".join(f"<p>{html.escape(stringify(block))}</p>" for block in blocks)
            parts.append(
                f'<section class="{key}" epub:type="{key}" role="doc-{key}" '
                f'aria-label="{html.escape(meta.labels(key))}">{paragraphs}</section>'
            )
    return "".join(parts)


def heading(ident: str, title: str) -> dict[str, Any]:
    return raw_block(f'<h1 id="{ident}">{html.escape(title)}</h1>')


def _link(href: str, content: list[Any], role: str | None = None) -> dict[str, Any]:
    attrs = [["epub:type", "backlink"], ["role", role]] if role == "doc-backlink" else []
    return {"t": "Link", "c": [["", [], attrs], content, [href, ""]]}

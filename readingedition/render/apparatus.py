"""The back matter both editions share: glossary, discussion questions, references.

Built as AST with HTML structure (dl/dt/dd with glossary semantics) that suits both the EPUB
and the PDF; the renderer supplies how to link to a place in the text.
"""
from __future__ import annotations

import html
from typing import Any, Callable

from ..ast import div, para, raw_block, text
from ..model import AnnotatedEdition

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
        raw_block('<section id="glossary" class="glossary" epub:type="glossary" role="doc-glossary" '
                  'aria-labelledby="glossary-title">'),
        heading("glossary-title", labels("glossary")),
        raw_block('<dl>')]
    for entry in entries:
        blocks.append(raw_block(f'<dt id="gloss-{entry.slug}" epub:type="glossterm"><dfn>'))
        blocks.append({"t": "Plain", "c": names[entry.slug]})
        blocks.append(raw_block('</dfn></dt>'))
        blocks.append(raw_block('<dd epub:type="glossdef">'))
        blocks.append(div("", ["gloss-short"], [para(edition.term_shorts[entry.slug])]))
        blocks.extend(edition.term_definitions[entry.slug])
        if entry.see:
            links: list[Any] = text(labels("see-also") + " ")
            for index, target in enumerate(entry.see):
                if index:
                    links.append({"t": "Str", "c": ", "})
                links.append(_link(f"#gloss-{slugs[target]}", names[slugs[target]]))
            blocks.append(div("", ["gloss-see"], [para(links)]))
        places = uses.get(entry.slug, [])
        if places:
            back: list[Any] = text(labels("in-the-text") + " ")
            for index, use in enumerate(places):
                if index:
                    back.append({"t": "Str", "c": ", "})
                back.append(_link(href(use.anchor_id, use.chapter), text(_place_name(annotated, use.chapter, index)),
                                  role="doc-backlink"))
            blocks.append(div("", ["gloss-uses"], [para(back)]))
        blocks.append(raw_block('</dd>'))
    blocks.append(raw_block('</dl>'))
    blocks.append(raw_block('</section>'))
    return blocks


def _place_name(annotated: AnnotatedEdition, chapter: int, index: int) -> str:
    title = annotated.chapters[chapter].title
    labels = annotated.edition.metadata.labels
    return title if title and len(annotated.chapters) > 1 else (labels("first-use") if index == 0 else
                                                                 labels("use-n", n=index + 1))


def questions_blocks(annotated: AnnotatedEdition, href: Href) -> list[Any]:
    questions = [n for n in annotated.notes if n.spec.kind == "question"]
    if not questions:
        return []
    labels = annotated.edition.metadata.labels
    items = []
    for note in questions:
        body = list(note.body)
        back = _link(href(f"call-{note.spec.id}", note.chapter), text(labels("passage", label=note.label)),
                     role="doc-backlink")
        if body and body[-1]["t"] in ("Para", "Plain"):
            body[-1] = {"t": body[-1]["t"], "c": [*body[-1]["c"], {"t": "Space"}, back]}
        items.append(body)
    return [
        raw_block('<section id="questions" class="questions" aria-labelledby="questions-title">'),
        heading("questions-title", labels("questions")),
        {"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]},
        raw_block('</section>')]


def references_blocks(annotated: AnnotatedEdition) -> list[Any]:
    if not annotated.edition.bibliography:
        return []
    return [
        raw_block('<section id="references" class="references" epub:type="bibliography" role="doc-bibliography" '
                  'aria-labelledby="references-title">'),
        heading("references-title", annotated.edition.metadata.labels("references")),
        *annotated.edition.bibliography,
        raw_block('</section>')]


def heading(ident: str, title: str) -> dict[str, Any]:
    return raw_block(f'<h1 id="{ident}">{html.escape(title)}</h1>')


def _link(href: str, content: list[Any], role: str | None = None) -> dict[str, Any]:
    attrs = [["role", role]] if role else []
    return {"t": "Link", "c": [["", [], attrs], content, [href, ""]]}



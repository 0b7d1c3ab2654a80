"""The EPUB edition, opened as a reader's system would: notes, footnotes, glossary, metadata."""
from __future__ import annotations

import pytest

from readingedition.check import run_ace, run_epubcheck
from readingedition.check.fidelity import epub_fidelity

from conftest import EPUB_NS, XHTML

EDITIONS = ["essay", "example"]


@pytest.fixture(params=EDITIONS)
def built(request):
    return request.getfixturevalue(request.param)


def _chapters(built):
    return [n.removeprefix("EPUB/") for n in sorted(built.names()) if "/chapter-" in n]


def test_epubcheck_reports_no_errors_or_warnings(essay):
    result = run_epubcheck(essay.epub)
    assert result.ok, "\n".join(d.render() for d in result.diagnostics())


def test_ace_finds_no_accessibility_violations(essay):
    result = run_ace(essay.epub)
    if result.skipped:
        pytest.skip(f"DAISY Ace is not installed: {result.skipped}")
    assert result.ok, "\n".join(d.render() for d in result.diagnostics())


def test_the_whole_text_notes_and_definitions_are_in_the_epub(built):
    report = epub_fidelity(built.annotated, built.epub)
    assert report.ok, report.render()
    assert report.words > 50


def test_every_editors_note_is_a_popup_linked_both_ways(built):
    found = {}
    for name in _chapters(built):
        tree = built.xhtml(name)
        calls = {a.get("id"): a for a in tree.iter(f"{XHTML}a") if a.get("class") == "note-call"}
        for aside in tree.iter(f"{XHTML}aside"):
            if "editor-note" not in aside.get("class", ""):
                continue
            note_id = aside.get("id").removeprefix("note-")
            call = calls[f"call-{note_id}"]  # in the same file, as Thorium needs
            assert call.get(f"{EPUB_NS}type") == "noteref" and call.get("href") == f"#note-{note_id}"
            assert aside.get(f"{EPUB_NS}type") == "footnote"
            back = aside.find(f".//{XHTML}a[@class='note-label']")
            assert back.get("href") == f"#call-{note_id}" and back.text == call.text
            assert call.text.isalpha(), "editor's notes are called by letters, never numbers"
            # Kobo: the note follows its call; KOReader: each aside stands alone in the body.
            assert aside.getparent().tag == f"{XHTML}body"
            assert list(tree.iter()).index(aside) > list(tree.iter()).index(call)
            assert "".join(aside.itertext()).strip() != call.text
            found[note_id] = aside
    assert set(found) == {n.spec.id for n in built.annotated.notes}


def test_author_footnotes_are_numbered_popups_linked_both_ways(built):
    count = 0
    for name in _chapters(built):
        tree = built.xhtml(name)
        for ref in tree.iter(f"{XHTML}a"):
            if ref.get("class") != "footnote-ref":
                continue
            count += 1
            assert ref.text.isdigit() and ref.get(f"{EPUB_NS}type") == "noteref"
            aside = tree.find(f".//{XHTML}aside[@id='{ref.get('href')[1:]}']")
            assert aside.get(f"{EPUB_NS}type") == "footnote"
            assert aside.find(f".//{XHTML}a[@class='footnote-back']").get("href") == f"#{ref.get('id')}"
    assert count == sum(1 for _ in _notes_in(built.annotated.edition.document["blocks"]))


def _notes_in(node):
    if isinstance(node, dict):
        if node.get("t") == "Note":
            yield node
        for value in node.values():
            yield from _notes_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _notes_in(value)


def test_glossary_terms_link_to_entries_that_link_back(built):
    glossary = built.xhtml("glossary.xhtml")
    section = glossary.find(f".//{XHTML}section")
    assert section.get(f"{EPUB_NS}type") == "glossary"
    terms = {dt.get("id"): dt for dt in section.iter(f"{XHTML}dt")}
    assert all(dt.get(f"{EPUB_NS}type") == "glossterm" for dt in terms.values())
    assert all(dd.get(f"{EPUB_NS}type") == "glossdef" for dd in section.iter(f"{XHTML}dd"))
    linked = {}
    for name in _chapters(built):
        for a in built.xhtml(name).iter(f"{XHTML}a"):
            if a.get("class") == "term":
                target = a.get("href").split("#")[1]
                assert target in terms and a.get("href").startswith("glossary.xhtml#")
                assert a.get("title"), "the short gloss shows where reading systems allow it"
                if a.get("id"):  # a term split by the edge of a note's passage: its second piece has none
                    linked[a.get("id")] = (name, target)
    backlinks = {a.get("href") for a in section.iter(f"{XHTML}a") if a.get("role") == "doc-backlink"}
    assert backlinks == {f"{name}#{ident}" for ident, (name, _) in linked.items()}
    used = {use.slug for use in built.annotated.term_uses}
    assert {target.removeprefix("gloss-") for _, target in linked.values()} == used


def test_package_metadata_is_the_texts_and_true_of_the_book(built):
    meta = built.annotated.edition.metadata
    opf = built.xhtml("content.opf")
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == meta.lang
    assert opf.find(f".//{dc}title").text == meta.title
    assert opf.find(f".//{dc}language").text == meta.lang
    assert opf.find(f".//{dc}identifier").text == meta.identifier
    assert opf.find(f".//{dc}rights").text == meta.rights
    properties = {m.get("property"): m.text for m in opf.iter("{http://www.idpf.org/2007/opf}meta")}
    assert properties["schema:accessMode"] == "textual"
    assert properties["schema:accessibilityHazard"] == "none"
    assert "schema:accessibilitySummary" in properties
    items = {i.get("href"): i for i in opf.iter("{http://www.idpf.org/2007/opf}item")}
    assert "glossary" in items["glossary.xhtml"].get("properties", "")
    spine = [i.get("idref") for i in opf.iter("{http://www.idpf.org/2007/opf}itemref")]
    hrefs = {i.get("id"): i.get("href") for i in items.values()}
    order = [hrefs[ref] for ref in spine]
    assert order[0] == "titlepage.xhtml" and order.index("glossary.xhtml") > order.index("chapter-01.xhtml")


def test_nav_reaches_text_and_apparatus(built):
    nav = built.xhtml("nav.xhtml")
    landmarks = {a.get(f"{EPUB_NS}type"): a.get("href") for nav_el in nav.iter(f"{XHTML}nav")
                 if nav_el.get(f"{EPUB_NS}type") == "landmarks" for a in nav_el.iter(f"{XHTML}a")}
    assert landmarks["bodymatter"] == "chapter-01.xhtml"
    assert landmarks["glossary"] == "glossary.xhtml"
    toc = [a.get("href") for a in nav.iter(f"{XHTML}a")]
    assert {"glossary.xhtml", "references.xhtml"} <= set(toc)
    if any(n.spec.kind == "question" for n in built.annotated.notes):
        assert "questions.xhtml" in toc


def test_references_are_formatted_by_citeproc(example):
    refs = example.xhtml("references.xhtml")
    entries = [" ".join(e.itertext()) for e in refs.iter(f"{XHTML}div") if "csl-entry" in e.get("class", "")]
    assert len(entries) == 1 and "Smith" in entries[0] and "1983" in entries[0]
    chapter = example.xhtml("chapter-01.xhtml")
    cite = next(a for a in chapter.iter(f"{XHTML}a") if a.get("role") == "doc-biblioref")
    assert cite.get("href") == "references.xhtml#ref-smith1983"

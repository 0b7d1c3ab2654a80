"""The EPUB edition, opened as a reader's system would: notes, footnotes, glossary, metadata."""

from __future__ import annotations

import io
import re
import zipfile

import pypandoc
import pytest
from PIL import Image

from readingedition import markup
from readingedition.check import run_ace, run_epubcheck
from readingedition.check.fidelity import epub_fidelity
from readingedition.render.cover import draw_cover

from conftest import EPUB_NS, XHTML
from editions_factory import TEXT, make_edition

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
            label = "".join(call.itertext())
            assert back.get("href") == f"#call-{note_id}" and back.text == label
            assert label.isalpha(), "editor's notes are called by letters, never numbers"
            assert call.find(f"{XHTML}sup").text == label, "raised without CSS"
            assert back.get(f"{EPUB_NS}type") == "backlink" and back.get("role") == "doc-backlink"
            # Kobo: the note follows its call; KOReader: each aside stands alone in the chapter.
            assert aside.getparent().get(f"{EPUB_NS}type") == "chapter"
            assert list(tree.iter()).index(aside) > list(tree.iter()).index(call)
            assert "".join(aside.itertext()).strip() != label
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
            assert ref.find(f"{XHTML}sup").text.isdigit() and ref.get(f"{EPUB_NS}type") == "noteref"
            aside = tree.find(f".//{XHTML}aside[@id='{ref.get('href')[1:]}']")
            assert aside.get(f"{EPUB_NS}type") == "footnote"
            back = aside.find(f".//{XHTML}a[@class='footnote-back']")
            assert back.get("href") == f"#{ref.get('id')}" and back.get(f"{EPUB_NS}type") == "backlink"
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
    # A link's target holds the term and its definition, for readers that pop up the target.
    terms = {entry.get("id"): entry for entry in section.iter(f"{XHTML}div") if entry.get("class") == "gloss-entry"}
    assert terms and all([child.tag for child in entry] == [f"{XHTML}dt", f"{XHTML}dd"] for entry in terms.values())
    assert all(entry[0].get(f"{EPUB_NS}type") == "glossterm" for entry in terms.values())
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
    assert order[:3] == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml"]
    assert order.index("glossary.xhtml") > order.index("chapter-01.xhtml")


def test_nav_reaches_text_and_apparatus(built):
    nav = built.xhtml("nav.xhtml")
    landmarks = {
        a.get(f"{EPUB_NS}type"): a.get("href")
        for nav_el in nav.iter(f"{XHTML}nav")
        if nav_el.get(f"{EPUB_NS}type") == "landmarks"
        for a in nav_el.iter(f"{XHTML}a")
    }
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


def _main_text_calls(tree):
    """The calls a reader meets in the main text, in order (not those in notes)."""
    return [
        a
        for a in tree.iter(f"{XHTML}a")
        if a.get(f"{EPUB_NS}type") == "noteref"
        and not any(parent.tag == f"{XHTML}aside" for parent in a.iterancestors())
    ]


def test_letters_run_in_reading_order_and_no_popup_opens_another(built):
    labels = {note.label: index for index, note in enumerate(built.annotated.notes)}
    order = []
    for name in _chapters(built):
        tree = built.xhtml(name)
        order += [labels["".join(a.itertext())] for a in _main_text_calls(tree) if a.get("class") == "note-call"]
        for aside in tree.iter(f"{XHTML}aside"):
            assert not [a for a in aside.iter(f"{XHTML}a") if a.get(f"{EPUB_NS}type") == "noteref"]
    assert order == sorted(order) == list(range(len(labels)))


def test_a_note_on_a_footnote_is_called_beside_the_footnotes_call(essay):
    tree = essay.xhtml("chapter-01.xhtml")
    footnotes = {aside.get("id"): aside for aside in tree.iter(f"{XHTML}aside") if aside.get("class") == "footnote"}
    glossing = {
        aside_id: [sup.text for sup in aside.iter(f"{XHTML}sup") if sup.get("class") == "note-mark"]
        for aside_id, aside in footnotes.items()
    }
    assert sum(map(len, glossing.values())) >= 1, "the essay has notes on its footnotes' text"
    calls = _main_text_calls(tree)
    for index, call in enumerate(calls):
        if call.get("class") != "footnote-ref":
            continue
        marks = glossing[call.get("href")[1:]]
        beside = ["".join(a.itertext()) for a in calls[index + 1 : index + 1 + len(marks)]]
        assert beside == marks
        following = call.getnext()
        if marks:  # kept apart from the next letter: "2" then "i", never "2i"; "i,j" never "ij"
            assert following.get("class") == "note-call"


def test_calls_stand_after_punctuation_and_are_never_glued_to_a_letter_call(built):
    closing = ".,;:!?”’)"
    for name in _chapters(built):
        for call in _main_text_calls(built.xhtml(name)):
            tail = call.tail or ""
            assert not (tail[:1] in closing and tail[:1] and (len(tail) == 1 or not tail[1].isalnum())), (
                f"{''.join(call.itertext())} stands before {tail[:10]!r}"
            )
            following = call.getnext()
            if not tail and following is not None and following.get("class") == "note-call":
                assert call.get("class") != "note-call", "two letter calls side by side need a separator"


def test_chapters_are_sections_and_the_package_has_no_unused_prefix(built):
    for name in _chapters(built):
        tree = built.xhtml(name)
        body = tree.find(f"{XHTML}body")
        assert [child.get(f"{EPUB_NS}type") for child in body] == ["chapter"]
        assert body[0].get("role") == "doc-chapter"
        assert tree.find(f".//{XHTML}*[@id='{body[0].get('aria-labelledby')}']").tag == f"{XHTML}h1"
    with zipfile.ZipFile(built.epub) as book:
        assert not [n for n in book.namelist() if b"z3998" in book.read(n)]


def test_the_contents_page_is_titled_styled_and_hides_its_landmarks(built):
    nav = built.xhtml("nav.xhtml")
    labels = built.annotated.edition.metadata.labels
    assert nav.find(f".//{XHTML}title").text == labels("contents")
    toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "toc")
    assert toc.find(f"{XHTML}h2").text == labels("contents")
    assert nav.find(f".//{XHTML}link").get("href") == "style/epub.css"
    landmarks = next(n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "landmarks")
    assert landmarks.get("hidden") is not None
    ncx = built.xhtml("toc.ncx")
    ncx_ns = "{http://www.daisy.org/z3986/2005/ncx/}"
    depth = next(m.get("content") for m in ncx.iter(f"{ncx_ns}meta") if m.get("name") == "dtb:depth")

    def levels(element):
        return max((1 + levels(p) for p in element.iterchildren(f"{ncx_ns}navPoint")), default=0)

    assert int(depth) == levels(ncx.find(f"{ncx_ns}navMap")) >= 1


def test_a_cover_is_drawn_when_the_edition_has_none(built):
    opf = built.xhtml("content.opf")
    covers = [i for i in opf.iter("{http://www.idpf.org/2007/opf}item") if i.get("properties") == "cover-image"]
    assert [(c.get("href"), c.get("media-type")) for c in covers] == [("cover.png", "image/png")]
    with zipfile.ZipFile(built.epub) as book:
        image = Image.open(io.BytesIO(book.read("EPUB/cover.png")))
    assert image.size == (1200, 1800)
    page = built.xhtml("cover.xhtml")
    img = page.find(f".//{XHTML}img")
    assert img.get("src") == "cover.png" and built.annotated.edition.metadata.title in img.get("alt")
    assert page.find(f".//{XHTML}section").get(f"{EPUB_NS}type") == "cover"
    landmarks = {a.get(f"{EPUB_NS}type"): a.get("href") for a in built.xhtml("nav.xhtml").iter(f"{XHTML}a")}
    assert landmarks["cover"] == "cover.xhtml"


def test_the_drawn_cover_is_reproducible_and_shows_the_title():
    first = draw_cover("A Long Title That Must Wrap Onto Lines", "Its subtitle", "Ann Author")
    assert first == draw_cover("A Long Title That Must Wrap Onto Lines", "Its subtitle", "Ann Author")
    assert first != draw_cover("Another Title", "Its subtitle", "Ann Author")
    image = Image.open(io.BytesIO(first)).convert("L")
    inked = [y for y in range(0, 1800, 10) if image.crop((130, y, 1070, y + 10)).getextrema()[0] < 100]
    assert len(inked) > 15, "title, subtitle and author are drawn"


def test_an_editions_own_cover_is_used(tmp_path):
    picture = io.BytesIO()
    Image.new("RGB", (60, 90), (10, 120, 30)).save(picture, format="JPEG")
    root = make_edition(
        tmp_path / "edition",
        text=TEXT.replace("lang: en", "lang: en\ncover: art/front.jpg"),
        files={"art/front.jpg": picture.getvalue()},
    )
    from readingedition.pipeline import build

    (epub_path,) = build(root, tmp_path / "out", ("epub",))
    with zipfile.ZipFile(epub_path) as book:
        assert book.read("EPUB/cover.jpg") == picture.getvalue()
        opf = book.read("EPUB/content.opf").decode()
    assert 'href="cover.jpg"' in opf and 'properties="cover-image"' in opf and 'media-type="image/jpeg"' in opf


def test_pandoc_reads_every_note_back_in_reading_order(essay):
    """A reader that turns the book into text (pandoc's EPUB reader) keeps every note, in order."""
    text = pypandoc.convert_file(str(essay.epub), "plain", format="epub", extra_args=["--wrap=none"])
    read_back = re.findall(r"^\[\d+\] (\w+)", text, re.M)
    calls = ["".join(a.itertext()) for name in _chapters(essay) for a in _main_text_calls(essay.xhtml(name))]
    assert read_back == calls and len(calls) == len(essay.annotated.notes) + len(
        list(_notes_in(essay.annotated.edition.document["blocks"]))
    )


def test_every_id_the_build_writes_is_reserved_from_the_editor(built):
    """An editor's heading or span cannot take an id the build writes (the sanitiser refuses or
    renames it): so every id in the book but the headings' own is one markup.py reserves."""
    with zipfile.ZipFile(built.epub) as book:
        texts = [book.read(name).decode() for name in book.namelist() if name.endswith(".xhtml")]
    written = {
        ident
        for text in texts
        for tag, ident in re.findall(r'<(\w+)[^>]*\sid="([^"]+)"', text)
        if tag not in ("h1", "h2", "h3", "h4", "h5", "h6", "nav")  # headings: the editor's; nav: ebooklib's
    }
    assert written
    assert {i for i in written if not (i in markup.RESERVED_IDS or i.startswith(markup.RESERVED_ID_PREFIXES))} == set()

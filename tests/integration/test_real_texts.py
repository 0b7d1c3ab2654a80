"""Real texts as an editor brings them (tests/editions/founding, in English, and droits, in French):
every body construct reaches both editions as a reader sees it, and the checks find nothing wrong."""

from __future__ import annotations

import zipfile

import lxml.etree
import pdfplumber
import pytest

from readingedition.check import check_editions
from readingedition.check.fidelity import epub_fidelity, pdf_fidelity

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def opf(built) -> lxml.etree._Element:
    with zipfile.ZipFile(built.epub) as book:
        return lxml.etree.fromstring(book.read("EPUB/content.opf"))


def pdf_pages(built) -> list[str]:
    with pdfplumber.open(built.pdf) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_outputs_are_named_from_the_metadata(founding, droits):
    assert founding.epub.name == "founding-texts.epub" and founding.pdf.name == "founding-texts.pdf"
    assert droits.epub.name == "textes-de-1789.epub"  # no `filename:`: the title, slugified


def test_each_chapter_file_keeps_its_own_footnote_1(founding):
    first = text_of(founding.xhtml("chapter-01.xhtml"))
    second = text_of(founding.xhtml("chapter-02.xhtml"))
    assert "The engrossed copy reads" in first and "The Bliss copy" not in first
    assert "The Bliss copy, written out in 1864" in second and "Walt Whitman’s poem" in second
    pages = "\n".join(pdf_pages(founding))
    assert "The engrossed copy reads" in pages and "The Bliss copy, written out in 1864" in pages


def test_authors_editors_and_roles_in_the_package_and_on_the_title_page(founding):
    package = opf(founding)
    creators = [c.text for c in package.iterfind(".//dc:creator", OPF)]
    assert creators == ["Thomas Jefferson", "Abraham Lincoln"]
    [editor] = package.iterfind(".//dc:contributor", OPF)
    assert editor.text == "Ada Editor"
    roles = {m.get("refines"): m.text for m in package.iterfind(".//opf:meta[@property='role']", OPF)}
    assert roles[f"#{editor.get('id')}"] == "edt" and list(roles.values()).count("aut") == 2
    title_page = text_of(founding.xhtml("titlepage.xhtml"))
    assert "Thomas Jefferson and Abraham Lincoln" in title_page and "Edited by Ada Editor" in title_page
    assert "For every reader of old documents." in title_page and "self-evident" in title_page
    assert "THOMAS JEFFERSON AND ABRAHAM LINCOLN" in pdf_pages(founding)[0].upper()  # set in small capitals


def test_sections_are_nested_in_the_epub_navigation(founding):
    nav = founding.xhtml("nav.xhtml")
    toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get("{http://www.idpf.org/2007/ops}type") == "toc")
    chapter = next(
        li for li in toc.iter(f"{XHTML}li") if text_of(li.find(f"{XHTML}a")) == "Two Speeches of Abraham Lincoln"
    )
    sections = [text_of(li.find(f"{XHTML}a")) for li in chapter.find(f"{XHTML}ol").findall(f"{XHTML}li")]
    assert sections == ["The Gettysburg Address", "The Second Inaugural Address"]
    inaugural = chapter.find(f"{XHTML}ol").findall(f"{XHTML}li")[1]
    assert [text_of(a) for a in inaugural.iter(f"{XHTML}a")][1:] == ["A poem on Lincoln’s death", "A note on the text"]


def test_pdf_contents_bookmarks_and_heading_sizes(founding):
    contents = pdf_pages(founding)[1]
    assert "The Gettysburg Address" in contents and "A poem on Lincoln’s death" in contents
    with pdfplumber.open(founding.pdf) as pdf:
        titles = [outline[1] for outline in pdf.doc.get_outlines()]
        sizes = {}
        for page in pdf.pages:
            for line in page.extract_text_lines():
                for title in ("Two Speeches of Abraham Lincoln", "The Gettysburg Address", "A note on the text"):
                    if line["text"].strip().lower() == title.lower():
                        sizes.setdefault(title, line["chars"][0]["size"])
    assert {"The Gettysburg Address", "A poem on Lincoln’s death"} <= set(titles)
    assert sizes["Two Speeches of Abraham Lincoln"] > sizes["The Gettysburg Address"] > sizes["A note on the text"]


def test_the_image_is_packaged_described_and_within_the_measure(founding):
    package = opf(founding)
    [item] = [i for i in package.iterfind(".//opf:item", OPF) if i.get("href") == "images/stars.png"]
    assert item.get("media-type") == "image/png"
    assert "EPUB/images/stars.png" in founding.names()
    [image] = founding.xhtml("chapter-01.xhtml").iter(f"{XHTML}img")
    assert image.get("src") == "images/stars.png" and image.get("alt").startswith("Thirteen five-pointed stars")
    with pdfplumber.open(founding.pdf) as pdf:
        page = next(p for p in pdf.pages if p.images)
        body = [c for c in page.chars if round(c["size"]) == 11]
        left, right = min(c["x0"] for c in body), max(c["x1"] for c in body)
        [picture] = page.images
        assert left - 1 <= picture["x0"] and picture["x1"] <= right + 1
        assert page.extract_text().count("Thirteen five-pointed stars") == 1  # the caption once, no alt text


def test_the_table_has_a_caption_and_header_cells_and_stays_in_the_measure(founding):
    [table] = founding.xhtml("chapter-01.xhtml").iter(f"{XHTML}table")
    assert text_of(table.find(f"{XHTML}caption")).startswith("Signers of the Declaration")
    assert [text_of(th) for th in table.iter(f"{XHTML}th")] == ["Colony", "Signers", "First to sign"]
    assert [a.get("id") for a in table.iter(f"{XHTML}a")] == ["call-gwinnett"]  # a note on a cell
    [dd] = [d for d in founding.xhtml("chapter-01.xhtml").iter(f"{XHTML}dd") if "Chaired" in text_of(d)]
    assert [a.get("id") for a in dd.iter(f"{XHTML}a")] == ["call-committee-of-the-whole"]
    with pdfplumber.open(founding.pdf) as pdf:
        page = next(p for p in pdf.pages if "Button Gwinnett" in (p.extract_text() or ""))
        body = [c for c in page.chars if round(c["size"]) == 11]
        right = max(c["x1"] for c in body if c["x1"] < page.width * 0.7)
        gwinnett = page.search("Button Gwinnett")[0]
        assert gwinnett["x1"] <= right + 1


def test_verse_lists_small_caps_code_and_breaks_reach_the_epub(founding):
    chapter = founding.xhtml("chapter-02.xhtml")
    verses = [v for v in chapter.iter(f"{XHTML}div") if v.get("class") == "verse"]
    assert [len(v) for v in verses] == [2, 8]  # the psalm and the poem, one div per line
    assert text_of(verses[1][7]).endswith("Fallen cold and dead.")
    assert any(s.get("class") == "smallcaps" for s in chapter.iter(f"{XHTML}span"))
    assert [text_of(c) for c in chapter.iter(f"{XHTML}code")] == ["src_text/02-lincoln.md"]
    assert len(list(chapter.iter(f"{XHTML}hr"))) == 1 and len(list(chapter.iter(f"{XHTML}blockquote"))) == 1
    first = founding.xhtml("chapter-01.xhtml")
    assert len(list(first.iter(f"{XHTML}ul"))) == 1 and len(list(first.iter(f"{XHTML}ol"))) == 1
    assert [text_of(dt) for dt in first.iter(f"{XHTML}dt")] == [
        "Thomas Jefferson",
        "Benjamin Harrison",
        "Richard Henry Lee",
    ]


def test_verse_turns_over_with_an_indent_in_the_pdf(founding):
    with pdfplumber.open(founding.pdf) as pdf:
        page = next(p for p in pdf.pages if "O Captain!" in (p.extract_text() or ""))
        lines = {line["text"].strip(): line["x0"] for line in page.extract_text_lines()}
    first = next(x for text, x in lines.items() if text.startswith("O Captain! my Captain!"))
    indented = next(x for text, x in lines.items() if text.startswith("Fallen cold and dead."))
    assert indented > first + 20  # the poem's own indentation is kept, line by line


@pytest.mark.parametrize("name", ["founding", "droits"])
def test_the_checks_find_no_false_difference(name, request):
    built = request.getfixturevalue(name)
    for report in (epub_fidelity(built.annotated, built.epub), pdf_fidelity(built.annotated, built.pdf)):
        assert report.ok, report.render()


def test_check_editions_names_what_failed_and_skips_a_missing_ace(droits, tmp_path, monkeypatch):
    from readingedition import check

    monkeypatch.setattr(check, "run_ace", lambda path: check.AceResult((), "is not installed", path))
    result = check_editions(droits.annotated, droits.epub.parent)
    assert result.ok and result.failed == () and "Ace: skipped" in result.summary
    [note] = [d for d in result.diagnostics if d.code == "V005"]
    assert note.severity == "warning"
    broken = tmp_path / droits.epub.name
    (tmp_path / droits.pdf.name).write_bytes(droits.pdf.read_bytes())
    with zipfile.ZipFile(droits.epub) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace("libres et égaux".encode(), b"libres") if "chapter" in name else data)
    assert check_editions(droits.annotated, tmp_path).failed == (f"EPUB fidelity ({droits.epub.name})",)


def test_a_french_edition_speaks_french(droits):
    glossary = droits.xhtml("glossary.xhtml")
    assert text_of(glossary.find(f".//{XHTML}h1")) == "Glossaire"
    assert "Dans le texte" in text_of(glossary)
    pages = pdf_pages(droits)
    assert pages[1].startswith("Table des matières") and "Questions pour la discussion" in pages[1]
    assert "Une édition de lecture." in pages[0].replace("\n", " ")
    assert "Assemblée nationale et Jean de La Fontaine" in text_of(droits.xhtml("titlepage.xhtml"))


def test_a_quote_typed_with_plain_spaces_matches_french_spacing(droits):
    [aside] = [a for a in droits.xhtml("chapter-02.xhtml").iter(f"{XHTML}aside") if a.get("id") == "note-bonjour"]
    call = next(a for a in droits.xhtml("chapter-02.xhtml").iter(f"{XHTML}a") if a.get("id") == "call-bonjour")
    assert call is not None and "espaces ordinaires" in text_of(aside)


def test_a_blank_left_hand_page_before_a_chapter_is_left_blank(droits):
    """Two-sided: a chapter opens on a right-hand page; the left-hand page left empty before it
    carries neither running head nor page number."""
    pages = pdf_pages(droits)
    blank = [number for number, text in enumerate(pages, 1) if number % 2 == 0 and not text.strip()]
    assert blank, "the French edition's second chapter should leave a blank left-hand page"
    assert all(pages[number].strip() for number in range(2, len(pages), 2))  # odd pages all have text

"""The PDF reading packet, read back with pdfplumber: text, notes, footnotes, pages, metadata."""

from __future__ import annotations

import functools
import re

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1

from readingedition.ast import stringify
from readingedition.check.fidelity import pdf_fidelity
from readingedition.check.margin_audit import audit_margin_notes


@functools.cache
def _audit(pdf, labels):
    return audit_margin_notes(pdf, list(labels))


def audit(built):
    """The margin-note audit of an edition's PDF, read once (it takes seconds on the essay)."""
    return _audit(built.pdf, tuple(note.label for note in built.annotated.notes))


@pytest.fixture(params=["essay", "example"])
def built(request):
    return request.getfixturevalue(request.param)


def test_the_whole_text_notes_and_definitions_are_in_the_pdf(built):
    report = pdf_fidelity(built.annotated, built.pdf)
    assert report.ok, report.render()


def test_margin_notes_do_not_overlap_and_none_is_lost(built):
    report = audit(built)
    assert not report.overlaps, report.render()
    assert not report.missing, report.render()
    assert len(report.notes) == len(built.annotated.notes)


def test_most_essay_notes_stand_within_two_lines_of_their_call(essay):
    report = audit(essay)
    assert report.share_within(2) >= 0.9, report.render()


def test_front_matter_running_heads_and_page_numbers(example):
    with pdfplumber.open(example.pdf) as pdf:
        first, contents, text_page = (pdf.pages[i].extract_text() for i in range(3))
        assert "A Small Example" in first and "Ada Editor" in first
        assert "Contents" in contents and "The First Part" in contents and "Glossary" in contents
        top = pdf.pages[2].crop((0, 0, pdf.pages[2].width, 60)).extract_text()
        assert "A Small Example" in top and "The First Part" in top.replace("\n", " ")
        assert text_page.rstrip().endswith("3")


def test_author_footnote_stands_at_the_foot_of_its_calls_page(example):
    with pdfplumber.open(example.pdf) as pdf:
        page = pdf.pages[2]
        words = page.extract_words()
        footnote = next(w for w in words if w["text"] == "Petrograd")
        assert footnote["top"] > page.height * 0.8


def test_paper_size_metadata_and_bookmarks(essay, example):
    with pdfplumber.open(essay.pdf) as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (595, 842)  # A4
        assert pdf.metadata["Title"] == essay.annotated.edition.metadata.title
        assert pdf.metadata["Author"] == "Tom Wetzel"
    with pdfplumber.open(example.pdf) as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (612, 792)  # paper: letter
        outlines = [title for _, title, *_ in pdf.doc.get_outlines()]
    assert {"The First Part", "The Second Part", "Glossary", "References"} <= set(outlines)


def test_calls_notes_terms_and_entries_are_live_internal_links(example):
    with pdfplumber.open(example.pdf) as pdf:
        links = [a for page in pdf.pages for a in page.annots if a.get("data", {}).get("Subtype").name == "Link"]
    assert len(links) >= 2 * len(example.annotated.notes) + len(example.annotated.term_uses)


def test_the_stress_edition_passes_the_margin_audit(stress):
    report = audit(stress)
    assert not report.overlaps and not report.missing and not report.broken_links, report.render()
    placed = {note.note_id_or_call: note for note in report.notes}
    assert len(placed) == len(stress.annotated.notes) == 24
    # Five notes in one short paragraph stand beside it, on its page, in the order of their calls.
    five = [placed[f"five-{i}"] for i in range(1, 6)]
    assert {n.page_number for n in five} == {n.call_page_number for n in five} and len(
        {n.page_number for n in five}
    ) == 1
    # A note called on a page's last line stays on that page, moved up rather than off the page.
    assert placed["foot-1"].page_number == placed["foot-1"].call_page_number
    # A note longer than a third of the page still starts level with its call.
    assert abs(placed["long-1"].lines_from_call) <= 2
    # A page with more notes than its margin holds sets the rest at its foot: every note on
    # the page of its call.
    assert report.share_on_call_page() == 1.0
    assert sum(n.at_foot for n in report.notes) >= 3


def _figures(built):
    report = audit(built)
    figures = report.figures()
    fidelity = pdf_fidelity(built.annotated, built.pdf)
    return report, {**figures, "missing_text": figures["missing_text"] + len(fidelity.missing_notes)}


def test_the_audit_figures_of_the_essay(essay):
    report, figures = _figures(essay)
    assert figures["notes"] == len(essay.annotated.notes)
    assert figures["on_call_page"] == 1.0
    assert figures["within_two_lines"] >= 0.95, report.render()
    assert figures["overlaps"] == 0 and figures["missing_text"] == 0
    assert figures["largest_distance"] < 6 and figures["continued"] == 0


def test_the_audit_figures_of_the_stress_edition(stress):
    report, figures = _figures(stress)
    assert figures["on_call_page"] == 1.0, report.render()
    assert figures["at_foot"] >= 3 and figures["continued"] == 0
    assert figures["overlaps"] == 0 and figures["missing_text"] == 0


def test_the_audit_figures_of_the_dense_edition(dense):
    """A real apparatus: 64 notes on 4,300 words, a third over 80 words, verse and quotes in
    notes, notes on headings and on footnote text. Every note starts on its call's page."""
    report, figures = _figures(dense)
    assert figures["notes"] == len(dense.annotated.notes) >= 60
    assert figures["on_call_page"] == 1.0, report.render()
    assert figures["overlaps"] == 0 and figures["missing_text"] == 0, report.render()
    assert figures["at_foot"] >= 10  # the margins cannot hold such notes
    assert not report.missing and not report.broken_links, report.render()


def test_a_note_in_a_heading_stays_out_of_running_heads_and_bookmarks(dense):
    """The dense edition anchors notes in chapter headings: the heads over its pages and its
    bookmarks show the headings' words only, no call letter and no note text."""
    headings = [c.title for c in dense.annotated.chapters if c.title]
    allowed = " ".join(_words(" ".join([dense.annotated.edition.metadata.title, *headings])))
    with pdfplumber.open(dense.pdf) as pdf:
        outlines = [title for _, title, *_ in pdf.doc.get_outlines()]
        heads = [
            page.filter(lambda o: o.get("size", 0) < 10 and o.get("bottom", 99) < 62).extract_text() or ""
            for page in pdf.pages[2:]
        ]
    assert set(headings) <= set(outlines)
    assert any(heads)
    in_headings = [n for n in dense.annotated.notes if any(n.spec.quote in h for h in headings)]
    assert in_headings
    for head in heads:  # (a head too long for its half of the margin is cut: "Derived …")
        words = _words(head)
        assert set(words) & set(allowed.split()), head
        for note in in_headings:
            opening = " ".join(_words(stringify(note.body))[:4])
            assert opening not in " ".join(words), (head, note.spec.id)


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z ]", " ", text.lower()).split()


def test_a_note_on_footnote_text_stands_beside_the_footnote(dense):
    """Its call is in the footnote at the page foot; the note starts on that page, at the page
    foot or in the margin beside the footnotes (below the body text)."""
    in_footnotes = _notes_called_in_footnotes(dense)
    assert len(in_footnotes) >= 2
    report = audit(dense)
    placed = {n.note_id_or_call: n for n in report.notes}
    with pdfplumber.open(dense.pdf) as pdf:
        for note_id in in_footnotes:
            note = placed[note_id]
            assert note.page_number == note.call_page_number
            if note.at_foot:
                continue
            page = pdf.pages[note.page_number - 1]
            call = _link_rect(page, f"note-{note_id}")
            body_bottom = max(c["bottom"] for c in page.chars if abs(c["size"] - 11) < 0.3)
            assert call[1] > body_bottom  # the call is in the footnote area


def _notes_called_in_footnotes(built) -> list[str]:
    html = built.annotated  # the anchored AST: a call inside a Note (an author's footnote)
    found: list[str] = []

    def walk(node, inside):
        if isinstance(node, list):
            for item in node:
                walk(item, inside)
        elif isinstance(node, dict):
            if inside and node.get("t") == "Span" and "note-call" in node["c"][0][1]:
                found.append(dict(node["c"][0][2])["data-note"])
            walk(node.get("c"), inside or node.get("t") == "Note")

    for chapter in html.chapters:
        walk(chapter.blocks, False)
    return found


def _link_rect(page, dest: str):
    for annot in page.annots:
        name = (annot.get("data") or {}).get("Dest")
        if isinstance(name, bytes) and name.decode() == dest:
            return (annot["x0"], annot["top"], annot["x1"], annot["bottom"])
    raise AssertionError(f"no link to {dest} on p. {page.page_number}")


def test_a_quote_across_a_footnote_call_underlines_only_its_words(dense):
    from readingedition.render.pdf import _html

    page_html = _html(dense.annotated)
    glossed = re.findall(r'<span class="glossed">(.*?)</span>', page_html, flags=re.S)
    assert glossed
    assert not any('class="footnote"' in g or 'class="margin-note' in g for g in glossed)
    # The dense edition has such a quote: its two underlined pieces sit either side of a footnote.
    assert re.search(r'<span class="glossed">[^<]*</span><span class="footnote"', page_html)


def test_verse_and_quotes_in_notes_reach_the_margin(dense):
    """The dense edition's notes hold verse and block quotes: every line of them is printed."""
    report = pdf_fidelity(dense.annotated, dense.pdf)
    assert not report.missing_notes, report.render()
    from readingedition.render.pdf import _html

    page_html = _html(dense.annotated)
    assert 'class="note-verse-line"' in page_html and 'class="note-quote"' in page_html


def test_two_sided_heads_folios_and_chapters(tmp_path):
    """Running heads and page numbers on the outer side; each chapter on a right-hand page."""
    import shutil

    from conftest import DENSE, _build

    root = tmp_path / "dense"
    shutil.copytree(DENSE, root, ignore=shutil.ignore_patterns(".cache"))
    first = sorted((root / "src_text").glob("*.md"))[0]
    first.write_text(
        first.read_text(encoding="utf-8").replace("paper: a4\n", "paper: a4\ntwosided: true\n", 1), encoding="utf-8"
    )
    built = _build(root, tmp_path / "out")
    assert built.annotated.edition.metadata.twosided
    with pdfplumber.open(built.pdf) as pdf:
        starts = [
            i
            for i, page in enumerate(pdf.pages)  # past the title page and contents
            if i >= 2 and any(c["size"] > 15 for c in page.chars if c["top"] < page.height / 3)
        ]
        for index, page in enumerate(pdf.pages[2:], start=2):
            folio = [w for w in page.extract_words() if w["top"] > page.height - 60 and w["text"].isdigit()]
            if not folio:
                continue  # a blank page before a chapter
            recto = index % 2 == 0  # page 1 is a recto
            assert (folio[0]["x0"] > page.width / 2) == recto, index + 1
        assert len(starts) >= 2 and all(i % 2 == 0 for i in starts)  # chapters on rectos
    assert audit(built).share_on_call_page() == 1.0


def _printed_page_after(link: dict, words: list[dict]) -> int | None:
    """The page number printed after a back-reference link: "(p. N)" or ", p. N", on the
    link's line or, if the line broke before it, at the start of the next."""
    same_line = sorted(
        (w for w in words if abs(w["top"] - link["top"]) < 3 and w["x0"] >= link["x0"] - 1), key=lambda w: w["x0"]
    )
    lower = [w for w in words if w["top"] > link["top"] + 3]
    next_top = min((w["top"] for w in lower), default=None)
    next_line = sorted((w for w in lower if abs(w["top"] - next_top) < 3), key=lambda w: w["x0"])
    for candidates in (same_line[:6], next_line[:3]):
        found = re.search(r"p\.\s*(\d+|\?)", " ".join(w["text"] for w in candidates))
        if found:
            return int(found.group(1)) if found.group(1).isdigit() else None
    return None


def test_back_references_print_the_page_their_link_goes_to(essay):
    """The glossary's "In the text (p. N)" and the questions' "(passage x), p. N": N is the page
    the link lands on (the numbers are written after layout: pdf_margins.write_page_numbers)."""
    checked = set()  # a link may have an annotation per box it spans
    with pdfplumber.open(essay.pdf) as pdf:
        page_numbers = {page.page_obj.pageid: number for number, page in enumerate(pdf.pages, 1)}
        for page in pdf.pages:
            words = page.extract_words(keep_blank_chars=False)
            for link in page.annots:
                name = link.get("contents") or ""
                inside = " ".join(
                    w["text"]
                    for w in words
                    if link["x0"] - 1 <= w["x0"] < link["x1"] and abs(w["top"] - link["top"]) < 3
                )
                # Glossary entries link to terms; questions to calls, as "(passage x)" (margin
                # notes' labels link to calls too, and print no page).
                if not (name.startswith("term-") or (name.startswith("call-") and "passage" in inside)):
                    continue
                destination = resolve1(pdf.doc.get_dest(name.encode()))
                target = page_numbers[destination[0].objid]
                assert _printed_page_after(link, words) == target, f"{name} on p. {page.page_number}"
                checked.add(name)
    annotated = essay.annotated
    questions = sum(1 for note in annotated.notes if note.spec.kind == "question")
    assert len(checked) == len(annotated.term_uses) + questions


def test_figure_spaces_in_the_text_are_not_page_number_slots(tmp_path):
    from readingedition.pipeline import build

    from editions_factory import BODY, EDITION_NAME, METADATA, make_edition

    text = METADATA + "\n" + BODY.replace("a quiet ending.", "a quiet ending: totals\u2007\u2007\u200712 and 345.")
    root = make_edition(tmp_path / "edition", text=text)
    build(root, tmp_path / "out", ("pdf",))
    with pdfplumber.open(tmp_path / "out" / f"{EDITION_NAME}.pdf") as pdf:
        shown = "".join(page.extract_text() or "" for page in pdf.pages)
    assert re.search(r"totals\s+12 and 345", shown) and "totals?" not in shown

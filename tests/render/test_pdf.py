"""The PDF reading packet, read back with pdfplumber: text, notes, footnotes, pages, metadata."""
from __future__ import annotations

import functools
import re

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1

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
    assert {n.page_number for n in five} == {n.call_page_number for n in five} and len({n.page_number for n in five}) == 1
    # A note called on a page's last line stays on that page, moved up rather than off the page.
    assert placed["foot-1"].page_number == placed["foot-1"].call_page_number
    # A note longer than a third of the page still starts level with its call.
    assert abs(placed["long-1"].lines_from_call) <= 2
    # A page with more notes than its margin holds: the rest continue at the top of the next
    # page's margin, marked with the page they belong to.
    continued = [n for n in report.notes if n.page_number == n.call_page_number + 1]
    assert len(continued) >= 3
    with pdfplumber.open(stress.pdf) as pdf:
        page = pdf.pages[continued[0].page_number - 1]
        margin = page.crop((page.width * 0.7, 0, page.width, page.height)).extract_text()
    assert f"↑p.{continued[0].call_page_number}" in margin.replace(" ", "")


def _printed_page_after(link: dict, words: list[dict]) -> int | None:
    """The page number printed after a back-reference link: "(p. N)" or ", p. N", on the
    link's line or, if the line broke before it, at the start of the next."""
    same_line = sorted((w for w in words if abs(w["top"] - link["top"]) < 3 and w["x0"] >= link["x0"] - 1),
                       key=lambda w: w["x0"])
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
                inside = " ".join(w["text"] for w in words if link["x0"] - 1 <= w["x0"] < link["x1"]
                                  and abs(w["top"] - link["top"]) < 3)
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
    from editions_factory import BODY, EDITION_NAME, METADATA, make_edition
    from readingedition.cli import build

    text = METADATA + "\n" + BODY.replace("a quiet ending.", "a quiet ending: totals\u2007\u2007\u200712 and 345.")
    root = make_edition(tmp_path / "edition", text=text)
    build(root, tmp_path / "out", ("pdf",))
    with pdfplumber.open(tmp_path / "out" / f"{EDITION_NAME}.pdf") as pdf:
        shown = "".join(page.extract_text() or "" for page in pdf.pages)
    assert re.search(r"totals\s+12 and 345", shown) and "totals?" not in shown

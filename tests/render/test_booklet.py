"""The booklet: half-size pages imposed two-up, in the order that folds into the packet."""

from __future__ import annotations

import re
import shutil

import pdfplumber
import pytest
import weasyprint

from readingedition.pipeline import build
from readingedition.render.booklet import SHEETS, booklet_order, impose

from conftest import EXAMPLE

MM = 72 / 25.4


def halves(pdf_path) -> list[tuple[str, str]]:
    """The text of the left and right half of each sheet side."""
    with pdfplumber.open(pdf_path) as pdf:
        return [
            tuple(page.crop((x0, 0, x0 + page.width / 2, page.height)).extract_text() for x0 in (0, page.width / 2))
            for page in pdf.pages
        ]


def test_eight_pages_fold_into_order():
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    twelve = booklet_order(12)
    assert sorted(page for side in twelve for page in side) == list(range(1, 13))
    assert twelve[0] == (12, 1) and twelve[-1] == (6, 7)


def test_five_a5_pages_are_padded_to_eight_and_imposed_on_a4(tmp_path):
    pages = "".join(f'<p style="break-before: page">Page {n}</p>' for n in range(1, 6))
    source = tmp_path / "pages.pdf"
    weasyprint.HTML(string=pages).write_pdf(source, stylesheets=[weasyprint.CSS(string="@page { size: A5 }")])
    target = tmp_path / "booklet.pdf"
    assert impose(source, target, SHEETS["a4"]) == 4
    with pdfplumber.open(target) as pdf:
        assert [(round(p.width), round(p.height)) for p in pdf.pages] == [(842, 595)] * 4  # A4, landscape
    shown = [tuple(text.strip() for text in side) for side in halves(target)]
    assert shown == [("", "Page 1"), ("Page 2", ""), ("", "Page 3"), ("Page 4", "Page 5")]


@pytest.fixture(scope="module")
def booklet_edition(tmp_path_factory):
    root = tmp_path_factory.mktemp("booklet") / "edition"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    text = root / "src_text" / "01-example.md"
    text.write_text(text.read_text().replace("paper: letter\n", "paper: letter\nbooklet: true\n"))
    return root, build(root, root / "output")


def test_booklet_true_also_writes_the_booklet(booklet_edition):
    root, built = booklet_edition
    assert [path.name for path in built] == [
        "a-small-example.epub",
        "a-small-example.pdf",
        "a-small-example-booklet.pdf",
    ]


def test_the_booklet_is_half_letter_pages_on_letter_sheets_in_folding_order(booklet_edition):
    root, built = booklet_edition
    booklet = built[-1]
    with pdfplumber.open(booklet) as pdf:
        sides = len(pdf.pages)
        assert {(round(p.width), round(p.height)) for p in pdf.pages} == {(792, 612)}  # letter, landscape
    order = booklet_order(2 * sides)
    printed = []
    for (left, right), (left_text, right_text) in zip(order, halves(booklet)):
        for number, text in ((left, left_text), (right, right_text)):
            printed += [number] if text else []
            lines = text.split("\n")
            if number == 1:
                assert lines[0] == "A Small Example"  # the title page
            elif number == 2:
                assert lines[0] == "Contents"
            elif text:
                assert re.fullmatch(r"\d+", lines[-1]) and int(lines[-1]) == number, (number, text)
    # Inside, only a left-hand page before a chapter is blank; the pages that pad the booklet to a
    # multiple of four are all at the end.
    assert all(n % 2 == 0 for n in set(range(1, max(printed) + 1)) - set(printed))
    assert 2 * sides - max(printed) < 4
    text = "\n".join(t for side in halves(booklet) for t in side)
    for note in ("Dates are Old Style", "A crossing of quotes", "What did the committees want?"):
        assert note in text.replace("\n", " ")  # the margin notes are kept


def test_the_booklet_is_reproducible(booklet_edition, tmp_path):
    root, built = booklet_edition
    elsewhere = tmp_path / "another" / "place"
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns(".cache", "output"))
    [again] = build(elsewhere, elsewhere / "output", ("booklet",))
    assert again.read_bytes() == built[-1].read_bytes()

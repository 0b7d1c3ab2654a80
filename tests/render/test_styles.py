"""An edition's own style sheets: layered after the built-in ones, or replacing one on request."""

from __future__ import annotations

import shutil
import zipfile

import pdfplumber
import pytest

from readingedition.anchor import anchor_edition
from readingedition.check.margin_audit import audit_margin_notes
from readingedition.load import load_edition
from readingedition.pipeline import build

from conftest import EXAMPLE, REPOSITORY

BUILT_IN = REPOSITORY / "readingedition" / "styles"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def restyled(tmp_path_factory):
    """The example edition with its own styles/pdf.css: another face and a wider measure."""
    root = tmp_path_factory.mktemp("restyled") / "edition"
    shutil.copytree(EXAMPLE, root)
    (root / "styles").mkdir()
    (root / "styles" / "pdf.css").write_text(':root { --font: "Liberation Serif", serif; --measure: 120mm; }\n')
    (root / "styles" / "epub.css").write_text("h1 { letter-spacing: 0.1em; }\n")
    epub, pdf = build(root, root / "output", ("epub", "pdf"))
    return root, epub, pdf


def test_an_editions_sheets_come_after_the_built_in_ones(restyled):
    root, _, _ = restyled
    styles = load_edition(root).styles
    assert styles.pdf_css == (
        BUILT_IN / "pdf.css",
        BUILT_IN / "pdf-margins.css",
        BUILT_IN / "pdf-letter.css",
        root / "styles" / "pdf.css",
    )
    assert styles.epub_css == (BUILT_IN / "epub.css", root / "styles" / "epub.css")


def test_the_epub_keeps_the_built_in_rules_and_adds_the_editions(restyled):
    _, epub, _ = restyled
    with zipfile.ZipFile(epub) as book:
        css = next(book.read(name).decode() for name in book.namelist() if name.endswith(".css"))
    assert "a.note-call" in css and css.index("a.note-call") < css.index("letter-spacing: 0.1em")


def test_a_new_face_and_measure_keep_heads_numbers_contents_and_margin_notes(restyled):
    root, _, pdf_path = restyled
    with pdfplumber.open(pdf_path) as pdf:
        fonts = {char["fontname"].split("+")[-1] for page in pdf.pages for char in page.chars}
        assert any("Liberation" in font for font in fonts) and not any("Garamond" in font for font in fonts)
        contents = pdf.pages[1].extract_text()
        assert "Contents" in contents and "The First Part . . ." in contents and "Glossary" in contents
        page = pdf.pages[2]
        head = page.crop((0, 0, page.width, 60)).extract_text().replace("\n", " ")
        assert "A Small Example" in head and "the first part" in head.lower()  # small capitals
        assert page.extract_text().rstrip().endswith("3")
        body = [char for char in page.chars if 60 < char["top"] < page.height * 0.7 and char["size"] > 10]
        measure = (max(c["x1"] for c in body) - min(c["x0"] for c in body)) / MM
    assert 115 < measure <= 120.5  # justified lines fill the new measure
    labels = [note.label for note in anchor_edition(load_edition(root)).notes]
    report = audit_margin_notes(pdf_path, labels)
    assert not report.overlaps and not report.missing and len(report.notes) == len(labels), report.render()


def test_a_sheet_marked_replace_takes_the_built_in_ones_place(tmp_path):
    root = tmp_path / "edition"
    shutil.copytree(EXAMPLE, root)
    (root / "styles").mkdir()
    own = root / "styles" / "pdf-margins.css"
    own.write_text("/* readingedition: replace */\n@page { size: A5; }\n")
    styles = load_edition(root).styles
    assert styles.pdf_css == (BUILT_IN / "pdf.css", own, BUILT_IN / "pdf-letter.css")

"""Bad inputs: unsafe markup, the source text, images and footnotes (escaped, normalised or refused)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from .catalogue import EPUB_NAME, Case, assert_case_refused
from editions_factory import (
    EDITION_NAME,
    GLOSSARY_FILE,
    NOTES_FILE,
    TEXT,
    TEXT_FILE,
    build_in_process,
    build_subprocess,
    make_edition,
    note_yaml,
    write,
)

CASES = [
    # Unsafe markup
    Case(
        "javascript-link",
        "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'javascript:alert(1)'",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="See [this](javascript:alert(1)).")},
    ),
    # Source text
    Case(
        "undefined-footnote",
        "src_text/text.md:10: error T003 undefined-footnote: the footnote reference [^2] has no footnote text",
        {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.[^2]")},
    ),
    Case(
        "no-title",
        "src_text/text.md:1: error T002 missing-metadata: the metadata block has no title",
        {TEXT_FILE: TEXT.replace('title: "A Tiny Text"\n', "")},
    ),
    Case(
        "no-language",
        "src_text/text.md:1: error T002 missing-metadata: the metadata block has no language (`lang`, e.g. en)",
        {TEXT_FILE: TEXT.replace("lang: en\n", "")},
    ),
    # Images and footnotes
    Case(
        "image-without-alt",
        "src_text/text.md:12: error T006 image-without-alt: the image ../images/a.png has no alt text",
        {
            TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.\n\n![](../images/a.png)"),
            "images/a.png": b"\x89PNG\r\n\x1a\n",
        },
    ),
    Case(
        "image-not-found",
        "src_text/text.md:12: error T007 image-not-found: the image pictures/b.png is not a file "
        "in the edition (.gif, .jpeg, .jpg, .png, .svg, .webp)",
        {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.\n\n![A picture](pictures/b.png)")},
    ),
    Case(
        "cover-not-found",
        "src_text/text.md:4: error T007 image-not-found: the cover front.txt is not an image "
        "file in the edition (.gif, .jpeg, .jpg, .png, .svg, .webp)",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\ncover: front.txt\n"), "src_text/front.txt": "text"},
    ),
    Case(
        "footnote-defined-twice-in-a-file",
        "src_text/text.md:14: error T008 duplicate-footnote: the footnote [^1] is "
        "defined twice in this file (first at line 12)",
        {TEXT_FILE: TEXT + "\n[^1]: Another footnote one.\n"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys) -> None:
    assert_case_refused(case, edition, good_out, capsys)


# Unsafe markup in notes: escaped, never live


SCRIPT_NOTE = note_yaml(
    id="long-book",
    quote="The Long Book",
    note="<script>alert(1)</script> and <b>bold</b> and <a href='javascript:alert(2)'>x</a>",
)


def _xhtml(epub: Path, name: str = "chapter-01.xhtml") -> str:
    with zipfile.ZipFile(epub) as book:
        return book.read(f"EPUB/{name}").decode("utf-8")


def test_script_in_a_note_is_escaped_in_the_epub(edition: Path, tmp_path: Path) -> None:
    import lxml.etree

    write(edition, NOTES_FILE, SCRIPT_NOTE)
    done = build_subprocess(edition, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    xhtml = _xhtml(tmp_path / "out" / EPUB_NAME)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xhtml
    assert "&lt;b&gt;bold&lt;/b&gt;" in xhtml
    assert "<script" not in xhtml and "<b>" not in xhtml
    tree = lxml.etree.fromstring(xhtml.encode("utf-8"))
    assert tree.xpath("//*[local-name()='script']") == []
    assert not any(href.lower().startswith("javascript:") for href in tree.xpath("//@href"))
    aside = tree.xpath("//*[@id='note-long-book']")[0]
    assert "<script>alert(1)</script>" in "".join(aside.itertext())


def test_script_in_a_note_shows_as_text_in_the_pdf(edition: Path, tmp_path: Path) -> None:
    import pdfplumber

    write(edition, NOTES_FILE, SCRIPT_NOTE)
    done = build_subprocess(edition, tmp_path / "out", "pdf")
    assert done.returncode == 0, done.stderr
    with pdfplumber.open(tmp_path / "out" / f"{EDITION_NAME}.pdf") as pdf:
        # The margin column, where the note stands (the outer 65 mm of the page).
        text = "".join(
            (page.crop((page.width - 65 * 72 / 25.4, 0, page.width, page.height)).extract_text() or "")
            for page in pdf.pages
        )
    squeezed = re.sub(r"\s+", "", text)
    assert "<script>alert(1)</script>" in squeezed
    assert "<b>bold</b>" in squeezed


# ---------------------------------------------------------------------------------------------
# Source text: what editors' tools leave behind is normalised


def _chapter_after_build(root: Path, out: Path, capsys) -> str:
    code, _, stderr = build_in_process(root, out, capsys)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    return _xhtml(out / EPUB_NAME)


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr", "tabs", "bom-crlf-yaml"])
def test_source_text_is_normalised(variant: str, tmp_path: Path, capsys) -> None:
    clean = _chapter_after_build(make_edition(tmp_path / "clean"), tmp_path / "clean-out", capsys)
    raw = TEXT.encode("utf-8")
    files: dict[str, bytes] = {}
    if variant == "bom":
        files[TEXT_FILE] = b"\xef\xbb\xbf" + raw
    elif variant == "crlf":
        files[TEXT_FILE] = raw.replace(b"\n", b"\r\n")
    elif variant == "cr":
        files[TEXT_FILE] = raw.replace(b"\n", b"\r")
    elif variant == "tabs":  # a tab inside a line, and one opening a paragraph (not a code block)
        files[TEXT_FILE] = raw.replace(b"quiet ending", b"quiet\tending").replace(b"\nThe second", b"\n\tThe second")
    else:  # annotation files saved with a BOM and CRLF line ends
        for name in (NOTES_FILE, GLOSSARY_FILE):
            files[name] = b"\xef\xbb\xbf" + (tmp_path / "clean" / name).read_bytes().replace(b"\n", b"\r\n")
    root = make_edition(tmp_path / variant, files=files)
    assert _chapter_after_build(root, tmp_path / f"{variant}-out", capsys) == clean


def test_non_nfc_text_is_normalised_and_an_nfc_quote_anchors(tmp_path: Path, capsys) -> None:
    text = TEXT.replace("quiet ending", "quiet cafe\u0301 ending")
    notes = note_yaml(id="cafe", quote="quiet caf\u00e9", note="x")
    root = make_edition(tmp_path / "edition", text=text, notes=notes)
    xhtml = _chapter_after_build(root, tmp_path / "out", capsys)
    assert "caf\u00e9" in xhtml and "e\u0301" not in xhtml
    assert 'id="note-cafe"' in xhtml and 'id="call-cafe"' in xhtml

"""Hostile input. Attributes: lang, dir and the documented classes only; the build's own names refused."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import lxml.etree
import pytest

from .refusal import EPUB_NAME, chapter, refuse
from conftest import EXAMPLE
from editions_factory import GLOSSARY_FILE, NOTES_FILE, TEXT, TEXT_FILE, build_in_process, note_yaml, write


@pytest.mark.parametrize(
    "files, first",
    [
        (
            {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="[click]{onclick=alert(1)}")},
            "annotations/notes.yaml:2: error S001 unsafe-attribute: note `long-book` uses the attribute "
            "`onclick=alert(1)`, which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending. `code`{onfocus=alert(1)}")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the attribute `onfocus=alert(1)`, "
            "which is not allowed",
        ),
        (
            {
                GLOSSARY_FILE: "glossary:\n  - term: soviet\n    short: s\n"
                "    definition: '[x]{style=\"background:url(http://127.0.0.1:9/x)\"}'\n"
            },
            "annotations/glossary.yaml:2: error S001 unsafe-attribute: glossary entry `soviet` uses the attribute "
            "`style=background:url(http://127.0.0.1:9/x)`, which is not allowed",
        ),
        (
            {GLOSSARY_FILE: "glossary:\n  - term: '[soviet]{onmouseover=x}'\n    short: s\n    definition: d\n"},
            "annotations/glossary.yaml:2: error S001 unsafe-attribute: glossary entry `[soviet]{onmouseover=x}` uses "
            "the attribute `onmouseover=x`, which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending](https://example.org){rel=attachment}.")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the attribute `rel=attachment`, "
            "which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{.shiny}.")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the class `shiny`, which the edition's "
            "styles do not document",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{.note-call}.")},
            "src_text/text.md:10: error S002 reserved-name: the text uses the class `note-call`, which the build keeps "
            "for itself",
        ),
        (
            {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="[x]{.term}")},
            "annotations/notes.yaml:2: error S002 reserved-name: note `long-book` uses the class `term`, which the "
            "build keeps for itself",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{#fn-1}.")},
            "src_text/text.md:10: error S002 reserved-name: the text uses the id `fn-1`, which the build keeps for itself",
        ),
    ],
)
def test_attributes_are_allow_listed(edition: Path, good_out, capsys, files, first: str) -> None:
    for relative, content in files.items():
        write(edition, relative, content)
    refuse(edition, good_out, capsys, first)


def test_allowed_attributes_pass(edition: Path, tmp_path: Path, capsys) -> None:
    text = TEXT.replace("quiet ending.", "quiet [ending]{lang=fr dir=ltr} in [small caps]{.smallcaps}.")
    write(edition, TEXT_FILE, text)
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    xhtml = chapter(tmp_path / "out")
    assert '<span lang="fr" dir="ltr">ending</span>' in xhtml and '<span class="smallcaps">small caps</span>' in xhtml


def test_a_class_documented_by_the_editions_style_sheet_is_allowed(edition: Path, tmp_path: Path, capsys) -> None:
    write(edition, TEXT_FILE, TEXT.replace("quiet ending.", "quiet [ending]{.shiny}."))
    write(edition, "styles/epub.css", "/* editor classes: shiny */\n.shiny { color: teal; }\n")
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    assert '<span class="shiny">ending</span>' in chapter(tmp_path / "out")


def test_raw_html_in_a_note_is_never_live(edition: Path, tmp_path: Path, capsys) -> None:
    note = "<span onclick=alert(1)>x</span> <div onmouseover=alert(2)>y</div>"
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=note))
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    tree = lxml.etree.fromstring(chapter(tmp_path / "out", EPUB_NAME).split("</html>")[0].encode() + b"</html>")
    assert not [a for a in tree.xpath("//@*") if a.attrname.startswith("on")]
    assert "<span onclick=alert(1)>x</span>" in "".join(tree.itertext())


def test_headings_cannot_steal_the_builds_ids(tmp_path: Path, capsys) -> None:
    """A heading "Note control" would take the id of note `control`'s aside, "Fn 1" that of footnote 1."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    more = root / "src_text" / "02-more.md"
    more.write_text(
        "# Note control\n\nA first paragraph.\n\n## Fn 1\n\nAnd [back](#note-control).\n\n" + more.read_text()
    )
    code, _, stderr = build_in_process(root, tmp_path / "out", capsys)
    assert code == 0, stderr
    with zipfile.ZipFile(tmp_path / "out" / "a-small-example.epub") as book:
        pages = {n: lxml.etree.fromstring(book.read(n)) for n in book.namelist() if n.endswith(".xhtml")}
    ids = [i for page in pages.values() for i in page.xpath("//@id")]
    assert len(ids) == len(set(ids))
    owners = [page.xpath("//*[@id='note-control']") for page in pages.values()]
    [[aside]] = [found for found in owners if found]
    assert aside.tag.endswith("aside")
    assert "section-note-control" in ids and "section-fn-1" in ids
    hrefs = [h for page in pages.values() for h in page.xpath("//@href")]
    assert any(h.endswith("#section-note-control") for h in hrefs)

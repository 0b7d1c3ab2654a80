"""The load stage: an edition directory read into one Edition, from the example edition."""

from __future__ import annotations

import unicodedata

import pytest

from readingedition.ast import stringify
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition

from conftest import EXAMPLE
from editions_factory import TEXT, TEXT_FILE, make_edition


def test_the_example_edition_loads_its_notes_glossary_references_and_styles():
    edition = load_edition(EXAMPLE, cache=False)
    assert edition.name == "a-small-example"
    assert [n.id for n in edition.annotations.notes] == ["committees-1917", "control", "not-yet", "ends-paragraph"]
    assert [t.term for t in edition.annotations.glossary] == [
        "soviet",
        "factory committee",
        "factory committee movement",
    ]
    assert [r["id"] for r in edition.annotations.references] == ["smith1983"]
    # Every note body and definition is parsed, and the citation in a note is formatted.
    assert set(edition.note_bodies) == {n.id for n in edition.annotations.notes}
    assert "Smith" in stringify(edition.note_bodies["committees-1917"])
    assert "*" not in stringify(edition.term_definitions["soviet"])  # Markdown read, not shown
    # The built-in style sheets, found inside the package.
    assert edition.styles.epub_css and all(p.is_file() for p in (*edition.styles.epub_css, *edition.styles.pdf_css))


def test_the_text_is_read_in_nfc_with_unix_line_ends(tmp_path):
    decomposed = TEXT.replace("quiet ending", "quiet cafe\u0301 ending")
    root = make_edition(tmp_path, text=decomposed.replace("\n", "\r\n"))
    text = stringify(load_edition(root, cache=False).document["blocks"])
    assert "café" in text and unicodedata.is_normalized("NFC", text)
    assert (root / TEXT_FILE).read_bytes().count(b"\r\n") > 0  # the file itself is left as it is


def test_a_metadata_map_with_keys_named_like_an_elements_is_read_as_a_map(tmp_path):
    """pandoc's elements are maps with the keys `t` and `c`; so may an editor's metadata be."""
    odd = '  t: "<b>x</b>"\n  c: z\n'
    root = make_edition(tmp_path / "nocite", text=TEXT.replace("---\n", f"---\nnocite:\n{odd}", 1))
    nocite = load_edition(root, cache=False).document["meta"]["nocite"]["c"]
    assert stringify(nocite["t"]) == "<b>x</b>" and stringify(nocite["c"]) == "z"
    root = make_edition(tmp_path / "labels", text=TEXT.replace("---\n", f"---\nlabels:\n{odd}", 1))
    with pytest.raises(BuildFailed) as failure:
        load_edition(root, cache=False)
    assert [d.code for d in failure.value.diagnostics] == ["K001", "K001"]

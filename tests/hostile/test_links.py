"""Hostile input. Links: allow-listed wherever a link can stand, citations and references included."""

from __future__ import annotations

from pathlib import Path

import pytest

from .refusal import chapter, refuse
from editions_factory import NOTES_FILE, build_in_process, note_yaml, write

REFERENCE = """\
references:
  - id: smith1983
    type: book
    author: [{family: Smith, given: S. A.}]
    title: Red Petrograd
    issued: {date-parts: [[1983]]}
"""


@pytest.mark.parametrize(
    "note, first",
    [
        (
            "See [@smith1983, [catalogue](file:///etc/passwd){rel=attachment}].",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'file:///etc/passwd'",
        ),
        (
            "[see [x](javascript:alert(1)) @smith1983, p. 3]",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'javascript:alert(1)'",
        ),
        (
            "See [@smith1983, ![p](/etc/passwd)].",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` includes an image ('/etc/passwd')",
        ),
        (
            "A relative link [here](other.html) would name a local file in the PDF.",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'other.html'",
        ),
    ],
)
def test_links_in_citations_are_checked(edition: Path, good_out, capsys, note: str, first: str) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=note) + REFERENCE)
    refuse(edition, good_out, capsys, first)


@pytest.mark.parametrize(
    "field, first",
    [
        (
            'title: "Red [catalogue](file:///etc/passwd){rel=attachment}"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'file:///etc/passwd'",
        ),
        (
            'title: "Red [x](javascript:alert(1))"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'javascript:alert(1)'",
        ),
        (
            'URL: "javascript:alert(1)"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'javascript:alert(1)'",
        ),
        (
            'title: "Red ![p](http://127.0.0.1:9/p.png)"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` includes an image "
            "('http://127.0.0.1:9/p.png')",
        ),
        (
            'title: "Red [x]{onclick=alert(1)}"',
            "annotations/notes.yaml:6: error S001 unsafe-attribute: reference `smith1983` uses the attribute "
            "`onclick=alert(1)`, which is not allowed",
        ),
    ],
)
def test_references_fields_are_checked(edition: Path, good_out, capsys, field: str, first: str) -> None:
    notes = note_yaml(id="long-book", quote="The Long Book", note="See @smith1983.") + REFERENCE
    write(edition, NOTES_FILE, notes.replace("title: Red Petrograd", field))
    refuse(edition, good_out, capsys, first)


def test_raw_html_in_a_reference_is_text(edition: Path, tmp_path: Path, capsys) -> None:
    notes = note_yaml(id="long-book", quote="The Long Book", note="See @smith1983.") + REFERENCE
    write(edition, NOTES_FILE, notes.replace("title: Red Petrograd", 'title: "Red <b onclick=x>P</b>"'))
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    xhtml = chapter(tmp_path / "out")
    assert "&lt;b onclick=x&gt;P&lt;/b&gt;" in xhtml and 'onclick="' not in xhtml

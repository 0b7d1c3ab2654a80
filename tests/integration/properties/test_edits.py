"""Random edits of the text: the anchoring succeeds or says clearly what no longer matches; and
the folding it reads quotes with finds the same stretches whichever way it runs."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import lxml.etree
from hypothesis import event, given, settings
from hypothesis import strategies as st

from readingedition.anchor import anchor_edition
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition
from readingedition.render.epub import render_epub

from . import SETTINGS
from editions_factory import METADATA, NOTES_FILE, make_edition

EDIT_BODY = """\
The council met in *the long hall* at dawn, and the council voted.[^1]

Nobody knew the answer, but everybody asked the same question again.

Outside, the rain kept on; a dog slept by the door, and the carts went past without stopping.
Somebody had left a lamp burning in the upper room, where the clerks kept their papers.

Later that week the roads were closed, and for a while there was no news from the city at all.

[^1]: The minutes of the meeting are lost.
"""

EDIT_NOTES = """\
notes:
  - id: hall
    quote: "the long hall"
    note: "A hall."
  - id: voted
    quote: "the council voted."
    note: "They voted."
  - id: council
    quote: "council"
    prefix: "The"
    note: "The first council."
  - id: question
    quote: "the same question again"
    note: "Which question?"
  - id: minutes
    quote: "minutes of the meeting"
    note: "In a footnote."
"""

NOTE_LINES = {"hall": 2, "voted": 5, "council": 8, "question": 12, "minutes": 15}


@st.composite
def edits(draw):
    """A list of edits of the body: delete, insert, replace, or copy a piece elsewhere."""
    alphabet = st.sampled_from(list("aehlnt ,.;'\"*_-—…\n[]^1") + ["the ", "council ", "\n\n", "[^1]", "*"])
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "copy"]))
        position = draw(st.integers(0, 10_000))
        length = draw(st.integers(1, 12))
        piece = "".join(draw(st.lists(alphabet, min_size=1, max_size=4)))
        out.append((kind, position, length, piece, draw(st.integers(0, 10_000))))
    return out


def apply_edits(body: str, operations) -> str:
    for kind, position, length, piece, target in operations:
        at = position % (len(body) + 1)
        if kind == "delete":
            body = body[:at] + body[at + length :]
        elif kind == "insert":
            body = body[:at] + piece + body[at:]
        elif kind == "replace":
            body = body[:at] + piece + body[at + length :]
        else:
            copied = body[at : at + length * 3]
            to = target % (len(body) + 1)
            body = body[:to] + copied + body[to:]
    return body


@settings(max_examples=60, **SETTINGS)
@given(edits())
def test_random_edits_never_crash_the_anchoring(operations) -> None:
    body = apply_edits(EDIT_BODY, operations)
    with tempfile.TemporaryDirectory() as scratch:
        root = make_edition(Path(scratch) / "edition", text=METADATA + "\n" + body, notes=EDIT_NOTES, glossary=None)
        notes_path = (root / NOTES_FILE).resolve()
        try:
            edition = load_edition(root)
        except BuildFailed as failure:
            # Edits can break the Markdown itself (e.g. a footnote reference with no text): that is a
            # load error, which must still be a clear diagnostic on the text file.
            event("load refused")
            for diagnostic in failure.diagnostics:
                assert diagnostic.code.startswith("T") and diagnostic.path is not None and diagnostic.line
                assert "hint: " in diagnostic.render(root)
            return
        try:
            annotated = anchor_edition(edition)
        except BuildFailed as failure:
            codes = sorted({d.code for d in failure.diagnostics})
            event(f"refused: {' '.join(codes)}")
            assert failure.diagnostics
            for diagnostic in failure.diagnostics:
                if diagnostic.code.startswith("T"):  # a load error that did not stop the anchoring
                    assert diagnostic.path is not None and diagnostic.path.name == "text.md" and diagnostic.line
                    assert "hint: " in diagnostic.render(root)
                    continue
                assert diagnostic.code in ("A001", "A002", "A003"), diagnostic.render(root)
                assert diagnostic.path is not None and diagnostic.path.resolve() == notes_path
                note_id = re.match(r"note `([^`]+)`", diagnostic.message).group(1)
                assert diagnostic.line == NOTE_LINES[note_id]
                rendered = diagnostic.render(root)
                assert rendered.startswith(f"{NOTES_FILE}:{diagnostic.line}: error {diagnostic.code} ")
                assert rendered.endswith(f"hint: {diagnostic.hint}")
            return
        event("anchored")
        assert sorted(n.spec.id for n in annotated.notes) == sorted(NOTE_LINES)
        target = Path(scratch) / "edition.epub"
        render_epub(annotated, target)
        with zipfile.ZipFile(target) as book:
            chapter = book.read("EPUB/chapter-01.xhtml")
        lxml.etree.fromstring(chapter)
        for note_id in NOTE_LINES:
            assert f'<aside id="note-{note_id}"'.encode() in chapter


@given(st.text(alphabet=" -—–…ab\u00a0'’\"", max_size=40))
def test_folding_finds_the_same_stretches_whichever_way(text: str) -> None:
    """Without invisible marks, fold's three fixed-prefix patterns find what the one general
    pattern finds; with them, the general pattern is used."""
    from readingedition.anchor.fold import _RESIZED, _resized

    spans = [match.span() for match in _resized(text)]
    assert spans == [match.span() for match in _RESIZED.finditer(text)]
    marked = text + "¹" + text
    assert [m.span() for m in _resized(marked)] == [m.span() for m in _RESIZED.finditer(marked)]

"""Margin notes on a dense page never overlap; and the cases that property found (product bugs
then, fixed since), on one fixed example."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

from readingedition.anchor import anchor_edition
from readingedition.load import load_edition

from . import SETTINGS
from editions_factory import METADATA, make_edition

FILLER = (
    "Nobody in the hall could say when the council had last met in full, and the minutes were lost, "
    "so every speaker began again from the beginning and repeated what the others had said before him."
)


@st.composite
def dense_pages(draw):
    """A page full of text (about 600 words: the body page is full, as on any page but the last) and
    6-12 notes of 3-70 words on random passages, often close together."""
    count = draw(st.integers(6, 12))
    paragraphs = []
    word_index = 0
    while word_index < 560:
        length = draw(st.integers(40, 120))
        paragraphs.append([f"w{i}" for i in range(word_index, word_index + length)])
        word_index += length
    all_words = [(p, i) for p, words in enumerate(paragraphs) for i in range(len(words))]
    # Crowd the notes: all within a window of the text, at most 250 words long.
    first = draw(st.integers(0, len(all_words) - 1))
    window = all_words[first : first + draw(st.integers(count, 250))]
    places = draw(
        st.lists(st.sampled_from(window), min_size=count, max_size=count, unique=True)
        if len(window) >= count
        else st.just(all_words[:count])
    )
    lengths = draw(st.lists(st.integers(3, 70), min_size=count, max_size=count))
    filler = FILLER.split() * 2
    notes = []
    for number, ((paragraph, index), length) in enumerate(zip(places, lengths)):
        start = max(0, index - draw(st.integers(0, 3)))
        quote = " ".join(paragraphs[paragraph][start : index + 1])
        notes.append((f"m{number}", quote, " ".join(filler[:length])))
    text = METADATA + "\n" + "\n\n".join(" ".join(words) + "." for words in paragraphs) + "\n"
    return text, notes


def _margin_overlaps(pdf_path: Path) -> list[str]:
    """Fallback audit with pdfplumber: words right of the text block must not intersect."""
    import pdfplumber

    problems = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
            margin = [w for w in words if w["x0"] > page.width * 150 / 210 + 4]  # text block ends at 150 mm
            for i, a in enumerate(margin):
                for b in margin[i + 1 :]:
                    if (
                        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5
                        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
                    ):
                        problems.append(f"p. {number}: {a['text']!r} meets {b['text']!r}")
    return problems


# Each example lays out a PDF (1-3 s): no shrinking, which would take minutes; a failure prints
# the whole example, which is small enough to read.
@settings(max_examples=4, phases=[Phase.explicit, Phase.reuse, Phase.generate], **SETTINGS)
@given(dense_pages())
def test_margin_notes_never_overlap_on_a_dense_page(page) -> None:
    from readingedition.render.pdf import render_pdf

    text, notes = page
    notes_yaml = "notes:\n" + "".join(
        f"  - id: {note_id}\n    quote: {json.dumps(quote)}\n    note: {json.dumps(body)}\n"
        for note_id, quote, body in notes
    )
    with tempfile.TemporaryDirectory() as scratch:
        root = make_edition(Path(scratch) / "edition", text=text, notes=notes_yaml, glossary=None)
        annotated = anchor_edition(load_edition(root))
        pdf_path = Path(scratch) / "edition.pdf"
        result = render_pdf(annotated, pdf_path)
        assert {placed.note_id for placed in result.placement.notes} == {note_id for note_id, _, _ in notes}
        event(f"{len(result.placement.moved())} notes moved")
        try:
            from readingedition.check.margin_audit import audit_margin_notes
        except ImportError:  # the audit module is not there yet: check the margin column ourselves
            assert _margin_overlaps(pdf_path) == []
        else:
            audit = audit_margin_notes(pdf_path, [note.label for note in annotated.notes])
            assert not audit.overlaps, audit.render()
            assert not audit.missing, audit.render()
            assert _margin_overlaps(pdf_path) == []


@pytest.fixture(scope="module")
def nested_notes_pdf(tmp_path_factory):
    """A short text (one paragraph, ends mid-page) with a note whose call is inside another note's
    passage, and a long note near the end of the text."""
    from readingedition.render.pdf import render_pdf

    body = " ".join(f"w{i}" for i in range(120)) + "."
    long_note = " ".join((FILLER.split() * 2)[:60])
    notes_yaml = (
        "notes:\n"
        '  - id: outer\n    quote: "w0 w1 w2 w3"\n    note: "The outer passage."\n'
        '  - id: inner\n    quote: "w1"\n    note: "Inside the outer passage."\n'
        f'  - id: long\n    quote: "w110"\n    note: {json.dumps(long_note)}\n'
    )
    root = make_edition(
        tmp_path_factory.mktemp("nested") / "edition",
        text=METADATA + "\n" + body + "\n",
        notes=notes_yaml,
        glossary=None,
    )
    annotated = anchor_edition(load_edition(root))
    pdf_path = root / "edition.pdf"
    render_pdf(annotated, pdf_path)
    return annotated, pdf_path


def test_margin_notes_are_not_underlined(nested_notes_pdf) -> None:
    import pdfplumber

    _, pdf_path = nested_notes_pdf
    with pdfplumber.open(str(pdf_path)) as pdf:
        page = next(p for p in pdf.pages if "Inside" in (p.extract_text() or ""))
        column = page.width * 150 / 210 + 4  # the text block ends 150 mm from the left edge
        strokes = [o for o in page.lines + page.rects + page.curves if o["x0"] > column]
    assert strokes == [], f"{len(strokes)} lines drawn in the margin column"


def test_audit_accepts_a_note_below_the_last_line_of_a_short_text(nested_notes_pdf) -> None:
    from readingedition.check.margin_audit import audit_margin_notes

    annotated, pdf_path = nested_notes_pdf
    assert _margin_overlaps(pdf_path) == []  # nothing actually meets in the margin
    audit = audit_margin_notes(pdf_path, [note.label for note in annotated.notes])
    assert not audit.missing
    assert not audit.overlaps, audit.render()

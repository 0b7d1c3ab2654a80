"""Property tests of anchoring and layout, with Hypothesis.

* Random notes and glossary terms on random passages of a generated text always give a valid
  edition with every note present: passages at paragraph ends, inside and across italics,
  overlapping, inside footnotes and just before footnote markers, and two notes on one passage.
* Random edits of the text never crash the anchoring: it succeeds, or refuses with A001/A002/A003
  naming the note's file and line.
* Random notes of random lengths on a dense page never overlap in the PDF's margin.

The text is made of distinct words (w0 w1 w2 …), so any run of words occurs once and quotes
need no prefix. Everything is built in-process (load_edition, anchor_edition, render_epub /
render_pdf); example counts are kept small so the file runs in well under 20 s.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import lxml.etree
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from readingedition.anchor import anchor_edition
from readingedition.ast import stringify
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition
from readingedition.render.epub import render_epub

from editions_factory import METADATA, NOTES_FILE, make_edition

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------------------------
# A generated text: paragraphs of distinct words, with italics and footnotes


@dataclass(frozen=True)
class Word:
    text: str
    punct: str  # "", "," or "." after the word
    italic_open: bool = False
    italic_close: bool = False
    footnote: int = 0  # number of the footnote whose marker follows the word, or 0


@dataclass(frozen=True)
class GeneratedText:
    paragraphs: tuple[tuple[Word, ...], ...]
    footnotes: tuple[tuple[Word, ...], ...]  # footnote n is footnotes[n - 1]

    def segments(self) -> list[tuple[Word, ...]]:
        """Every run a passage may be in: the paragraphs, then the footnotes."""
        return [*self.paragraphs, *self.footnotes]

    def markdown(self) -> str:
        body = "\n\n".join(_words_markdown(words) for words in self.paragraphs)
        feet = "\n\n".join(f"[^{n}]: {_words_markdown(words)}" for n, words in enumerate(self.footnotes, 1))
        return METADATA + "\n" + body + ("\n\n" + feet if feet else "") + "\n"


def _words_markdown(words: tuple[Word, ...]) -> str:
    out = []
    for word in words:
        piece = ("*" if word.italic_open else "") + word.text + ("*" if word.italic_close else "") + word.punct
        if word.footnote:
            piece += f"[^{word.footnote}]"
        out.append(piece)
    return " ".join(out)


def reader_text(words: tuple[Word, ...], start: int, end: int, closing_punct: bool) -> str:
    """What a reader sees of words[start:end + 1]: the quote of a passage over them."""
    parts = [w.text + w.punct for w in words[start:end]] + [
        words[end].text + (words[end].punct if closing_punct else "")
    ]
    return " ".join(parts)


@st.composite
def texts(draw, max_paragraphs: int = 3, max_words: int = 12) -> GeneratedText:
    counter = iter(range(10_000))
    footnote_count = 0

    def run(length: int, allow_footnotes: bool) -> tuple[Word, ...]:
        nonlocal footnote_count
        words = []
        italic = sorted(draw(st.lists(st.integers(0, length - 1), max_size=2, unique=True)))
        for index in range(length):
            last = index == length - 1
            punct = "." if last else draw(st.sampled_from(["", "", "", ","]))
            footnote = 0
            if allow_footnotes and draw(st.integers(0, 5)) == 0:
                footnote_count += 1
                footnote = footnote_count
            words.append(Word(f"w{next(counter)}", punct, footnote=footnote))
        if italic:  # at most one italic run (one word, or several)
            first, last = italic[0], italic[-1]
            words[first] = replace(words[first], italic_open=True)
            words[last] = replace(words[last], italic_close=True)
        return tuple(words)

    paragraphs = tuple(run(draw(st.integers(3, max_words)), True) for _ in range(draw(st.integers(1, max_paragraphs))))
    footnotes = tuple(run(draw(st.integers(2, 5)), False) for _ in range(footnote_count))
    return GeneratedText(paragraphs, footnotes)


@dataclass(frozen=True)
class Passage:
    segment: int
    start: int
    end: int
    closing_punct: bool

    def quote(self, text: GeneratedText) -> str:
        return reader_text(text.segments()[self.segment], self.start, self.end, self.closing_punct)


@st.composite
def passages(draw, text: GeneratedText) -> Passage:
    segments = text.segments()
    segment = draw(st.integers(0, len(segments) - 1))
    words = segments[segment]
    # Bias the end towards the interesting places: the paragraph's end, a footnote marker, italics.
    special = [len(words) - 1] + [i for i, w in enumerate(words) if w.footnote or w.italic_open or w.italic_close]
    end = draw(st.one_of(st.sampled_from(special), st.integers(0, len(words) - 1)))
    start = draw(st.integers(max(0, end - 5), end))
    closing_punct = bool(words[end].punct) and draw(st.booleans())
    return Passage(segment, start, end, closing_punct)


@st.composite
def annotated_texts(draw):
    text = draw(texts())
    notes = draw(st.lists(passages(text), min_size=1, max_size=8))
    if draw(st.booleans()):
        notes.append(draw(st.sampled_from(notes)))  # two notes on the same passage
    all_words = [w for words in text.paragraphs for w in words]
    term_words = draw(st.lists(st.sampled_from(all_words), max_size=3, unique_by=lambda w: w.text))
    terms: list[str] = []
    used: set[str] = set()
    for word in term_words:
        # A one-word term, or a two-word term running over the next word (maybe across markup).
        # Terms never share a word: a term inside a longer one's occurrence is rightly not linked.
        words = next(ws for ws in text.paragraphs if word in ws)
        index = words.index(word)
        chosen = [word.text]
        if index + 1 < len(words) and not word.punct and draw(st.booleans()):
            chosen.append(words[index + 1].text)
        if used.isdisjoint(chosen):
            used.update(chosen)
            terms.append(" ".join(chosen))
    return text, notes, terms


def _annotation_files(text: GeneratedText, notes: list[Passage], terms: list[str]) -> tuple[str, str, dict]:
    quotes = {}
    lines = ["notes:"]
    for index, passage in enumerate(notes):
        note_id = f"n{index}"
        quotes[note_id] = passage.quote(text)
        lines += [
            f"  - id: {note_id}",
            f"    quote: {json.dumps(quotes[note_id])}",
            f"    note: {json.dumps(f'Note {index}: *about* {quotes[note_id]}.')}",
        ]
    glossary = ["glossary:"]
    for term in terms:
        glossary += [
            f"  - term: {json.dumps(term)}",
            f"    short: {json.dumps('Short gloss of ' + term)}",
            f"    definition: {json.dumps('The definition of ' + term + '.')}",
        ]
    return "\n".join(lines) + "\n", ("\n".join(glossary) + "\n") if terms else "", quotes


def _flatten(inlines: list[Any], out: list[Any]) -> None:
    """The reader text of an inline list, char by char, with ("call", id) and ("fn",) markers."""
    for inline in inlines:
        t, c = inline["t"], inline.get("c")
        if t == "Str":
            out.extend(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t == "Note":
            out.append(("fn",))
        elif t == "Span" and "note-call" in c[0][1]:
            out.append(("call", dict(c[0][2])["data-note"]))
        elif t in ("Span", "Link", "Cite", "Quoted"):
            _flatten(c[1], out)
        elif isinstance(c, list) and t not in ("Code", "Math", "RawInline", "Image"):
            _flatten(c, out)


def _inline_lists(node: Any):
    """Every paragraph's inline list, footnote paragraphs included."""
    if isinstance(node, dict):
        if node.get("t") in ("Para", "Plain"):
            yield node["c"]
        for value in node.values():
            yield from _inline_lists(value)
    elif isinstance(node, list):
        for value in node:
            yield from _inline_lists(value)


def _glossed_text(node: Any, out: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        if node.get("t") == "Span" and "glossed" in node["c"][0][1]:
            out.setdefault(dict(node["c"][0][2])["data-note"], []).append(stringify(node["c"][1]))
        for value in node.values():
            _glossed_text(value, out)
    elif isinstance(node, list):
        for value in node:
            _glossed_text(value, out)


def _text_before_calls(blocks: list[Any]) -> dict[str, str]:
    """For each note, the reader text of its paragraph before its call ("\x01" for a footnote marker)."""
    before: dict[str, str] = {}
    for inlines in _inline_lists(blocks):
        flat: list[Any] = []
        _flatten(inlines, flat)
        text = ""
        for token in flat:
            if isinstance(token, str):
                text += token
            elif token[0] == "fn":
                text += "\x01"
            else:
                assert token[1] not in before, f"two calls for note {token[1]}"
                before[token[1]] = text
    return before


@settings(max_examples=40, **SETTINGS)
@given(annotated_texts())
def test_random_notes_and_terms_give_a_valid_edition(case) -> None:
    text, notes, terms = case
    notes_yaml, glossary_yaml, quotes = _annotation_files(text, notes, terms)
    event(f"{len(notes)} notes")
    with tempfile.TemporaryDirectory() as scratch:
        root = make_edition(
            Path(scratch) / "edition", text=text.markdown(), notes=notes_yaml, glossary=glossary_yaml or None
        )
        try:
            annotated = anchor_edition(load_edition(root))
        except BuildFailed as failure:
            pytest.fail(
                f"a valid edition was refused:\n{failure}\n--- text:\n{text.markdown()}\n--- notes:\n{notes_yaml}"
            )
        assert {n.spec.id for n in annotated.notes} == set(quotes)
        assert [n.label for n in annotated.notes] == [chr(ord("a") + i) for i in range(len(quotes))]

        # In the anchored text: each note's call follows its passage (before any footnote marker),
        # and the pieces marked as its passage are the quote.
        blocks = [block for chapter in annotated.chapters for block in chapter.blocks]
        before = _text_before_calls(blocks)
        glossed: dict[str, list[str]] = {}
        _glossed_text(blocks, glossed)
        for note_id, quote in quotes.items():
            # Footnote markers inside the passage stay; none may come between its end and the call.
            assert before[note_id].replace("\x01", "").endswith(quote), (note_id, quote, before[note_id])
            assert not before[note_id].endswith("\x01"), (note_id, quote, before[note_id])
            assert "".join(glossed[note_id]) == quote, (note_id, quote, glossed[note_id])

        # Every term in the main text is linked (once: glossary-links: first, one chapter).
        for term in terms:
            slug = term.replace(" ", "-")
            assert annotated.report.term_uses[slug] == 1, (term, annotated.report.term_uses)

        epub_path = Path(scratch) / "edition.epub"
        render_epub(annotated, epub_path)
        with zipfile.ZipFile(epub_path) as book:
            pages = {name: book.read(name) for name in book.namelist() if name.endswith(".xhtml")}
        for data in pages.values():
            lxml.etree.fromstring(data)  # well-formed XHTML
        chapter = pages["EPUB/chapter-01.xhtml"].decode("utf-8")
        for note_id in quotes:
            assert chapter.count(f'<aside id="note-{note_id}"') == 1, note_id
            assert chapter.count(f'id="call-{note_id}"') == 1, note_id
            assert chapter.count(f'href="#note-{note_id}"') == 1, note_id
        for term in terms:
            assert f'href="glossary.xhtml#gloss-{term.replace(" ", "-")}"' in chapter

        from readingedition.check.fidelity import epub_fidelity

        report = epub_fidelity(annotated, epub_path)
        assert report.ok, report.render()


# ---------------------------------------------------------------------------------------------
# Random edits of the text: the anchoring succeeds or says clearly what no longer matches


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


# ---------------------------------------------------------------------------------------------
# Margin notes on a dense page never overlap


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


# ---------------------------------------------------------------------------------------------
# Cases the dense-page property found (product bugs then, fixed since), on one fixed example


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


@given(st.text(alphabet=" -—–…ab\u00a0'’\"", max_size=40))
def test_folding_finds_the_same_stretches_whichever_way(text: str) -> None:
    """Without invisible marks, fold's three fixed-prefix patterns find what the one general
    pattern finds; with them, the general pattern is used."""
    from readingedition.anchor.fold import _RESIZED, _resized

    spans = [match.span() for match in _resized(text)]
    assert spans == [match.span() for match in _RESIZED.finditer(text)]
    marked = text + "¹" + text
    assert [m.span() for m in _resized(marked)] == [m.span() for m in _RESIZED.finditer(marked)]

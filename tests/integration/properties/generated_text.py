"""A generated text (paragraphs of distinct words, with italics and footnotes), passages on it,
and the annotation files that quote them."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from editions_factory import METADATA


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


def annotation_files(text: GeneratedText, notes: list[Passage], terms: list[str]) -> tuple[str, str, dict]:
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

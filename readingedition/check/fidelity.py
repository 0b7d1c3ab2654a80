"""Check stage: is the whole text in each edition, once and in order, with nothing stray?

Compares the words a reader sees in the built EPUB and PDF with the words of the source text
(paragraphs only: headings are the editions' own business), and checks that every editor's
note and glossary definition reached both. Failures say what is missing or extra, and where.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.etree
import pdfplumber
from pdfminer.pdfdocument import PDFDestinationNotFound
from pdfminer.pdftypes import resolve1

from ..diagnostics import Diagnostic
from ..markup import BACK_MATTER, CHAPTER_FILE, FOOTNOTE_REF, GLOSSARY, NOTE_CALL, VERSE_LINE, note_id
from ..model import AnnotatedEdition
from .source_text import (
    compare,
    contains,
    contains_in_parts,
    expected_definitions,
    expected_notes,
    keys,
    list_number,
    source_words,
)

STRAY_MARKUP = ("[^", "$^", "<span", "&amp;", "**")
_XHTML = "{http://www.w3.org/1999/xhtml}"
_HYPHENS = "-\u2010\u00ad"
PAGE_MARGIN = 60  # points: less than the 24 mm top and 26 mm bottom page margins


@dataclass(frozen=True)
class FidelityReport:
    edition: str  # "EPUB" or "PDF"
    words: int
    differences: tuple[str, ...]
    missing_notes: tuple[str, ...]
    missing_definitions: tuple[str, ...]
    stray_markup: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.differences or self.missing_notes or self.missing_definitions or self.stray_markup)

    @property
    def summary(self) -> str:
        return (
            f"{self.edition} fidelity: {self.words} words of text "
            f"{'present once and in order' if not self.differences else 'DIFFER from the source'}; "
            f"notes missing: {len(self.missing_notes)}; definitions missing: {len(self.missing_definitions)}; "
            f"stray markup: {len(self.stray_markup)}"
        )

    def diagnostics(self, path: Path) -> tuple[Diagnostic, ...]:
        """Each problem as an error about the edition at `path`."""
        return (
            *(Diagnostic("V006", f"{self.edition} text: {d}", path) for d in self.differences),
            *(Diagnostic("V007", f"the note `{n}` is not in the {self.edition}", path) for n in self.missing_notes),
            *(
                Diagnostic("V008", f"the definition of `{d}` is not in the {self.edition}", path)
                for d in self.missing_definitions
            ),
            *(Diagnostic("V009", f"{s!r} shows as text in the {self.edition}", path) for s in self.stray_markup),
        )

    def render(self) -> str:
        lines = [self.summary, *("  " + d for d in self.differences[:20])]
        lines += [f"  missing note: {n}" for n in self.missing_notes]
        lines += [f"  missing definition: {d}" for d in self.missing_definitions]
        lines += [f"  stray markup: {s}" for s in self.stray_markup]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# EPUB


def epub_fidelity(annotated: AnnotatedEdition, path: Path) -> FidelityReport:
    with zipfile.ZipFile(path) as book:
        names = sorted(n for n in book.namelist() if CHAPTER_FILE.search(n))
        trees = [lxml.etree.fromstring(book.read(n)) for n in names]
        apparatus = [lxml.etree.fromstring(book.read(n)) for n in book.namelist() if n.endswith(GLOSSARY.file_name)]
    text_words: list[str] = []
    note_text: dict[str, str] = {}
    shown = []
    for tree in trees:
        for aside in tree.iter(f"{_XHTML}aside"):
            note_text[aside.get("id", "")] = "".join(keys(" ".join(aside.itertext())))
        for words in _shown_blocks(tree.find(f"{_XHTML}body")):
            text_words.extend(keys(words))
        shown.append(" ".join(tree.find(f"{_XHTML}body").itertext()))
    glossary_text = "".join("".join(keys(" ".join(t.itertext()))) for t in apparatus)
    missing_notes = tuple(
        nid for nid, body in expected_notes(annotated).items() if not contains(note_text.get(note_id(nid), ""), body)
    )
    missing_defs = tuple(
        term for term, body in expected_definitions(annotated).items() if not contains(glossary_text, body)
    )
    stray = tuple(sorted({m for text in shown for m in STRAY_MARKUP if m in text}))
    return FidelityReport(
        "EPUB", len(text_words), compare(source_words(annotated), text_words), missing_notes, missing_defs, stray
    )


_TEXT_BLOCKS = {f"{_XHTML}{tag}" for tag in ("p", "li", "dt", "dd", "td", "th", "caption", "figcaption")}
_SKIPPED = {f"{_XHTML}{tag}" for tag in ("aside", "h1", "h2", "h3", "h4", "h5", "h6", "nav")}
_NESTED = _TEXT_BLOCKS | {f"{_XHTML}{tag}" for tag in ("ul", "ol", "dl", "table", "blockquote", "div", "figure")}


def _shown_blocks(element: Any) -> Iterable[str]:
    """The text of each block a reader sees, in order (notes, headings and calls left out); an
    ordered list's item starts with its number, which the reading system draws."""
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED:
            continue
        if child.tag in _TEXT_BLOCKS or VERSE_LINE in (child.get("class") or "").split():
            number = _item_number(child)
            yield (number + " " if number else "") + _visible_text(child)
        yield from _shown_blocks(child)


def _item_number(item: Any) -> str:
    parent = item.getparent()
    if item.tag != f"{_XHTML}li" or parent is None or parent.tag != f"{_XHTML}ol":
        return ""
    styles = {"a": "LowerAlpha", "A": "UpperAlpha", "i": "LowerRoman", "I": "UpperRoman"}
    items = [c for c in parent if c.tag == f"{_XHTML}li"]
    start = int(parent.get("start", "1"))
    return list_number(styles.get(parent.get("type", "1"), "Decimal"), start + items.index(item))


def _visible_text(element: Any) -> str:
    """A block's own text without note calls (apparatus, not the author's words) and without the
    blocks nested in it (they are read on their own)."""
    parts = [element.text or ""]
    for child in element:
        if (
            isinstance(child.tag, str)
            and child.tag not in _NESTED
            and not (child.tag == f"{_XHTML}a" and child.get("class") in (NOTE_CALL, FOOTNOTE_REF))
        ):
            parts.append(_visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# PDF


def _body_size(pages: list[list[dict[str, Any]]], expected: list[str]) -> float:
    """The body text's size: of the commonest sizes on these pages (their characters), the one
    whose text reads most like the source's (pairs of words in its order); on a densely
    annotated page the notes' size can be the commonest."""
    counts: dict[float, int] = {}
    for chars in pages:
        for char in chars:
            counts[round(char["size"], 1)] = counts.get(round(char["size"], 1), 0) + 1
    pairs = set(zip(expected, expected[1:]))

    def score(size: float) -> float:
        found = total = 0
        for chars in pages:
            words = keys(_dehyphenate(_lines([c for c in chars if round(c["size"], 1) == size])))
            found += sum(1 for pair in zip(words, words[1:]) if pair in pairs)
            total += max(len(words) - 1, 0)
        return found / max(total, 1)

    candidates = sorted(counts, key=lambda size: -counts[size])[:3]
    return max(candidates, key=score) if candidates else 0.0


def _lines(chars: list[dict[str, Any]]) -> list[str]:
    """Group characters into lines top to bottom, words split on the gaps between them."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][-1]["top"] - char["top"]) < 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = ""
        for previous, char in zip([None, *line], line):
            if previous is not None and char["x0"] - previous["x1"] > char["size"] * 0.15:
                text += " "
            text += char["text"]
        out.append(text)
    return out


def _dehyphenate(lines: list[str]) -> str:
    text = ""
    for line in lines:
        line = line.strip()
        if text.endswith(tuple(_HYPHENS)) and text[-2:-1].isalpha():
            text = text[:-1] + line  # a word broken at the line end (or a compound at its hyphen)
        else:
            text += " " + line
    return text


def _first_back_matter_page(pdf: pdfplumber.PDF) -> int:
    """The index of the page where the back matter begins (each part begins a page), found by the
    named destinations of its sections' ids; past the last page if there is none."""
    pages = {page.page_obj.pageid: index for index, page in enumerate(pdf.pages)}
    found = [len(pdf.pages)]
    for part in BACK_MATTER:
        try:
            destination = resolve1(pdf.doc.get_dest(part.id.encode()))
        except PDFDestinationNotFound:  # that part is empty
            continue
        if isinstance(destination, dict):
            destination = resolve1(destination.get("D"))
        found.append(pages.get(getattr(destination[0], "objid", None), len(pdf.pages)))
    return min(found)


def _is_mark(line: str) -> bool:
    """A continuation mark of a note split across pages ("↓ continued on p. 6", "↑ a, continued
    from p. 5"), or of a note carried on ("↑ p. 5"): not the note's text."""
    return line.lstrip().startswith(("\u2191", "\u2193"))


def pdf_fidelity(annotated: AnnotatedEdition, path: Path) -> FidelityReport:
    """Body text is the body-size type in the text block, up to the back matter; editors' notes
    are in the margins (either side) or, at the page foot, in smaller type in the text block."""
    expected = source_words(annotated)
    body_lines: list[str] = []
    margin_lines: list[str] = []
    foot_lines: list[str] = []
    back_lines: list[str] = []
    all_text = []
    with pdfplumber.open(path) as pdf:
        body_size = _body_size([page.chars for page in pdf.pages[2:6]], expected)
        back_matter = _first_back_matter_page(pdf)
        blocks: dict[int, tuple[float, float]] = {}
        for number, page in enumerate(pdf.pages):
            all_text.append(page.extract_text() or "")
            # Leave out the running head and page number, which sit in the page's top and bottom margins.
            chars = [c for c in page.chars if PAGE_MARGIN < c["top"] and c["bottom"] < page.height - PAGE_MARGIN]
            if number < 2:  # title page and contents
                continue
            # The text block: where the body text is, on the pages so far on the same side (a
            # two-sided packet mirrors it; a page of notes only, or of back matter set in other
            # sizes, has no body text to tell).
            body = [c for c in chars if abs(c["size"] - body_size) < 0.3]
            if body and number < back_matter:  # (the widest yet: a page of verse is narrower)
                seen = blocks.get(page.page_number % 2, (float("inf"), float("-inf")))
                blocks[page.page_number % 2] = (
                    min(seen[0], min(c["x0"] for c in body) - 1),
                    max(seen[1], max(c["x1"] for c in body) + 1),
                )
            block = blocks.get(page.page_number % 2)
            if block is None and blocks:  # none yet on this side: the other side's, mirrored
                other = next(iter(blocks.values()))
                block = (float(page.width) - other[1], float(page.width) - other[0])
            if block is None:
                continue
            column = [c for c in chars if block[0] <= c["x0"] and c["x1"] <= block[1]]
            margin_lines.extend(line for line in _lines([c for c in chars if c["x0"] > block[1]]) if not _is_mark(line))
            margin_lines.extend(line for line in _lines([c for c in chars if c["x1"] < block[0]]) if not _is_mark(line))
            if number >= back_matter:
                back_lines.extend(_lines(column))
            else:
                body_lines.extend(_lines([c for c in column if abs(c["size"] - body_size) < 0.3]))
                foot_lines.extend(_lines([c for c in column if c["size"] < body_size - 0.3]))
    words = keys(_dehyphenate(body_lines))
    apparatus = ["".join(keys(_dehyphenate(lines))) for lines in (margin_lines, foot_lines)]
    back_text = "".join(keys(_dehyphenate(back_lines)))
    missing_notes = tuple(
        nid
        for nid, body in expected_notes(annotated).items()
        if not any(contains_in_parts(text, body) for text in apparatus)
    )
    missing_defs = tuple(
        term for term, body in expected_definitions(annotated).items() if not contains(back_text, body)
    )
    stray = tuple(sorted({m for text in all_text for m in STRAY_MARKUP if m in text}))
    return FidelityReport("PDF", len(words), compare(expected, words), missing_notes, missing_defs, stray)

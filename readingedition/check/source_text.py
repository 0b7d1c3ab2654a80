"""What the editions must hold: the words of the source text as a reader sees them, each
editor's note and glossary definition; and how the words found in an edition are compared
with them."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..ast import split_chapters, stringify, table_blocks
from ..model import AnnotatedEdition


def _key(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", word).lower() if c.isalnum())


def keys(text: str) -> list[str]:
    return [k for k in (_key(w) for w in re.split(r"[\s…—–]+", text)) if k]


def _pieces(element: Any) -> list[str]:
    """The text of an element in pieces between citations, which citeproc formats its own way."""

    def cut(node: Any) -> Any:
        if isinstance(node, list):
            return [cut(n) for n in node]
        if isinstance(node, dict) and node.get("t") == "Cite":
            return {"t": "Str", "c": "\x00"}
        if isinstance(node, dict) and "c" in node:
            return {**node, "c": cut(node["c"])}
        return node

    return stringify(cut(element)).split("\x00")


def source_words(annotated: AnnotatedEdition) -> list[str]:
    """The words of the text as a reader sees them, headings and footnotes left out: paragraphs,
    verse line by line, lists (with their numbers), definition lists, tables, figure captions."""
    words: list[str] = []
    for _, blocks in split_chapters(annotated.edition.document["blocks"]):
        for block in _paragraphs(blocks):
            words.extend(keys(stringify(_without_images(block))))
    return words


def _without_images(node: Any) -> Any:
    """An image shows a picture, not its alt text (a figure's caption is its own block)."""
    if isinstance(node, list):
        return [_without_images(n) for n in node if not (isinstance(n, dict) and n.get("t") == "Image")]
    if isinstance(node, dict) and "c" in node:
        return {**node, "c": _without_images(node["c"])}
    return node


def _plain(inlines: list[Any]) -> dict[str, Any]:
    return {"t": "Plain", "c": inlines}


def list_number(style: str, number: int) -> str:
    """An ordered list item's number as it is shown: 3, c, C, iii or III."""
    if style in ("LowerAlpha", "UpperAlpha"):
        letter = chr(ord("a") + (number - 1) % 26)
        return letter if style == "LowerAlpha" else letter.upper()
    if style in ("LowerRoman", "UpperRoman"):
        roman = ""
        for value, digits in (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ):
            while number >= value:
                roman, number = roman + digits, number - value
        return roman if style == "LowerRoman" else roman.upper()
    return str(number)


def _paragraphs(blocks: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            yield block
        elif kind == "LineBlock":
            yield from (_plain(line) for line in content)
        elif kind == "BlockQuote":
            yield from _paragraphs(content)
        elif kind == "Div":
            yield from _paragraphs(content[1])
        elif kind == "BulletList":
            for item in content:
                yield from _paragraphs(item)
        elif kind == "OrderedList":
            (start, style, _), items = content
            for index, item in enumerate(items):
                yield _plain([{"t": "Str", "c": list_number(style["t"], start + index)}])
                yield from _paragraphs(item)
        elif kind == "DefinitionList":
            for term, definitions in content:
                yield _plain(term)
                for definition in definitions:
                    yield from _paragraphs(definition)
        elif kind == "Figure":
            yield from _paragraphs(content[1][1])
        elif kind == "Table":
            for cell in table_blocks(content):
                yield from _paragraphs(cell)


def compare(expected: list[str], found: list[str], context: int = 6) -> tuple[str, ...]:
    if expected == found:
        return ()
    out = []
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        where = " ".join(expected[max(0, a1 - context) : a1])
        if op in ("delete", "replace"):
            out.append(f"missing after “…{where}”: {' '.join(expected[a1:a2][:30])}")
        if op in ("insert", "replace"):
            out.append(f"extra after “…{where}”: {' '.join(found[b1:b2][:30])}")
    return tuple(out)


def contains(haystack: str, pieces: list[str]) -> bool:
    """Every piece is in the haystack, in order."""
    position = 0
    for piece in pieces:
        key = "".join(keys(piece))
        found = haystack.find(key, position)
        if found < 0:
            return False
        position = found + len(key)
    return True


def contains_in_parts(haystack: str, pieces: list[str], parts: int = 6, shortest: int = 20) -> bool:
    """Every piece is in the haystack, in order, each in at most ``parts`` runs in order (a note
    that starts in one page's margin and continues in a later one has other notes between its
    parts); each run but a piece's last is at least ``shortest`` characters long."""
    position = 0
    for piece in pieces:
        key = "".join(keys(piece))
        for _ in range(parts):
            low, high = 0, len(key)  # the longest prefix of key found after position
            while low < high:
                middle = (low + high + 1) // 2
                if haystack.find(key[:middle], position) >= 0:
                    low = middle
                else:
                    high = middle - 1
            if low < min(shortest, len(key)):
                return False
            position = haystack.find(key[:low], position) + low
            key = key[low:]
            if not key:
                break
        if key:
            return False
    return True


def expected_notes(annotated: AnnotatedEdition) -> dict[str, list[str]]:
    return {n.spec.id: _pieces(n.body) for n in annotated.notes}


def expected_definitions(annotated: AnnotatedEdition) -> dict[str, list[str]]:
    return {e.term: _pieces(annotated.edition.term_definitions[e.slug]) for e in annotated.edition.annotations.glossary}

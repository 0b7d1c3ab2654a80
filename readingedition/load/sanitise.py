"""The one sanitiser for everything an editor supplies, applied after pandoc parses it.

Editions are shared and received, so nothing in one may reach a reader's device or the
builder's machine as live markup: the text, the notes, the glossary, the references (citeproc's
output, citations' prefixes and suffixes included) and the metadata all pass through here.

  links      http:, https:, mailto: or #internal only;
  images     in the text only (load/text.py finds their files, through resolve_image: a relative
             path to a file inside the edition, never a URL);
  attributes `lang` and `dir`, and classes the style sheets document; never `on*`, `style` or `rel`;
             the classes and ids the build makes for itself are refused (a heading's id that
             would take one is renamed instead: pandoc makes those ids from the words);
  raw HTML   shown as the text it is, wherever it comes from;
  text       no character XML cannot hold; nesting and paragraphs within limits the builder
             can lay out.

Every problem is a Diagnostic with the file and line; the caller raises them together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import markup
from ..diagnostics import Diagnostic

LINK_SCHEMES = ("http", "https", "mailto")
# Classes pandoc itself gives what an editor writes: autolinks (uri, email), `{-}` on a heading.
# An editor may also use any class a style sheet documents (`/* editor classes: a, b */`).
PANDOC_CLASSES = frozenset({"uri", "email", "unnumbered"}) | markup.PANDOC_CLASSES
_EDITOR_CLASSES = re.compile(r"editor classes:([^*]*)\*/")
# The build's own names (markup.py), refused in what an editor writes.
RESERVED_CLASS_PREFIXES = (markup.KIND_PREFIX, markup.GLOSS_PREFIX, "csl-")
RENAMED_HEADING = "section-"  # what a heading's id that would take a reserved one starts with instead
MAX_DEPTH = 64  # elements inside elements; YAML collections inside collections
MAX_PARAGRAPH = 100_000  # characters between two blank lines of Markdown

_ATTR_AT = {"Span": 0, "Div": 0, "Code": 0, "CodeBlock": 0, "Link": 0, "Image": 0, "Header": 1, "Table": 0, "Figure": 0}
_CODE_CLASS = re.compile(r"[A-Za-z][A-Za-z0-9_+#-]*")  # a language name on code
_LENGTH = re.compile(r"\d+(\.\d+)?(px|em|cm|mm|in|%)?")
_DIRECTIONS = ("ltr", "rtl", "auto")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")  # what browsers drop from a URL before reading its scheme
# RFC 5646 well-formed tags (the grandfathered irregular tags aside).
_BCP47 = re.compile(
    r"(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|\d[a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+)",
    re.IGNORECASE,
)
# Citeproc's own markup in formatted citations and the bibliography.
_CSL_CLASSES = ("references", "hanging-indent", "nocase")
_CSL_KEYS = ("entry-spacing", "line-spacing")


def is_language_tag(value: str) -> bool:
    return _BCP47.fullmatch(value) is not None


def is_reserved_id(ident: str) -> bool:
    return ident in markup.RESERVED_IDS or ident.startswith(markup.RESERVED_ID_PREFIXES)


def is_reserved_class(name: str) -> bool:
    return name in markup.CLASSES - PANDOC_CLASSES or name.startswith(RESERVED_CLASS_PREFIXES)


def documented_classes(css: str) -> set[str]:
    """The classes a style sheet documents as an editor's: `/* editor classes: a, b */`."""
    return {name.strip() for names in _EDITOR_CLASSES.findall(css) for name in names.split(",") if name.strip()}


def link_allowed(url: str) -> bool:
    bare = _INVISIBLE.sub("", url)
    if bare.startswith("#"):
        return True
    scheme = _SCHEME.match(bare)
    return scheme is not None and scheme.group(1).lower() in LINK_SCHEMES


def resolve_image(url: str, base: Path, root: Path) -> Path | None:
    """The file an image URL names, relative to `base` (the Markdown file's directory), if it
    is a relative path to a file inside the edition `root` (symlinks followed); else None."""
    bare = _INVISIBLE.sub("", url)
    parts = urlsplit(bare)
    if _SCHEME.match(bare) or bare.startswith(("/", "\\")) or parts.netloc or not parts.path:
        return None
    path = (base / unquote(parts.path)).resolve()
    return path if path.is_relative_to(root.resolve()) else None


@dataclass(frozen=True)
class Place:
    """Where a piece of Markdown came from: a label for messages, and its file and line; for
    the text, `sources` (each file and its text) to find the line of what is wrong in."""

    label: str
    path: Path | None
    line: int | None = None
    sources: tuple[tuple[Path, str], ...] = ()
    images: bool = False  # may it show images (the text may; notes, glossary and references may not)

    def at(self, needle: str) -> tuple[Path | None, int | None]:
        for path, text in self.sources:
            offset = text.find(needle)
            if offset >= 0:
                return path, text.count("\n", 0, offset) + 1
        return self.path, self.line


def check_source(text: str, path: Path) -> list[Diagnostic]:
    """What no Markdown file may hold, found in its source where the line is exact: characters
    XML cannot hold, and paragraphs too large to lay out."""
    problems = []
    bad = _NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        problems.append(
            Diagnostic("T009", f"the control character U+{ord(bad.group()):04X} is in the text", path, line)
        )
    start = 0
    for gap in (*re.finditer(r"\n[ \t]*\n", text), None):
        end = gap.start() if gap else len(text)
        if end - start > MAX_PARAGRAPH:
            problems.append(
                Diagnostic(
                    "S004",
                    f"a paragraph of {end - start:,} characters is longer than the "
                    f"{MAX_PARAGRAPH:,} the builder lays out",
                    path,
                    text.count("\n", 0, start) + 1,
                )
            )
            break
        start = gap.end() if gap else end
    return problems


def check_yaml_depth(events: Iterable[Any], path: Path, first_line: int = 1) -> Diagnostic | None:
    """YAML collections nested deeper than MAX_DEPTH (from the parser's events, the text starting
    at `first_line` of `path`), before composing."""
    depth = 0
    for event in events:
        kind = type(event).__name__
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                return Diagnostic(
                    "S003",
                    f"the YAML nests more than {MAX_DEPTH} levels deep",
                    path,
                    event.start_mark.line + first_line,
                )
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1
    return None


class Sanitiser:
    """Checks (and, for raw HTML and headings' ids, rewrites in place) parsed Markdown."""

    def __init__(self) -> None:
        self.problems: list[Diagnostic] = []
        self.renamed: dict[str, str] = {}  # heading ids moved out of the build's way
        self.classes: dict[str, Place] = {}  # classes the style sheets must document, and where first used

    def editors(self, node: Any, place: Place) -> None:
        """Markdown an editor wrote: the text, its metadata, a note, a glossary entry."""
        self._walk(node, place, formatted=False)

    def formatted(self, node: Any, place: Place) -> None:
        """citeproc's output: the references' fields are an editor's Markdown too."""
        self._walk(node, place, formatted=True)

    def check_classes(self, documented: set[str]) -> None:
        """Once the edition's style sheets are known: every class used must be documented there."""
        for name, place in self.classes.items():
            if name not in documented:
                self._problem(
                    "S001", f"uses the class `{name}`, which the edition's styles do not document", place, name
                )

    def relink(self, node: Any) -> None:
        """Point internal links at the new ids of renamed headings."""
        if not self.renamed:
            return
        for element in _iterate(node):
            if element.get("t") == "Link" and element["c"][2][0].startswith("#"):
                target = element["c"][2][0][1:]
                element["c"][2][0] = "#" + self.renamed.get(target, target)

    def _problem(self, code: str, message: str, place: Place, needle: str = "") -> None:
        path, line = place.at(needle) if needle else (place.path, place.line)
        self.problems.append(Diagnostic(code, f"{place.label} {message}", path, line))

    def _walk(self, node: Any, place: Place, formatted: bool) -> None:
        stack: list[tuple[Any, int]] = [(node, 0)]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            item, depth = pop()
            if type(item) is list:
                extend(zip(reversed(item), repeat(depth)))
            elif type(item) is dict:
                if type(item.get("t")) is not str:  # a citation's record, a metadata map (even one with a key `t`)
                    extend(zip(reversed(item.values()), repeat(depth)))
                    continue
                if depth >= MAX_DEPTH:
                    self._problem("S003", f"nests more than {MAX_DEPTH} levels deep", place)
                    return
                kind, content = item["t"], item.get("c")
                # A short way through the commonest elements: words and the spaces between them.
                if kind == "Str" and type(content) is str:
                    self._text(content, place)
                    continue
                if content is None and kind in ("Space", "SoftBreak", "LineBreak"):
                    continue
                self._element(item, place, formatted)
                if "c" in item:
                    push((item["c"], depth + 1))

    def _element(self, element: dict[str, Any], place: Place, formatted: bool) -> None:
        kind = element["t"]
        if kind in ("RawInline", "RawBlock"):  # shown as the text it is
            raw = element["c"][1]
            element.clear()
            element.update(
                {"t": "Str", "c": raw} if kind == "RawInline" else {"t": "Para", "c": [{"t": "Str", "c": raw}]}
            )
            kind = element["t"]
        if kind == "Str" or kind in ("Code", "CodeBlock"):
            self._text(element["c"] if kind == "Str" else element["c"][1], place)
        if kind == "Link":
            url = element["c"][2][0]
            if not link_allowed(url):
                self._problem("A005", f"links to {url!r}", place, url)
        elif kind == "Image" and not place.images:  # the text's images: load/text.py, with resolve_image
            url = element["c"][2][0]
            self._problem("A005", f"includes an image ({url!r})", place, url)
        if kind in _ATTR_AT:
            self._attributes(element, kind, element["c"][_ATTR_AT[kind]], place, formatted)

    def _text(self, text: str, place: Place) -> None:
        bad = _NOT_XML.search(text)
        if bad:
            self._problem("T009", f"holds the control character U+{ord(bad.group()):04X}", place)

    def _attributes(self, element: dict[str, Any], kind: str, attr: list[Any], place: Place, formatted: bool) -> None:
        ident, classes, pairs = attr
        if ident and formatted and (ident == "refs" or ident.startswith(markup.REFERENCE_PREFIX)):
            pass  # citeproc's anchors for the bibliography
        elif ident and is_reserved_id(ident):
            if kind == "Header":
                attr[0] = self.renamed[ident] = RENAMED_HEADING + ident
            else:
                self._problem("S002", f"uses the id `{ident}`, which the build keeps for itself", place, ident)
        for name in classes:
            if formatted and (name.startswith("csl-") or name in _CSL_CLASSES):
                continue
            if is_reserved_class(name):
                self._problem("S002", f"uses the class `{name}`, which the build keeps for itself", place, name)
            elif not (name in PANDOC_CLASSES or kind in ("Code", "CodeBlock") and _CODE_CLASS.fullmatch(name)):
                self.classes.setdefault(name, place)
        for key, value in pairs:
            if not _attribute_allowed(kind, key, value, formatted):
                self._problem("S001", f"uses the attribute `{key}={value}`, which is not allowed", place, key)


def _attribute_allowed(kind: str, key: str, value: str, formatted: bool) -> bool:
    if key == "lang":
        return is_language_tag(value)
    if key == "dir":
        return value in _DIRECTIONS
    if kind == "Image" and key in ("width", "height"):
        return _LENGTH.fullmatch(value) is not None
    if kind == "CodeBlock" and key == "startFrom":
        return value.isdigit()
    return formatted and key in _CSL_KEYS and value.isdigit()


def _iterate(node: Any) -> Iterable[dict[str, Any]]:
    """Every element, Cite contents included (iteratively: depth is checked before this runs)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "t" in item:
                yield item
            stack.extend(item.values())

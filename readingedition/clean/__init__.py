"""Turn a raw PDF text extraction into clean pandoc Markdown, reproducibly.

The raw extraction is kept byte for byte as provenance; everything we do to it
is either a *mechanical rule* (a small function in this module, unit-tested) or
an *editorial decision* recorded in ``src_text/recipe.yaml`` (reading order of
the page-sized chunks, placement of footnote markers the extraction lost, hand
fixes, metadata). ``clean_edition`` applies both and writes the Markdown;
running it again must give the same bytes, so the Markdown can be regenerated
and reviewed instead of being edited by hand.

``check_source_fidelity`` is the safety net: it compares the word sequence of
the raw text (in the recipe's order) with that of the Markdown, so a dropped
or duplicated sentence, or a chunk in the wrong place, cannot go unnoticed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml

__all__ = [
    "CleanError",
    "SourceFidelityReport",
    "check_source_fidelity",
    "clean_edition",
]

SOURCE_DIR = "src_text"
RECIPE_NAME = "recipe.yaml"


class CleanError(Exception):
    """A mistake the user can fix in the recipe or the input files.

    The message names the file, says what is wrong and what to do; the CLI
    prints it instead of a traceback.
    """


# --------------------------------------------------------------------------
# Patterns shared by the cleaning rules and the fidelity check
# --------------------------------------------------------------------------

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_ASCII_DIGITS = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

# Unicode superscript digits: how the PDF extraction renders most markers.
_SUP = rf"(?P<sup>[{SUPERSCRIPT_DIGITS}]+)"
# TeX superscripts from the extraction: $^{2}$, $^{^{2}}$, $^4$, $^{\rm 5}$,
# even the mangled $^{^{\}rm 5}$. Only braces, carets, spaces and \rm may
# surround the number.
_TEX_SUP = r"\$\^(?:[\s{}^\\]|rm)*(?P<tex>\d+)[\s}]*\$"
# TeX italics from the extraction: $\it Liberation$, $\it Socialist\ Viewpoint$.
_TEX_IT = r"\$\\it\s+(?P<it>(?:[^$\\]|\\.)*)\$"
# Emphasis the extraction already wrote as Markdown: *The Russian Anarchists*.
_EMPH = r"\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"

_INLINE_RE = re.compile("|".join((_SUP, _TEX_SUP, _TEX_IT, _EMPH)))
_MARKER_RE = re.compile(f"{_SUP}|{_TEX_SUP}")
_FOOTNOTE_START_RE = re.compile(rf"\s*(?:{_SUP}|{_TEX_SUP})\s*")
_MD_MARKER_RE = re.compile(r"\[\^(\d+)\]")
# Characters pandoc's Markdown would read as markup anywhere in a line.
_INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]$<~^@])")
# Line starts pandoc would read as a heading, quote, list, table caption...
_BLOCK_START_RE = re.compile(r"(?:[#>%:|]|[-+]\s)")
_ORDERED_LIST_RE = re.compile(r"(\d+)([.)])(?=\s)")
_MD_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")

# Banner and retrieval lines The Anarchist Library puts on its title pages.
LIBRARY_BOILERPLATE = (
    re.compile(r"The Anarchist Library(?: Anti-Copyright)?"),
    re.compile(r"Retrieved on .+"),
    re.compile(r"theanarchistlibrary\.org"),
)
# Metadata whose values the title page repeats, alone or run together.
TITLE_PAGE_FIELDS = ("title", "subtitle", "author", "date")


def superscript_number(digits: str) -> int:
    """Read a run of Unicode superscript digits ("¹⁰") as an int (10)."""
    return int(digits.translate(_TO_ASCII_DIGITS))


def _marker_number(match: re.Match[str]) -> int:
    """The footnote number of a superscript or TeX marker match."""
    if match["sup"]:
        return superscript_number(match["sup"])
    return int(match["tex"])


# --------------------------------------------------------------------------
# Rule 1: the library's banner, title page and retrieval lines
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontMatter:
    """The result of stripping the title page: what went, and what is left."""

    removed: tuple[str, ...]
    body: str


def is_title_page_line(line: str, values: Sequence[str]) -> bool:
    """True if ``line`` is made only of metadata values (in any order).

    The library's title page repeats title, subtitle, author and date, once
    as separate lines and once run together on one line; both go, but a line
    with any other word in it is text and stays.
    """
    rest = line
    for value in sorted((v for v in values if v), key=len, reverse=True):
        rest = rest.replace(value, " ")
    return bool(line.strip()) and not rest.strip()


def strip_front_matter(text: str, values: Sequence[str]) -> FrontMatter:
    """Drop the leading banner, title-page and retrieval lines.

    Only lines at the very top are considered, and only while each is blank,
    library boilerplate or title-page metadata: the first line of the essay
    stops the scan, so no text can be lost to a loose pattern.
    """
    lines = text.splitlines(keepends=True)
    removed: list[str] = []
    index = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if any(p.fullmatch(stripped) for p in LIBRARY_BOILERPLATE) or is_title_page_line(
            stripped, values
        ):
            removed.append(stripped)
            continue
        break
    else:
        index = len(lines)
    return FrontMatter(tuple(removed), "".join(lines[index:]))


# --------------------------------------------------------------------------
# Hand fixes (from the recipe)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """An exact find/replace on the raw text, for extraction damage only."""

    find: str
    replace: str


def apply_fixes(text: str, fixes: Sequence[Fix], source: str = "recipe") -> str:
    """Apply hand fixes; each must match exactly once so none goes stale silently."""
    for fix in fixes:
        count = text.count(fix.find)
        if count != 1:
            raise CleanError(
                f"{source}: the fix 'find: {fix.find!r}' matches {count} times in the raw "
                "text (it must match exactly once). Make the find string longer or correct it."
            )
        text = text.replace(fix.find, fix.replace)
    return text


# --------------------------------------------------------------------------
# Rule 2: chunks, paragraphs and footnote texts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Footnote:
    """A footnote text found where a page bottom was; ``text`` is raw, marker removed."""

    number: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """One page-sized piece of the raw text, named by its first words."""

    start: str
    paragraphs: tuple[str, ...]
    footnotes: tuple[Footnote, ...]


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; inner line breaks are just spaces."""
    blocks = re.split(r"\n[ \t]*\n", text)
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def parse_footnote(paragraph: str) -> Footnote | None:
    """A paragraph opening with a marker ("¹ For example…", "$^{2}$ Oscar…") is a
    footnote text; body markers always follow a word, never open a paragraph."""
    match = _FOOTNOTE_START_RE.match(paragraph)
    if not match or match.end() == len(paragraph):
        return None
    return Footnote(_marker_number(match), paragraph[match.end() :].strip())


def parse_chunk(start: str, text: str) -> Chunk:
    """Split a chunk into body paragraphs and the footnote texts lodged in it."""
    body: list[str] = []
    notes: list[Footnote] = []
    for paragraph in split_paragraphs(text):
        note = parse_footnote(paragraph)
        if note is None:
            body.append(paragraph)
        else:
            notes.append(note)
    return Chunk(start, tuple(body), tuple(notes))


def locate_chunk_starts(
    text: str, starts: Sequence[str], source: str = "raw text"
) -> dict[str, int]:
    """Offset of each named chunk start; each must occur exactly once."""
    offsets: dict[str, int] = {}
    for start in starts:
        first = text.find(start)
        if first < 0:
            raise CleanError(
                f"{source}: the chunk start {start!r} named in the recipe's 'order' is not in "
                "the raw text. Copy the chunk's first words exactly from the raw file "
                "(same quotes and spacing)."
            )
        if text.find(start, first + 1) >= 0:
            raise CleanError(
                f"{source}: the chunk start {start!r} named in the recipe's 'order' occurs more "
                "than once in the raw text. Add words to it until it is unique."
            )
        offsets[start] = first
    return offsets


def split_chunks(text: str, starts: Sequence[str], source: str = "raw text") -> tuple[Chunk, ...]:
    """Cut ``text`` wherever a named start appears, and return the chunks in the
    order of ``starts`` (the reading order).

    A start may sit mid-line (the extraction ran two chunks into one line), so
    cuts are by offset, not by line. Text before the first start would be lost
    without a trace, so it is an error.
    """
    offsets = locate_chunk_starts(text, starts, source)
    cuts = sorted(offsets.items(), key=lambda item: item[1])
    leading = text[: cuts[0][1]].strip() if cuts else text.strip()
    if leading:
        raise CleanError(
            f"{source}: text before the first chunk start would be dropped: "
            f"{_shorten(leading)!r}. Name its first words as a chunk in the recipe's 'order'."
        )
    pieces = {
        start: text[offset : cuts[i + 1][1] if i + 1 < len(cuts) else len(text)]
        for i, (start, offset) in enumerate(cuts)
    }
    return tuple(parse_chunk(start, pieces[start]) for start in starts)


# --------------------------------------------------------------------------
# Rule 3: inline markup (markers, TeX italics, escaping)
# --------------------------------------------------------------------------


def escape_inline(text: str) -> str:
    """Backslash-escape characters pandoc would take as markup, so a literal
    ``*``, ``_``, ``[`` or ``$`` in the author's text reads as itself."""
    return _INLINE_SPECIAL_RE.sub(r"\\\1", text)


def escape_block_start(paragraph: str) -> str:
    """Escape a paragraph opening that pandoc would read as a heading, quote or
    list (``# ``, ``> ``, ``- ``, ``1. ``…): the text must stay a paragraph."""
    if _ORDERED_LIST_RE.match(paragraph):
        return _ORDERED_LIST_RE.sub(r"\1\\\2", paragraph, count=1)
    if _BLOCK_START_RE.match(paragraph):
        return "\\" + paragraph
    return paragraph


def to_markdown(text: str) -> str:
    """Convert one raw paragraph's inline markup to pandoc Markdown.

    Markers (⁴, $^{2}$, $^{\\rm 5}$) become ``[^n]``; TeX italics and the
    extraction's ``*Title*`` become ``*Title*``; all other text is escaped.
    """
    out: list[str] = []
    pos = 0
    for match in _INLINE_RE.finditer(text):
        out.append(escape_inline(text[pos : match.start()]))
        if match["sup"] or match["tex"]:
            out.append(f"[^{_marker_number(match)}]")
        elif match["it"] is not None:
            title = re.sub(r"\\(.)", r"\1", match["it"]).strip()
            out.append(f"*{escape_inline(title)}*")
        else:
            out.append(f"*{escape_inline(match['em'])}*")
        pos = match.end()
    out.append(escape_inline(text[pos:]))
    return "".join(out)


# --------------------------------------------------------------------------
# Rule 4: rejoining across chunk joins (and de-hyphenation)
# --------------------------------------------------------------------------


class JoinKind(Enum):
    """How the end of one chunk meets the start of the next."""

    NEW_PARAGRAPH = "new-paragraph"  # the paragraph really ended at the chunk end
    SAME_PARAGRAPH = "same-paragraph"  # the text runs on: join with a space
    HYPHEN = "hyphen"  # a word was split: drop the hyphen, no space ("Rus-" + "sian")
    KEEP_HYPHEN = "keep-hyphen"  # a hyphenated compound was split: keep it, no space


_SENTENCE_END_RE = re.compile(r"[.!?:][\"'”’)\]]*(?:\[\^\d+\])*$")
_SPLIT_WORD_RE = re.compile(r"[^\W\d_]-$")
_FIRST_LETTER_RE = re.compile(r"[\"'“‘(\[*\\]*([^\W\d_])")


def starts_lowercase(text: str) -> bool:
    """True if the first letter (after opening quotes or brackets) is lower case."""
    match = _FIRST_LETTER_RE.match(text)
    return bool(match) and match.group(1).islower()


def decide_join(before: str, after: str) -> JoinKind:
    """Decide a join from the text alone.

    A word cut by a hyphen and continued in lower case is one word. A chunk
    ending in sentence punctuation, followed by one that does not start in
    lower case, ended a paragraph (page breaks often fall between
    paragraphs). Anything else is a sentence cut mid-way: it continues.
    The recipe's ``joins`` overrides this where meaning says otherwise.
    """
    if _SPLIT_WORD_RE.search(before) and starts_lowercase(after):
        return JoinKind.HYPHEN
    if _SENTENCE_END_RE.search(before) and not starts_lowercase(after):
        return JoinKind.NEW_PARAGRAPH
    return JoinKind.SAME_PARAGRAPH


def merge_join(before: str, after: str, kind: JoinKind) -> tuple[str, ...]:
    """Apply a join to the last paragraph of one chunk and the first of the next."""
    if kind is JoinKind.NEW_PARAGRAPH:
        return (before, after)
    if kind is JoinKind.SAME_PARAGRAPH:
        return (f"{before} {after}",)
    if kind is JoinKind.HYPHEN:
        return (before[:-1] + after,)
    return (before + after,)


def join_chunks(
    chunks: Sequence[Sequence[str]], overrides: Mapping[int, JoinKind] | None = None
) -> tuple[str, ...]:
    """Concatenate chunks' paragraphs in reading order, rejoining at each join.

    ``overrides`` maps a chunk's index to the join with the chunk before it.
    """
    overrides = overrides or {}
    paragraphs: list[str] = []
    for index, chunk in enumerate(chunks):
        if not chunk:
            continue
        if not paragraphs:
            paragraphs.extend(chunk)
            continue
        kind = overrides.get(index) or decide_join(paragraphs[-1], chunk[0])
        paragraphs[-1:] = merge_join(paragraphs[-1], chunk[0], kind)
        paragraphs.extend(chunk[1:])
    return tuple(paragraphs)


# --------------------------------------------------------------------------
# Rule 5: footnote markers and definitions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedMarker:
    """A footnote marker the extraction lost, placed by the recipe."""

    note: int
    after: str


def place_marker(
    paragraphs: Sequence[str], marker: PlacedMarker, source: str = "recipe"
) -> tuple[str, ...]:
    """Insert ``[^n]`` right after the recipe's ``after`` words (unique in the text)."""
    needle = escape_inline(" ".join(marker.after.split()))
    count = sum(p.count(needle) for p in paragraphs)
    if count != 1:
        raise CleanError(
            f"{source}: footnote_markers note {marker.note}: 'after: {marker.after!r}' occurs "
            f"{count} times in the text (it must occur exactly once). Quote more, or exactly, "
            "the words the marker follows."
        )
    return tuple(p.replace(needle, f"{needle}[^{marker.note}]") for p in paragraphs)


def footnote_problems(paragraphs: Sequence[str], notes: Sequence[Footnote]) -> tuple[str, ...]:
    """Every note needs exactly one marker, every marker a note, markers in order."""
    problems: list[str] = []
    numbers = [n.number for n in notes]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"footnote {number} has more than one text in the raw file")
    markers = [int(m) for p in paragraphs for m in _MD_MARKER_RE.findall(p)]
    for number in sorted(set(numbers) - set(markers)):
        problems.append(
            f"footnote {number} has no marker in the text: place it under 'footnote_markers' "
            "in the recipe (note, after)"
        )
    for number in sorted(set(markers) - set(numbers)):
        problems.append(f"marker [^{number}] has no footnote text in the raw file")
    for number in sorted({n for n in markers if markers.count(n) > 1}):
        problems.append(f"marker [^{number}] appears more than once")
    if markers != sorted(markers):
        problems.append(f"footnote markers are out of order in the text: {markers}")
    return tuple(problems)


def footnote_definition(note: Footnote) -> str:
    """A pandoc footnote definition for a raw footnote text."""
    return f"[^{note.number}]: {to_markdown(note.text)}"


# --------------------------------------------------------------------------
# The recipe
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """The editorial decisions for one text, as read from ``recipe.yaml``."""

    path: Path
    raw: Path
    output: Path
    metadata: tuple[tuple[str, str], ...]
    order: tuple[str, ...]
    joins: tuple[tuple[str, JoinKind], ...]
    markers: tuple[PlacedMarker, ...]
    fixes: tuple[Fix, ...]

    def meta(self, key: str) -> str:
        """A metadata value, or "" if the recipe does not set it."""
        return dict(self.metadata).get(key, "")


_RECIPE_KEYS = {"raw", "output", "metadata", "order", "joins", "footnote_markers", "fixes"}
_REQUIRED_METADATA = ("title", "author", "lang", "identifier")


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_entry(item: object, **types: type) -> bool:
    """True if ``item`` is a mapping whose named keys hold values of the given types."""
    return isinstance(item, dict) and all(isinstance(item.get(k), t) for k, t in types.items())


def _parse_metadata(value: object) -> tuple[tuple[str, str], ...]:
    """Metadata as ordered (key, text) pairs; dates and the like stay strings."""
    if not isinstance(value, dict):
        raise ValueError("'metadata' must be a mapping (title, author, lang, identifier, ...).")
    missing = [key for key in _REQUIRED_METADATA if not value.get(key)]
    if missing:
        raise ValueError(f"'metadata' lacks {missing}; add them.")
    if any(v is None or isinstance(v, (dict, list)) for v in value.values()):
        raise ValueError("'metadata' values must be plain text (e.g. date: \"2005\").")
    return tuple((str(k), str(v)) for k, v in value.items())


def _parse_order(value: object) -> tuple[str, ...]:
    """The chunk starts in reading order: non-empty, distinct strings."""
    if not (isinstance(value, list) and value and all(_is_text(s) for s in value)):
        raise ValueError("'order' must be a list of chunk starts (the first words of each chunk).")
    duplicates = sorted({s for s in value if value.count(s) > 1})
    if duplicates:
        raise ValueError(f"'order' names these chunk starts twice: {duplicates}. Keep one of each.")
    return tuple(value)


def _parse_joins(value: object, order: Sequence[str]) -> tuple[tuple[str, JoinKind], ...]:
    """Join overrides, keyed by the start of the later chunk of the join."""
    kinds = {kind.value: kind for kind in JoinKind}
    if not isinstance(value, dict):
        raise ValueError(f"'joins' must map a chunk start to one of {sorted(kinds)}.")
    for start, kind in value.items():
        if start not in order[1:]:
            raise ValueError(
                f"'joins' names {start!r}, not a chunk start after the first in 'order'."
            )
        if kind not in kinds:
            raise ValueError(
                f"'joins' value {kind!r} for {start!r} must be one of {sorted(kinds)}."
            )
    return tuple((start, kinds[kind]) for start, kind in value.items())


def _parse_markers(value: object) -> tuple[PlacedMarker, ...]:
    """Placed markers: ``note`` (int) and ``after`` (words), one entry per note."""
    items = value if isinstance(value, list) else [value]
    if not all(_is_entry(i, note=int, after=str) for i in items):
        raise ValueError(
            "each 'footnote_markers' entry needs 'note: <number>' and 'after: \"<words>\"'."
        )
    markers = tuple(PlacedMarker(i["note"], i["after"]) for i in items)
    if len({m.note for m in markers}) != len(markers):
        raise ValueError("'footnote_markers' places the same note twice; keep one.")
    return markers


def _parse_fixes(value: object) -> tuple[Fix, ...]:
    """Hand fixes: ``find`` and ``replace`` strings."""
    items = value if isinstance(value, list) else [value]
    if not all(_is_entry(i, find=str, replace=str) for i in items):
        raise ValueError("each 'fixes' entry needs 'find: \"...\"' and 'replace: \"...\"'.")
    return tuple(Fix(i["find"], i["replace"]) for i in items)


def _parse_recipe(data: object, path: Path) -> Recipe:
    """Validate the recipe's YAML data; a problem raises ValueError with advice."""
    if not isinstance(data, dict):
        raise ValueError("the recipe must be a mapping with keys raw, output, metadata, order.")
    unknown = sorted(set(data) - _RECIPE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {unknown}; allowed keys are {sorted(_RECIPE_KEYS)}.")
    for key in ("raw", "output"):
        if not (isinstance(data.get(key), str) and data[key].strip()):
            raise ValueError(f"'{key}' must be a file name relative to {SOURCE_DIR}/.")
    order = _parse_order(data.get("order"))
    return Recipe(
        path=path,
        raw=path.parent / data["raw"],
        output=path.parent / data["output"],
        metadata=_parse_metadata(data.get("metadata")),
        order=order,
        joins=_parse_joins(data.get("joins") or {}, order),
        markers=_parse_markers(data.get("footnote_markers") or []),
        fixes=_parse_fixes(data.get("fixes") or []),
    )


def load_recipe(root: Path) -> Recipe:
    """Read and validate ``root/src_text/recipe.yaml``; mistakes raise CleanError."""
    path = Path(root) / SOURCE_DIR / RECIPE_NAME
    if not path.is_file():
        raise CleanError(
            f"{path}: recipe not found. Run from the project root, or create "
            f"{SOURCE_DIR}/{RECIPE_NAME} (raw, output, metadata, order)."
        )
    try:
        return _parse_recipe(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    except yaml.YAMLError as exc:
        raise CleanError(f"{path}: not valid YAML ({exc}). Fix the syntax.") from None
    except ValueError as exc:
        raise CleanError(f"{path}: {exc}") from None


def read_raw(recipe: Recipe) -> str:
    """The raw extraction named by the recipe."""
    if not recipe.raw.is_file():
        raise CleanError(
            f"{recipe.raw}: raw text not found (named by 'raw:' in {recipe.path}). "
            "Copy the extraction there or correct the path."
        )
    return recipe.raw.read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------


def render_metadata(metadata: Sequence[tuple[str, str]]) -> str:
    """A YAML metadata block; every value double-quoted (JSON strings are valid
    YAML), so a date stays a string and no value is misread."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in metadata]
    return "---\n" + "\n".join(lines) + "\n---\n"


def render_markdown(
    metadata: Sequence[tuple[str, str]], paragraphs: Sequence[str], notes: Sequence[Footnote]
) -> str:
    """The whole file: metadata, one paragraph per line, then the definitions."""
    blocks = [escape_block_start(p) for p in paragraphs]
    blocks += [footnote_definition(n) for n in sorted(notes, key=lambda n: n.number)]
    return render_metadata(metadata) + "\n" + "\n\n".join(blocks) + "\n"


def reading_order_chunks(recipe: Recipe, raw_text: str) -> tuple[FrontMatter, tuple[Chunk, ...]]:
    """Banner removed, hand fixes applied, chunks cut and put in reading order."""
    front = strip_front_matter(raw_text, [recipe.meta(k) for k in TITLE_PAGE_FIELDS])
    body = apply_fixes(front.body, recipe.fixes, str(recipe.path))
    return front, split_chunks(body, recipe.order, f"{recipe.path} (raw text {recipe.raw})")


def build_markdown(recipe: Recipe, raw_text: str) -> str:
    """The cleaned Markdown for ``raw_text`` (pure: no file access)."""
    _, chunks = reading_order_chunks(recipe, raw_text)
    converted = [tuple(to_markdown(p) for p in chunk.paragraphs) for chunk in chunks]
    overrides = {recipe.order.index(start): kind for start, kind in recipe.joins}
    paragraphs = join_chunks(converted, overrides)
    for marker in recipe.markers:
        paragraphs = place_marker(paragraphs, marker, str(recipe.path))
    notes = [note for chunk in chunks for note in chunk.footnotes]
    problems = footnote_problems(paragraphs, notes)
    if problems:
        raise CleanError(f"{recipe.path}: " + "; ".join(problems) + ".")
    return render_markdown(recipe.metadata, paragraphs, notes)


def clean_edition(root: Path) -> Path:
    """Regenerate the cleaned Markdown named in ``root/src_text/recipe.yaml``.

    Deterministic: the same recipe and raw text give the same bytes.
    """
    recipe = load_recipe(Path(root))
    markdown = build_markdown(recipe, read_raw(recipe))
    recipe.output.parent.mkdir(parents=True, exist_ok=True)
    with recipe.output.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(markdown)
    return recipe.output


# --------------------------------------------------------------------------
# Source fidelity
# --------------------------------------------------------------------------


def plain_tokens(text: str) -> list[str]:
    """Words of raw or Markdown text with markup normalised away.

    Markers become separate ``[^n]`` tokens (definition labels ``[^n]:``) so
    their positions are compared too; TeX italics, ``*`` and backslash escapes
    vanish; everything else is split on whitespace.
    """
    text = _MARKER_RE.sub(lambda m: f" [^{_marker_number(m)}] ", text)
    text = re.sub(_TEX_IT, lambda m: re.sub(r"\\(.)", r"\1", m["it"]), text)
    text = re.sub(r"\[\^(\d+)\](:?)", r" [^\1]\2 ", text)
    text = _MD_ESCAPE_RE.sub(r"\1", text).replace("*", "")
    return text.split()


def strip_metadata_block(markdown: str) -> str:
    """The Markdown without its leading ``---`` YAML block."""
    match = re.match(r"---\n.*?\n---\n", markdown, flags=re.DOTALL)
    return markdown[match.end() :] if match else markdown


def dehyphenate_tokens(tokens: Sequence[str]) -> list[str]:
    """Merge "Rus-" "sian" into "Russian": what a de-hyphenating join does."""
    merged: list[str] = []
    for token in tokens:
        if merged and _SPLIT_WORD_RE.search(merged[-1]):
            merged[-1] = merged[-1][:-1] + token
        else:
            merged.append(token)
    return merged


def _is_marker_token(token: str) -> bool:
    return bool(re.fullmatch(r"\[\^\d+\]", token))


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote_words(words: Sequence[str], limit: int = 24) -> str:
    if len(words) > limit:
        words = [*words[: limit - 6], "…", *words[-6:]]
    return "“" + " ".join(words) + "”"


@dataclass(frozen=True)
class Discrepancy:
    """Words lost from, or added to, the Markdown, with where it happened."""

    lost: tuple[str, ...]
    added: tuple[str, ...]
    where: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def render(self) -> str:
        """One or two lines for the report."""
        parts = []
        if self.lost:
            parts.append(f"lost {len(self.lost)} word(s) {_quote_words(self.lost)}")
        if self.added:
            parts.append(f"added {len(self.added)} word(s) {_quote_words(self.added)}")
        context = f"…{' '.join(self.before)} ⟨here⟩ {' '.join(self.after)}…"
        return f"- {' and '.join(parts)} in {self.where}\n    at: {context}"


@dataclass(frozen=True)
class SourceFidelityReport:
    """Whether the Markdown holds exactly the raw words in the recipe's order."""

    ok: bool
    raw_path: str
    markdown_path: str
    raw_words: int
    markdown_words: int
    chunks: int
    footnotes: int
    removed_lines: int
    allowed: tuple[str, ...]
    discrepancies: tuple[Discrepancy, ...]

    def render(self) -> str:
        """A short human-readable report."""
        if self.ok:
            head = (
                f"Source fidelity OK: {self.markdown_path} holds every word of "
                f"{self.raw_path} in recipe order, and adds none."
            )
        else:
            head = (
                f"Source fidelity FAILED: {len(self.discrepancies)} difference(s) between "
                f"{self.raw_path} and {self.markdown_path}."
            )
        lines = [
            head,
            f"  raw: {self.raw_words} words in {self.chunks} chunks and {self.footnotes} footnotes "
            f"({self.removed_lines} banner/title-page lines removed)",
            f"  markdown: {self.markdown_words} words (metadata and markup not counted)",
        ]
        if self.allowed:
            lines.append("  expected differences:")
            lines += [f"    - {item}" for item in self.allowed]
        if self.discrepancies:
            lines.append("  differences:")
            for item in self.discrepancies:
                lines += ["    " + line for line in item.render().splitlines()]
            lines.append(
                "  Fix the recipe (order, joins, footnote_markers) and rerun the clean step; "
                "do not edit the Markdown by hand."
            )
        return "\n".join(lines)


def expected_tokens(chunks: Sequence[Chunk]) -> tuple[list[str], list[str]]:
    """Raw tokens in reading order, footnote texts moved to the end by number,
    with a parallel list saying which chunk or note each token came from."""
    tokens: list[str] = []
    labels: list[str] = []
    for index, chunk in enumerate(chunks, start=1):
        label = f"chunk {index} ({_shorten(chunk.start, 40)!r})"
        for paragraph in chunk.paragraphs:
            words = plain_tokens(paragraph)
            tokens += words
            labels += [label] * len(words)
    notes = sorted((n for c in chunks for n in c.footnotes), key=lambda n: n.number)
    for note in notes:
        words = [f"[^{note.number}]:", *plain_tokens(note.text)]
        tokens += words
        labels += [f"footnote {note.number}"] * len(words)
    return tokens, labels


def _marker_follows(actual: Sequence[str], index: int, words: Sequence[str]) -> bool:
    """True if the words before ``actual[index]`` (markers ignored) end with ``words``."""
    preceding = [t for t in actual[:index] if not _is_marker_token(t)]
    return bool(words) and preceding[-len(words) :] == list(words)


def compare_tokens(
    expected: Sequence[str],
    labels: Sequence[str],
    actual: Sequence[str],
    placed: Sequence[PlacedMarker] = (),
    context: int = 6,
) -> tuple[tuple[str, ...], tuple[Discrepancy, ...]]:
    """Diff two token sequences; return (expected differences, discrepancies).

    Expected differences are the recipe's placed markers (at their ``after``
    words) and de-hyphenated words; anything else is a discrepancy.
    """
    pending = {m.note: plain_tokens(m.after) for m in placed}
    allowed: list[str] = []
    found: list[Discrepancy] = []
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lost = list(expected[i1:i2])
        added: list[str] = []
        for j in range(j1, j2):
            token = actual[j]
            number = int(token[2:-1]) if _is_marker_token(token) else None
            if number in pending and _marker_follows(actual, j, pending[number]):
                after = _quote_words(pending.pop(number)[-8:])
                allowed.append(f"marker [^{number}] placed by the recipe after {after}")
            else:
                added.append(token)
        if lost and added and dehyphenate_tokens(lost) == added:
            allowed.append(f"de-hyphenated {_quote_words(lost)} → {_quote_words(added)}")
            continue
        if lost or added:
            where = labels[i1] if i1 < len(labels) else (labels[-1] if labels else "the text")
            # Show lost words amid the raw text, pure additions amid the Markdown.
            seq, k1, k2 = (expected, i1, i2) if lost else (actual, j1, j2)
            found.append(
                Discrepancy(
                    tuple(lost),
                    tuple(added),
                    where,
                    tuple(seq[max(0, k1 - context) : k1]),
                    tuple(seq[k2 : k2 + context]),
                )
            )
    for number in sorted(pending):
        found.append(
            Discrepancy(
                (f"[^{number}]",),
                (),
                f"footnote_markers (note {number} is not right after its 'after' words)",
                tuple(pending[number][-context:]),
                (),
            )
        )
    return tuple(allowed), tuple(found)


def check_source_fidelity(root: Path) -> SourceFidelityReport:
    """Compare the committed Markdown with the raw extraction, word for word.

    The raw side is the extraction after banner removal and hand fixes, cut
    into the recipe's chunks in the recipe's order, footnote texts moved to
    the end; the Markdown side is the file without its metadata block. Markup
    is normalised away on both sides, so only words (and marker positions)
    are compared.
    """
    root = Path(root)
    recipe = load_recipe(root)
    raw_text = read_raw(recipe)
    if not recipe.output.is_file():
        raise CleanError(
            f"{recipe.output}: cleaned Markdown not found (named by 'output:' in {recipe.path}). "
            "Run the clean step first."
        )
    front, chunks = reading_order_chunks(recipe, raw_text)
    expected, labels = expected_tokens(chunks)
    markdown = recipe.output.read_text(encoding="utf-8")
    actual = plain_tokens(strip_metadata_block(markdown))
    allowed, found = compare_tokens(expected, labels, actual, recipe.markers)

    def shown(path: Path) -> str:
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    def words(tokens: Sequence[str]) -> int:
        return sum(1 for t in tokens if not t.startswith("[^"))

    return SourceFidelityReport(
        ok=not found,
        raw_path=shown(recipe.raw),
        markdown_path=shown(recipe.output),
        raw_words=words(expected),
        markdown_words=words(actual),
        chunks=len(chunks),
        footnotes=sum(len(c.footnotes) for c in chunks),
        removed_lines=len(front.removed),
        allowed=allowed,
        discrepancies=found,
    )

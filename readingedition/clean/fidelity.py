"""Source fidelity: does the cleaned Markdown hold exactly the raw words, in the recipe's order?

The raw side is the extraction after banner removal and hand fixes, cut into the recipe's
chunks in the recipe's order, footnote texts moved to the end; the Markdown side is the file
without its metadata block. Markup is normalised away on both sides, so only words (and marker
positions) are compared: a dropped or duplicated sentence, or a chunk in the wrong place,
cannot go unnoticed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, fail
from .edition import reading_order_chunks
from .footnotes import PlacedMarker
from .joins import SPLIT_WORD_RE
from .patterns import MARKER_RE, MD_ESCAPE_RE, TEX_IT, marker_number, shorten
from .recipe import load_recipe, read_raw
from .rules import Chunk


def plain_tokens(text: str) -> list[str]:
    """Words of raw or Markdown text with markup normalised away.

    Markers become separate ``[^n]`` tokens (definition labels ``[^n]:``) so
    their positions are compared too; TeX italics, ``*`` and backslash escapes
    vanish; everything else is split on whitespace.
    """
    text = MARKER_RE.sub(lambda m: f" [^{marker_number(m)}] ", text)
    text = re.sub(TEX_IT, lambda m: re.sub(r"\\(.)", r"\1", m["it"]), text)
    text = re.sub(r"\[\^(\d+)\](:?)", r" [^\1]\2 ", text)
    text = MD_ESCAPE_RE.sub(r"\1", text).replace("*", "")
    return text.split()


def strip_metadata_block(markdown: str) -> str:
    """The Markdown without its leading ``---`` YAML block."""
    match = re.match(r"---\n.*?\n---\n", markdown, flags=re.DOTALL)
    return markdown[match.end() :] if match else markdown


def dehyphenate_tokens(tokens: Sequence[str]) -> list[str]:
    """Merge "Rus-" "sian" into "Russian": what a de-hyphenating join does."""
    merged: list[str] = []
    for token in tokens:
        if merged and SPLIT_WORD_RE.search(merged[-1]):
            merged[-1] = merged[-1][:-1] + token
        else:
            merged.append(token)
    return merged


def _is_marker_token(token: str) -> bool:
    return bool(re.fullmatch(r"\[\^\d+\]", token))


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

    def diagnostic(self, markdown: Path) -> Diagnostic:
        parts = []
        if self.lost:
            parts.append(f"lost {len(self.lost)} word(s) {_quote_words(self.lost)}")
        if self.added:
            parts.append(f"added {len(self.added)} word(s) {_quote_words(self.added)}")
        context = f"…{' '.join(self.before)} ⟨here⟩ {' '.join(self.after)}…"
        return Diagnostic("C012", f"{' and '.join(parts)} in {self.where}", markdown, detail=f"at: {context}")


@dataclass(frozen=True)
class SourceFidelityReport:
    """Whether the Markdown holds exactly the raw words in the recipe's order."""

    ok: bool
    raw_path: str
    markdown_path: str  # as shown: relative to the edition directory
    markdown: Path
    raw_words: int
    markdown_words: int
    chunks: int
    footnotes: int
    removed_lines: int
    allowed: tuple[str, ...]
    discrepancies: tuple[Discrepancy, ...]

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """One error for each difference."""
        return tuple(item.diagnostic(self.markdown) for item in self.discrepancies)

    def render(self) -> str:
        """A short human-readable summary (the differences are its diagnostics)."""
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
        return "\n".join(lines)


def expected_tokens(chunks: Sequence[Chunk]) -> tuple[list[str], list[str]]:
    """Raw tokens in reading order, footnote texts moved to the end by number,
    with a parallel list saying which chunk or note each token came from."""
    tokens: list[str] = []
    labels: list[str] = []
    for index, chunk in enumerate(chunks, start=1):
        label = f"chunk {index} ({shorten(chunk.start, 40)!r})"
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
        raise fail("C011", f"the cleaned Markdown {recipe.output.name} named by 'output:' is not there", recipe.path)
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
        markdown=recipe.output,
        raw_words=words(expected),
        markdown_words=words(actual),
        chunks=len(chunks),
        footnotes=sum(len(c.footnotes) for c in chunks),
        removed_lines=len(front.removed),
        allowed=allowed,
        discrepancies=found,
    )

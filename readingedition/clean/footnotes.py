"""Footnote markers the extraction lost, placed by the recipe; footnote definitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import fail
from .patterns import MD_MARKER_RE
from .rules import Footnote, escape_inline, to_markdown


@dataclass(frozen=True)
class PlacedMarker:
    """A footnote marker the extraction lost, placed by the recipe."""

    note: int
    after: str
    line: int | None = None  # of its entry in the recipe


def place_marker(paragraphs: Sequence[str], marker: PlacedMarker, recipe: Path | None = None) -> tuple[str, ...]:
    """Insert ``[^n]`` right after the recipe's ``after`` words (unique in the text)."""
    needle = escape_inline(" ".join(marker.after.split()))
    count = sum(p.count(needle) for p in paragraphs)
    if count != 1:
        raise fail(
            "C009",
            f"footnote_markers note {marker.note}: 'after: {marker.after!r}' occurs {count} times in "
            "the text (it must occur exactly once)",
            recipe,
            marker.line,
        )
    return tuple(p.replace(needle, f"{needle}[^{marker.note}]") for p in paragraphs)


def footnote_problems(paragraphs: Sequence[str], notes: Sequence[Footnote]) -> tuple[str, ...]:
    """Every note needs exactly one marker, every marker a note, markers in order."""
    problems: list[str] = []
    numbers = [n.number for n in notes]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"footnote {number} has more than one text in the raw file")
    markers = [int(m) for p in paragraphs for m in MD_MARKER_RE.findall(p)]
    for number in sorted(set(numbers) - set(markers)):
        problems.append(f"footnote {number} has no marker in the text")
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

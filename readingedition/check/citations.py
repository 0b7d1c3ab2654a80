"""Citations a note prints twice: details written out by hand and then the author-date citation.

"(London: Solidarity, 1970) (Brinton 1970)" or "p. 69 (Carr 1952, 69)" tell the reader the same
year or page twice. A citation is doubled when the year of its reference, or its page locator,
already stands in the note's own words just before it (within one short stretch of text, and not
inside quotation marks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ast import inline_lists, stringify
from ..diagnostics import Diagnostic
from ..model import AnnotatedEdition

# How far back (in characters of the note's text) a repeated year or page still reads as doubled.
NEAR = 60
_LOCATOR = re.compile(r"\d+(?:\s*[–-]\s*\d+)?")


def doubled_citations(annotated: AnnotatedEdition) -> list[Diagnostic]:
    edition = annotated.edition
    years = {str(ref["id"]): _year(ref) for ref in edition.annotations.references}
    found = []
    for note in edition.annotations.notes:
        for before, citation in _citations_in_text(edition.note_bodies[note.id]):
            repeated = _repeated(before[-NEAR:], years.get(citation["citationId"]), citation)
            if repeated:
                found.append(
                    Diagnostic(
                        "A007",
                        f"note `{note.id}` gives {repeated} and then cites @{citation['citationId']}, "
                        f"which prints it again",
                        note.where.path,
                        note.where.line,
                        severity="warning",
                    )
                )
    return found


def _year(reference: dict[str, Any]) -> str | None:
    parts = (reference.get("issued") or {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts and parts[0] else None


def _repeated(before: str, year: str | None, citation: dict[str, Any]) -> str | None:
    if year and re.search(rf"(?<!\d){re.escape(year)}(?!\d)", before):
        return f"the year {year}"
    locator = _LOCATOR.search(stringify(citation["citationSuffix"]))
    if locator and re.search(rf"pp?\.\s*{_dashes(locator.group())}(?!\d)", before):
        return f"the page {locator.group()}"
    return None


def _dashes(locator: str) -> str:
    """A page range matches whichever dash the note typed."""
    return r"\s*[–-]\s*".join(re.escape(part.strip()) for part in re.split(r"[–-]", locator))


def _citations_in_text(blocks: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each citation with the note's text before it in the same paragraph."""
    for block_type, inlines in inline_lists(blocks):
        if block_type in ("Para", "Plain"):
            yield from _walk(inlines, [])


def _walk(inlines: list[Any], text: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for inline in inlines:
        if inline["t"] == "Cite":
            for citation in inline["c"][0]:
                yield "".join(text), citation
        # Words in quotation marks are someone else's (the author's footnote, say), not the note's.
        text.append("“…”" if inline["t"] == "Quoted" else stringify(inline))

"""The typed interfaces between stages: load → anchor → render → check.

Each stage takes and returns these frozen dataclasses; none reaches into another's internals.
Pandoc's JSON AST (plain dicts and lists) is the document form throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Ast = dict[str, Any]  # a pandoc JSON document or element
Blocks = list[Any]
Inlines = list[Any]


@dataclass(frozen=True)
class Location:
    path: Path
    line: int


@dataclass(frozen=True)
class NoteSpec:
    """An editor's note as written in an annotation file."""

    id: str
    quote: str
    note: str  # Markdown
    kind: str
    prefix: str | None
    suffix: str | None
    where: Location


@dataclass(frozen=True)
class TermSpec:
    """A glossary entry as written in an annotation file."""

    term: str
    forms: tuple[str, ...]
    short: str  # Markdown, one line
    definition: str  # Markdown
    see: tuple[str, ...]
    where: Location

    @property
    def slug(self) -> str:
        return slugify(self.term)

    @property
    def sort_key(self) -> str:
        """Alphabetical by letters: `"left" Communist` files under L."""
        return "".join(c for c in self.term.casefold() if c.isalnum() or c == " ")

    @property
    def all_forms(self) -> tuple[str, ...]:
        return (self.term, *self.forms)


@dataclass(frozen=True)
class Annotations:
    notes: tuple[NoteSpec, ...]
    glossary: tuple[TermSpec, ...]
    references: tuple[dict[str, Any], ...]  # CSL items, passed to citeproc as they are
    reference_where: tuple[Location, ...] = ()  # where each reference is written, in the same order


@dataclass(frozen=True)
class Labels:
    """Every word the build writes into an edition, in the text's language, with the metadata's
    overrides applied (load/labels.yaml). `labels("use-n", n=2)` fills the placeholders."""

    table: dict[str, str]

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def names(self, names: Sequence[str]) -> str:
        """ "A", "A and B", "A, B and C", with the language's conjunction."""
        if len(names) < 2:
            return "".join(names)
        return f"{', '.join(names[:-1])} {self.table['and']} {names[-1]}"


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str | None
    author: str
    date: str
    lang: str
    rights: str
    source: str
    identifier: str
    paper: str  # "a4" or "letter"
    twosided: bool
    glossary_links: str  # "first" (per chapter) or "every"
    labels: Labels
    authors: tuple[str, ...] = ()  # `author` is these, joined for print ("A, B and C")
    editors: tuple[str, ...] = ()
    translators: tuple[str, ...] = ()
    dedication: Blocks = field(default_factory=list)
    epigraph: Blocks = field(default_factory=list)
    filename: str = ""  # the output files' stem
    booklet: bool = False  # also build NAME-booklet.pdf, for printing, folding and stapling
    cover: Path | None = None  # the edition's cover image; without one, the EPUB draws a cover


@dataclass(frozen=True)
class Styles:
    epub_css: tuple[Path, ...]
    pdf_css: tuple[Path, ...]
    csl: Path | None
    booklet_css: tuple[Path, ...] = ()  # the PDF's sheets for the booklet's half-size pages


@dataclass(frozen=True)
class Edition:
    """Everything the build reads, parsed: the output of the load stage."""

    root: Path
    name: str  # the edition's file name stem, e.g. output/<name>.epub
    cache_dir: Path | None  # the build cache (memo.py), or None to build without one
    metadata: Metadata
    document: Ast  # the text as a pandoc AST (metadata stripped of annotation payloads)
    annotations: Annotations
    note_bodies: dict[str, Blocks]  # note id -> parsed Markdown
    bibliography: Blocks  # the references, formatted by citeproc (a Div#refs), or none
    term_names: dict[str, Inlines]  # term slug -> the headword, parsed (so quotes are typeset)
    term_shorts: dict[str, Inlines]  # term slug -> parsed Markdown
    term_definitions: dict[str, Blocks]
    styles: Styles
    images: tuple[str, ...] = ()  # the text's image files, as paths relative to the edition, sorted
    # Errors found in loading that do not stop anchoring (images, footnotes, notes' links and
    # citations): the anchor stage reports them with its own, so one run shows every error.
    problems: tuple[Any, ...] = ()  # Diagnostics


@dataclass(frozen=True)
class AnchoredNote:
    spec: NoteSpec
    label: str  # the call mark shown to readers: a, b, … z, aa, ab …
    chapter: int  # index of the chapter the call is in
    body: Blocks


@dataclass(frozen=True)
class TermUse:
    slug: str
    chapter: int
    anchor_id: str  # id of the linked occurrence in the text


@dataclass(frozen=True)
class AnchorReport:
    notes_anchored: int
    term_uses: dict[str, int]  # term slug -> number of linked occurrences
    term_occurrences: dict[str, int]  # term slug -> occurrences in the text where a link could go
    warnings: tuple[Any, ...]  # Diagnostics

    def render(self) -> str:
        linked = sum(self.term_uses.values())
        used = sum(1 for n in self.term_uses.values() if n)
        return (
            f"anchored {self.notes_anchored} notes; linked {used} of {len(self.term_uses)} "
            f"glossary terms at {linked} places; {len(self.warnings)} warnings"
        )

    def render_terms(self) -> str:
        """How often each term is linked, and how often it occurs."""
        return "\n".join(
            f"  {slug:<32} linked {self.term_uses[slug]} of {self.term_occurrences[slug]}"
            for slug in sorted(self.term_uses)
        )


@dataclass(frozen=True)
class Chapter:
    title: str | None
    blocks: Blocks  # with anchoring marks as Spans (see anchor.py)


@dataclass(frozen=True)
class AnnotatedEdition:
    """The one annotated document both editions render from: the output of the anchor stage."""

    edition: Edition
    chapters: tuple[Chapter, ...]
    notes: tuple[AnchoredNote, ...]  # in reading order
    term_uses: tuple[TermUse, ...]
    report: AnchorReport


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "x"

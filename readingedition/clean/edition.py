"""Putting it together: the cleaned Markdown of an edition, from its recipe and raw text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import BuildFailed, Diagnostic
from .footnotes import footnote_definition, footnote_problems, place_marker
from .joins import join_chunks
from .patterns import TITLE_PAGE_FIELDS
from .recipe import Recipe, load_recipe, read_raw
from .rules import (
    Chunk,
    Footnote,
    FrontMatter,
    apply_fixes,
    escape_block_start,
    split_chunks,
    strip_front_matter,
    to_markdown,
)


def render_metadata(metadata: Sequence[tuple[str, str]]) -> str:
    """A YAML metadata block; every value double-quoted (JSON strings are valid
    YAML), so a date stays a string and no value is misread."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in metadata]
    return "---\n" + "\n".join(lines) + "\n---\n"


def render_markdown(metadata: Sequence[tuple[str, str]], paragraphs: Sequence[str], notes: Sequence[Footnote]) -> str:
    """The whole file: metadata, one paragraph per line, then the definitions."""
    blocks = [escape_block_start(p) for p in paragraphs]
    blocks += [footnote_definition(n) for n in sorted(notes, key=lambda n: n.number)]
    return render_metadata(metadata) + "\n" + "\n\n".join(blocks) + "\n"


def reading_order_chunks(recipe: Recipe, raw_text: str) -> tuple[FrontMatter, tuple[Chunk, ...]]:
    """Banner removed, hand fixes applied, chunks cut and put in reading order."""
    front = strip_front_matter(raw_text, [recipe.meta(k) for k in TITLE_PAGE_FIELDS])
    body = apply_fixes(front.body, recipe.fixes, recipe.path)
    return front, split_chunks(body, recipe.order, recipe.path, recipe.order_lines)


def build_markdown(recipe: Recipe, raw_text: str) -> str:
    """The cleaned Markdown for ``raw_text`` (pure: no file access)."""
    _, chunks = reading_order_chunks(recipe, raw_text)
    converted = [tuple(to_markdown(p) for p in chunk.paragraphs) for chunk in chunks]
    overrides = {recipe.order.index(start): kind for start, kind in recipe.joins}
    paragraphs = join_chunks(converted, overrides)
    for marker in recipe.markers:
        paragraphs = place_marker(paragraphs, marker, recipe.path)
    notes = [note for chunk in chunks for note in chunk.footnotes]
    problems = footnote_problems(paragraphs, notes)
    if problems:
        raise BuildFailed(tuple(Diagnostic("C010", problem, recipe.path) for problem in problems))
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

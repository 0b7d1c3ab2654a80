"""The recipe: the editorial decisions for one text, read from ``src_text/recipe.yaml``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import fail
from .footnotes import PlacedMarker
from .joins import JoinKind
from .rules import Fix

SOURCE_DIR = "src_text"
RECIPE_NAME = "recipe.yaml"


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
    order_lines: tuple[int, ...] = ()  # the line of each chunk start in the recipe

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
            raise ValueError(f"'joins' names {start!r}, not a chunk start after the first in 'order'.")
        if kind not in kinds:
            raise ValueError(f"'joins' value {kind!r} for {start!r} must be one of {sorted(kinds)}.")
    return tuple((start, kinds[kind]) for start, kind in value.items())


def _line(lines: Sequence[int], index: int) -> int | None:
    return lines[index] if index < len(lines) else None


def _parse_markers(value: object, lines: Sequence[int]) -> tuple[PlacedMarker, ...]:
    """Placed markers: ``note`` (int) and ``after`` (words), one entry per note."""
    items = value if isinstance(value, list) else [value]
    if not all(_is_entry(i, note=int, after=str) for i in items):
        raise ValueError("each 'footnote_markers' entry needs 'note: <number>' and 'after: \"<words>\"'.")
    markers = tuple(PlacedMarker(i["note"], i["after"], _line(lines, n)) for n, i in enumerate(items))
    if len({m.note for m in markers}) != len(markers):
        raise ValueError("'footnote_markers' places the same note twice; keep one.")
    return markers


def _parse_fixes(value: object, lines: Sequence[int]) -> tuple[Fix, ...]:
    """Hand fixes: ``find`` and ``replace`` strings."""
    items = value if isinstance(value, list) else [value]
    if not all(_is_entry(i, find=str, replace=str) for i in items):
        raise ValueError("each 'fixes' entry needs 'find: \"...\"' and 'replace: \"...\"'.")
    return tuple(Fix(i["find"], i["replace"], _line(lines, n)) for n, i in enumerate(items))


def _item_lines(text: str) -> dict[str, list[int]]:
    """The line of each item of the recipe's lists (order, footnote_markers, fixes), by key."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        key.value: [item.start_mark.line + 1 for item in value.value]
        for key, value in node.value
        if isinstance(value, yaml.SequenceNode)
    }


def _parse_recipe(data: object, path: Path, lines: dict[str, list[int]]) -> Recipe:
    """Validate the recipe's YAML data; a problem raises ValueError with advice."""
    if not isinstance(data, dict):
        raise ValueError("the recipe must be a mapping with keys raw, output, metadata, order.")
    unknown = sorted(set(data) - _RECIPE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {unknown}; allowed keys are {sorted(_RECIPE_KEYS)}.")
    for key in ("raw", "output"):
        if not (isinstance(data.get(key), str) and data[key].strip()):
            raise ValueError(f"'{key}' must be a file name relative to {SOURCE_DIR}/.")
        # A received recipe must not make `clean` read or write the machine's other files.
        if not (path.parent / data[key]).resolve().is_relative_to(path.parent.resolve()):
            raise ValueError(
                f"'{key}: {data[key]}' leads outside {SOURCE_DIR}/; name a file inside it "
                f"(a link out of it counts as outside)"
            )
    order = _parse_order(data.get("order"))
    return Recipe(
        path=path,
        raw=path.parent / data["raw"],
        output=path.parent / data["output"],
        metadata=_parse_metadata(data.get("metadata")),
        order=order,
        joins=_parse_joins(data.get("joins") or {}, order),
        markers=_parse_markers(data.get("footnote_markers") or [], lines.get("footnote_markers", [])),
        fixes=_parse_fixes(data.get("fixes") or [], lines.get("fixes", [])),
        order_lines=tuple(lines.get("order", ())),
    )


def load_recipe(root: Path) -> Recipe:
    """Read and validate ``root/src_text/recipe.yaml``; mistakes raise BuildFailed."""
    path = Path(root) / SOURCE_DIR / RECIPE_NAME
    if not path.is_file():
        raise fail("C001", "the recipe is not there", path)
    text = path.read_text(encoding="utf-8")
    try:
        return _parse_recipe(yaml.safe_load(text), path, _item_lines(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail("C002", f"YAML syntax error: {problem}", path, mark.line + 1 if mark else None) from None
    except ValueError as exc:
        raise fail("C003", str(exc).rstrip("."), path) from None


def read_raw(recipe: Recipe) -> str:
    """The raw extraction named by the recipe."""
    if not recipe.raw.is_file():
        raise fail("C004", f"the raw text {recipe.raw.name} named by 'raw:' is not there", recipe.path)
    return recipe.raw.read_text(encoding="utf-8")

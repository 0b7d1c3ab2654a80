"""Load stage: the text's Markdown files as one document, each file keeping what is its own.

pandoc reads the files as one text (one call, one cache entry). Before that, each file's footnote
labels are made its own (`[^1]` may recur in every chapter file), and a marker paragraph is put
between files, so that after parsing every block is known to come from its file: images are
resolved against their file's folder (or the edition's) and footnote errors name file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..ast import elements, stringify
from ..diagnostics import Diagnostic
from .sanitise import resolve_image

_CALL = re.compile(r"\[\^([^\]\s^]+)\]")
_OWN = re.compile(r"\[\^f(\d+)-([^\]\s^]+)\]")
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s^]+)\]:", re.M)
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
_MARK = "readingedition-file-{}"
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def join_texts(texts: list[str]) -> str:
    """The files as one Markdown text: labels made per file, a marker paragraph between files."""
    parts = []
    for index, text in enumerate(texts):
        if index:
            parts.append(_MARK.format(index))
        parts.append(_CALL.sub(lambda m, i=index: f"[^f{i}-{m.group(1)}]", text))
    return "\n\n".join(parts)


def split_files(blocks: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each top-level block with the index of its file, the markers left out."""
    index = 0
    for block in blocks:
        if (
            block["t"] == "Para"
            and len(block["c"]) == 1
            and block["c"][0]["t"] == "Str"
            and block["c"][0]["c"].startswith("readingedition-file-")
        ):
            index = int(block["c"][0]["c"].rsplit("-", 1)[1])
            continue
        yield index, block


def duplicate_footnotes(sources: list[Path], texts: list[str]) -> list[Diagnostic]:
    problems = []
    for path, text in zip(sources, texts):
        seen: dict[str, int] = {}
        for match in _DEFINITION.finditer(_blank_fences(text)):
            line = text.count("\n", 0, match.start()) + 1
            label = match.group(1)
            if label in seen:
                problems.append(
                    Diagnostic(
                        "T008",
                        f"the footnote [^{label}] is defined twice in this file (first at line {seen[label]})",
                        path,
                        line,
                    )
                )
            seen.setdefault(label, line)
    return problems


def _blank_fences(text: str) -> str:
    """The text with fenced code blocks blanked out, lines kept."""
    parts = _FENCE.split(text)
    out, inside = [parts[0]], False
    for fence, chunk in zip(parts[1::2], parts[2::2]):
        inside = not inside
        out.append(fence + (re.sub(r"[^\n]", " ", chunk) if inside else chunk))
    return "".join(out)


def undefined_footnotes(blocks: list[Any], sources: list[Path], texts: list[str]) -> list[Diagnostic]:
    """pandoc leaves a call of an undefined footnote as literal text."""
    problems = []
    for index, label in dict.fromkeys(_OWN.findall(stringify(blocks))):
        ref = f"[^{label}]"
        text = texts[int(index)]
        line = text.count("\n", 0, max(text.find(ref), 0)) + 1
        problems.append(
            Diagnostic("T003", f"the footnote reference {ref} has no footnote text", sources[int(index)], line)
        )
    return problems


def finish_blocks(
    blocks: list[Any], root: Path, sources: list[Path], texts: list[str]
) -> tuple[list[Any], tuple[str, ...], list[Diagnostic]]:
    """The text's blocks without the markers between files, the image files they show, and what
    is wrong with those, in one walk: every image pointed at its file, relative to the edition
    (from its Markdown file's folder, or else the edition's), and code given back what the editor
    typed (the per-file footnote labels undone). An image needs alt text and a file inside the
    edition."""
    kept, problems, images = [], [], set()
    for index, block in split_files(blocks):
        kept.append(block)
        for element in elements(block):
            if element["t"] == "Image":
                problems += _resolve_image(element, root, sources[index], texts[index])
                images.add(element["c"][2][0])
            elif element["t"] in ("Code", "CodeBlock"):
                element["c"][1] = _OWN.sub(r"[^\2]", element["c"][1])
    return kept, tuple(sorted(images)), problems


def _resolve_image(image: dict[str, Any], root: Path, source: Path, text: str) -> list[Diagnostic]:
    target = image["c"][2][0]
    line = text.count("\n", 0, max(text.find(target), 0)) + 1
    problems = []
    if not stringify(image["c"][1]).strip():
        problems.append(Diagnostic("T006", f"the image {target} has no alt text", source, line))
    found = find_image(target, root, source.parent)
    if found is None:
        problems.append(
            Diagnostic(
                "T007",
                f"the image {target} is not a file in the edition ({', '.join(sorted(IMAGE_TYPES))})",
                source,
                line,
            )
        )
    else:
        image["c"][2][0] = found
    return problems


def find_image(target: str, root: Path, folder: Path) -> str | None:
    for base in (folder, root):
        path = resolve_image(target, base, root)  # never a URL, never a file outside the edition
        if path is not None and path.is_file() and path.suffix.lower() in IMAGE_TYPES:
            return path.relative_to(root.resolve()).as_posix()
    return None

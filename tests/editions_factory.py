"""Tiny editions for tests, made in a temporary directory, and ways to build and compare them.

Used by the integration tests and others. Not a conftest: import it (`from editions_factory import ...`);
pytest puts tests/ on sys.path (pyproject's `pythonpath`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readingedition.diagnostics import BuildFailed, Diagnostic

REPOSITORY = Path(__file__).resolve().parents[1]

METADATA = """\
---
title: "A Tiny Text"
lang: en
author: "Ann Author"
date: "2001"
---
"""

BODY = """\
The first paragraph mentions *The Long Book* and a soviet of workers.[^1]

The second paragraph closes the text with a quiet ending.

[^1]: A footnote about the book.
"""

TEXT = METADATA + "\n" + BODY

NOTES_YAML = """\
notes:
  - id: long-book
    quote: "The Long Book"
    note: "A book that is *long*."
"""

GLOSSARY_YAML = """\
glossary:
  - term: soviet
    short: Russian for council.
    definition: The Russian word for a council of elected deputies.
"""

NOTES_FILE = "annotations/notes.yaml"
GLOSSARY_FILE = "annotations/glossary.yaml"
TEXT_FILE = "src_text/text.md"
EDITION_NAME = "a-tiny-text"  # from the title: output/a-tiny-text.epub


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def make_edition(
    root: Path,
    *,
    text: str | bytes = TEXT,
    notes: str | bytes | None = NOTES_YAML,
    glossary: str | bytes | None = GLOSSARY_YAML,
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """An edition directory: src_text/text.md, annotations/notes.yaml and glossary.yaml, and any `files`."""
    root.mkdir(parents=True, exist_ok=True)
    write(root, TEXT_FILE, text)
    if notes is not None:
        write(root, NOTES_FILE, notes)
    if glossary is not None:
        write(root, GLOSSARY_FILE, glossary)
    for relative, content in (files or {}).items():
        write(root, relative, content)
    return root


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under a directory (hidden ones too): its bytes and mtime in nanoseconds."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def _command(root: Path, out: Path, command: str) -> list[str]:
    return [sys.executable, "build.py", command, "--root", str(root), "--out", str(out)]


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    """This process's environment without SOURCE_DATE_EPOCH, plus `env`."""
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update(env or {})
    return environment


def build_subprocess(
    root: Path, out: Path, command: str = "epub", env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python build.py COMMAND --root ROOT --out OUT`, run from the repository as an editor would."""
    return subprocess.run(
        _command(root, out, command),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_environment(env),
    )


def start_build(root: Path, out: Path, command: str = "epub", env: dict[str, str] | None = None) -> subprocess.Popen:
    """The same, started in the background: call .communicate() for (stdout, stderr)."""
    return subprocess.Popen(
        _command(root, out, command),
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(env),
    )


def build_in_process(root: Path, out: Path, capsys, command: str = "epub") -> tuple[int, str, str]:
    """`readingedition.cli.main` in this process: (exit code, stdout, stderr)."""
    from readingedition.cli import main

    capsys.readouterr()
    code = main([command, "--root", str(root), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def good_build(root: Path, out: Path, capsys) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    """OUT holding a good build of the edition at ROOT, and its snapshot (to compare with later)."""
    code, _, stderr = build_in_process(root, out, capsys)
    assert code == 0, stderr
    return out, snapshot(out)


def note_yaml(**fields: str) -> str:
    """A notes file with one note; values are written as JSON strings (valid YAML scalars)."""
    lines = ["notes:"]
    for index, (key, value) in enumerate(fields.items()):
        lines.append(f"{'  - ' if index == 0 else '    '}{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def failure_of(code: str, call, *args) -> Diagnostic:
    """The one diagnostic `call(*args)` fails with, which must have `code`."""
    with pytest.raises(BuildFailed) as failure:
        call(*args)
    [diagnostic] = failure.value.diagnostics
    assert diagnostic.code == code, diagnostic.render()
    return diagnostic

"""How the hostile tests see a refused build, and read a built one."""

from __future__ import annotations

import zipfile
from pathlib import Path

from readingedition.diagnostics import CODES

from editions_factory import EDITION_NAME, build_in_process, build_subprocess, snapshot

EPUB_NAME = f"{EDITION_NAME}.epub"
PDF_NAME = f"{EDITION_NAME}.pdf"


def first_diagnostic(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if line and not line.startswith((" ", "build failed")))


def assert_refused(code: int, stdout: str, stderr: str, out: Path, before: dict, first: str) -> None:
    """Exit 1, no traceback, `first` as the first diagnostic with its hint, OUT unchanged."""
    assert code == 1, stderr
    assert "Traceback" not in stderr + stdout
    assert first_diagnostic(stderr) == first, stderr
    diagnostic = first.split(" error ")[-1].split()[0] if " error " in first else first.split()[1]
    lines = stderr.splitlines()
    after = lines[lines.index(first) + 1 :]
    hint = next(line for line in after if line.startswith("    hint: "))
    assert hint == f"    hint: {CODES[diagnostic][1]}"
    assert snapshot(out) == before


def refuse(edition: Path, good_out, capsys, first: str, command: str = "epub") -> str:
    out, before = good_out
    code, stdout, stderr = build_in_process(edition, out, capsys, command)
    assert_refused(code, stdout, stderr, out, before, first)
    return stderr


def refuse_in_subprocess(edition: Path, good_out, first: str, **options) -> str:
    """As refuse(), with `python build.py` in a process of its own (build_subprocess's options)."""
    out, before = good_out
    done = build_subprocess(edition, out, **options)
    assert_refused(done.returncode, done.stdout, done.stderr, out, before, first)
    return done.stderr


def chapter(out: Path, name: str = EPUB_NAME) -> str:
    with zipfile.ZipFile(out / name) as book:
        return "".join(book.read(n).decode() for n in sorted(book.namelist()) if n.endswith(".xhtml"))

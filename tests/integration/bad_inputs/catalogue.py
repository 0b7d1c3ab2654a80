"""The catalogue's cases and how a refused build is checked: exit 1, no traceback, the first
diagnostic exactly, its hint, and OUT as it was."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from readingedition.diagnostics import CODES, BuildFailed

from editions_factory import EDITION_NAME, build_in_process, build_subprocess, snapshot, write

EPUB_NAME = f"{EDITION_NAME}.epub"


@dataclass(frozen=True)
class Case:
    name: str
    first_line: str  # exact; {root} stands for the edition directory
    files: dict[str, str | bytes] = field(default_factory=dict)  # written over the good edition
    mutate: Callable[[Path], None] | None = None
    detail: tuple[str, ...] = ()  # more text the message must contain
    errors: int = 1
    subprocess: bool = False


def rebuild(edition: Path, out: Path, capsys, via_subprocess: bool, command: str = "epub") -> tuple[int, str, str]:
    if via_subprocess:
        done = build_subprocess(edition, out, command)
        return done.returncode, done.stdout, done.stderr
    return build_in_process(edition, out, capsys, command)


def diagnostic_lines(stderr: str) -> list[str]:
    """The unindented lines of the output: diagnostics (progress lines are indented)."""
    return [
        line
        for line in stderr.splitlines()
        if line and not line.startswith(" ") and not line.startswith("build failed:")
    ]


def assert_refused(stderr: str, stdout: str, code: int, out: Path, errors: int) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr + stdout
    assert stdout == ""  # nothing "built"
    assert stderr.rstrip("\n").splitlines()[-1] == (
        f"build failed: {errors} error{'s' * (errors != 1)}; {out.resolve()} is unchanged"
    )


def assert_hint_follows(stderr: str, first_line: str, diagnostic_code: str) -> None:
    """The diagnostic's block (its line and indented detail) ends with its hint."""
    lines = stderr.splitlines()
    start = lines.index(first_line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    assert block[-1] == f"    hint: {CODES[diagnostic_code][1]}"


def assert_case_refused(case: Case, edition: Path, good_out, capsys) -> None:
    """Break the good edition as the case says, build again, and check what the build says."""
    out, before = good_out
    for relative, content in case.files.items():
        write(edition, relative, content)
    if case.mutate:
        case.mutate(edition)
    started = time.perf_counter()
    code, stdout, stderr = rebuild(edition, out, capsys, case.subprocess)
    elapsed = time.perf_counter() - started

    assert_refused(stderr, stdout, code, out, case.errors)
    expected = case.first_line.replace("{root}", str(edition.resolve()))
    assert diagnostic_lines(stderr)[0] == expected, stderr
    diagnostic_code = re.search(r"error ([A-Z]\d{3}) ", expected).group(1)
    assert f" {diagnostic_code} {CODES[diagnostic_code][0]}: " in expected
    assert_hint_follows(stderr, expected, diagnostic_code)
    for text in case.detail:
        assert text in stderr, stderr
    # OUT is as it was: same files, bytes and mtimes, and no temporary file left behind.
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME]
    if case.name == "yaml-bomb":
        assert elapsed < 5, f"the bomb took {elapsed:.1f} s to refuse"


def anchored_ids(root: Path) -> list[str]:
    """The ids of the anchored notes; a BuildFailed becomes a plain test failure showing its diagnostics."""
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition

    try:
        return [note.spec.id for note in anchor_edition(load_edition(root)).notes]
    except BuildFailed as failure:
        pytest.fail(str(failure))


def diagnostics_of(root: Path) -> list:
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition

    with pytest.raises(BuildFailed) as failure:
        anchor_edition(load_edition(root))
    return list(failure.value.diagnostics)

"""Bad inputs: missing, unreadable and unparsable files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .catalogue import Case, assert_case_refused, assert_hint_follows, assert_refused, diagnostic_lines, rebuild
from editions_factory import build_in_process, note_yaml, snapshot, write


def _rmtree(root: Path) -> None:
    import shutil

    shutil.rmtree(root)


CASES = [
    # Files
    Case(
        "missing-root",
        "error F001 missing-path: the edition directory {root} does not exist",
        mutate=_rmtree,
        subprocess=True,
    ),
    Case(
        "annotation-file-is-a-directory",
        "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Is a directory",
        mutate=lambda root: (root / "annotations" / "x.yaml").mkdir(),
    ),
    Case(
        "stylesheet-does-not-parse",
        "styles/epub.css:2: error F004 bad-stylesheet: the style sheet does not parse: "
        "EOF reached before {} block for a qualified rule.",
        {"styles/epub.css": "p { color: red; }\n}}}\n"},
        subprocess=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys) -> None:
    assert_case_refused(case, edition, good_out, capsys)


def test_unclosed_css_block_is_accepted(edition: Path, tmp_path: Path, capsys) -> None:
    """CSS closes a block left open at the end of the file: not an error (tinycss2 reports none)."""
    write(edition, "styles/epub.css", "p { color: red; ")
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root reading the file "
    "(the directory-named-x.yaml case covers F002)",
)
def test_unreadable_annotation_file(edition: Path, good_out, capsys) -> None:
    out, before = good_out
    path = write(edition, "annotations/x.yaml", note_yaml(id="x", quote="quiet ending", note="x"))
    path.chmod(0)
    try:
        code, stdout, stderr = rebuild(edition, out, capsys, via_subprocess=False)
    finally:
        path.chmod(0o644)
    assert_refused(stderr, stdout, code, out, 1)
    first = "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Permission denied"
    assert diagnostic_lines(stderr)[0] == first
    assert_hint_follows(stderr, first, "F002")
    assert snapshot(out) == before


def test_unreadable_annotation_file_simulated(edition: Path, good_out, capsys, monkeypatch) -> None:
    """The same, for any user (root included): reading the file raises PermissionError."""
    out, before = good_out
    path = write(edition, "annotations/x.yaml", note_yaml(id="x", quote="quiet ending", note="x"))
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == path.name and self.resolve() == path.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, stdout, stderr = rebuild(edition, out, capsys, via_subprocess=False)
    assert_refused(stderr, stdout, code, out, 1)
    first = "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Permission denied"
    assert diagnostic_lines(stderr)[0] == first
    assert_hint_follows(stderr, first, "F002")
    assert snapshot(out) == before

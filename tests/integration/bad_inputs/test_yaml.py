"""Bad inputs: YAML, keys and fields."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from readingedition.diagnostics import BuildFailed

from .catalogue import Case, assert_case_refused
from editions_factory import NOTES_FILE, note_yaml, write

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


CASES = [
    # YAML
    Case(
        "yaml-syntax-error",
        "annotations/notes.yaml:4: error Y001 yaml-syntax: YAML syntax error: mapping values "
        "are not allowed in this context",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: it says: hello\n"},
        subprocess=True,
    ),
    Case(
        "yaml-tab",
        "annotations/notes.yaml:2: error Y002 yaml-tab: a tab is used for indentation",
        {NOTES_FILE: "notes:\n\t- id: long-book\n\t  quote: The Long Book\n\t  note: x\n"},
    ),
    Case("yaml-empty", "annotations/notes.yaml:1: error Y003 yaml-empty: the file is empty", {NOTES_FILE: ""}),
    Case(
        "yaml-comments-only",
        "annotations/notes.yaml:1: error Y003 yaml-empty: the file is empty",
        {NOTES_FILE: "# notes to come\n"},
    ),
    Case(
        "yaml-top-level-list",
        "annotations/notes.yaml:1: error Y004 yaml-not-mapping: the file holds a list, not a mapping",
        {NOTES_FILE: "- id: long-book\n  quote: The Long Book\n  note: x\n"},
    ),
    Case(
        "yaml-not-utf8",
        "annotations/notes.yaml:4: error F003 not-utf8: the file is not UTF-8 (byte 0xe9)",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: caf\xe9\n".encode("latin-1")},
    ),
    Case(
        "yaml-bomb",
        "annotations/notes.yaml:2: error Y005 yaml-alias: an alias (*name) is used",
        {NOTES_FILE: BOMB},
        subprocess=True,
    ),
    # Keys and fields
    Case(
        "misspelt-key",
        "annotations/notes.yaml:3: error K001 unknown-key: unknown key `qoute`; did you mean `quote`?",
        {NOTES_FILE: "notes:\n  - id: long-book\n    qoute: The Long Book\n    note: x\n"},
        detail=("annotations/notes.yaml:2: error K002 missing-field: note 'long-book' has no `quote`",),
        errors=2,
    ),
    Case(
        "missing-field",
        "annotations/notes.yaml:2: error K002 missing-field: note 'long-book' has no `note`",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n"},
    ),
    Case(
        "empty-note",
        "annotations/notes.yaml:4: error K003 empty-field: `note` of note 'long-book' is empty",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note=" ")},
    ),
    Case(
        "malformed-id",
        "annotations/notes.yaml:2: error K004 bad-id: malformed id 'Long Book!'",
        {NOTES_FILE: note_yaml(id="Long Book!", quote="The Long Book", note="x")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys) -> None:
    assert_case_refused(case, edition, good_out, capsys)


def test_bomb_is_refused_in_process_quickly(tmp_path: Path) -> None:
    """Ten levels (10**10 strings if expanded), and a merge-key variant: refused before composing."""
    from readingedition.load.annotations import load_annotations

    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 11)]
    write(tmp_path, "annotations/bomb.yaml", "\n".join(levels) + "\n")
    write(
        tmp_path,
        "annotations/merge.yaml",
        "base: &base {id: x, quote: y, note: z}\nnotes:\n  - <<: *base\n    id: long-book\n",
    )
    started = time.perf_counter()
    with pytest.raises(BuildFailed) as failure:
        load_annotations(tmp_path / "annotations")
    assert time.perf_counter() - started < 1
    found = {(d.path.name, d.line, d.code) for d in failure.value.diagnostics}
    assert found == {("bomb.yaml", 2, "Y005"), ("merge.yaml", 3, "Y005")}

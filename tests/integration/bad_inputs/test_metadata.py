"""Bad inputs: the metadata block (read with the annotation files' YAML reader before pandoc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .catalogue import Case, assert_case_refused
from editions_factory import NOTES_FILE, TEXT, TEXT_FILE, note_yaml

CASES = [
    # Metadata
    Case(
        "metadata-yaml-syntax",
        "src_text/text.md:4: error Y001 yaml-syntax: YAML syntax error: mapping values are not allowed in this context",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\nsubtitle: Founding texts: the Declaration\n")},
    ),
    Case(
        "metadata-unknown-key",
        "src_text/text.md:4: error K001 unknown-key: unknown metadata key `twoside`; did you mean `twosided`?",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\ntwoside: true\npapersize: a4\n")},
        detail=("src_text/text.md:5: error K001 unknown-key: unknown metadata key `papersize`; did you mean `paper`?",),
        errors=2,
    ),
    Case(
        "metadata-language-name",
        "src_text/text.md:3: error T005 bad-language-tag: `lang: english` is not a BCP 47 "
        "language tag; did you mean `en`?",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: english\n")},
    ),
    Case(
        "a-bad-citation-and-a-bad-quote-at-once",
        "annotations/notes.yaml:2: error A006 unknown-citation: note "
        "`long-book` cites @nobody, which is in no `references:` list",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Lung Book", note="See @nobody.")},
        detail=("annotations/notes.yaml:2: error A001 quote-not-found",),
        errors=2,
        subprocess=True,
    ),
    Case(
        "every-independent-error-at-once",
        "src_text/text.md:4: error K001 unknown-key: unknown metadata key `papersize`; did you mean `paper`?",
        {
            TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\npapersize: a4\n") + "\n[^3]: One.\n\n[^3]: Two.\n",
            NOTES_FILE: "notes:\n  - id: long-book\n    qoute: The Long Book\n    note: x\n",
        },
        detail=(
            "annotations/notes.yaml:3: error K001 unknown-key: unknown key `qoute`",
            "src_text/text.md:17: error T008 duplicate-footnote",
        ),
        errors=4,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys) -> None:
    assert_case_refused(case, edition, good_out, capsys)

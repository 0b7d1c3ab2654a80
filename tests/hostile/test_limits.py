"""Hostile input. Nothing silently lost, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .refusal import refuse, refuse_in_subprocess
from editions_factory import GLOSSARY_FILE, METADATA, NOTES_FILE, TEXT, TEXT_FILE, write


@pytest.mark.parametrize(
    "files, first",
    [
        (
            {TEXT_FILE: TEXT.replace("The second paragraph", "The sec\x0bond paragraph")},
            "src_text/text.md:10: error T009 control-character: the control character U+000B is in the text",
        ),
        (
            {TEXT_FILE: TEXT.replace("A Tiny Text", "A Tiny\x01 Text")},
            "src_text/text.md:2: error T009 control-character: the control character U+0001 is in the text",
        ),
        (
            {NOTES_FILE: 'notes:\n  - id: long-book\n    quote: The Long Book\n    note: "a\\vb"\n'},
            "annotations/notes.yaml:2: error T009 control-character: note `long-book` holds the control character U+000B",
        ),
        (
            {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: x\n    1: y\n"},
            "annotations/notes.yaml:5: error K007 key-not-text: the key `1` is read as a number or yes/no, not a word",
        ),
        (
            {
                GLOSSARY_FILE: "glossary:\n  - term: soviet\n    short: s\n    definition: d\n"
                "  - term: soviet!\n    short: t\n    definition: e\n"
            },
            "annotations/glossary.yaml:5: error G005 duplicate-slug: the terms `soviet` and `soviet!` would share the "
            "anchor `gloss-soviet`",
        ),
        (
            {TEXT_FILE: METADATA.replace("---\n", "---\nbibliography: /etc/passwd\n", 1) + "\nSee @x.\n"},
            "src_text/text.md:2: error K001 unknown-key: unknown metadata key `bibliography`; did you mean `epigraph`?",
        ),
    ],
)
def test_no_traceback_and_nothing_lost(edition: Path, good_out, capsys, files, first: str) -> None:
    for relative, content in files.items():
        write(edition, relative, content)
    refuse(edition, good_out, capsys, first)


def test_deep_block_quotes_are_refused(edition: Path, good_out, capsys) -> None:
    write(edition, TEXT_FILE, TEXT + "\n" + "> " * 150 + "deep\n")
    refuse(edition, good_out, capsys, "src_text/text.md: error S003 too-deep: the text nests more than 64 levels deep")


def test_deep_yaml_is_refused(edition: Path, good_out, capsys) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: x\n    quote: y\n    note: " + "[" * 990 + "]" * 990 + "\n")
    refuse(
        edition,
        good_out,
        capsys,
        "annotations/notes.yaml:4: error S003 too-deep: the YAML nests more than 64 levels deep",
    )


def test_a_huge_paragraph_is_refused_quickly(edition: Path, good_out) -> None:
    write(edition, TEXT_FILE, TEXT + "\n" + "word " * 2_000_000 + "\n")
    refuse_in_subprocess(
        edition,
        good_out,
        "src_text/text.md:14: error S004 too-large: a paragraph of 10,000,001 characters is longer than "
        "the 100,000 the builder lays out",
        timeout=60,
    )

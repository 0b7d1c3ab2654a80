"""Bad inputs that were product bugs when the catalogue was written, fixed since."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readingedition.diagnostics import BuildFailed

from .catalogue import anchored_ids, diagnostics_of
from editions_factory import METADATA, NOTES_FILE, TEXT, make_edition, note_yaml, write


def test_empty_value_is_an_empty_field(edition: Path) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: long-book\n    quote: The Long Book\n    note:\n")
    diagnostics = diagnostics_of(edition)
    assert [(d.code, d.line, d.message) for d in diagnostics] == [("K003", 4, "`note` of note 'long-book' is empty")]


def test_number_or_boolean_value_says_to_quote_it(edition: Path) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: long-book\n    quote: 1917\n    note: yes\n")
    assert [(d.code, d.line) for d in diagnostics_of(edition)] == [("K006", 4), ("K006", 3)]
    for diagnostic in diagnostics_of(edition):
        rendered = diagnostic.render(edition)
        assert "is not of type" not in rendered and "True" not in rendered
        assert "quote" in diagnostic.hint.lower()


def test_empty_string_is_reported_once(edition: Path) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="", note="x"))
    diagnostics = diagnostics_of(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("K003", 3)]


def test_duplicate_key_is_refused(edition: Path) -> None:
    write(
        edition,
        NOTES_FILE,
        "notes:\n  - id: long-book\n    quote: The Long Book\n    quote: quiet ending\n    note: x\n",
    )
    diagnostics = diagnostics_of(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("Y006", 4)] and "`quote`" in diagnostics[0].message


def test_unclosed_quote_is_reported_where_it_opens(edition: Path) -> None:
    write(edition, NOTES_FILE, 'notes:\n  - id: long-book\n    quote: "The Long Book\n    note: x\n')
    diagnostics = diagnostics_of(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("Y001", 3)]


def test_nfd_quote_anchors_in_normalised_text(tmp_path: Path) -> None:
    text = TEXT.replace("quiet ending", "quiet caf\u00e9 ending")
    root = make_edition(tmp_path / "edition", text=text, notes=note_yaml(id="cafe", quote="quiet cafe\u0301", note="x"))
    assert anchored_ids(root) == ["cafe"]


@pytest.mark.parametrize(
    "body",
    [
        "echo delta here.\n\nthen echo delta again.\n",  # first occurrence opens the text
        "one two echo delta here.\n\none two echo delta again.\n",  # same words before both
    ],
)
def test_every_suggested_context_singles_out_its_occurrence(tmp_path: Path, body: str) -> None:
    root = make_edition(
        tmp_path / "edition",
        text=METADATA + "\n" + body,
        glossary=None,
        notes=note_yaml(id="ed", quote="echo delta", note="x"),
    )
    [diagnostic] = diagnostics_of(root)
    assert diagnostic.code == "A002"
    suggestions = re.findall(r"(prefix|suffix): '([^']*)'", diagnostic.detail)
    assert len(suggestions) == 2
    for key, value in suggestions:
        write(root, NOTES_FILE, note_yaml(id="ed", quote="echo delta", note="x", **{key: value}))
        assert anchored_ids(root) == ["ed"]


@pytest.mark.parametrize("image", ["![x](javascript:alert(1))", "![x](https://example.com/a.png)"])
def test_images_in_notes_are_checked(edition: Path, image: str) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=f"See {image}."))
    diagnostics = diagnostics_of(edition)
    assert [d.code for d in diagnostics] == ["A005"]


def test_build_failed_survives_a_generator_context_manager() -> None:
    import contextlib

    from readingedition.diagnostics import fail

    @contextlib.contextmanager
    def stage():
        yield

    with pytest.raises(BuildFailed):
        with stage():
            raise fail("F001", "the edition directory /nowhere does not exist")

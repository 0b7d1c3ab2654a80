"""The fidelity checks of both editions fail when a renderer drops a paragraph or writes one twice.

Each case renders the example edition from chapters with one paragraph dropped or doubled, and
checks that edition against the source text, as `build.py check --editions` does.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from readingedition.check.fidelity import epub_fidelity, pdf_fidelity
from readingedition.model import Chapter
from readingedition.render.epub import render_epub
from readingedition.render.pdf import render_pdf

RENDER = {"epub": (render_epub, epub_fidelity), "pdf": (render_pdf, pdf_fidelity)}


def _is_plain(block: dict) -> bool:
    """A paragraph of text only (no note call, term or footnote in it), a few words long."""
    text = json.dumps(block)
    return block["t"] == "Para" and len(block["c"]) > 8 and '"Span"' not in text and '"Note"' not in text


def _changed(annotated, change: str):
    """The edition with its first plain paragraph dropped or doubled."""
    chapters = list(annotated.chapters)
    number, index = next(
        (number, index)
        for number, chapter in enumerate(chapters)
        for index, block in enumerate(chapter.blocks)
        if _is_plain(block)
    )
    blocks = list(chapters[number].blocks)
    if change == "dropped":
        del blocks[index]
    else:
        blocks.insert(index, blocks[index])
    chapters[number] = Chapter(chapters[number].title, blocks)
    return replace(annotated, chapters=tuple(chapters))


@pytest.mark.parametrize("change", ["dropped", "duplicated"])
@pytest.mark.parametrize("edition", ["epub", "pdf"])
def test_the_fidelity_check_fails_on_a_paragraph(example, tmp_path, edition, change):
    render, fidelity = RENDER[edition]
    target = tmp_path / f"changed.{edition}"
    render(_changed(example.annotated, change), target)
    report = fidelity(example.annotated, target)
    assert not report.ok
    [problem] = report.diagnostics(target)
    assert problem.code == "V006"
    assert problem.message.startswith(f"{edition.upper()} text: {'missing' if change == 'dropped' else 'extra'} after")


@pytest.mark.parametrize("edition", ["epub", "pdf"])
def test_the_fidelity_check_passes_the_edition_as_rendered(example, tmp_path, edition):
    render, fidelity = RENDER[edition]
    target = tmp_path / f"same.{edition}"
    render(example.annotated, target)
    assert fidelity(example.annotated, target).diagnostics(target) == ()


def _codes(annotated, changed, tmp_path) -> list[tuple[str, str]]:
    target = tmp_path / "changed.epub"
    render_epub(changed, target)
    return [(d.code, d.message) for d in epub_fidelity(annotated, target).diagnostics(target)]


def test_a_note_missing_from_the_epub_is_an_error(example, tmp_path):
    annotated = example.annotated
    lost = annotated.notes[0]
    emptied = replace(lost, body=[{"t": "Para", "c": [{"t": "Str", "c": "Nothing."}]}])
    kept = replace(annotated, notes=(emptied, *annotated.notes[1:]))
    assert ("V007", f"the note `{lost.spec.id}` is not in the EPUB") in _codes(annotated, kept, tmp_path)


def test_a_definition_missing_from_the_epub_is_an_error(example, tmp_path):
    annotated = example.annotated
    edition = annotated.edition
    entry = edition.annotations.glossary[0]
    empty = replace(edition, term_definitions={**edition.term_definitions, entry.slug: []})
    codes = _codes(annotated, replace(annotated, edition=empty), tmp_path)
    assert codes == [("V008", f"the definition of `{entry.term}` is not in the EPUB")]


def test_markup_shown_as_text_in_the_epub_is_an_error(example, tmp_path):
    annotated = example.annotated
    first, *rest = annotated.chapters
    stray = [{"t": "Para", "c": [{"t": "Str", "c": "**"}]}, *first.blocks]
    codes = _codes(annotated, replace(annotated, chapters=(Chapter(first.title, stray), *rest)), tmp_path)
    assert ("V009", "'**' shows as text in the EPUB") in codes

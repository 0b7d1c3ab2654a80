"""Random notes and glossary terms on random passages of a generated text always give a valid
edition with every note present."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

import lxml.etree
import pytest
from hypothesis import event, given, settings

from readingedition.anchor import anchor_edition
from readingedition.ast import stringify
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition
from readingedition.render.epub import render_epub

from . import SETTINGS
from .generated_text import annotated_texts, annotation_files
from editions_factory import make_edition


def _flatten(inlines: list[Any], out: list[Any]) -> None:
    """The reader text of an inline list, char by char, with ("call", id) and ("fn",) markers."""
    for inline in inlines:
        t, c = inline["t"], inline.get("c")
        if t == "Str":
            out.extend(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t == "Note":
            out.append(("fn",))
        elif t == "Span" and "note-call" in c[0][1]:
            out.append(("call", dict(c[0][2])["data-note"]))
        elif t in ("Span", "Link", "Cite", "Quoted"):
            _flatten(c[1], out)
        elif isinstance(c, list) and t not in ("Code", "Math", "RawInline", "Image"):
            _flatten(c, out)


def _inline_lists(node: Any):
    """Every paragraph's inline list, footnote paragraphs included."""
    if isinstance(node, dict):
        if node.get("t") in ("Para", "Plain"):
            yield node["c"]
        for value in node.values():
            yield from _inline_lists(value)
    elif isinstance(node, list):
        for value in node:
            yield from _inline_lists(value)


def _glossed_text(node: Any, out: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        if node.get("t") == "Span" and "glossed" in node["c"][0][1]:
            out.setdefault(dict(node["c"][0][2])["data-note"], []).append(stringify(node["c"][1]))
        for value in node.values():
            _glossed_text(value, out)
    elif isinstance(node, list):
        for value in node:
            _glossed_text(value, out)


def _text_before_calls(blocks: list[Any]) -> dict[str, str]:
    """For each note, the reader text of its paragraph before its call ("\x01" for a footnote marker)."""
    before: dict[str, str] = {}
    for inlines in _inline_lists(blocks):
        flat: list[Any] = []
        _flatten(inlines, flat)
        text = ""
        for token in flat:
            if isinstance(token, str):
                text += token
            elif token[0] == "fn":
                text += "\x01"
            else:
                assert token[1] not in before, f"two calls for note {token[1]}"
                before[token[1]] = text
    return before


@settings(max_examples=40, **SETTINGS)
@given(annotated_texts())
def test_random_notes_and_terms_give_a_valid_edition(case) -> None:
    text, notes, terms = case
    notes_yaml, glossary_yaml, quotes = annotation_files(text, notes, terms)
    event(f"{len(notes)} notes")
    with tempfile.TemporaryDirectory() as scratch:
        root = make_edition(
            Path(scratch) / "edition", text=text.markdown(), notes=notes_yaml, glossary=glossary_yaml or None
        )
        try:
            annotated = anchor_edition(load_edition(root))
        except BuildFailed as failure:
            pytest.fail(
                f"a valid edition was refused:\n{failure}\n--- text:\n{text.markdown()}\n--- notes:\n{notes_yaml}"
            )
        assert {n.spec.id for n in annotated.notes} == set(quotes)
        assert [n.label for n in annotated.notes] == [chr(ord("a") + i) for i in range(len(quotes))]

        # In the anchored text: each note's call follows its passage (before any footnote marker),
        # and the pieces marked as its passage are the quote.
        blocks = [block for chapter in annotated.chapters for block in chapter.blocks]
        before = _text_before_calls(blocks)
        glossed: dict[str, list[str]] = {}
        _glossed_text(blocks, glossed)
        for note_id, quote in quotes.items():
            # Footnote markers inside the passage stay; none may come between its end and the call.
            assert before[note_id].replace("\x01", "").endswith(quote), (note_id, quote, before[note_id])
            assert not before[note_id].endswith("\x01"), (note_id, quote, before[note_id])
            assert "".join(glossed[note_id]) == quote, (note_id, quote, glossed[note_id])

        # Every term in the main text is linked (once: glossary-links: first, one chapter).
        for term in terms:
            slug = term.replace(" ", "-")
            assert annotated.report.term_uses[slug] == 1, (term, annotated.report.term_uses)

        epub_path = Path(scratch) / "edition.epub"
        render_epub(annotated, epub_path)
        with zipfile.ZipFile(epub_path) as book:
            pages = {name: book.read(name) for name in book.namelist() if name.endswith(".xhtml")}
        for data in pages.values():
            lxml.etree.fromstring(data)  # well-formed XHTML
        chapter = pages["EPUB/chapter-01.xhtml"].decode("utf-8")
        for note_id in quotes:
            assert chapter.count(f'<aside id="note-{note_id}"') == 1, note_id
            assert chapter.count(f'id="call-{note_id}"') == 1, note_id
            assert chapter.count(f'href="#note-{note_id}"') == 1, note_id
        for term in terms:
            assert f'href="glossary.xhtml#gloss-{term.replace(" ", "-")}"' in chapter

        from readingedition.check.fidelity import epub_fidelity

        report = epub_fidelity(annotated, epub_path)
        assert report.ok, report.render()

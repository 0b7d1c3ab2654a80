"""The build cache (readingedition/memo.py): it only ever saves time.

A rebuild asks pandoc only about what changed, gives the same bytes as a build without a cache,
never serves a stale result, survives a damaged or unwritable cache, and does not grow.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import tinycss2

from readingedition import pandoc
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition
from readingedition.memo import CACHE_DIR, Memo
from readingedition.pipeline import build
from readingedition.render import cover

from editions_factory import BODY, EDITION_NAME, METADATA, NOTES_FILE, NOTES_YAML, TEXT_FILE, make_edition, write

CITING_NOTES = (
    NOTES_YAML
    + """\
  - id: quiet
    quote: "a quiet ending"
    note: "As @brinton1970 [p. 3] puts it."
references:
  - id: brinton1970
    type: book
    author: [{family: Brinton, given: Maurice}]
    title: The Bolsheviks and Workers' Control
    issued: {date-parts: [[1970]]}
"""
)


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """What pandoc is asked to do, one entry per process: its input and output formats."""
    made: list[str] = []
    real = pandoc._run

    def counting(source: str, source_format: str, target_format: str, args: list[str]) -> str:
        made.append(f"{source_format.split('-')[0]}->{target_format}{' citeproc' if '--citeproc' in args else ''}")
        return real(source, source_format, target_format, args)

    monkeypatch.setattr(pandoc, "_run", counting)
    return made


def _entries(table: Path) -> dict[str, str]:
    """A cache table's entries (a table is {"mac": ..., "entries": {...}})."""
    return json.loads(table.read_text())["entries"]


def _epub_text(out: Path) -> str:
    with zipfile.ZipFile(out / f"{EDITION_NAME}.epub") as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xhtml"))


def test_a_rebuild_with_nothing_changed_runs_no_pandoc(tmp_path, calls) -> None:
    root = make_edition(tmp_path / "edition", notes=CITING_NOTES)
    build(root, tmp_path / "out", ("epub", "pdf"))
    assert sorted(calls) == ["json->html5", "json->html5", "json->json citeproc", "markdown->json", "markdown->json"]
    calls.clear()
    build(root, tmp_path / "out", ("epub", "pdf"))
    assert calls == []


def _rebuilt_after_editing_notes(tmp_path: Path, calls: list[str], edited_notes: str) -> str:
    """Build the EPUB, rewrite the notes file, build again (pandoc calls counted from there);
    the EPUB's XHTML."""
    root = make_edition(tmp_path / "edition", notes=CITING_NOTES)
    build(root, tmp_path / "out", ("epub",))
    calls.clear()
    write(root, NOTES_FILE, edited_notes)
    build(root, tmp_path / "out", ("epub",))
    return _epub_text(tmp_path / "out")


def test_an_edited_note_is_the_only_thing_parsed_again_and_shows(tmp_path, calls) -> None:
    text = _rebuilt_after_editing_notes(
        tmp_path, calls, CITING_NOTES.replace("A book that is *long*.", "A book that is *very long*.")
    )
    # The note's Markdown (not the text), and its HTML; citations are unchanged, so no citeproc.
    assert calls == ["markdown->json", "json->html5"]
    assert "<em>very long</em>" in text and "is <em>long</em>" not in text


def test_an_edited_reference_is_formatted_again(tmp_path, calls) -> None:
    text = _rebuilt_after_editing_notes(tmp_path, calls, CITING_NOTES.replace("[[1970]]", "[[1971]]"))
    assert "json->json citeproc" in calls
    assert "1971, 3</a>" in text and "Maurice. 1971." in text
    assert "1970, 3" not in text and "Maurice. 1970." not in text


def test_the_drawn_cover_is_drawn_again_only_when_what_it_shows_changes(tmp_path, monkeypatch) -> None:
    drawn: list[tuple[str, str | None, str]] = []
    real = cover.draw_cover

    def counting(title: str, subtitle: str | None, author: str) -> bytes:
        drawn.append((title, subtitle, author))
        return real(title, subtitle, author)

    monkeypatch.setattr(cover, "draw_cover", counting)
    root = make_edition(tmp_path / "edition")
    pictures = []
    for author in ("Ann Author", "Ann Author", "Bea Author"):
        write(root, TEXT_FILE, METADATA.replace("Ann Author", author) + "\n" + BODY)
        build(root, tmp_path / "out", ("epub",))
        with zipfile.ZipFile(tmp_path / "out" / f"{EDITION_NAME}.epub") as book:
            pictures.append(book.read("EPUB/cover.png"))
    assert drawn == [("A Tiny Text", None, "Ann Author"), ("A Tiny Text", None, "Bea Author")]
    assert pictures[0] == pictures[1] != pictures[2]


def test_a_style_sheet_is_parsed_again_when_it_changes(tmp_path, monkeypatch) -> None:
    root = make_edition(tmp_path / "edition")
    write(root, "styles/epub.css", "p { color: red; }\n")
    load_edition(root)
    parsed: list[str] = []
    real = tinycss2.parse_stylesheet
    monkeypatch.setattr(tinycss2, "parse_stylesheet", lambda css, **options: parsed.append(css) or real(css, **options))
    load_edition(root)
    assert parsed == []
    write(root, "styles/epub.css", "p { color: red; }\n}}}\n")
    with pytest.raises(BuildFailed) as failure:
        load_edition(root)
    assert [d.code for d in failure.value.diagnostics] == ["F004"]
    assert parsed == ["p { color: red; }\n}}}\n"]


def test_an_annotation_file_is_validated_again_when_it_changes(tmp_path) -> None:
    root = make_edition(tmp_path / "edition")
    load_edition(root)
    write(root, NOTES_FILE, NOTES_YAML + "    colour: red\n")
    with pytest.raises(BuildFailed) as failure:
        load_edition(root)
    assert [d.code for d in failure.value.diagnostics] == ["K001"]


def test_cached_and_uncached_builds_are_byte_identical(tmp_path) -> None:
    root = make_edition(tmp_path / "edition", notes=CITING_NOTES)
    build(root, tmp_path / "cold", ("epub", "pdf"))
    assert (root / CACHE_DIR / "parse.json").is_file()
    build(root, tmp_path / "warm", ("epub", "pdf"))
    for kind in ("epub", "pdf"):
        assert (tmp_path / "cold" / f"{EDITION_NAME}.{kind}").read_bytes() == (
            tmp_path / "warm" / f"{EDITION_NAME}.{kind}"
        ).read_bytes()


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path) -> None:
    root = make_edition(tmp_path / "edition", notes=CITING_NOTES)
    build(root, tmp_path / "first", ("epub",))
    tables = sorted((root / CACHE_DIR).glob("*.json"))
    assert [t.name for t in tables] == ["annotations.json", "cover.json", "html-epub.json", "parse.json", "styles.json"]
    tables[0].write_bytes(tables[0].read_bytes().replace(b"valid", b"valud"))
    tables[1].write_bytes(tables[1].read_bytes()[:-100])
    tables[2].write_text('{"truncated": ')
    tables[3].write_text('["valid JSON", "but not a table"]')
    tables[4].write_bytes(tables[4].read_bytes().replace(b"parses", b"parsed"))
    build(root, tmp_path / "second", ("epub",))
    assert (tmp_path / "first" / f"{EDITION_NAME}.epub").read_bytes() == (
        tmp_path / "second" / f"{EDITION_NAME}.epub"
    ).read_bytes()
    assert all(_entries(table) for table in tables)


def test_an_unwritable_cache_only_costs_time(tmp_path) -> None:
    root = make_edition(tmp_path / "edition")
    (root / ".cache").write_text("a file where the cache directory would go")
    build(root, tmp_path / "out", ("epub",))
    assert (tmp_path / "out" / f"{EDITION_NAME}.epub").is_file()


def test_a_table_keeps_only_what_the_last_build_used(tmp_path) -> None:
    root = make_edition(tmp_path / "edition")
    build(root, tmp_path / "out", ("epub",))
    table = root / CACHE_DIR / "parse.json"
    before = set(_entries(table))
    for version in range(3):
        write(root, NOTES_FILE, NOTES_YAML.replace("*long*", f"*long* ({version})"))
        build(root, tmp_path / "out", ("epub",))
    after = set(_entries(table))
    assert len(after) == len(before) and len(after - before) == 1  # the one note's entry, replaced


def test_keys_separate_their_parts_and_the_pandoc_version(tmp_path) -> None:
    memo = Memo(None, "pandoc 3.9")
    assert memo.key("ab", "c") != memo.key("a", "bc")
    assert memo.key("x") != Memo(None, "pandoc 3.8").key("x")
    memo.put(memo.key("x"), "")
    assert memo.get(memo.key("x")) == ""


def test_a_copied_edition_with_its_cache_sees_its_own_text(tmp_path) -> None:
    """A copied edition carries its cache along; the copy's build must still see its own text."""
    root = make_edition(tmp_path / "edition")
    build(root, tmp_path / "out", ("epub",))
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    write(copy, "src_text/text.md", (root / "src_text/text.md").read_text().replace("quiet ending", "loud ending"))
    build(copy, tmp_path / "copy-out", ("epub",))
    assert "loud ending" in _epub_text(tmp_path / "copy-out")


def test_code_blocks_keep_distinct_ids_when_one_is_edited(tmp_path) -> None:
    """pandoc numbers code blocks across a call (cb1, cb2): such blocks are written together."""
    text = (
        METADATA + "\nThe first paragraph mentions *The Long Book*.\n\n```python\nx = 1\n```\n\nMiddle.\n\n"
        "```python\ny = 2\n```\n"
    )
    root = make_edition(tmp_path / "edition", text=text)
    build(root, tmp_path / "out", ("epub",))
    cold = re.findall(r'id="(cb\d+)"', _epub_text(tmp_path / "out"))
    write(root, TEXT_FILE, text.replace("y = 2", "y = 3"))
    build(root, tmp_path / "out", ("epub",))
    assert cold == re.findall(r'id="(cb\d+)"', _epub_text(tmp_path / "out")) == ["cb1", "cb2"]


def test_the_texts_nocite_lists_references_without_citing_them(tmp_path, monkeypatch) -> None:
    """`nocite` goes to citeproc in the metadata; its citation is not one of those to format."""
    requests: list[dict] = []
    real = pandoc._run

    def capturing(source: str, source_format: str, target_format: str, args: list[str]) -> str:
        if "--citeproc" in args:
            requests.append(json.loads(source))
        return real(source, source_format, target_format, args)

    monkeypatch.setattr(pandoc, "_run", capturing)
    text = METADATA.replace("---\n", '---\nnocite: "@brinton1970"\n', 1) + "\n" + BODY
    notes = CITING_NOTES.replace("As @brinton1970 [p. 3] puts it.", "Plain.")
    root = make_edition(tmp_path / "edition", text=text, notes=notes)
    build(root, tmp_path / "out", ("epub",))
    assert [request["blocks"] for request in requests] == [[]]
    text_out = _epub_text(tmp_path / "out")
    assert "Maurice. 1970." in text_out and "doc-biblioref" not in text_out

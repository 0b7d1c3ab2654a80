"""pandoc.py: Markdown to AST, and AST blocks to HTML, with the build cache between runs."""

from __future__ import annotations

import re

from readingedition.ast import stringify
from readingedition.pandoc import divs_to_html, open_memo, parse_markdown


def _para(text: str) -> dict:
    return {"t": "Para", "c": [{"t": "Str", "c": text}]}


def test_markdown_and_the_metadatas_markdown_are_parsed(tmp_path):
    memo = open_memo(None, "test")
    tree = parse_markdown("A *word* here.\n", {"notes": {"n1": "The **note**."}}, memo=memo)
    assert tree["blocks"][0]["c"][2] == {"t": "Emph", "c": [{"t": "Str", "c": "word"}]}
    note = tree["meta"]["notes"]["c"]["n1"]
    assert stringify(note) == "The note." and '"Strong"' in str(note).replace("'", '"')


def test_divs_become_html_in_order_with_their_ids_and_classes(tmp_path):
    divs = [("part-0", "chapter", [_para("One & two."), _para("Three.")]), ("part-1", "back-matter", [_para("Four.")])]
    html = divs_to_html(divs, lang="en", cache_dir=None, table="test")
    assert html.splitlines() == [
        '<div id="part-0" class="chapter">',
        "<p>One &amp; two.</p>",
        "<p>Three.</p>",
        "</div>",
        '<div id="part-1" class="back-matter">',
        "<p>Four.</p>",
        "</div>",
    ]


def test_the_build_cache_gives_the_same_html(tmp_path):
    divs = [("x", "chapter", [_para(f"Paragraph {n}.") for n in range(5)])]
    cold = divs_to_html(divs, lang="en", cache_dir=tmp_path, table="test")
    assert any(tmp_path.iterdir())  # the cache was written
    assert divs_to_html(divs, lang="en", cache_dir=tmp_path, table="test") == cold


def test_blocks_with_notes_or_code_inside_are_written_together_not_kept(tmp_path):
    """pandoc numbers footnotes and code blocks across one call: blocks holding them, however deep,
    are written in one call, so their ids stay distinct, and none is kept in the cache."""
    note = {"t": "Note", "c": [_para("A note.")]}
    code = {"t": "CodeBlock", "c": [["", ["python"], []], "x = 1"]}
    quoted = [{"t": "BlockQuote", "c": [{"t": "Para", "c": [{"t": "Str", "c": "Word"}, note]}, code]} for _ in range(2)]
    html = divs_to_html([("x", "chapter", quoted)], lang="en", cache_dir=tmp_path, table="test")
    assert re.findall(r'id="(fn\d|cb\d)"', html) == ["cb1", "cb2", "fn1", "fn2"]
    assert not open_memo(tmp_path, "test")._stored

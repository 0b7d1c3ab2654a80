"""ast.py: the walk every stage makes over pandoc's AST."""

from __future__ import annotations

from pathlib import Path

from readingedition.ast import elements
from readingedition.pandoc import open_memo, parse_markdown

REPOSITORY = Path(__file__).resolve().parents[1]


def _reference(node):
    """The definition of `elements`, as plainly as it can be written."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
            if node["t"] == "Cite":
                return
        for value in node.values():
            yield from _reference(value)
    elif isinstance(node, list):
        for value in node:
            yield from _reference(value)


def test_elements_are_every_element_in_document_order_and_none_inside_a_citation():
    text = (REPOSITORY / "src_text" / "wetzel-workers-power.md").read_text("utf-8")
    tree = parse_markdown(text + "\n\nAs @brinton1970 [p. *3*] says.\n", {}, memo=open_memo(None, "test"))
    # Metadata maps whose keys look like an element's: {"t": ..., "c": ...} and more.
    tree["meta"]["odd"] = {"t": {"t": "MetaString", "c": "t"}, "c": [{"t": "Str", "c": "c"}], "x": {"t": "Space"}}
    tree["meta"]["short"] = {"t": "MetaInlines", "x": [{"t": "Str", "c": "x"}]}
    found = list(elements(tree))
    expected = list(_reference(tree))
    assert len(found) == len(expected) > 10_000
    assert all(a is b for a, b in zip(found, expected))
    kinds = [element["t"] for element in found]
    assert "Cite" in kinds and "Emph" in kinds and "Note" in kinds
    cite = next(element for element in found if element["t"] == "Cite")
    assert not any(element is cite["c"][1][0] for element in found)  # its content is not walked

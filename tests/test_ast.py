"""ast.py: the walk every stage makes over pandoc's AST."""

from __future__ import annotations

from pathlib import Path

from readingedition.ast import elements, stringify
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


def _plain_text(element):
    """The definition of `stringify`, as plainly as it can be written."""
    if isinstance(element, list):
        return "".join(_plain_text(item) for item in element)
    if not isinstance(element, dict):
        return str(element)
    kind, content = element.get("t"), element.get("c")
    if kind in ("Str", "MetaString"):
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Note":
        return ""
    if kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
        return _plain_text(content)
    if kind in ("MetaInlines", "MetaBlocks", "Para", "Plain"):
        return _plain_text(content)
    if kind in ("Span", "Link", "Image", "Quoted", "Cite", "Header", "Div"):
        return _plain_text(content[-1] if kind != "Link" else content[1])
    if kind == "Code":
        return content[1]
    if kind == "MetaBool":
        return "true" if content else "false"
    return _plain_text(content) if isinstance(content, list) else ""


def test_stringify_is_the_plain_text_of_every_block_and_metadata_value():
    text = (REPOSITORY / "src_text" / "wetzel-workers-power.md").read_text("utf-8")
    tree = parse_markdown(text, {"notes": {"a": "A *note*\\\nwith `code`."}}, memo=open_memo(None, "test"))
    tree["meta"]["flag"] = {"t": "MetaBool", "c": True}
    nodes = [*tree["blocks"], *tree["meta"].values(), tree["blocks"], list(tree["meta"].values())]
    assert [stringify(node) for node in nodes] == [_plain_text(node) for node in nodes]
    assert len(stringify(tree["blocks"])) > 30_000

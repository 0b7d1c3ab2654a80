"""Small helpers for building and rewriting pandoc AST, shared by the renderers."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any

InlineRewrite = Callable[[dict[str, Any]], list[Any] | None]  # None: keep the element, recurse into it


def raw_inline(html: str) -> dict[str, Any]:
    return {"t": "RawInline", "c": ["html", html]}


def raw_block(html: str) -> dict[str, Any]:
    return {"t": "RawBlock", "c": ["html", html]}


def para(inlines: list[Any]) -> dict[str, Any]:
    return {"t": "Para", "c": inlines}


def div(ident: str, classes: list[str], blocks: list[Any], attrs: list[list[str]] | None = None) -> dict[str, Any]:
    return {"t": "Div", "c": [[ident, classes, attrs or []], blocks]}


def text(words: str) -> list[Any]:
    out: list[Any] = []
    for index, word in enumerate(words.split(" ")):
        if index:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def span_info(inline: dict[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    ident, classes, attrs = inline["c"][0]
    return ident, classes, dict(attrs)


# Inlines whose content is a plain list of inlines.
CONTAINERS = frozenset({"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"})


def rewrite_inlines(inlines: list[Any], rewrite: InlineRewrite) -> list[Any]:
    out: list[Any] = []
    for inline in inlines:
        replaced = rewrite(inline)
        if replaced is not None:
            out.extend(replaced)
            continue
        t = inline["t"]
        c = inline.get("c")
        if t in CONTAINERS:
            out.append({"t": t, "c": rewrite_inlines(c, rewrite)})
        elif t in ("Span", "Link", "Quoted", "Cite"):
            out.append({"t": t, "c": [c[0], rewrite_inlines(c[1], rewrite), *c[2:]]})
        else:
            out.append(inline)
    return out


def map_blocks(blocks: list[Any], on_inlines: Callable[[list[Any]], list[Any]]) -> list[Any]:
    """Apply an inline-list rewrite to every inline list in the blocks."""
    out = []
    for block in blocks:
        t, c = block["t"], block.get("c")
        if t in ("Para", "Plain"):
            out.append({"t": t, "c": on_inlines(c)})
        elif t == "Header":
            out.append({"t": t, "c": [c[0], c[1], on_inlines(c[2])]})
        elif t == "LineBlock":
            out.append({"t": t, "c": [on_inlines(line) for line in c]})
        elif t == "BlockQuote":
            out.append({"t": t, "c": map_blocks(c, on_inlines)})
        elif t == "Div":
            out.append({"t": t, "c": [c[0], map_blocks(c[1], on_inlines)]})
        elif t == "BulletList":
            out.append({"t": t, "c": [map_blocks(item, on_inlines) for item in c]})
        elif t == "OrderedList":
            out.append({"t": t, "c": [c[0], [map_blocks(item, on_inlines) for item in c[1]]]})
        elif t == "DefinitionList":
            out.append(
                {
                    "t": t,
                    "c": [
                        [on_inlines(term), [map_blocks(d, on_inlines) for d in definitions]] for term, definitions in c
                    ],
                }
            )
        elif t == "Figure":
            out.append({"t": t, "c": [c[0], [c[1][0], map_blocks(c[1][1], on_inlines)], map_blocks(c[2], on_inlines)]})
        elif t == "Table":
            out.append({"t": t, "c": map_table(c, lambda cell: map_blocks(cell, on_inlines))})
        else:
            out.append(block)
    return out


def map_table(table: list[Any], on_cell: Callable[[list[Any]], list[Any]]) -> list[Any]:
    """A table's content with its caption's blocks and each cell's blocks rewritten."""
    attr, (short, caption), specs, (head_attr, head_rows), bodies, (foot_attr, foot_rows) = table

    def rows(row_list: list[Any]) -> list[Any]:
        return [[row_attr, [[*cell[:4], on_cell(cell[4])] for cell in cells]] for row_attr, cells in row_list]

    return [
        attr,
        [short, on_cell(caption)],
        specs,
        [head_attr, rows(head_rows)],
        [[b_attr, columns, rows(head), rows(body)] for b_attr, columns, head, body in bodies],
        [foot_attr, rows(foot_rows)],
    ]


def table_blocks(table: list[Any]) -> list[list[Any]]:
    """A table's caption blocks, then each cell's blocks, row by row (head, bodies, foot)."""
    found: list[list[Any]] = []

    def collect(cell: list[Any]) -> list[Any]:
        found.append(cell)
        return cell

    map_table(table, collect)
    return found


def inline_lists(blocks: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """Every inline list in the blocks, in document order, with the type of the block that holds
    it ("Para", "Plain", "Header", "LineBlock" or "DefinitionList" for a term): the same lists
    map_blocks rewrites. A figure's caption comes after its image, a table's before its cells."""
    for block in blocks:
        t, c = block["t"], block.get("c")
        if t in ("Para", "Plain"):
            yield t, c
        elif t == "Header":
            yield t, c[2]
        elif t == "LineBlock":
            for line in c:
                yield t, line
        elif t == "BlockQuote":
            yield from inline_lists(c)
        elif t == "Div":
            yield from inline_lists(c[1])
        elif t == "BulletList":
            for item in c:
                yield from inline_lists(item)
        elif t == "OrderedList":
            for item in c[1]:
                yield from inline_lists(item)
        elif t == "DefinitionList":
            for term, definitions in c:
                yield t, term
                for definition in definitions:
                    yield from inline_lists(definition)
        elif t == "Figure":
            yield from inline_lists([*c[2], *c[1][1]])
        elif t == "Table":
            for cell in table_blocks(c):
                yield from inline_lists(cell)


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every AST element in a node (a document's blocks or meta, a list, an element), in
    document order; not those inside a citation, whose content is citeproc's.

    Iterative, with a short way through the usual element (a kind and its content, or a kind
    alone): the load stage walks the whole document several times."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        if type(item) is list:
            extend(reversed(item))
        elif type(item) is dict:
            if "t" in item:
                yield item
                kind = item["t"]
                if kind == "Cite":
                    continue
                if type(kind) is str and len(item) <= 2:
                    content = item.get("c", _ABSENT)
                    if len(item) == 1 or content is not _ABSENT:
                        if type(content) is list or type(content) is dict:
                            push(content)
                        continue
            extend(reversed(item.values()))


_ABSENT = object()


def verse_as_lines(node: Any, verse_class: str, line_class: str) -> Any:
    """Every line block as a div of one div per line (pandoc writes one div with <br>s, where a
    long line cannot turn over with the indent of verse)."""
    if isinstance(node, list):
        return [verse_as_lines(item, verse_class, line_class) for item in node]
    if not isinstance(node, dict) or isinstance(node.get("c", ""), str):  # no content, or a word's
        return node
    if node["t"] == "LineBlock":
        return div("", [verse_class], [div("", [line_class], [{"t": "Plain", "c": line}]) for line in node["c"]])
    return {**node, "c": verse_as_lines(node["c"], verse_class, line_class)}


def document(blocks: list[Any], meta: dict[str, Any]) -> dict[str, Any]:
    return {"pandoc-api-version": [1, 23, 1], "meta": meta, "blocks": blocks}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a stage builds a large AST.

    An AST is plain dicts and lists without cycles, so the collector finds nothing; but with
    millions of live objects each of its passes rescans them all, which doubled anchoring time
    on a 250-page book. On the way out the survivors are frozen (moved out of the collector's
    sight): otherwise the first collection after it is re-enabled scans them all once more.
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def stringify(element: Any) -> str:
    """The plain text of an AST element, list of elements or metadata value."""
    if isinstance(element, list):
        parts = []
        for item in element:  # words and spaces, the commonest, without a call each
            kind = item.get("t") if type(item) is dict else None
            if kind == "Str":
                parts.append(item.get("c"))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            else:
                parts.append(stringify(item))
        return "".join(parts)
    if not isinstance(element, dict):
        return str(element)
    kind, content = element.get("t"), element.get("c")
    if kind == "Str" or kind == "MetaString":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Note",):
        return ""
    if kind in (
        "Emph",
        "Strong",
        "Underline",
        "Strikeout",
        "Superscript",
        "Subscript",
        "SmallCaps",
        "MetaInlines",
        "MetaBlocks",
        "Para",
        "Plain",
    ):
        return stringify(content)
    if kind in ("Span", "Link", "Image", "Quoted", "Cite", "Header", "Div"):
        return stringify(content[-1] if kind != "Link" else content[1])
    if kind == "Code":
        return content[1]
    if kind == "MetaBool":
        return "true" if content else "false"
    return stringify(content) if isinstance(content, list) else ""


def split_chapters(blocks: list[Any]) -> list[tuple[str | None, list[Any]]]:
    """Chapters begin at level-1 headings; text before the first heading is a chapter of its own."""
    chapters: list[tuple[str | None, list[Any]]] = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == 1:
            chapters.append((stringify(block["c"][2]), [block]))
        elif chapters:
            chapters[-1][1].append(block)
        else:
            chapters.append((None, [block]))
    return chapters

"""The one place that talks to pandoc (via pypandoc's bundled binary).

Markdown is read without TeX math or raw HTML/TeX, so `$` and `<tags>` stay text as a reader
would expect; editors' notes can never inject live markup.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypandoc

from .ast import collector_paused

READER = "markdown-tex_math_dollars-raw_tex-raw_html-raw_attribute"


def markdown_to_ast(text: str, metadata_file: Path | None = None, *, csl: Path | None = None) -> dict[str, Any]:
    """Parse Markdown; citeproc formats the citations here, once, in the text and in the notes
    carried as metadata, and appends the bibliography as a final Div#refs."""
    args = ["--metadata-file", str(metadata_file)] if metadata_file else []
    args += ["--citeproc", "--metadata=link-citations:true"] + ([f"--csl={csl}"] if csl else [])
    # verify_format=False: pypandoc would otherwise start two more pandoc processes to list formats.
    output = pypandoc.convert_text(text, "json", format=READER, extra_args=args, verify_format=False)
    with collector_paused():
        return json.loads(output)


def ast_to_html(document: dict[str, Any], *, lang: str = "en") -> str:
    """Write an AST (citations already formatted by markdown_to_ast) as an HTML5 fragment."""
    args = ["--wrap=none", f"--metadata=lang:{lang}"]
    return pypandoc.convert_text(json.dumps(document), "html5", format="json", extra_args=args, verify_format=False)


def stringify(element: Any) -> str:
    """The plain text of an AST element, list of elements or metadata value."""
    if isinstance(element, list):
        return "".join(stringify(item) for item in element)
    if not isinstance(element, dict):
        return str(element)
    kind, content = element.get("t"), element.get("c")
    if kind == "Str" or kind == "MetaString":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Note",):
        return ""
    if kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps", "MetaInlines",
                "MetaBlocks", "Para", "Plain"):
        return stringify(content)
    if kind in ("Span", "Link", "Image", "Quoted", "Cite", "Header", "Div"):
        return stringify(content[-1] if kind != "Link" else content[1])
    if kind == "Code":
        return content[1]
    if kind == "MetaBool":
        return "true" if content else "false"
    return stringify(content) if isinstance(content, list) else ""

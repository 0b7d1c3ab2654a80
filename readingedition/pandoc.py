"""The one place that talks to pandoc (via pypandoc's bundled binary).

Markdown is read without TeX math or raw HTML/TeX, so `$` and `<tags>` stay text as a reader
would expect; editors' notes can never inject live markup.

Three kinds of call, each kept in the build cache (memo.py) under a hash of its input, so a
rebuild after an edit asks pandoc only about what changed:
  the text, Markdown to AST;
  the editors' Markdown strings (notes, glossary), each parsed as a metadata value, the
    missing ones in one call (beside the text's, in parallel: two processes);
  citeproc, on a small document of every citation in order, which formats them and makes
    the bibliography; the results go back into the text and the notes.
and, for the renderers, AST blocks to HTML, each block kept on its own.
"""

from __future__ import annotations

import functools
import html
import json
import marshal
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypandoc

from .ast import collector_paused, document, elements, raw_block
from .memo import Memo

READER = "markdown-tex_math_dollars-raw_tex-raw_html-raw_attribute-native_divs-native_spans"
_BLOCK_SEPARATOR = "<!--readingedition:block-->"


@functools.cache
def _version() -> str:
    return pypandoc.get_pandoc_version()


def open_memo(cache_dir: Path | None, name: str) -> Memo:
    """A table of the build cache for pandoc results, valid for this version of pandoc only."""
    return Memo.open(cache_dir, name, _version())


def _run(source: str, source_format: str, target_format: str, args: list[str]) -> str:
    # verify_format=False: pypandoc would otherwise start two more pandoc processes to list formats.
    return pypandoc.convert_text(source, target_format, format=source_format, extra_args=args, verify_format=False)


def _loads(text: str) -> Any:
    with collector_paused():
        return json.loads(text)


def parse_markdown(text: str, metadata: dict[str, dict[str, str]], *, memo: Memo) -> dict[str, Any]:
    """The text as an AST, with each Markdown string of `metadata` (section -> name -> Markdown)
    parsed into `meta[section]` as a map. Citations are formatted afterwards (format_citations),
    once the load stage has checked what the editors wrote."""
    text_key = memo.key("text", READER, text)
    string_keys = {
        string: memo.key("meta-blocks", READER, string) for section in metadata.values() for string in section.values()
    }
    missing = sorted(string for string, key in string_keys.items() if memo.get(key) is None)
    parsed_text = memo.get(text_key)
    with ThreadPoolExecutor(max_workers=2) as pool:
        text_job = pool.submit(_run, text, READER, "json", []) if parsed_text is None else None
        strings_job = pool.submit(_parse_strings, missing) if missing else None
        if text_job is not None:
            parsed_text = text_job.result()
            memo.put(text_key, parsed_text)
        if strings_job is not None:
            for string, value in zip(missing, strings_job.result()):
                memo.put(string_keys[string], value)
    tree = _loads(parsed_text)
    for section, strings in metadata.items():
        tree["meta"][section] = {
            "t": "MetaMap",
            "c": {name: _loads(memo.get(string_keys[string])) for name, string in strings.items()},
        }
    return tree


_NOT_IN_YAML_BLOCKS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]")


def _yaml_block(text: str) -> str:
    """A string as a YAML literal block; one with characters a block cannot hold (control
    characters: the load stage reports them) as a quoted string, which pandoc reads as inlines."""
    if _NOT_IN_YAML_BLOCKS.search(text):
        return json.dumps(text) + "\n"
    return "|2\n" + "".join(f"  {line}\n" for line in text.split("\n"))


def _parse_strings(strings: list[str]) -> list[str]:
    """Each Markdown string as a metadata value (MetaBlocks, or MetaInlines), as JSON.

    Written as YAML literal blocks: pandoc reads a quoted (or JSON) string as inlines only, so
    a note's block quotes, verse and later paragraphs would run into its first paragraph."""
    names = [f"s{index:06d}" for index in range(len(strings))]
    with tempfile.TemporaryDirectory() as scratch:
        payload = Path(scratch) / "strings.yaml"
        payload.write_text("".join(f"{name}: {_yaml_block(text)}" for name, text in zip(names, strings)), "utf-8")
        meta = json.loads(_run("", READER, "json", ["--metadata-file", str(payload)]))["meta"]
    return [json.dumps(meta[name], ensure_ascii=False) for name in names]


def cites_in(node: Any) -> list[dict[str, Any]]:
    """Every Cite element (not those inside another), in document order."""
    return [element for element in elements(node) if element["t"] == "Cite"]


def format_citations(
    tree: dict[str, Any],
    sections: Iterable[str],
    cites: list[dict[str, Any]],
    *,
    references: list[Any],
    csl: Path | None,
    memo: Memo,
) -> None:
    """citeproc on a document of the citations alone (`cites`: every Cite element in the text, then
    in the metadata maps named `sections`, in document order), each in a paragraph of its own (with
    the text's own metadata, for settings such as `nocite` or `lang`): it formats each the same as
    in place, for citations never depend on the prose around them. A style that would put them in
    footnotes gets them formatted in the text. The bibliography, if any, is appended as a final
    Div#refs. (The metadata block may not name files for citeproc, such as `bibliography:`:
    references are the annotation files'.)"""
    # The text's own metadata goes to citeproc as it is, `nocite` included: its citations are
    # not among those to format.
    sections = set(sections)
    text_meta = {key: value for key, value in tree["meta"].items() if key not in sections}
    if not cites and "nocite" not in text_meta:
        return
    request = json.dumps(document([{"t": "Para", "c": [cite]} for cite in cites], text_meta), ensure_ascii=False)
    settings = json.dumps({"references": references, "link-citations": True}, ensure_ascii=False, sort_keys=True)
    key = memo.key("citeproc", request, settings, csl.read_bytes() if csl else b"")
    result = memo.get(key)
    if result is None:
        with tempfile.TemporaryDirectory() as scratch:
            settings_file = Path(scratch) / "citations.json"
            settings_file.write_text(settings, "utf-8")
            # --quiet: a citation of an unknown key is reported by the load stage (A006), with file and
            # line; pandoc's own warning would only repeat it without them.
            args = ["--citeproc", "--quiet", "--metadata-file", str(settings_file)] + ([f"--csl={csl}"] if csl else [])
            result = _run(request, "json", "json", args)
        memo.put(key, result)
    formatted = _loads(result)["blocks"]
    done = cites_in(formatted)
    if len(done) != len(cites):
        raise RuntimeError(f"citeproc returned {len(done)} citations for {len(cites)}")
    for cite, formatted_cite in zip(cites, done):
        cite["c"] = formatted_cite["c"]
    tree["blocks"].extend(b for b in formatted if b["t"] == "Div" and b["c"][0][0] == "refs")


def divs_to_html(divs: list[tuple[str, str, list[Any]]], *, lang: str, cache_dir: Path | None, table: str) -> str:
    """Each (id, class, blocks) as a `div` with that id and class around its blocks' HTML; the
    blocks' HTML kept in the build cache's `table`."""
    memo = open_memo(cache_dir, table)
    pieces = iter(_blocks_to_html([block for _, _, blocks in divs for block in blocks], lang=lang, memo=memo))
    memo.save()
    return "\n".join(
        "\n".join(
            [f'<div id="{html.escape(ident)}" class="{html.escape(kind)}">', *(next(pieces) for _ in blocks), "</div>"]
        )
        for ident, kind, blocks in divs
    )


def _blocks_to_html(blocks: list[Any], *, lang: str, memo: Memo) -> list[str]:
    """Each block as HTML5 (citations already formatted); those not in the memo asked of pandoc
    in one call, or in two side by side (two processes) when there is much to write.
    Blocks are written independently: nothing pandoc's HTML writer does to one block depends on
    another, once footnotes have been turned into our own markup."""
    args = ["--wrap=none", f"--metadata=lang:{lang}"]
    # A block's key is made from its marshal form (version 2: the same bytes for the same
    # content, whatever Python shares or interns), three times as fast to make as its JSON.
    packed = [marshal.dumps(block, 2) for block in blocks]
    if any(marker in data for data in packed for marker in _NUMBERED_ACROSS_BLOCKS):
        return _write_html([json.dumps(block, ensure_ascii=False) for block in blocks], args)
    keys = [memo.key("html", *args, data) for data in packed]
    missing = {key: json.dumps(block, ensure_ascii=False) for key, block in zip(keys, blocks) if memo.get(key) is None}
    if missing:
        batches = (
            _halves(list(missing.items())) if sum(map(len, missing.values())) > _SPLIT_FROM else [list(missing.items())]
        )
        with ThreadPoolExecutor(max_workers=2) as pool:
            written = pool.map(lambda batch: _write_html([text for _, text in batch], args), batches)
            for batch, pieces in zip(batches, written):
                for (key, _), piece in zip(batch, pieces):
                    memo.put(key, piece)
    return [memo.get(key) for key in keys]


_SPLIT_FROM = 100_000  # characters of JSON: below this, a second pandoc process costs more than it saves
# pandoc numbers code blocks (cb1, cb2, ...) and its own footnotes across one call, so blocks that
# hold either (code; footnotes in tables, or in editors' notes) are written all together, as one
# document, and not kept. These are the marshal bytes of a key "t" followed by its value: an
# element of that kind. (Text cannot hold them: the load stage refuses control characters. Any
# other match, a list holding "t" then "Note", only costs time.)
_NUMBERED_ACROSS_BLOCKS = tuple(marshal.dumps("t", 2) + marshal.dumps(kind, 2) for kind in ("CodeBlock", "Note"))


def _halves(items: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Two runs of the items with about the same amount of JSON each."""
    total, running = sum(len(text) for _, text in items), 0
    for index, (_, text) in enumerate(items):
        running += len(text)
        if running * 2 >= total:
            return [half for half in (items[: index + 1], items[index + 1 :]) if half]
    return [items]


def _write_html(encoded_blocks: list[str], args: list[str]) -> list[str]:
    separator = json.dumps(raw_block(_BLOCK_SEPARATOR))
    source = json.dumps(document([], {}))[:-2] + ",".join(f"{separator},{block}" for block in encoded_blocks) + "]}"
    written = _run(source, "json", "html5", args)
    pieces = re.split(f"^{re.escape(_BLOCK_SEPARATOR)}\n?", written, flags=re.M)[1:]
    if len(pieces) != len(encoded_blocks):
        raise RuntimeError(f"pandoc wrote {len(pieces)} HTML blocks for {len(encoded_blocks)}")
    return [piece.removesuffix("\n") for piece in pieces]

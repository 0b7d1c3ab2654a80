"""Load stage: read an edition directory into an `Edition`.

src_text/*.md (top level, name order; the first opens with the YAML metadata block),
annotations/*.yaml, and styles/: each of an edition's sheets is applied after the built-in sheet
of the same name (or instead of it, when it opens with `/* readingedition: replace */`).
The text and every piece of annotation Markdown are parsed by pandoc (pandoc.parse_markdown:
the annotation Markdown as metadata values, which pandoc parses as Markdown too), with the
build cache in the edition's `.cache/readingedition/` unless `cache=False`.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Any

import tinycss2

from .annotations import load_annotations
from ..ast import elements
from ..diagnostics import BuildFailed, Diagnostic
from .files import read_utf8
from .metadata import metadata_block, metadata_problems, read_metadata
from .text import (duplicate_footnotes, join_texts, resolve_images, restore_code, split_files,
                   undefined_footnotes)
from ..memo import CACHE_DIR
from ..model import Annotations, Edition, Styles
from ..pandoc import open_memo, parse_markdown

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"
STYLE_FILES = {"epub": ("epub.css",), "pdf": ("pdf.css", "pdf-margins.css"), "csl": "citation-style.csl"}
# Sheets added after the PDF's own for a paper size other than A4.
PAPER_STYLES = {"letter": ("pdf-letter.css",)}
# Sheets added after the PDF's own for the booklet's pages: half the sheet it is printed on.
BOOKLET_STYLES = {"a4": ("pdf-a5.css",), "letter": ("pdf-a5.css", "pdf-half-letter.css")}
_PAYLOAD = {"notes": "readingedition-notes", "names": "readingedition-term-names",
            "shorts": "readingedition-term-shorts",
            "definitions": "readingedition-term-definitions"}


def load_edition(root: Path, *, cache: bool = True) -> Edition:
    root = root.resolve()
    if not root.is_dir():
        raise BuildFailed((Diagnostic("F001", f"the edition directory {root} does not exist"),))
    text_dir = root / "src_text"
    sources = sorted(text_dir.glob("*.md")) if text_dir.is_dir() else []
    if not sources:
        raise BuildFailed((Diagnostic("T001", "no Markdown text found", text_dir),))
    # Every independent problem is gathered before pandoc runs, so one run reports them all.
    problems: list[Diagnostic] = []
    texts = [_read_text(path) for path in sources]
    node = None
    try:
        data, node = metadata_block(sources[0], texts[0])
        problems += metadata_problems(data, node, sources[0])
    except BuildFailed as failure:
        problems += failure.diagnostics
    try:
        annotations = load_annotations(root / "annotations")
    except BuildFailed as failure:
        problems += failure.diagnostics
    problems += duplicate_footnotes(sources, texts)
    if problems:
        raise BuildFailed(tuple(problems))
    csl = _find_csl(root)
    cache_dir = root / CACHE_DIR if cache else None
    memo = open_memo(cache_dir, "parse")
    document = parse_markdown(join_texts(texts), _payload(annotations), references=list(annotations.references),
                              csl=csl, memo=memo)
    memo.save()
    bibliography = _take_bibliography(document)
    meta = document["meta"]
    note_bodies = _take(meta, _PAYLOAD["notes"], blocks=True)
    names = _take(meta, _PAYLOAD["names"], blocks=False)
    shorts = _take(meta, _PAYLOAD["shorts"], blocks=False)
    definitions = _take(meta, _PAYLOAD["definitions"], blocks=True)
    # Problems that do not stop the quotes being anchored go with the edition, so that the anchor
    # stage reports them together with its own.
    deferred = resolve_images(document["blocks"], root, sources, texts)
    document["blocks"] = [block for _, block in split_files(document["blocks"])]
    restore_code(document["blocks"])
    deferred += undefined_footnotes(document["blocks"], sources, texts)
    deferred += _note_markdown_problems(annotations, note_bodies, shorts, definitions)
    try:
        metadata = read_metadata(meta, node, sources[0], root)
        styles = _find_styles(root, metadata.paper, csl)
    except BuildFailed as failure:
        raise BuildFailed((*deferred, *failure.diagnostics))
    return Edition(root=root, name=metadata.filename, cache_dir=cache_dir, metadata=metadata, document=document,
                   annotations=annotations, note_bodies=note_bodies, bibliography=bibliography, term_names=names,
                   term_shorts=shorts, term_definitions=definitions, styles=styles, problems=tuple(deferred))


def _read_text(path: Path) -> str:
    text = read_utf8(path)
    # Normalise what editors' tools leave behind, so the same words always anchor the same way.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", text)


def _payload(annotations: Annotations) -> dict[str, dict[str, str]]:
    return {
        _PAYLOAD["notes"]: {note.id: note.note for note in annotations.notes},
        _PAYLOAD["names"]: {term.slug: term.term for term in annotations.glossary},
        _PAYLOAD["shorts"]: {term.slug: term.short for term in annotations.glossary},
        _PAYLOAD["definitions"]: {term.slug: term.definition for term in annotations.glossary},
    }


def _take_bibliography(document: dict[str, Any]) -> list[Any]:
    """citeproc appends the formatted references as a Div#refs; they belong to the back matter."""
    blocks = document["blocks"]
    if blocks and blocks[-1]["t"] == "Div" and blocks[-1]["c"][0][0] == "refs":
        return [blocks.pop()]
    return []


def _take(meta: dict[str, Any], key: str, *, blocks: bool) -> dict[str, list[Any]]:
    """Remove a payload map from the metadata, returning each value as blocks or inlines."""
    entries = meta.pop(key, {"c": {}})["c"]
    out = {}
    for name, value in entries.items():
        content = value["c"]
        if value["t"] == "MetaInlines":
            out[name] = [{"t": "Para", "c": content}] if blocks else content
        elif value["t"] == "MetaBlocks":
            out[name] = content if blocks else [i for b in content for i in (b["c"] if b["t"] in ("Para", "Plain") else [])]
        else:  # MetaString (e.g. a bare number)
            inline = [{"t": "Str", "c": content}]
            out[name] = [{"t": "Para", "c": inline}] if blocks else inline
    return out


SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _note_markdown_problems(annotations: Annotations, notes: dict[str, Any], shorts: dict[str, Any],
                            definitions: dict[str, Any]) -> list[Diagnostic]:
    """Links in annotations may only go to the web or to mail; citations must name a reference."""
    known = {str(ref["id"]) for ref in annotations.references}
    problems = []
    places = [(f"note `{n.id}`", n.where, notes[n.id]) for n in annotations.notes]
    places += [(f"glossary entry `{t.term}`", t.where, part[t.slug]) for t in annotations.glossary
               for part in (shorts, definitions)]
    for label, where, content in places:
        for element in elements(content):
            if element.get("t") == "Link":
                url = element["c"][2][0]
                if not url.lower().startswith(SAFE_SCHEMES):
                    problems.append(Diagnostic("A005", f"{label} links to {url!r}", where.path, where.line))
            elif element.get("t") == "Image":
                problems.append(Diagnostic("A005", f"{label} includes an image ({element['c'][2][0]!r})",
                                           where.path, where.line))
            elif element.get("t") == "Cite":
                for citation in element["c"][0]:
                    key = citation["citationId"]
                    if key not in known:
                        guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
                        hint = f"; did you mean @{guess[0]}?" if guess else ""
                        problems.append(Diagnostic("A006", f"{label} cites @{key}, which is in no `references:` "
                                                           f"list{hint}", where.path, where.line))
    return problems


def _pick_style(root: Path, name: str) -> Path:
    own = root / "styles" / name
    return own if own.is_file() else BUILTIN_STYLES / name


def _find_csl(root: Path) -> Path | None:
    csl = _pick_style(root, STYLE_FILES["csl"])
    return csl if csl.is_file() else None


REPLACE_MARKER = re.compile(r"\A\ufeff?\s*/\*\s*readingedition:\s*replace\s*\*/", re.IGNORECASE)


def _layered(root: Path, names: tuple[str, ...]) -> tuple[Path, ...]:
    """The built-in sheets, then the edition's sheets of the same names, which add to them or
    override their rules. An edition's sheet that opens with `/* readingedition: replace */`
    takes the built-in's place instead."""
    built_in, own = [], []
    for name in names:
        sheet = root / "styles" / name
        if not sheet.is_file():
            built_in.append(BUILTIN_STYLES / name)
        elif REPLACE_MARKER.match(_read_css(sheet)):
            built_in.append(sheet)
        else:
            built_in.append(BUILTIN_STYLES / name)
            own.append(sheet)
    return (*built_in, *own)


def _find_styles(root: Path, paper: str, csl: Path | None) -> Styles:
    epub = _layered(root, STYLE_FILES["epub"])
    pdf = _layered(root, (*STYLE_FILES["pdf"], *PAPER_STYLES.get(paper, ())))
    booklet = _layered(root, (*STYLE_FILES["pdf"], *BOOKLET_STYLES[paper]))
    for sheet in dict.fromkeys((*epub, *pdf, *booklet)):
        _check_css(sheet)
    return Styles(epub_css=epub, pdf_css=pdf, csl=csl, booklet_css=booklet)


def _read_css(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BuildFailed((Diagnostic("F002", f"cannot read the style sheet: {error}", path),))


def _check_css(path: Path) -> None:
    css = _read_css(path)
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    errors = [rule for rule in rules if rule.type == "error"]
    for rule in rules:
        if rule.type == "qualified-rule":
            errors += [d for d in tinycss2.parse_blocks_contents(rule.content) if d.type == "error"]
    if errors:
        raise BuildFailed((Diagnostic("F004", f"the style sheet does not parse: {errors[0].message}",
                                      path, errors[0].source_line),))

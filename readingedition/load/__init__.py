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
import uuid
from pathlib import Path
from typing import Any

import tinycss2

from .annotations import load_annotations
from ..ast import elements, stringify
from ..diagnostics import BuildFailed, Diagnostic
from .files import read_utf8
from .labels import LABEL_KEYS, labels_for
from ..memo import CACHE_DIR
from ..model import Annotations, Edition, Metadata, Styles
from ..pandoc import open_memo, parse_markdown

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"
STYLE_FILES = {"epub": ("epub.css",), "pdf": ("pdf.css", "pdf-margins.css"), "csl": "citation-style.csl"}
# Sheets added after the PDF's own for a paper size other than A4.
PAPER_STYLES = {"letter": ("pdf-letter.css",)}
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
    texts = [_read_text(path) for path in sources]
    annotations = load_annotations(root / "annotations")
    csl = _find_csl(root)
    cache_dir = root / CACHE_DIR if cache else None
    memo = open_memo(cache_dir, "parse")
    document = parse_markdown("\n\n".join(texts), _payload(annotations), references=list(annotations.references),
                              csl=csl, memo=memo)
    memo.save()
    bibliography = _take_bibliography(document)
    meta = document["meta"]
    note_bodies = _take(meta, _PAYLOAD["notes"], blocks=True)
    names = _take(meta, _PAYLOAD["names"], blocks=False)
    shorts = _take(meta, _PAYLOAD["shorts"], blocks=False)
    definitions = _take(meta, _PAYLOAD["definitions"], blocks=True)
    _check_footnotes(document, sources, texts)
    _check_note_markdown(annotations, note_bodies, shorts, definitions)
    metadata = _metadata(meta, sources[0])
    styles = _find_styles(root, metadata.paper, csl)
    inputs = (*sources, *annotations.files, *styles.epub_css, *styles.pdf_css, *((styles.csl,) if styles.csl else ()))
    return Edition(root=root, name=sources[0].stem, cache_dir=cache_dir, metadata=metadata, document=document, annotations=annotations,
                   note_bodies=note_bodies, bibliography=bibliography, term_names=names, term_shorts=shorts, term_definitions=definitions, styles=styles,
                   inputs=tuple(inputs))


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


def _metadata(meta: dict[str, Any], first: Path) -> Metadata:
    def text(key: str, default: str | None = None) -> str | None:
        return stringify(meta[key]).strip() if key in meta else default

    for key, what in (("title", "title"), ("lang", "language (`lang`, e.g. en)")):
        if not text(key):
            raise BuildFailed((Diagnostic("T002", f"the metadata block has no {what}", first, 1),))
    paper = (text("paper", "a4") or "a4").lower()
    if paper not in ("a4", "letter"):
        raise BuildFailed((Diagnostic("T004", f"`paper: {paper}` must be a4 or letter", first, 1),))
    links = (text("glossary-links", "first") or "first").lower()
    if links not in ("first", "every"):
        raise BuildFailed((Diagnostic("T004", f"`glossary-links: {links}` must be first or every", first, 1),))
    labels = labels_for(text("lang"), _label_overrides(meta.get("labels"), first))
    title, author = text("title"), text("author", "")
    identifier = text("identifier") or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title + '/' + author)}"
    return Metadata(title=title, subtitle=text("subtitle"), author=author, date=text("date", ""),
                    lang=text("lang"), rights=text("rights", ""), source=text("source", ""), identifier=identifier,
                    paper=paper, twosided=text("twosided", "false") in ("true", "yes"), glossary_links=links, labels=labels)


def _label_overrides(value: dict[str, Any] | None, first: Path) -> dict[str, str]:
    """`labels: {contents: ...}` in the metadata block: each key must name a label."""
    if value is None:
        return {}
    if value["t"] != "MetaMap":
        raise BuildFailed((Diagnostic("T004", "`labels` must be a mapping, e.g. `labels: {contents: Sommaire}`",
                                      first, 1),))
    problems = []
    for key in value["c"]:
        if key not in LABEL_KEYS:
            close = difflib.get_close_matches(key, LABEL_KEYS, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else f"; labels are {', '.join(LABEL_KEYS)}"
            problems.append(Diagnostic("K001", f"`labels` has no label `{key}`{hint}", first, 1))
    if problems:
        raise BuildFailed(tuple(problems))
    return {key: stringify(item).strip() for key, item in value["c"].items()}


def _check_footnotes(document: dict[str, Any], sources: list[Path], texts: list[str]) -> None:
    """pandoc leaves a reference to an undefined footnote as literal text; refuse it."""
    found = re.findall(r"\[\^[^\]\s]+\]", stringify(document["blocks"]))
    problems = []
    for ref in dict.fromkeys(found):
        for path, text in zip(sources, texts):
            offset = text.find(ref)
            if offset >= 0:
                problems.append(Diagnostic("T003", f"the footnote reference {ref} has no footnote text",
                                           path, text.count("\n", 0, offset) + 1))
                break
    if problems:
        raise BuildFailed(tuple(problems))


SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _check_note_markdown(annotations: Annotations, notes: dict[str, Any], shorts: dict[str, Any],
                         definitions: dict[str, Any]) -> None:
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
                    if citation["citationId"] not in known:
                        problems.append(Diagnostic("A006", f"{label} cites @{citation['citationId']}, which is in "
                                                           f"no `references:` list", where.path, where.line))
    if problems:
        raise BuildFailed(tuple(problems))


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
    for sheet in dict.fromkeys((*epub, *pdf)):
        _check_css(sheet)
    return Styles(epub_css=epub, pdf_css=pdf, csl=csl)


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

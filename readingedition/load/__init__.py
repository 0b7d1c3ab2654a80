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
import unicodedata
from pathlib import Path
from typing import Any

from ..diagnostics import BuildFailed, Diagnostic
from ..markup import REFERENCE_PREFIX
from ..memo import CACHE_DIR
from ..model import Annotations, Edition
from ..pandoc import cites_in, format_citations, open_memo, parse_markdown
from .annotations import load_annotations
from .files import listed, read_utf8
from .metadata import metadata_block, metadata_problems, read_metadata
from .sanitise import MAX_DEPTH, MAX_PARAGRAPH, Place, Sanitiser, check_source
from .styles import find_csl, find_styles, style_classes
from .text import duplicate_footnotes, finish_blocks, join_texts, undefined_footnotes

_PAYLOAD = {
    "notes": "readingedition-notes",
    "names": "readingedition-term-names",
    "shorts": "readingedition-term-shorts",
    "definitions": "readingedition-term-definitions",
}


def load_edition(root: Path, *, cache: bool = True) -> Edition:
    root = root.resolve()
    if not root.is_dir():
        raise BuildFailed((Diagnostic("F001", f"the edition directory {root} does not exist"),))
    text_dir = root / "src_text"
    sources = listed(text_dir, "*.md") if text_dir.is_dir() else []
    if not sources:
        raise BuildFailed((Diagnostic("T001", "no Markdown text found", text_dir),))
    texts = [_read_text(path, root) for path in sources]
    cache_dir = root / CACHE_DIR if cache else None
    node, annotations = _read_metadata_and_annotations(root, sources, texts, cache_dir)
    csl = find_csl(root)
    document, sanitiser, entry_cites = _parse(sources, texts, annotations, csl, cache_dir)
    bibliography = _take_bibliography(document)
    meta = document["meta"]
    note_bodies = _take(meta, _PAYLOAD["notes"], blocks=True)
    names = _take(meta, _PAYLOAD["names"], blocks=False)
    shorts = _take(meta, _PAYLOAD["shorts"], blocks=False)
    definitions = _take(meta, _PAYLOAD["definitions"], blocks=True)
    # Problems that do not stop the quotes being anchored go with the edition, so that the anchor
    # stage reports them together with its own.
    document["blocks"], images, deferred = finish_blocks(document["blocks"], root, sources, texts)
    deferred += undefined_footnotes(document["blocks"], sources, texts)
    deferred += _unknown_references(annotations, entry_cites)
    try:
        metadata = read_metadata(meta, node, sources[0], root)
        styles = find_styles(root, metadata.paper, csl, cache_dir)
    except BuildFailed as failure:
        raise BuildFailed((*deferred, *failure.diagnostics)) from None
    sanitiser.check_classes(style_classes(styles, root))
    deferred += sanitiser.problems
    return Edition(
        root=root,
        name=metadata.filename,
        cache_dir=cache_dir,
        metadata=metadata,
        document=document,
        annotations=annotations,
        note_bodies=note_bodies,
        bibliography=bibliography,
        term_names=names,
        term_shorts=shorts,
        term_definitions=definitions,
        styles=styles,
        images=images,
        problems=tuple(deferred),
    )


def _read_metadata_and_annotations(
    root: Path, sources: list[Path], texts: list[str], cache_dir: Path | None
) -> tuple[Any, Annotations]:
    """The metadata block's node and the annotations, once nothing stops the text being parsed."""
    # Every independent problem is gathered before pandoc runs, so one run reports them all.
    problems: list[Diagnostic] = []
    node = None
    try:
        data, node = metadata_block(sources[0], texts[0])
        problems += metadata_problems(data, node, sources[0])
    except BuildFailed as failure:
        problems += failure.diagnostics
    try:
        annotations = load_annotations(root / "annotations", root, cache_dir)
        problems += _size_problems(annotations)
    except BuildFailed as failure:
        problems += failure.diagnostics
    problems += duplicate_footnotes(sources, texts)
    if problems:
        raise BuildFailed(tuple(problems))
    return node, annotations


def _parse(
    sources: list[Path], texts: list[str], annotations: Annotations, csl: Path | None, cache_dir: Path | None
) -> tuple[dict[str, Any], Sanitiser, dict[str, dict[str, list[Any]]]]:
    """The text parsed by pandoc, its citations formatted, the sanitiser that checked it, and the
    citations of each note and glossary entry (payload key -> id or slug -> Cite elements)."""
    memo = open_memo(cache_dir, "parse")
    payload = _payload(annotations)
    try:
        document = parse_markdown(join_texts(texts), payload, memo=memo)
    except RecursionError:  # JSON nested deeper than Python reads; the sanitiser says where otherwise
        raise BuildFailed(
            (Diagnostic("S003", f"the text nests more than {MAX_DEPTH} levels deep", sources[0]),)
        ) from None
    sanitiser = _sanitise(document, annotations, tuple(zip(sources, texts)))
    # One walk finds the citations: for citeproc, for the check of what it made of them, and, in
    # each note and glossary entry, for the check that they cite known references.
    meta = document["meta"]
    in_entries = {key: {name: cites_in(value) for name, value in meta[key]["c"].items()} for key in payload}
    in_meta = {
        key: [cite for cites in in_entries[key].values() for cite in cites] if key in payload else cites_in(value)
        for key, value in meta.items()
    }
    in_text = cites_in(document["blocks"])
    to_format = [*in_text, *(cite for key, cites in in_meta.items() if key in payload for cite in cites)]
    blocks = len(document["blocks"])
    format_citations(document, payload, to_format, references=list(annotations.references), csl=csl, memo=memo)
    memo.save()
    # Every citation, in document order (the metadata's first), and any in the bibliography.
    cites = [*(cite for cites in in_meta.values() for cite in cites), *in_text, *cites_in(document["blocks"][blocks:])]
    _sanitise_citations(sanitiser, cites, document, annotations)
    return document, sanitiser, in_entries


def _read_text(path: Path, root: Path) -> str:
    text = read_utf8(path, root)
    problems = check_source(text, path)
    if problems:
        raise BuildFailed(tuple(problems))
    # Normalise what editors' tools leave behind, so the same words always anchor the same way.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", text)


def _size_problems(annotations: Annotations) -> list[Diagnostic]:
    """Each note and glossary entry within the paragraph limit, before pandoc is asked to parse it."""
    return [
        Diagnostic(
            "S004",
            f"the `{field}` of {label} has {len(value):,} characters, more than the "
            f"{MAX_PARAGRAPH:,} the builder lays out",
            where.path,
            where.line,
        )
        for label, where, fields in _entries(annotations)
        for field, value in fields
        if len(value) > MAX_PARAGRAPH
    ]


def _entries(annotations: Annotations):
    """(label, location, [(field, Markdown)]) of each note and glossary entry."""
    for note in annotations.notes:
        yield f"note `{note.id}`", note.where, [("note", note.note)]
    for term in annotations.glossary:
        yield (
            f"glossary entry `{term.term}`",
            term.where,
            [("term", term.term), ("short", term.short), ("definition", term.definition)],
        )


def _sanitise(document: dict[str, Any], annotations: Annotations, sources: tuple[tuple[Path, str], ...]) -> Sanitiser:
    """Everything the editors wrote, checked (sanitise.py) before citeproc formats citations."""
    sanitiser = Sanitiser()
    meta = document["meta"]
    text_place = Place("the text", sources[0][0], None, sources, images=True)
    sanitiser.editors(document["blocks"], text_place)
    sanitiser.editors({key: value for key, value in meta.items() if key not in _PAYLOAD.values()}, text_place)
    parsed = {key: meta[name]["c"] for key, name in _PAYLOAD.items()}
    for note in annotations.notes:
        sanitiser.editors(parsed["notes"][note.id], Place(f"note `{note.id}`", note.where.path, note.where.line))
    for term in annotations.glossary:
        place = Place(f"glossary entry `{term.term}`", term.where.path, term.where.line)
        for section in ("names", "shorts", "definitions"):
            sanitiser.editors(parsed[section][term.slug], place)
    if sanitiser.problems:
        raise BuildFailed(tuple(sanitiser.problems))
    sanitiser.relink(document)
    return sanitiser


def _sanitise_citations(
    sanitiser: Sanitiser, cites: list[dict[str, Any]], document: dict[str, Any], annotations: Annotations
) -> None:
    """citeproc's output holds the references' fields: each citation (`cites`, every Cite element
    of the document) and bibliography entry is checked as the Markdown of the reference it comes
    from."""
    places = {
        str(ref.get("id")): Place(f"reference `{ref.get('id')}`", where.path, where.line)
        for ref, where in zip(annotations.references, annotations.reference_where)
    }
    fallback = Place("a reference", None)
    for cite in cites:
        sanitiser.formatted(cite["c"][1], places.get(cite["c"][0][0]["citationId"], fallback))
    refs = document["blocks"][-1] if document["blocks"] else None
    if refs and refs["t"] == "Div" and refs["c"][0][0] == "refs":
        for entry in refs["c"][1]:
            ident = entry["c"][0][0] if entry["t"] == "Div" else ""
            sanitiser.formatted(entry, places.get(ident.removeprefix(REFERENCE_PREFIX), fallback))
    if sanitiser.problems:
        raise BuildFailed(tuple(sanitiser.problems))


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
            out[name] = (
                content if blocks else [i for b in content for i in (b["c"] if b["t"] in ("Para", "Plain") else [])]
            )
        else:  # MetaString (e.g. a bare number)
            inline = [{"t": "Str", "c": content}]
            out[name] = [{"t": "Para", "c": inline}] if blocks else inline
    return out


def _unknown_references(annotations: Annotations, entry_cites: dict[str, dict[str, list[Any]]]) -> list[Diagnostic]:
    """Citations in notes and glossary entries must name a reference (links and images: the
    sanitiser's); `entry_cites`: each entry's Cite elements, as _parse found them."""
    known = {str(ref["id"]) for ref in annotations.references}
    problems = []
    notes, shorts, definitions = (entry_cites[_PAYLOAD[part]] for part in ("notes", "shorts", "definitions"))
    places = [(f"note `{n.id}`", n.where, notes[n.id]) for n in annotations.notes]
    places += [
        (f"glossary entry `{t.term}`", t.where, part[t.slug])
        for t in annotations.glossary
        for part in (shorts, definitions)
    ]
    for label, where, cites in places:
        for cite in cites:
            for citation in cite["c"][0]:
                key = citation["citationId"]
                if key not in known:
                    guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
                    hint = f"; did you mean @{guess[0]}?" if guess else ""
                    problems.append(
                        Diagnostic(
                            "A006",
                            f"{label} cites @{key}, which is in no `references:` list{hint}",
                            where.path,
                            where.line,
                        )
                    )
    return problems

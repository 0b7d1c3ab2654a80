"""Load stage: the text's metadata, the YAML block that opens the first src_text/*.md file.

The block is read here with the annotation files' YAML reader before pandoc sees it, so a YAML
mistake is an error with the file's own line; every key is checked, and `lang` is checked as a
BCP 47 tag. The values themselves are then taken from pandoc's reading of the block, where they
are Markdown.
"""

from __future__ import annotations

import difflib
import re
import uuid
from pathlib import Path
from typing import Any

from ..ast import stringify
from ..diagnostics import BuildFailed, Diagnostic
from ..model import Metadata, slugify
from .annotations import parse_yaml
from .labels import LABEL_KEYS, labels_for
from .sanitise import is_language_tag
from .text import IMAGE_TYPES, find_image

KEYS = (
    "title",
    "subtitle",
    "author",
    "editor",
    "translator",
    "date",
    "lang",
    "rights",
    "source",
    "identifier",
    "paper",
    "twosided",
    "glossary-links",
    "labels",
    "dedication",
    "epigraph",
    "filename",
    "cover",
    "nocite",
    "booklet",
)
NAME_KEYS = ("author", "editor", "translator")
_BLOCK = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
ISO_639_1 = set(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee "
    "el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it "
    "iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my "
    "na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn "
    "so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
_LANGUAGE_NAMES = {
    "english": "en",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "german": "de",
    "deutsch": "de",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "italiano": "it",
    "russian": "ru",
    "portuguese": "pt",
    "dutch": "nl",
    "latin": "la",
    "greek": "el",
    "polish": "pl",
    "chinese": "zh",
    "japanese": "ja",
    "arabic": "ar",
}


def metadata_block(path: Path, text: str) -> tuple[dict[str, Any], Any]:
    """The YAML data of the text's metadata block and its node tree (lines for messages)."""
    match = _BLOCK.match(text)
    if match is None:
        raise BuildFailed((Diagnostic("T002", "the text has no metadata block (`---` lines at the top)", path, 1),))
    data, node = parse_yaml(match.group(1) or "", path, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildFailed((Diagnostic("T004", "the metadata block must be a mapping of `key: value` lines", path, 2),))
    return data, node


def metadata_problems(data: dict[str, Any], node: Any, path: Path) -> list[Diagnostic]:
    """Unknown keys, a missing title or language, a malformed `lang`."""
    problems = []
    for key in data:
        if key not in KEYS:
            guess = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
            hint = f"; did you mean `{guess[0]}`?" if guess else f"; known keys: {', '.join(KEYS)}"
            problems.append(Diagnostic("K001", f"unknown metadata key `{key}`{hint}", path, key_line(node, key)))
    for key, what in (("title", "title"), ("lang", "language (`lang`, e.g. en)")):
        if not str(data.get(key) or "").strip():
            problems.append(Diagnostic("T002", f"the metadata block has no {what}", path, 1))
    lang = str(data.get("lang") or "").strip()
    if lang and not _is_language_tag(lang):
        guess = _LANGUAGE_NAMES.get(lang.casefold())
        hint = f"; did you mean `{guess}`?" if guess else ""
        problems.append(
            Diagnostic("T005", f"`lang: {lang}` is not a BCP 47 language tag{hint}", path, key_line(node, "lang"))
        )
    return problems


def _is_language_tag(tag: str) -> bool:
    """A well-formed tag (as the sanitiser reads `lang` in the text) whose language is a known
    two-letter code or a three-letter one."""
    primary = tag.split("-")[0].lower()
    return is_language_tag(tag) and (len(primary) == 3 or primary in ISO_639_1)


def key_line(node: Any, key: str) -> int:
    for key_node, _ in getattr(node, "value", ()):
        if key_node.value == key:
            return key_node.start_mark.line + 2  # the block starts on the file's second line
    return 1


def read_metadata(meta: dict[str, Any], node: Any, path: Path, root: Path) -> Metadata:
    """The metadata from pandoc's reading of the block (values are Markdown)."""

    def text(key: str, default: str = "") -> str:
        return stringify(meta[key]).strip() if key in meta else default

    def line(key: str) -> int:
        return key_line(node, key)

    paper = text("paper", "a4").lower()
    if paper not in ("a4", "letter"):
        raise BuildFailed((Diagnostic("T004", f"`paper: {paper}` must be a4 or letter", path, line("paper")),))
    links = text("glossary-links", "first").lower()
    if links not in ("first", "every"):
        raise BuildFailed(
            (Diagnostic("T004", f"`glossary-links: {links}` must be first or every", path, line("glossary-links")),)
        )
    names = {key: _names(meta.get(key), key, path, line(key)) for key in NAME_KEYS}
    labels = labels_for(text("lang"), _label_overrides(meta.get("labels"), path, line("labels")))
    title, author = text("title"), labels.names(names["author"])
    identifier = text("identifier") or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title + '/' + author)}"
    filename = text("filename") or slugify(title)
    if not re.fullmatch(r"[\w][\w.-]*", filename) or filename.endswith((".epub", ".pdf")):
        raise BuildFailed(
            (
                Diagnostic(
                    "T004",
                    f"`filename: {filename}` must be a plain file name without extension "
                    f"(letters, digits, '.', '-', '_')",
                    path,
                    line("filename"),
                ),
            )
        )
    return Metadata(
        title=title,
        subtitle=text("subtitle") or None,
        author=author,
        date=text("date"),
        lang=text("lang"),
        rights=text("rights"),
        source=text("source"),
        identifier=identifier,
        paper=paper,
        twosided=text("twosided", "false") in ("true", "yes"),
        glossary_links=links,
        labels=labels,
        authors=names["author"],
        editors=names["editor"],
        translators=names["translator"],
        dedication=_blocks(meta.get("dedication")),
        epigraph=_blocks(meta.get("epigraph")),
        filename=filename,
        booklet=_yes_no(text("booklet", "false"), "booklet", path, line("booklet")),
        cover=_cover(text("cover"), path, root, line("cover")),
    )


def _yes_no(value: str, key: str, path: Path, line: int) -> bool:
    if value.lower() not in ("true", "yes", "false", "no"):
        raise BuildFailed((Diagnostic("T004", f"`{key}: {value}` must be true or false", path, line),))
    return value.lower() in ("true", "yes")


def _cover(value: str, path: Path, root: Path, line: int) -> Path | None:
    """`cover:` names an image, from the Markdown file's folder or the edition's."""
    if not value:
        return None
    found = find_image(value, root, path.parent)
    if found is None:
        raise BuildFailed(
            (
                Diagnostic(
                    "T007",
                    f"the cover {value} is not an image file in the edition ({', '.join(sorted(IMAGE_TYPES))})",
                    path,
                    line,
                ),
            )
        )
    return root / found


def _names(value: dict[str, Any] | None, key: str, path: Path, line: int) -> tuple[str, ...]:
    """One name or a list of names."""
    if value is None:
        return ()
    items = value["c"] if value["t"] == "MetaList" else [value]
    if any(item["t"] not in ("MetaInlines", "MetaString") for item in items):
        raise BuildFailed(
            (
                Diagnostic(
                    "T004",
                    f"`{key}` must be a name or a list of names, e.g. `{key}: [Ann Author, Ben Author]`",
                    path,
                    line,
                ),
            )
        )
    return tuple(name for name in (stringify(item).strip() for item in items) if name)


def _blocks(value: dict[str, Any] | None) -> list[Any]:
    """A Markdown value (`dedication`, `epigraph`) as blocks."""
    if value is None:
        return []
    if value["t"] == "MetaBlocks":
        return value["c"]
    if value["t"] == "MetaInlines":
        return [{"t": "Para", "c": value["c"]}]
    return [{"t": "Para", "c": [{"t": "Str", "c": stringify(value)}]}]


def _label_overrides(value: dict[str, Any] | None, path: Path, line: int) -> dict[str, str]:
    """`labels: {contents: ...}` in the metadata block: each key must name a label."""
    if value is None:
        return {}
    if value["t"] != "MetaMap":
        raise BuildFailed(
            (Diagnostic("T004", "`labels` must be a mapping, e.g. `labels: {contents: Sommaire}`", path, line),)
        )
    problems = []
    for key in value["c"]:
        if key not in LABEL_KEYS:
            close = difflib.get_close_matches(key, LABEL_KEYS, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else f"; labels are {', '.join(LABEL_KEYS)}"
            problems.append(Diagnostic("K001", f"`labels` has no label `{key}`{hint}", path, line))
    if problems:
        raise BuildFailed(tuple(problems))
    return {key: stringify(item).strip() for key, item in value["c"].items()}

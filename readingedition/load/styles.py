"""Load stage: the style sheets and the citation style an edition is built with.

Each of an edition's sheets is applied after the built-in sheet of the same name (or instead of
it, when it opens with `/* readingedition: replace */`). Every sheet must parse; a sheet's text
once found to parse is kept in the build cache, so a rebuild does not parse it again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import tinycss2

from ..diagnostics import BuildFailed, Diagnostic
from ..memo import Memo
from ..model import Styles
from .files import read_utf8
from .sanitise import documented_classes

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"
STYLE_FILES = {"epub": ("epub.css",), "pdf": ("pdf.css", "pdf-margins.css"), "csl": "citation-style.csl"}
# Sheets added after the PDF's own for a paper size other than A4.
PAPER_STYLES = {"letter": ("pdf-letter.css",)}
# Sheets added after the PDF's own for the booklet's pages: half the sheet it is printed on.
BOOKLET_STYLES = {"a4": ("pdf-a5.css",), "letter": ("pdf-a5.css", "pdf-half-letter.css")}
REPLACE_MARKER = re.compile(r"\A\ufeff?\s*/\*\s*readingedition:\s*replace\s*\*/", re.IGNORECASE)
_PARSES = "parses"  # what the cache keeps for a sheet's text that parses


def find_csl(root: Path) -> Path | None:
    csl = _pick_style(root, STYLE_FILES["csl"])
    if csl.is_relative_to(root / "styles"):
        read_utf8(csl, root)
    return csl if csl.is_file() else None


def find_styles(root: Path, paper: str, csl: Path | None, cache_dir: Path | None) -> Styles:
    epub = _layered(root, STYLE_FILES["epub"])
    pdf = _layered(root, (*STYLE_FILES["pdf"], *PAPER_STYLES.get(paper, ())))
    booklet = _layered(root, (*STYLE_FILES["pdf"], *BOOKLET_STYLES[paper]))
    memo = Memo.open(cache_dir, "styles", f"tinycss2 {tinycss2.__version__}")
    for sheet in dict.fromkeys((*epub, *pdf, *booklet)):
        _check_css(sheet, root, memo)
    memo.save()
    return Styles(epub_css=epub, pdf_css=pdf, csl=csl, booklet_css=booklet)


def style_classes(styles: Styles, root: Path) -> set[str]:
    """The classes the edition's style sheets document."""
    return {
        name
        for sheet in dict.fromkeys((*styles.epub_css, *styles.pdf_css, *styles.booklet_css))
        for name in documented_classes(_read_css(sheet, root))
    }


def _pick_style(root: Path, name: str) -> Path:
    """The edition's own file if there is one (read_utf8 then refuses a link out of the edition,
    or a pipe), else the built-in one."""
    own = root / "styles" / name
    return own if os.path.lexists(own) else BUILTIN_STYLES / name


def _layered(root: Path, names: tuple[str, ...]) -> tuple[Path, ...]:
    """The built-in sheets, then the edition's sheets of the same names, which add to them or
    override their rules. An edition's sheet that opens with `/* readingedition: replace */`
    takes the built-in's place instead."""
    built_in, own = [], []
    for name in names:
        sheet = root / "styles" / name
        if not os.path.lexists(sheet):
            built_in.append(BUILTIN_STYLES / name)
        elif REPLACE_MARKER.match(_read_css(sheet, root)):
            built_in.append(sheet)
        else:
            built_in.append(BUILTIN_STYLES / name)
            own.append(sheet)
    return (*built_in, *own)


def _read_css(path: Path, root: Path) -> str:
    """The sheet's text; an edition's own must be a file inside it (read_utf8 refuses a link out
    of the edition, or a pipe)."""
    return read_utf8(path, root if path.is_relative_to(root) else None)


def _check_css(path: Path, root: Path, memo: Memo) -> None:
    css = _read_css(path, root)
    key = memo.key(css)
    if memo.get(key) == _PARSES:
        return
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    errors = [rule for rule in rules if rule.type == "error"]
    for rule in rules:
        if rule.type == "qualified-rule":
            errors += [d for d in tinycss2.parse_blocks_contents(rule.content) if d.type == "error"]
    if errors:
        raise BuildFailed(
            (Diagnostic("F004", f"the style sheet does not parse: {errors[0].message}", path, errors[0].source_line),)
        )
    memo.put(key, _PARSES)

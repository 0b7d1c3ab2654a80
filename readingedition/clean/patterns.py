"""The patterns the cleaning rules and the source-fidelity check share: how the raw extraction
writes footnote markers, italics and emphasis, and what pandoc would read as markup."""

from __future__ import annotations

import re

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_ASCII_DIGITS = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

# Unicode superscript digits: how the PDF extraction renders most markers.
SUP = rf"(?P<sup>[{SUPERSCRIPT_DIGITS}]+)"
# TeX superscripts from the extraction: $^{2}$, $^{^{2}}$, $^4$, $^{\rm 5}$,
# even the mangled $^{^{\}rm 5}$. Only braces, carets, spaces and \rm may
# surround the number.
TEX_SUP = r"\$\^(?:[\s{}^\\]|rm)*(?P<tex>\d+)[\s}]*\$"
# TeX italics from the extraction: $\it Liberation$, $\it Socialist\ Viewpoint$.
TEX_IT = r"\$\\it\s+(?P<it>(?:[^$\\]|\\.)*)\$"
# Emphasis the extraction already wrote as Markdown: *The Russian Anarchists*.
EMPH = r"\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"

INLINE_RE = re.compile("|".join((SUP, TEX_SUP, TEX_IT, EMPH)))
MARKER_RE = re.compile(f"{SUP}|{TEX_SUP}")
FOOTNOTE_START_RE = re.compile(rf"\s*(?:{SUP}|{TEX_SUP})\s*")
MD_MARKER_RE = re.compile(r"\[\^(\d+)\]")
# Characters pandoc's Markdown would read as markup anywhere in a line.
INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]$<~^@])")
# Line starts pandoc would read as a heading, quote, list, table caption...
BLOCK_START_RE = re.compile(r"(?:[#>%:|]|[-+]\s)")
ORDERED_LIST_RE = re.compile(r"(\d+)([.)])(?=\s)")
MD_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")

# Banner and retrieval lines The Anarchist Library puts on its title pages.
LIBRARY_BOILERPLATE = (
    re.compile(r"The Anarchist Library(?: Anti-Copyright)?"),
    re.compile(r"Retrieved on .+"),
    re.compile(r"theanarchistlibrary\.org"),
)
# Metadata whose values the title page repeats, alone or run together.
TITLE_PAGE_FIELDS = ("title", "subtitle", "author", "date")


def superscript_number(digits: str) -> int:
    """Read a run of Unicode superscript digits ("¹⁰") as an int (10)."""
    return int(digits.translate(TO_ASCII_DIGITS))


def marker_number(match: re.Match[str]) -> int:
    """The footnote number of a superscript or TeX marker match."""
    if match["sup"]:
        return superscript_number(match["sup"])
    return int(match["tex"])


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

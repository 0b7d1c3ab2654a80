"""Normalised text with a map back to the original offsets.

Quotes, dashes, spaces, ellipses and footnote digits a reader cannot tell apart are folded into
one form, so an editor's quote matches the text however either is typed.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Every Unicode space separator (no-break, narrow no-break, thin, hair, figure, em, en ...) is a
# space; invisible format characters (soft hyphen, zero-width space, joiners, word joiner, BOM)
# and superscript footnote digits are nothing.
SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\n\t"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_FOLD = {
    **{c: "'" for c in "‘’‚‛′`"},
    **{c: '"' for c in "“”„‟″«»"},
    **{c: "-" for c in "‐‑‒–—―−"},
    **{c: " " for c in SPACES},
    "…": "...",
    **{c: "" for c in "⁰¹²³⁴⁵⁶⁷⁸⁹" + INVISIBLE},
}

# One-for-one foldings (quotes, dashes, spaces) are a substitution of single characters (a
# regular expression finds the few there are much faster than str.translate looks at every one);
# the few that change the length (runs of spaces or dashes, the ellipsis, invisible marks) are
# found by a second regular expression.
_ONE_FOR_ONE = {c: m for c, m in _FOLD.items() if len(m) == 1}
_ONE_FOR_ONE_CHARS = re.compile("[" + re.escape("".join(_ONE_FOR_ONE)) + "]")
_RESIZED = re.compile(r" {2,}|-{2,}|…| *[⁰¹²³⁴⁵⁶⁷⁸⁹" + INVISIBLE + "]+ *")
# Without invisible marks (most texts), the same matches come from three patterns that each begin
# with a fixed string, which the regular expression engine scans for many times faster.
_INVISIBLE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹" + INVISIBLE + "]")
_RESIZED_PARTS = (re.compile("  +"), re.compile("--+"), re.compile("…"))


def _resized(text: str) -> Iterable[re.Match]:
    if _INVISIBLE.search(text):
        return _RESIZED.finditer(text)
    return heapq.merge(*(part.finditer(text) for part in _RESIZED_PARTS), key=lambda match: match.start())


@dataclass(frozen=True)
class Folded:
    """Folded text, and where each stretch of it came from in the unfolded text."""

    text: str
    starts: list[int]  # folded offset where each stretch begins
    origins: list[int]  # the unfolded offset of that stretch's first character
    verbatim: list[bool]  # False: a replacement, all of whose characters come from its origin

    def raw(self, index: int) -> int:
        """The unfolded offset of folded character `index`."""
        piece = bisect.bisect_right(self.starts, index) - 1
        if piece < 0:
            return index
        return self.origins[piece] + (index - self.starts[piece] if self.verbatim[piece] else 0)


def fold(text: str) -> Folded:
    """Fold the variants a reader cannot tell apart into one form: quotes, dashes, spaces."""
    translated = _ONE_FOR_ONE_CHARS.sub(lambda match: _ONE_FOR_ONE[match.group()], text)
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    verbatim: list[bool] = []
    length = 0
    position = 0
    for match in _resized(translated):
        if match.start() > position:
            starts.append(length), origins.append(position), verbatim.append(True)
            out.append(translated[position : match.start()])
            length += match.start() - position
        found = match.group()
        if found == "…":
            replacement = "..."
        elif found[0] == "-":
            replacement = "-"  # "--", "—" and "-" all read as one dash
        elif found.strip(" "):  # invisible marks, with any spaces around them
            replacement = " " if found[0] == " " or found[-1] == " " else ""
        else:
            replacement = " "
        if replacement:
            starts.append(length), origins.append(match.start()), verbatim.append(False)
            out.append(replacement)
            length += len(replacement)
        position = match.end()
    starts.append(length), origins.append(position), verbatim.append(True)
    out.append(translated[position:])
    return Folded("".join(out), starts, origins, verbatim)


def fold_quote(text: str) -> str:
    # The text is NFC-normalised when it is loaded; quotes typed in another form must match it.
    return fold(unicodedata.normalize("NFC", text)).text.strip()

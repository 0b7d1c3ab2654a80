"""Anchor stage: find each note's passage and each glossary term's occurrences in the text.

Works on the text as a reader sees it. Each paragraph, heading or footnote is flattened to its
reader text; the text is normalised (quotes, dashes, whitespace, ellipses, footnote digits) with
a map back to the original offsets; all quotes are found in one Aho-Corasick pass, and all
glossary forms in another, so cost grows with the text, not with text × notes.

The result marks the AST with format-neutral Spans that each renderer turns into its own markup:
  Span ["glossed"] {data-note: ID}        a piece of a note's passage (passages may cross markup)
  Span ["note-call"] {data-note: ID}      empty; where the note's call goes (end of its passage)
  Span ["term"] #ID {data-term: SLUG}     a linked occurrence of a glossary term
"""
from __future__ import annotations

import bisect
import difflib
import heapq
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

import ahocorasick

from ..ast import collector_paused, map_blocks, split_chapters, stringify
from ..diagnostics import BuildFailed, Diagnostic
from ..model import (AnchoredNote, AnchorReport, AnnotatedEdition, Chapter, Edition, NoteSpec, TermSpec, TermUse)

SEPARATOR = "\x00"  # between segments in the searchable text; never part of a quote
_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}
_OPAQUE_FOR_TERMS = {"Link", "Code", "Cite"}
_SPACES = {"Space", "SoftBreak", "LineBreak"}
_FOLD = {**{c: "'" for c in "‘’‚‛′`"}, **{c: '"' for c in "“”„‟″«»"}, **{c: "-" for c in "‐‑‒–—―−"},
         **{c: " " for c in "\u00a0\u2009\u202f\u2002\u2003\n\t"}, "…": "...",
         **{c: "" for c in "⁰¹²³⁴⁵⁶⁷⁸⁹\u00ad\u200b"}}


# ---------------------------------------------------------------------------------------------
# Normalised text with a map back to original offsets


# One-for-one foldings (quotes, dashes, spaces) are a substitution of single characters (a
# regular expression finds the few there are much faster than str.translate looks at every one);
# the few that change the length (runs of spaces or dashes, the ellipsis, invisible marks) are
# found by a second regular expression.
_ONE_FOR_ONE = {c: m for c, m in _FOLD.items() if len(m) == 1}
_ONE_FOR_ONE_CHARS = re.compile("[" + re.escape("".join(_ONE_FOR_ONE)) + "]")
_RESIZED = re.compile(r" {2,}|-{2,}|…| *[⁰¹²³⁴⁵⁶⁷⁸⁹\u00ad\u200b]+ *")
# Without invisible marks (most texts), the same matches come from three patterns that each begin
# with a fixed string, which the regular expression engine scans for many times faster.
_INVISIBLE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹\u00ad\u200b]")
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
            out.append(translated[position:match.start()])
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


# ---------------------------------------------------------------------------------------------
# Reader text of the document, segment by segment


@dataclass
class Segment:
    key: int  # id() of the original inline list, so the rebuild can find its marks
    kind: str  # "para", "heading" or "footnote"
    chapter: int
    text: str
    no_terms: list[tuple[int, int]] = field(default_factory=list)  # inside links, code, citations
    start: int = 0  # offset in the searchable text
    parent: int | None = None  # a footnote's segment: the key of the inline list that calls it
    lengths: list[int] = field(default_factory=list)  # of each inline's reader text


def _inline_text(inline: dict[str, Any], pos: int, segment: Segment, pending: list) -> str:
    kind = inline["t"]
    if kind == "Str":
        return inline["c"]
    if kind in _SPACES:
        return " "
    if kind in _CONTAINERS:
        return _inlines_text(inline["c"], pos, segment, pending)
    if kind == "Quoted":
        opening, closing = ("“", "”") if inline["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
        return opening + _inlines_text(inline["c"][1], pos + 1, segment, pending) + closing
    if kind in ("Span", "Link", "Cite"):
        text = _inlines_text(inline["c"][1], pos, segment, pending)
        if kind in _OPAQUE_FOR_TERMS:
            segment.no_terms.append((pos, pos + len(text)))
        return text
    if kind == "Code":
        segment.no_terms.append((pos, pos + len(inline["c"][1])))
        return inline["c"][1]
    if kind == "Note":
        pending.append(inline["c"])
        return ""
    return ""  # Image, RawInline, Math: nothing a quote can match


def _inlines_text(inlines: list[Any], pos: int, segment: Segment, pending: list) -> str:
    return "".join(_inline_pieces(inlines, pos, segment, pending))


def _inline_pieces(inlines: list[Any], pos: int, segment: Segment, pending: list) -> list[str]:
    """The reader text of each inline, from `pos` on."""
    parts = []
    for inline in inlines:
        kind = inline["t"]  # words and spaces are most of a text: handled here, without a call
        if kind == "Str":
            piece = inline["c"]
        elif kind in _SPACES:
            piece = " "
        else:
            piece = _inline_text(inline, pos, segment, pending)
        parts.append(piece)
        pos += len(piece)
    return parts


def _segments(blocks: list[Any], chapter: int, kind: str, out: list[Segment], parent: int | None = None) -> None:
    for block in blocks:
        t = block["t"]
        if t in ("Para", "Plain"):
            _add_segment(block["c"], chapter, kind, out, parent)
        elif t == "Header":
            _add_segment(block["c"][2], chapter, "heading", out, parent)
        elif t == "LineBlock":
            for line in block["c"]:
                _add_segment(line, chapter, kind, out, parent)
        elif t == "BlockQuote":
            _segments(block["c"], chapter, kind, out, parent)
        elif t == "Div":
            _segments(block["c"][1], chapter, kind, out, parent)
        elif t in ("BulletList",):
            for item in block["c"]:
                _segments(item, chapter, kind, out, parent)
        elif t == "OrderedList":
            for item in block["c"][1]:
                _segments(item, chapter, kind, out, parent)


def _add_segment(inlines: list[Any], chapter: int, kind: str, out: list[Segment], parent: int | None) -> None:
    segment = Segment(key=id(inlines), kind=kind, chapter=chapter, text="", parent=parent)
    pending: list[Any] = []
    pieces = _inline_pieces(inlines, 0, segment, pending)
    segment.text = "".join(pieces)
    segment.lengths = list(map(len, pieces))
    out.append(segment)
    for note_blocks in pending:
        _segments(note_blocks, chapter, "footnote", out, segment.key)




# ---------------------------------------------------------------------------------------------
# Matching


# Many thousands are made for a book: slots without frozen-ness keep that cheap, and eq=False
# makes each mark hash and compare by identity, which is what the rebuild needs.
@dataclass(slots=True, eq=False)
class Mark:
    start: int  # offsets in the segment's reader text
    end: int
    kind: str  # "glossed", "term", or "call" (a point at `start`)
    name: str  # note id or term slug
    anchor_id: str = ""

    @property
    def order(self) -> tuple[int, int]:
        return (self.start, -self.end)


class SearchText:
    """The whole text, folded, with each segment's place in it."""

    def __init__(self, segments: list[Segment]):
        raw_parts = []
        offset = 0
        for segment in segments:
            segment.start = offset
            raw_parts.append(segment.text)
            offset += len(segment.text) + 1
        self.segments = segments
        self.raw = SEPARATOR.join(raw_parts)
        self.folded = fold(self.raw)
        self._starts = [s.start for s in segments]
        # Folding never touches the separators, so they also mark the segments in the folded text.
        self._folded_starts = [0, *(match.end() for match in re.finditer(SEPARATOR, self.folded.text))]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.folded.raw(start), self.folded.raw(end - 1) + 1

    def segment_at(self, raw_offset: int) -> Segment:
        return self.segments[bisect.bisect_right(self._starts, raw_offset) - 1]

    def segment_at_folded(self, folded_offset: int) -> Segment:
        return self.segments[bisect.bisect_right(self._folded_starts, folded_offset) - 1]

    def context(self, start: int, end: int, width: int = 40) -> str:
        text = self.folded.text
        before = text[max(0, start - width):start].split(SEPARATOR)[-1]
        after = text[end:end + width].split(SEPARATOR)[0]
        return f"…{before}«{text[start:end]}»{after}…"


def _find_all(text: str, patterns: dict[str, list[Any]]) -> dict[str, list[int]]:
    """Every bounded occurrence (start offset) of every pattern, in one pass over the text."""
    found: dict[str, list[int]] = {p: [] for p in patterns}
    if not patterns:
        return found
    automaton = ahocorasick.Automaton()
    for pattern in patterns:
        automaton.add_word(pattern, pattern)
    automaton.make_automaton()
    for end_index, pattern in automaton.iter(text):
        start = end_index - len(pattern) + 1
        # Bounded: the match neither begins nor ends inside a word (inlined: this runs for every
        # occurrence of every term).
        if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
            continue
        if end_index + 1 < len(text) and text[end_index].isalnum() and text[end_index + 1].isalnum():
            continue
        found[pattern].append(start)
    return found


def _context_matches(text: str, start: int, end: int, prefix: str | None, suffix: str | None) -> bool:
    if prefix is not None:
        prefix = fold_quote(prefix)
        window = text[max(0, start - len(prefix) - 2):start].replace(SEPARATOR, " ").rstrip()
        if not window.endswith(prefix.rstrip()):
            return False
    if suffix is not None:
        suffix = fold_quote(suffix)
        window = text[end:end + len(suffix) + 2].replace(SEPARATOR, " ").lstrip()
        if not window.startswith(suffix.lstrip()):
            return False
    return True


def _anchor_notes(search: SearchText, notes: Iterable[NoteSpec]) -> tuple[dict[str, tuple[int, int]], list[Diagnostic]]:
    text = search.folded.text
    by_quote: dict[str, list[NoteSpec]] = {}
    problems: list[Diagnostic] = []
    for note in notes:
        by_quote.setdefault(fold_quote(note.quote), []).append(note)
    occurrences = _find_all(text, by_quote)
    placed: dict[str, tuple[int, int]] = {}
    for quote, quote_notes in by_quote.items():
        for note in quote_notes:
            starts = occurrences[quote]
            chosen = [s for s in starts if _context_matches(text, s, s + len(quote), note.prefix, note.suffix)]
            where = note.where
            if not starts:
                problems.append(Diagnostic("A001", f"note `{note.id}`: the quote {note.quote!r} is not in the text",
                                           where.path, where.line, _closest(search, quote)))
            elif not chosen:
                problems.append(Diagnostic(
                    "A003", f"note `{note.id}`: the quote occurs {len(starts)} time(s), but never with the given "
                            f"prefix/suffix", where.path, where.line,
                    "the quote occurs here:\n" + "\n".join(search.context(s, s + len(quote)) for s in starts[:5])))
            elif len(chosen) > 1:
                problems.append(Diagnostic(
                    "A002", f"note `{note.id}`: the quote {note.quote!r} occurs {len(chosen)} times",
                    where.path, where.line, _disambiguation(search, chosen, len(quote))))
            else:
                placed[note.id] = search.to_raw(chosen[0], chosen[0] + len(quote))
    return placed, problems


def _disambiguation(search: SearchText, starts: list[int], length: int) -> str:
    """For each occurrence, the shortest run of words before it (or else after it) that singles it out."""
    text = search.folded.text
    lines = []
    for start in starts[:8]:
        end = start + length
        before = text[max(0, start - 200):start].replace(SEPARATOR, " ")
        after = text[end:end + 200].replace(SEPARATOR, " ")
        choice = None
        for count in range(1, 12):
            prefix = before[_word_cut(before, count):]
            if prefix.strip() and _unique(text, starts, length, prefix, None):
                choice = ("prefix", prefix)
                break
            suffix = after[:_word_cut_forward(after, count)]
            if suffix.strip() and _unique(text, starts, length, None, suffix):
                choice = ("suffix", suffix)
                break
        context = search.context(start, end, 30)
        lines.append(f"{choice[0]}: {choice[1]!r:<40} → {context}" if choice else f"(no short context is unique) {context}")
    return "\n".join(lines)


def _word_cut(text: str, words: int) -> int:
    """Where the last `words` words of the text begin (keeping the space before the quote)."""
    position = len(text)
    for _ in range(words):
        position = text.rstrip().rfind(" ", 0, len(text[:position].rstrip())) + 1
        if position <= 0:
            return 0
    return position


def _word_cut_forward(text: str, words: int) -> int:
    position = 0
    for _ in range(words):
        following = text.find(" ", len(text) - len(text[position:].lstrip()) + 1)
        if following < 0:
            return len(text)
        position = following
    return position


def _unique(text: str, starts: list[int], length: int, prefix: str | None, suffix: str | None) -> bool:
    return sum(1 for s in starts if _context_matches(text, s, s + length, prefix, suffix)) == 1


def _closest(search: SearchText, quote: str, limit: int = 3) -> str:
    """The passages most like the quote, and what differs. Only runs on failure."""
    text = search.folded.text
    quote_words = quote.split()
    if not quote_words:
        return ""
    lowered = [w.lower() for w in quote_words]
    spans = [(m.start(), m.group()) for m in re.finditer(r"[^\s\x00]+", text)]
    candidates = set()
    for index, (_, word) in enumerate(spans):
        if word.lower() in lowered:
            offset = lowered.index(word.lower())
            candidates.add(max(0, index - offset))
    scored = []
    for first in candidates:
        window = [w for _, w in spans[first:first + len(quote_words)]]
        ratio = difflib.SequenceMatcher(None, " ".join(quote_words), " ".join(window)).ratio()
        scored.append((-ratio, first, window))
    lines = []
    for negative_ratio, first, window in sorted(scored)[:limit]:
        if -negative_ratio < 0.5:
            break
        diffs = []
        matcher = difflib.SequenceMatcher(None, quote_words, window)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op != "equal":
                diffs.append(f"{' '.join(quote_words[a1:a2]) or '∅'!r} → {' '.join(window[b1:b2]) or '∅'!r}")
        lines.append(f"closest: {' '.join(window)!r}\n  differs: {'; '.join(diffs)}")
    return "\n".join(lines) or "no passage in the text is close to it"


def _term_patterns(glossary: Iterable[TermSpec]) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Lower-case pattern -> (slug, the spellings of it that count) for each form that folds to it."""
    patterns: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for entry in glossary:
        for form in entry.all_forms:
            folded = fold_quote(form)
            patterns.setdefault(_lower(folded), []).append((entry.slug, _spellings(folded)))
    return patterns


def _lower(text: str) -> str:
    """Lower case that keeps every offset (a few characters, like İ, lengthen when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _spellings(form: str) -> frozenset[str]:
    """A form with capitals matches only as written; a lower-case one also sentence-initially."""
    if form != _lower(form):
        return frozenset((form,))
    return frozenset((form, form[:1].upper() + form[1:]))


def _find_terms(search: SearchText, glossary: tuple[TermSpec, ...],
                every: bool) -> tuple[list[tuple[int, int, str, Segment]], dict[str, int]]:
    """The occurrences to link (raw offsets, slug, segment), and how often each term occurs where
    it could be linked."""
    text = search.folded.text
    patterns = _term_patterns(glossary)
    found = _find_all(_lower(text), patterns)
    matches = []  # (start, minus length, end, slug): sorted, longest first where they begin together
    for pattern, starts in found.items():
        length = len(pattern)
        for start in starts:
            spelled = text[start:start + length]
            for slug, spellings in patterns[pattern]:
                if spelled in spellings:
                    matches.append((start, -length, start + length, slug))
                    break
    matches.sort()
    chosen: list[tuple[int, int, str, Segment]] = []
    occurrences: dict[str, int] = {}
    seen: set[tuple[int, str]] = set()
    last_end = -1
    for start, _, end, slug in matches:
        if start < last_end:
            continue  # inside a longer term already taken
        segment = search.segment_at_folded(start)
        if segment.kind != "para":
            continue
        if segment.no_terms:
            raw_start, raw_end = search.to_raw(start, end)
            local_start, local_end = raw_start - segment.start, raw_end - segment.start
            if any(a < local_end and local_start < b for a, b in segment.no_terms):
                continue
        last_end = end
        occurrences[slug] = occurrences.get(slug, 0) + 1
        if not every and (segment.chapter, slug) in seen:
            continue
        seen.add((segment.chapter, slug))
        chosen.append((*search.to_raw(start, end), slug, segment))
    return chosen, occurrences


# ---------------------------------------------------------------------------------------------
# Rebuilding the AST with marks


def _span(classes: list[str], attrs: list[list[str]], content: list[Any], ident: str = "") -> dict[str, Any]:
    return {"t": "Span", "c": [[ident, classes, attrs], content]}


def _mark_span(mark: Mark, content: list[Any], first_piece: bool) -> dict[str, Any]:
    if mark.kind == "term":
        return _span(["term"], [["data-term", mark.name]], content, mark.anchor_id if first_piece else "")
    return _span(["glossed"], [["data-note", mark.name]], content)


def _call(mark: Mark) -> dict[str, Any]:
    return _span(["note-call"], [["data-note", mark.name]], [])


@dataclass(slots=True)
class _Item:
    element: dict[str, Any]
    start: int
    end: int
    deferred: frozenset = frozenset()  # ranges applied inside this item, not around it


_RUN = "untouched-run"  # an item standing for inlines no mark meets; never covered, never split


def _length(inline: dict[str, Any]) -> int:
    """How many characters of reader text an inline holds (as _inline_text counts them)."""
    kind = inline["t"]
    if kind == "Str":
        return len(inline["c"])
    if kind in _SPACES:
        return 1
    return len(_inline_text(inline, 0, Segment(0, "", 0, ""), []))


def _strictly_inside(items: list[_Item], starts: list[int], offset: int) -> bool:
    index = bisect.bisect_left(starts, offset) - 1
    return index >= 0 and items[index].start < offset < items[index].end


class Marker:
    """Rebuilds inline lists with marks, at the highest level each mark fully covers.

    Inline lists that neither carry a mark nor call a footnote that does are passed on as they
    are, not copied: no stage changes an AST in place, and most of a long book's text is unmarked.
    """

    def __init__(self, marks_by_segment: dict[int, list[Mark]], segments: list[Segment]):
        self.marks_by_segment = marks_by_segment
        self.lengths = {s.key: s.lengths for s in segments if s.key in marks_by_segment}
        self.first_piece_done: set[Mark] = set()
        # Lists whose footnotes carry marks: copied down to the footnote, which is rebuilt.
        self.calls_marked_footnote = {s.parent for s in segments if s.parent is not None and s.key in marks_by_segment}
        self.touched = set(marks_by_segment) | self.calls_marked_footnote

    def blocks(self, blocks: list[Any]) -> list[Any]:
        return map_blocks(blocks, self.segment)

    def segment(self, inlines: list[Any]) -> list[Any]:
        if id(inlines) not in self.touched:
            return inlines
        marks = self.marks_by_segment.get(id(inlines), [])
        ranges = sorted((m for m in marks if m.kind != "call"), key=lambda m: m.order)
        points = sorted((m for m in marks if m.kind == "call"), key=lambda m: m.start)
        if not ranges and not points:
            return [self._inline_plain(i) for i in inlines]
        out, _ = self._level(inlines, 0, ranges, points, id(inlines) in self.calls_marked_footnote,
                             self.lengths[id(inlines)])
        return out

    def _inline_plain(self, inline: dict[str, Any]) -> dict[str, Any]:
        """Copy through, but footnotes' own paragraphs may carry marks."""
        t = inline["t"]
        if t == "Note":
            return {"t": "Note", "c": self.blocks(inline["c"])}
        if t in _CONTAINERS:
            return {"t": t, "c": [self._inline_plain(i) for i in inline["c"]]}
        if t in ("Span", "Link", "Cite", "Quoted"):
            c = list(inline["c"])
            index = 1
            c[index] = [self._inline_plain(i) for i in c[index]]
            return {"t": t, "c": c}
        return inline

    def _level(self, inlines: list[Any], pos: int, ranges: list[Mark], points: list[Mark], copy: bool,
               lengths: list[int] | None = None):
        """Items for the inlines, from `pos` on: those the marks' windows meet, one by one; the
        runs between them whole (`copy`: copied, because a footnote in them has marks).
        `lengths`: of each inline's reader text, if known (a segment's are, from its making)."""
        bounds = sorted({r.start for r in ranges} | {r.end for r in ranges} | {p.start for p in points})
        if lengths is None:
            lengths = [_length(inline) for inline in inlines]
        offsets = list(itertools.accumulate(lengths, initial=pos))  # offsets[k]: where inline k begins
        inline_starts, inline_ends = offsets[:-1], offsets[1:]
        items: list[_Item] = []
        done = 0  # inlines before this index have their items

        def run_until(index: int) -> None:
            if index > done:
                run = inlines[done:index]
                run = [self._inline_plain(i) for i in run] if copy else run
                items.append(_Item({"t": _RUN, "c": run}, offsets[index], offsets[index]))

        # The inlines a range overlaps, and those a call touches (it may sit at either edge).
        windows = sorted([(r.start, bisect.bisect_right(inline_ends, r.start), bisect.bisect_left(inline_starts, r.end))
                          for r in ranges] +
                         [(p.start, bisect.bisect_left(inline_ends, p.start), bisect.bisect_right(inline_starts, p.start))
                          for p in points])
        for _, first, last in windows:
            first = max(done, first)
            if first >= last:
                continue
            run_until(first)
            for index in range(first, last):
                items.extend(self._items(inlines[index], offsets[index], offsets[index + 1], ranges, points, bounds,
                                         copy))
            done = last
        run_until(len(inlines))
        end = offsets[-1]
        return self._wrap(self._with_calls(items, points) if points else items, ranges), end

    @staticmethod
    def _with_calls(items: list[_Item], points: list[Mark]) -> list[_Item]:
        """A call goes before the first item at or after its offset (so before a footnote marker
        that follows the passage); calls strictly inside a container went down into it."""
        starts = [item.start for item in items]
        mine = [p for p in points if not _strictly_inside(items, starts, p.start)]
        placed: list[_Item] = []
        for item in items:
            while mine and mine[0].start <= item.start:
                call = mine.pop(0)
                placed.append(_Item(_call(call), call.start, call.start))
            placed.append(item)
        placed.extend(_Item(_call(call), call.start, call.start) for call in mine)
        return placed

    def _items(self, inline: dict[str, Any], pos: int, end: int, ranges: list[Mark], points: list[Mark],
               bounds: list[int], copy: bool) -> list[_Item]:
        """The items for one inline, which runs from `pos` to `end` in the reader text."""
        t = inline["t"]
        if t == "Str":
            text = inline["c"]
            cuts = bounds[bisect.bisect_right(bounds, pos):bisect.bisect_left(bounds, end)]
            if not cuts:
                return [_Item(inline, pos, end)]  # untouched: the node itself, not a copy
            edges = [pos, *cuts, end]
            return [_Item({"t": "Str", "c": text[a - pos:b - pos]}, a, b) for a, b in zip(edges, edges[1:])]
        if t in _SPACES:
            return [_Item(inline, pos, end)]
        if t == "Note":
            return [_Item({"t": "Note", "c": self.blocks(inline["c"])}, pos, pos)]
        if t in _CONTAINERS or t in ("Quoted", "Span", "Link", "Cite"):
            opening = 1 if t == "Quoted" else 0
            children = inline["c"] if t in _CONTAINERS else inline["c"][1]
            partial = [r for r in ranges if r.start < end and pos < r.end and not (r.start <= pos and end <= r.end)]
            inner_points = [p for p in points if pos < p.start < end]
            if partial or inner_points:
                new_children, _ = self._level(children, pos + opening, partial, inner_points, copy)
            else:
                new_children = [self._inline_plain(i) for i in children] if copy else children
            rebuilt = {"t": t, "c": new_children} if t in _CONTAINERS else {"t": t, "c": [inline["c"][0], new_children, *inline["c"][2:]]}
            return [_Item(rebuilt, pos, end, frozenset(partial))]
        return [_Item(inline, pos, end)]

    def _wrap(self, items: list[_Item], ranges: list[Mark]) -> list[Any]:
        """Wrap items in the spans of the ranges covering them, outermost first, in one pass:
        a stack of open spans is kept while their ranges go on, and split where ranges cross."""
        starts = [item.start for item in items]
        covers: dict[int, list[Mark]] = {}
        for mark in ranges:  # ranges come outermost first, so each cover list is in nesting order
            for index in range(bisect.bisect_left(starts, mark.start), len(items)):
                item = items[index]
                if item.start >= mark.end:
                    break
                if mark in item.deferred:
                    continue  # applied inside this item, to the part of it the range covers
                zero_width = item.start == item.end  # calls and footnotes: inside if strictly within
                if (mark.start < item.start) if zero_width else (item.end <= mark.end):
                    covers.setdefault(index, []).append(mark)
        out: list[Any] = []
        stack: list[tuple[Mark, list[Any]]] = []
        for index, item in enumerate(items):
            cover = covers.get(index, ())
            if not cover:
                stack.clear()
                if item.element["t"] == _RUN:
                    out.extend(item.element["c"])
                else:
                    out.append(item.element)
                continue
            common = 0
            while common < min(len(stack), len(cover)) and stack[common][0] is cover[common]:
                common += 1
            del stack[common:]
            for mark in cover[common:]:
                content: list[Any] = []
                first = mark not in self.first_piece_done
                self.first_piece_done.add(mark)
                (stack[-1][1] if stack else out).append(_mark_span(mark, content, first))
                stack.append((mark, content))
            (stack[-1][1] if stack else out).append(item.element)
        return out


# ---------------------------------------------------------------------------------------------


def note_label(index: int) -> str:
    """a, b, … z, aa, ab, …: letters, because numbers are the author's footnotes."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("a") + remainder) + label
    return label


def anchor_edition(edition: Edition) -> AnnotatedEdition:
    with collector_paused():
        return _anchor(edition)


def _anchor(edition: Edition) -> AnnotatedEdition:
    chapters = split_chapters(edition.document["blocks"])
    segments: list[Segment] = []
    for number, (_, blocks) in enumerate(chapters):
        _segments(blocks, number, "para", segments)
    search = SearchText(segments)
    annotations = edition.annotations
    placed, problems = _anchor_notes(search, annotations.notes)
    if problems:
        raise BuildFailed(tuple(problems))

    marks: dict[int, list[Mark]] = {}
    order = sorted(annotations.notes, key=lambda n: (placed[n.id][1], placed[n.id][0]))
    anchored = []
    for index, note in enumerate(order):
        start, end = placed[note.id]
        segment = search.segment_at(start)
        local_start, local_end = start - segment.start, end - segment.start
        marks.setdefault(segment.key, []).extend([
            Mark(local_start, local_end, "glossed", note.id),
            Mark(local_end, local_end, "call", note.id)])
        anchored.append(AnchoredNote(note, note_label(index), segment.chapter, edition.note_bodies[note.id]))

    uses: list[TermUse] = []
    counts = {entry.slug: 0 for entry in annotations.glossary}
    linked, occurrences = _find_terms(search, annotations.glossary, edition.metadata.glossary_links == "every")
    for start, end, slug, segment in linked:
        counts[slug] += 1
        anchor_id = f"term-{slug}-{counts[slug]}"
        marks.setdefault(segment.key, []).append(Mark(start - segment.start, end - segment.start, "term", slug, anchor_id))
        uses.append(TermUse(slug, segment.chapter, anchor_id))
    warnings = tuple(Diagnostic("G004", f"the glossary term `{e.term}` occurs nowhere in the text", e.where.path,
                                e.where.line, severity="warning")
                     for e in annotations.glossary if counts[e.slug] == 0)

    marker = Marker(marks, segments)
    rebuilt = tuple(Chapter(title, marker.blocks(blocks)) for title, blocks in chapters)
    report = AnchorReport(len(anchored), counts, {slug: occurrences.get(slug, 0) for slug in counts}, warnings)
    return AnnotatedEdition(edition, rebuilt, tuple(anchored), tuple(uses), report)

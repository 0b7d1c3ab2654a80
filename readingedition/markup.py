"""The markup contract: every class, id and data- attribute one stage writes and another reads.

A name lives here and nowhere else: the anchor stage writes the marks, the renderers turn them
into HTML, the margin engine finds its boxes in the laid-out PDF by class, the checks find notes,
calls and back matter in the built EPUB and PDF by id and class, and the style sheets in
readingedition/styles/ select by the same class names (a test holds them to this module).

Anchor -> renderers: pandoc AST Spans, format-neutral
  Span [GLOSSED] {DATA_NOTE: note}              a piece of a note's passage (passages may cross markup)
  Span [NOTE_CALL] {DATA_NOTE: note}            empty; where the note's call goes (end of its passage)
  Span [TERM] #term_id(slug, n) {DATA_TERM: slug}   a linked occurrence of a glossary term

Renderers -> readers, margin engine, checks, style sheets: HTML
  a.NOTE_CALL #call_id(note) -> #note_id(note)  the call of an editor's note (its letter)
  #note_id(note).EDITOR_NOTE.kind_class(kind)   the note itself: an EPUB aside ...
  #note_id(note).MARGIN_NOTE.kind_class(kind)   ... or a PDF margin box {DATA_NOTE_ID: note, DATA_CALL: letter},
                                                its content in .MARGIN_NOTE_BODY
  a.NOTE_LABEL -> #call_id(note)                the note's letter at its start, back to the call
  span.GLOSSED                                  the passage (in the PDF, margin boxes left outside it)
  a.TERM -> #gloss_id(slug)                     a glossary term in the text; in the PDF followed by a
                                                .MARGIN_GLOSS {DATA_TERM: slug} box
  a.FOOTNOTE_REF #footnote_ref_id(n) -> aside.FOOTNOTE #footnote_id(n), a.FOOTNOTE_BACK
                                                the author's footnotes (EPUB), numbered through the book

Back matter: one section each, in BACK_MATTER order, with the id, heading id and title (a label,
in the text's language) of its BackMatter (GLOSSARY, QUESTIONS, REFERENCES); in the EPUB each is a file of its own
(BackMatter.file_name); in the PDF each sits in a div .BACK_MATTER_CLASS that begins a page.
The glossary's entries are div.GLOSS_ENTRY#gloss_id(slug), each holding a dt and a dd (links point
at the entry, so a pop-up of the target shows the definition), each dd with .GLOSS_SHORT, .GLOSS_SEE,
.GLOSS_USES. In the EPUB, a note on a footnote's text is marked in the footnote by sup.NOTE_MARK
(its letter, unlinked; the call is in the main text), and two calls of one kind that meet are kept
apart by sup.CALL_SEPARATOR.

Chapters: the PDF's chapter divs are #chapter_id(index).CHAPTER; the EPUB's chapter files are
chapter_file(index) (CHAPTER_FILE matches their names), a chapter's title #chapter_title_id(index).
The EPUB's parts, before they are split into files, are divs #part_id(index).

RESERVED_ID_PREFIXES and RESERVED_IDS: every id the build writes, or starts its ids with (citeproc's
`ref-` and `refs` included), so that an editor's heading or span cannot take one.

Page furniture the renderers write for the style sheets only: PAGE_CLASSES. Classes pandoc's
citeproc writes: CITEPROC_CLASSES. A style sheet may also style classes an editor writes in the
text (`[words]{.name}`); it names them in a comment `/* editor classes: name, name */`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Anchor -> renderers
GLOSSED = "glossed"
NOTE_CALL = "note-call"
TERM = "term"
DATA_NOTE = "data-note"
DATA_TERM = "data-term"

# Editors' notes
CALL_PREFIX = "call-"
NOTE_PREFIX = "note-"
NOTE_LABEL = "note-label"
EDITOR_NOTE = "editor-note"
KIND_PREFIX = "kind-"
MARGIN_NOTE = "margin-note"
MARGIN_NOTE_BODY = "margin-note-body"
MARGIN_GLOSS = "margin-gloss"
DATA_NOTE_ID = "data-note-id"
DATA_CALL = "data-call"

# The author's footnotes
FOOTNOTE_PREFIX = "fn-"
FOOTNOTE_REF_PREFIX = "fnref-"
FOOTNOTE = "footnote"
FOOTNOTE_REF = "footnote-ref"
FOOTNOTE_BACK = "footnote-back"
NOTE_MARK = "note-mark"
CALL_SEPARATOR = "call-separator"

# Glossary entries
GLOSS_PREFIX = "gloss-"
GLOSS_ENTRY = "gloss-entry"
GLOSS_SHORT = "gloss-short"
GLOSS_SEE = "gloss-see"
GLOSS_USES = "gloss-uses"

# Chapters and back matter
CHAPTER = "chapter"
CHAPTER_PREFIX = "chapter-"
PART_PREFIX = "part-"
TERM_PREFIX = "term-"
BACK_PREFIX = "back-"  # the PDF's back-matter divs
REFERENCE_PREFIX = "ref-"  # citeproc's ids of the references' entries
CONTENTS_TITLE = "contents-title"  # the PDF's contents heading
CHAPTER_FILE = re.compile(r"chapter-\d+\.xhtml$")
BACK_MATTER_CLASS = "back-matter"


def call_id(note: str) -> str:
    """The id of a note's call in the text."""
    return CALL_PREFIX + note


def note_id(note: str) -> str:
    """The id of the note itself (EPUB aside, PDF margin box)."""
    return NOTE_PREFIX + note


def kind_class(kind: str) -> str:
    return KIND_PREFIX + kind


def term_id(slug: str, count: int) -> str:
    """The id of the `count`th linked occurrence (from 1) of a glossary term."""
    return f"{TERM_PREFIX}{slug}-{count}"


def gloss_id(slug: str) -> str:
    """The id of a glossary entry."""
    return GLOSS_PREFIX + slug


def chapter_id(index: int) -> str:
    """The id of the PDF's chapter div, from index 0."""
    return f"{CHAPTER_PREFIX}{index + 1}"


def chapter_title_id(index: int) -> str:
    """The id of the EPUB's chapter title, from index 0."""
    return f"{CHAPTER_PREFIX}{index + 1}-title"


def chapter_file(index: int) -> str:
    """The EPUB's file of a chapter, from index 0."""
    return f"{CHAPTER_PREFIX}{index + 1:02d}.xhtml"


def part_id(index: int) -> str:
    """The id of the EPUB's part div, from index 0, before the parts are split into files."""
    return f"{PART_PREFIX}{index}"


def footnote_id(number: int) -> str:
    """The id of the EPUB's aside of the author's footnote `number`."""
    return f"{FOOTNOTE_PREFIX}{number}"


def footnote_ref_id(number: int) -> str:
    """The id of the call of the author's footnote `number` in the EPUB."""
    return f"{FOOTNOTE_REF_PREFIX}{number}"


@dataclass(frozen=True)
class BackMatter:
    id: str  # of its section, and its class
    label: str  # the key of its heading in the edition's labels

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def file_name(self) -> str:
        """Its file in the EPUB."""
        return f"{self.id}.xhtml"

    @property
    def pdf_id(self) -> str:
        """The id of its div in the PDF."""
        return f"{BACK_PREFIX}{self.id}"


GLOSSARY = BackMatter("glossary", "glossary")
QUESTIONS = BackMatter("questions", "questions")
REFERENCES = BackMatter("references", "references")
BACK_MATTER = (GLOSSARY, QUESTIONS, REFERENCES)

RESERVED_ID_PREFIXES = (
    CALL_PREFIX,
    NOTE_PREFIX,
    GLOSS_PREFIX,
    FOOTNOTE_PREFIX,
    FOOTNOTE_REF_PREFIX,
    CHAPTER_PREFIX,
    TERM_PREFIX,
    PART_PREFIX,
    BACK_PREFIX,
    REFERENCE_PREFIX,
)
RESERVED_IDS = frozenset(
    {
        "refs",  # citeproc's references div
        "footnotes",  # pandoc's footnotes section
        CONTENTS_TITLE,
        *(name for part in BACK_MATTER for name in (part.id, part.title_id)),
    }
)

# Verse (a Markdown line block): a div of one div per line, so each line turns over with an indent.
VERSE = "verse"
VERSE_LINE = "verse-line"
# A note's blocks in the PDF: spans inside its margin box (phrasing content, as the box sits in a
# paragraph), set as blocks by the style sheet: paragraphs, quotes, verse and its lines, lists and
# their items, code.
NOTE_PARA, NOTE_QUOTE, NOTE_VERSE, NOTE_VERSE_LINE, NOTE_LIST, NOTE_ITEM, NOTE_CODE = (
    "note-p",
    "note-quote",
    "note-verse",
    "note-verse-line",
    "note-list",
    "note-item",
    "note-code",
)
NOTE_BLOCKS = frozenset({NOTE_PARA, NOTE_QUOTE, NOTE_VERSE, NOTE_VERSE_LINE, NOTE_LIST, NOTE_ITEM, NOTE_CODE})
# PDF only: a heading's own text, without note calls or notes (running heads, bookmarks), and an
# author's footnote's number (the editor's notes set at the page foot are footnotes too).
DATA_TITLE = "data-title"
DATA_NUMBER = "data-n"

PAGE_CLASSES = frozenset(
    {
        "titlepage",
        "title",
        "subtitle",
        "author",
        "date",
        "edition-note",
        "rights",
        "source",  # title page
        "editors",
        "translators",
        "dedication",
        "epigraph",
        "cover",  # the EPUB's cover page
        "contents",
        "text-title",  # the PDF's contents; the heading of a text without chapter titles
        "level-1",
        "level-2",
        "level-3",  # the contents' entries: chapters, `##` and `###` sections
        "twosided",
        "onesided",  # on the PDF's root element
    }
)
CITEPROC_CLASSES = frozenset({"citation", "csl-entry"})
PANDOC_CLASSES = frozenset({"smallcaps"})  # what pandoc writes for [words]{.smallcaps}

# Every class a stage writes for another, or for the style sheets (kind classes: KIND_PREFIX + kind).
CLASSES = (
    frozenset(
        {
            GLOSSED,
            NOTE_CALL,
            TERM,
            NOTE_LABEL,
            EDITOR_NOTE,
            MARGIN_NOTE,
            MARGIN_NOTE_BODY,
            MARGIN_GLOSS,
            FOOTNOTE,
            FOOTNOTE_REF,
            FOOTNOTE_BACK,
            NOTE_MARK,
            CALL_SEPARATOR,
            GLOSS_ENTRY,
            GLOSS_SHORT,
            GLOSS_SEE,
            GLOSS_USES,
            CHAPTER,
            BACK_MATTER_CLASS,
            VERSE,
            VERSE_LINE,
            *NOTE_BLOCKS,
            *(part.id for part in BACK_MATTER),
        }
    )
    | PAGE_CLASSES
    | CITEPROC_CLASSES
    | PANDOC_CLASSES
)

"""Every message the build can give an editor, with a stable code, kept as data in one place.

A diagnostic names the file and line, says what is wrong and what to do. The CLI prints it
without a traceback; tests assert on the code and the wording.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# code: (slug, what to do). The slug is stable; the hint is shown after the message.
CODES: dict[str, tuple[str, str]] = {
    # Files and YAML
    "F001": ("missing-path", "Check the path, or pass --root pointing at an edition directory."),
    "F002": ("unreadable-file", "Check the file's permissions."),
    "F003": ("not-utf8", "Save the file as UTF-8."),
    "F004": ("bad-stylesheet", "Fix the CSS syntax at that line, or remove the file to use the built-in style."),
    "F005": ("not-a-regular-file", "Replace it with an ordinary file; pipes, devices and sockets are never read."),
    "F006": ("outside-edition", "Copy the file into the edition directory instead of linking to it from outside."),
    "F007": ("unreadable-directory", "Check the directory's permissions (it must be readable and searchable)."),
    "F008": ("cannot-write-output", "Pass --out a directory you can write to, with room for the editions."),
    "Y001": ("yaml-syntax", "Fix the YAML syntax at that line; a quote containing ': ' must be in quotes."),
    "Y002": ("yaml-tab", "YAML indentation must use spaces, not tabs."),
    "Y003": ("yaml-empty", "Add a `notes:` or `glossary:` list, or delete the file."),
    "Y004": ("yaml-not-mapping", "The file must be a mapping with `notes:` and/or `glossary:` keys, not a list."),
    "Y005": (
        "yaml-alias",
        "Anchors and aliases (&name, *name) are not allowed in annotation files; write the value out.",
    ),
    "Y006": ("yaml-duplicate-key", "Each key may appear once in an entry; delete or rename one of them."),
    # Keys and fields
    "K001": ("unknown-key", "Remove or rename the key."),
    "K002": ("missing-field", "Add the field."),
    "K003": ("empty-field", "Write the text, or delete the entry."),
    "K004": ("bad-id", "Use letters, digits and hyphens only, starting with a letter or digit."),
    "K005": ("bad-value", "Use one of the allowed values."),
    "K006": ("not-text", 'Put the value in quotes, e.g. quote: "1917", so that YAML reads it as text.'),
    "K007": (
        "key-not-text",
        "Keys are words such as `id` or `note`; put a number or yes/no key in quotes, or remove it.",
    ),
    # Notes
    "A001": ("quote-not-found", "Copy the passage exactly from the text; the closest passages are shown above."),
    "A002": ("quote-ambiguous", "Add a `prefix:` (or `suffix:`) to say which one; candidates are shown above."),
    "A003": ("context-not-found", "The quote occurs, but never with this prefix/suffix; correct it or remove it."),
    "A004": ("duplicate-note-id", "Give each note a unique id across all annotation files."),
    "A005": (
        "unsafe-link",
        "Links may be http:, https:, mailto: or #internal only; notes, glossary entries and "
        "references may not show images.",
    ),
    "A006": ("unknown-citation", "Add the reference to a `references:` list under annotations/, or fix the key."),
    "A007": (
        "doubled-citation",
        "Give the year or page once: drop the details written out before the citation "
        "(the citation prints them), or drop the citation.",
    ),
    # Glossary
    "G001": ("duplicate-term", "Define each term once; merge the two entries."),
    "G002": ("form-collision", "A form may belong to one term only; remove it from one of them."),
    "G003": ("unknown-see", "`see` must name the `term` of another glossary entry."),
    "G004": ("term-not-found", "The term and its forms occur nowhere in the text; check the spelling or add `forms:`."),
    "G005": ("duplicate-slug", "Two terms would share one glossary anchor; make them differ in letters or digits."),
    # Source text
    "T001": ("no-text", "Put the text in one or more top-level *.md files in src_text/."),
    "T002": (
        "missing-metadata",
        "Add the field to the YAML metadata block at the top of the first src_text/*.md file.",
    ),
    "T003": ("undefined-footnote", "Add the footnote text `[^n]: ...`, or remove the reference."),
    "T004": ("bad-metadata", "Fix the value in the metadata block."),
    "T005": ("bad-language-tag", "Write `lang` as a BCP 47 tag: a two-letter language code, e.g. en, fr, en-GB."),
    "T006": ("image-without-alt", "Describe the image in the brackets: ![what the image shows](path.png)."),
    "T007": (
        "image-not-found",
        "Put the image file in the edition and give its path from the Markdown file or from the edition directory.",
    ),
    "T008": ("duplicate-footnote", "Each footnote label may be defined once in a file; renumber one of them."),
    # Cleaning a raw extraction (build.py clean, and the source-fidelity check)
    "C001": (
        "recipe-not-found",
        "Run the clean step on an edition directory, or create src_text/recipe.yaml (raw, output, metadata, order).",
    ),
    "C002": ("recipe-syntax", "Fix the YAML syntax at that line."),
    "C003": (
        "bad-recipe",
        "Correct the recipe as the message says; its keys are raw, output, metadata, order, joins, "
        "footnote_markers and fixes.",
    ),
    "C004": ("raw-not-found", "Copy the raw extraction there, or correct `raw:` in the recipe."),
    "C005": (
        "fix-not-unique",
        "Make the `find:` text longer, or correct it, so that it occurs exactly once in the raw text.",
    ),
    "C006": (
        "chunk-start-not-found",
        "Copy the chunk's first words exactly from the raw file (same quotes and spacing).",
    ),
    "C007": ("chunk-start-ambiguous", "Add words to the chunk start until it occurs only once in the raw text."),
    "C008": ("text-before-first-chunk", "Name the first words of that text as a chunk in the recipe's `order`."),
    "C009": (
        "marker-place-not-unique",
        "Quote more of the words the marker follows, exactly as the text has them, so that they occur once.",
    ),
    "C010": (
        "footnote-mismatch",
        "Place a lost marker under `footnote_markers` (note, after), or correct the raw text with a fix.",
    ),
    "C011": ("markdown-not-found", "Run the clean step first: readingedition clean-text."),
    "C012": (
        "source-differs",
        "Fix the recipe (order, joins, footnote_markers) and run the clean step again; do not "
        "edit the Markdown by hand.",
    ),
    # The command and its editions
    "E001": (
        "no-edition",
        "Run the command in an edition's directory (one holding src_text/), pass --root DIR, or "
        "start an edition with `readingedition new DIR`.",
    ),
    "E002": ("edition-exists", "Name a directory that does not exist yet, or an empty one."),
    "E003": ("port-unavailable", "Choose another --port, or leave it out to serve on a free one."),
    # Checks of the built editions (build.py check --editions)
    "V001": ("edition-missing", "Build the editions first: readingedition build (or make)."),
    "V002": (
        "epubcheck",
        "The EPUB does not validate. If the message names your text, notes or styles, fix them; "
        "otherwise it is a bug in the builder: please report it.",
    ),
    "V003": ("epubcheck-not-run", "Install Java, which epubcheck runs on: apt-get install default-jre-headless."),
    "V004": (
        "accessibility",
        "Ace found an accessibility problem. If it is in your text or styles, fix it; "
        "otherwise it is a bug in the builder: please report it.",
    ),
    "V005": (
        "ace-not-run",
        "Install DAISY Ace and Chromium: make check installs them (npm ci; apt-get install "
        "chromium); for an installed readingedition, npm install -g @daisy/ace-cli.",
    ),
    "V006": (
        "text-differs",
        "The edition's text differs from the source text: this is a bug in the builder; "
        "please report it with the words shown.",
    ),
    "V007": (
        "note-missing",
        "An editor's note did not reach the edition: this is a bug in the builder; please report it.",
    ),
    "V008": (
        "definition-missing",
        "A glossary definition did not reach the edition: this is a bug in the builder; please report it.",
    ),
    "V009": (
        "stray-markup",
        "Markup shows as text in the edition: look for unbalanced Markdown or HTML in the "
        "text or notes (e.g. a lone `**` or `[^`).",
    ),
    "V010": ("margin-overlap", "Margin notes overlap in the PDF: shorten the notes on that page, or report it."),
    "V011": ("margin-note-missing", "A margin note is not in the PDF: this is a bug in the builder; please report it."),
    "T009": (
        "control-character",
        "Delete the invisible control character (a vertical tab is Word's line break: use a "
        "new paragraph, or a backslash at the end of the line).",
    ),
    # Safety: what an edition may ask of the build (see the README's "What Markdown may do")
    "S001": (
        "unsafe-attribute",
        "Use only the attributes the README lists, and classes a style sheet documents "
        "(`/* editor classes: name */`); event handlers, `style` and `rel` are never "
        "allowed.",
    ),
    "S002": ("reserved-name", "The build uses this class or id for its own markup; choose another name."),
    "S003": ("too-deep", "Nest fewer levels (block quotes, lists, spans or YAML); the build stops at 64."),
    "S004": ("too-large", "Break the paragraph into several: a blank line starts a new one."),
    "S005": (
        "refused-resource",
        "The PDF uses only files inside the edition directory; copy the file there and "
        "refer to it by a relative path, or remove the reference.",
    ),
    # Build environment
    "B001": (
        "bad-source-date-epoch",
        "Set SOURCE_DATE_EPOCH to a whole number of seconds since 1970 (e.g. `git log -1 --format=%ct`), or unset it.",
    ),
    # Rendering
    "R001": ("note-lost", "A note did not reach the PDF. This is a bug in the builder; please report it."),
    # The margin engine's warnings (the PDF is still written)
    "R002": (
        "note-moved",
        "The margin is crowded here: shorten this note or its neighbours, or anchor one of them to another passage.",
    ),
    "R003": (
        "gloss-dropped",
        "The margin had no room for this glossary gloss (the term still links to the glossary): "
        "shorten the notes near it.",
    ),
    "R004": ("note-too-tall", "Shorten the note: it is taller than the page's note column."),
    "R005": (
        "note-split",
        "The layout split the note across pages and one part was kept: shorten the note, or report it.",
    ),
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: Path | None = None
    line: int | None = None
    detail: str = ""  # extra lines: closest passages, candidates
    severity: str = "error"  # or "warning"

    @property
    def slug(self) -> str:
        return CODES[self.code][0]

    @property
    def hint(self) -> str:
        return CODES[self.code][1]

    def render(self, root: Path | None = None) -> str:
        where = ""
        if self.path is not None:
            shown = self.path
            if root is not None:  # relative to the edition, as written (a link is named, not its target)
                for path, base in (
                    (Path(os.path.abspath(self.path)), Path(os.path.abspath(root))),
                    (self.path.resolve(), root.resolve()),
                ):
                    if path.is_relative_to(base):
                        shown = path.relative_to(base)
                        break
            where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        text = f"{where}{self.severity} {self.code} {self.slug}: {self.message}"
        if self.detail:
            text += "\n" + "\n".join("    " + line for line in self.detail.splitlines())
        return text + f"\n    hint: {self.hint}"


class BuildFailed(Exception):
    """Raised with every error found, so an editor sees them all at once."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]):
        super().__init__(diagnostics)
        self.diagnostics = tuple(dict.fromkeys(diagnostics))  # the same problem once, however it was found

    def __str__(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def fail(code: str, message: str, path: Path | None = None, line: int | None = None, detail: str = "") -> BuildFailed:
    return BuildFailed((Diagnostic(code, message, path, line, detail),))

"""The catalogue of bad inputs: what an editor can get wrong, and what the build says.

Every case starts from a tiny good edition (tests/editions_factory.py: a metadata block, two
paragraphs with one *italic* title and a footnote [^1], one note, one glossary entry), builds it
into OUT, breaks one input, and builds again. The build must exit 1 with no traceback, print
`PATH:LINE: error CODE slug: message` and `hint: ...` for the mistake, and leave OUT exactly as it
was (same files, bytes and mtimes, no temporary files left behind). Cases marked (subprocess) run
`python build.py epub` as a separate process; the others call readingedition.cli.main in-process.

The first line of each message, as the build prints it (paths relative to the edition root):

YAML
  syntax error (`note: it says: hello`, subprocess)
      annotations/notes.yaml:4: error Y001 yaml-syntax: YAML syntax error: mapping values are not allowed in this context
  tab in the indentation
      annotations/notes.yaml:2: error Y002 yaml-tab: a tab is used for indentation
  empty file (also: a file of comments only)
      annotations/notes.yaml:1: error Y003 yaml-empty: the file is empty
  top-level list instead of a mapping
      annotations/notes.yaml:1: error Y004 yaml-not-mapping: the file holds a list, not a mapping
  not UTF-8 (Latin-1 "café" on line 4)
      annotations/notes.yaml:4: error F003 not-utf8: the file is not UTF-8 (byte 0xe9)
  entity-expansion bomb (billion laughs, 9 levels; refused in well under a second, subprocess)
      annotations/notes.yaml:2: error Y005 yaml-alias: an alias (*name) is used

Keys and fields
  misspelt key `qoute:` (and, second, K002 note 'long-book' has no `quote`)
      annotations/notes.yaml:3: error K001 unknown-key: unknown key `qoute`; did you mean `quote`?
  missing required field
      annotations/notes.yaml:2: error K002 missing-field: note 'long-book' has no `note`
  empty note (`note: " "`)
      annotations/notes.yaml:4: error K003 empty-field: `note` of note 'long-book' is empty
  malformed id
      annotations/notes.yaml:2: error K004 bad-id: malformed id 'Long Book!'

Notes
  duplicate note id across two files (annotations/more-notes.yaml is read first)
      annotations/notes.yaml:2: error A004 duplicate-note-id: note id `long-book` is already used at more-notes.yaml:2
  quote not found (then "closest: 'The Long Book'" / "differs: 'Lung' → 'Long'")
      annotations/notes.yaml:2: error A001 quote-not-found: note `long-book`: the quote 'The Lung Book' is not in the text
  quote found several times (then one line per occurrence: "prefix: 'first '  → …The first «paragraph» …")
      annotations/notes.yaml:2: error A002 quote-ambiguous: note `para`: the quote 'paragraph' occurs 2 times
  prefix that matches nothing (a suffix gives the same; then "the quote occurs here:" and each place)
      annotations/notes.yaml:2: error A003 context-not-found: note `para`: the quote occurs 2 time(s), but never with the given prefix/suffix

Glossary
  term defined twice (`soviet`, then `Soviet` in the same file)
      annotations/glossary.yaml:5: error G001 duplicate-term: the term `Soviet` is already defined at glossary.yaml:2
  forms colliding with another term's
      annotations/glossary.yaml:6: error G002 form-collision: the form `councils` of `council` is also a form of `soviet`
  `see` naming no term
      annotations/glossary.yaml:2: error G003 unknown-see: `see: sovet` in `soviet` names no glossary term; did you mean `soviet`?

Unsafe markup
  `<script>` and raw HTML in a note: built; escaped in the EPUB (`&lt;script&gt;`, no <script> element)
      and shown as literal characters in the PDF
  `javascript:` link in a note
      annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'javascript:alert(1)'

Source text
  BOM, CRLF or CR line ends, tabs, non-NFC Unicode ("e\u0301"): normalised; the EPUB text is the same as
      from the clean file, and a note quoting the NFC form anchors
  footnote reference with no footnote
      src_text/text.md:10: error T003 undefined-footnote: the footnote reference [^2] has no footnote text
  metadata without a title / without a language
      src_text/text.md:1: error T002 missing-metadata: the metadata block has no title
      src_text/text.md:1: error T002 missing-metadata: the metadata block has no language (`lang`, e.g. en)

Metadata (read with the annotation files' YAML reader before pandoc; every independent error at once)
  a colon in a value (`subtitle: Founding texts: the Declaration`)
      src_text/text.md:4: error Y001 yaml-syntax: YAML syntax error: mapping values are not allowed in this context
  unknown keys (`twoside`, `papersize`)
      src_text/text.md:4: error K001 unknown-key: unknown metadata key `twoside`; did you mean `twosided`?
  a language name for `lang`
      src_text/text.md:3: error T005 bad-language-tag: `lang: english` is not a BCP 47 language tag; did you mean `en`?

Images and footnotes
  an image without alt text / with no file in the edition
      src_text/text.md:12: error T006 image-without-alt: the image ../images/a.png has no alt text
      src_text/text.md:12: error T007 image-not-found: the image pictures/b.png is not a file in the edition (…)
  a cover that is not an image in the edition
      src_text/text.md:4: error T007 image-not-found: the cover front.txt is not an image file in the edition (…)
  a footnote label defined twice in one file (each file's labels are its own)
      src_text/text.md:14: error T008 duplicate-footnote: the footnote [^1] is defined twice in this file (…)

Files
  missing root directory (subprocess)
      error F001 missing-path: the edition directory /…/edition does not exist
  unreadable annotation file (chmod 000, skipped as root; and the same simulated with a PermissionError),
  and a directory named x.yaml
      annotations/x.yaml: error F002 unreadable-file: cannot read the file: Permission denied
      annotations/x.yaml: error F002 unreadable-file: cannot read the file: Is a directory
  style sheet that does not parse (styles/epub.css `p { color: red; }` then `}}}`, subprocess)
      styles/epub.css:2: error F004 bad-stylesheet: the style sheet does not parse: EOF reached before {} block for a qualified rule.
  (`p { color: red; ` alone is NOT an error: CSS closes blocks left open at the end of the file, and
  tinycss2 reports nothing; the build accepts it.)

Cases that were product bugs when this catalogue was written, and are fixed (tests at the end):
  an empty value (`note:`)                      K003 empty-field: `note` of note 'long-book' is empty
  a bare number or yes/no (`quote: 1917`)       K006 not-text: `quote` of note 'long-book' is read as a number, not text
  `quote: ""`                                   K003, reported once
  a key twice in one entry                      Y006 yaml-duplicate-key: the key `quote` appears twice in the same entry
  an unclosed quoted string                     Y001 at the line where the quote opens
  a quote in decomposed Unicode (NFD)           anchors in the NFC text
  a quote found twice at the text's start       A002 suggests a suffix where no prefix can single it out
  an image in a note                            A005 unsafe-link: note `long-book` includes an image ('…')
  BuildFailed raised through a context manager  stays a BuildFailed with its diagnostics
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from readingedition.diagnostics import CODES, BuildFailed

from editions_factory import (
    EDITION_NAME,
    GLOSSARY_FILE,
    METADATA,
    NOTES_FILE,
    TEXT,
    TEXT_FILE,
    build_in_process,
    build_subprocess,
    make_edition,
    note_yaml,
    snapshot,
    write,
)

EPUB_NAME = f"{EDITION_NAME}.epub"

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@dataclass(frozen=True)
class Case:
    name: str
    first_line: str  # exact; {root} stands for the edition directory
    files: dict[str, str | bytes] = field(default_factory=dict)  # written over the good edition
    mutate: Callable[[Path], None] | None = None
    detail: tuple[str, ...] = ()  # more text the message must contain
    errors: int = 1
    subprocess: bool = False


def _rmtree(root: Path) -> None:
    import shutil

    shutil.rmtree(root)


CASES = [
    # YAML
    Case(
        "yaml-syntax-error",
        "annotations/notes.yaml:4: error Y001 yaml-syntax: YAML syntax error: mapping values "
        "are not allowed in this context",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: it says: hello\n"},
        subprocess=True,
    ),
    Case(
        "yaml-tab",
        "annotations/notes.yaml:2: error Y002 yaml-tab: a tab is used for indentation",
        {NOTES_FILE: "notes:\n\t- id: long-book\n\t  quote: The Long Book\n\t  note: x\n"},
    ),
    Case("yaml-empty", "annotations/notes.yaml:1: error Y003 yaml-empty: the file is empty", {NOTES_FILE: ""}),
    Case(
        "yaml-comments-only",
        "annotations/notes.yaml:1: error Y003 yaml-empty: the file is empty",
        {NOTES_FILE: "# notes to come\n"},
    ),
    Case(
        "yaml-top-level-list",
        "annotations/notes.yaml:1: error Y004 yaml-not-mapping: the file holds a list, not a mapping",
        {NOTES_FILE: "- id: long-book\n  quote: The Long Book\n  note: x\n"},
    ),
    Case(
        "yaml-not-utf8",
        "annotations/notes.yaml:4: error F003 not-utf8: the file is not UTF-8 (byte 0xe9)",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: caf\xe9\n".encode("latin-1")},
    ),
    Case(
        "yaml-bomb",
        "annotations/notes.yaml:2: error Y005 yaml-alias: an alias (*name) is used",
        {NOTES_FILE: BOMB},
        subprocess=True,
    ),
    # Keys and fields
    Case(
        "misspelt-key",
        "annotations/notes.yaml:3: error K001 unknown-key: unknown key `qoute`; did you mean `quote`?",
        {NOTES_FILE: "notes:\n  - id: long-book\n    qoute: The Long Book\n    note: x\n"},
        detail=("annotations/notes.yaml:2: error K002 missing-field: note 'long-book' has no `quote`",),
        errors=2,
    ),
    Case(
        "missing-field",
        "annotations/notes.yaml:2: error K002 missing-field: note 'long-book' has no `note`",
        {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n"},
    ),
    Case(
        "empty-note",
        "annotations/notes.yaml:4: error K003 empty-field: `note` of note 'long-book' is empty",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note=" ")},
    ),
    Case(
        "malformed-id",
        "annotations/notes.yaml:2: error K004 bad-id: malformed id 'Long Book!'",
        {NOTES_FILE: note_yaml(id="Long Book!", quote="The Long Book", note="x")},
    ),
    # Notes
    Case(
        "duplicate-note-id",
        "annotations/notes.yaml:2: error A004 duplicate-note-id: note id `long-book` is already "
        "used at more-notes.yaml:2",
        {"annotations/more-notes.yaml": note_yaml(id="long-book", quote="quiet ending", note="y")},
    ),
    Case(
        "quote-not-found",
        "annotations/notes.yaml:2: error A001 quote-not-found: note `long-book`: the quote "
        "'The Lung Book' is not in the text",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Lung Book", note="x")},
        detail=("    closest: 'The Long Book'\n      differs: 'Lung' → 'Long'",),
    ),
    Case(
        "quote-ambiguous",
        "annotations/notes.yaml:2: error A002 quote-ambiguous: note `para`: the quote 'paragraph' occurs 2 times",
        {NOTES_FILE: note_yaml(id="para", quote="paragraph", note="x")},
        detail=(
            "prefix: 'first '",
            "→ …The first «paragraph» mentions",
            "prefix: 'second '",
            "→ …The second «paragraph» closes",
        ),
    ),
    Case(
        "prefix-matches-nothing",
        "annotations/notes.yaml:2: error A003 context-not-found: note `para`: the quote "
        "occurs 2 time(s), but never with the given prefix/suffix",
        {NOTES_FILE: note_yaml(id="para", quote="paragraph", prefix="The third", note="x")},
        detail=("the quote occurs here:", "…The first «paragraph» mentions", "…The second «paragraph» closes"),
    ),
    Case(
        "suffix-matches-nothing",
        "annotations/notes.yaml:2: error A003 context-not-found: note `para`: the quote "
        "occurs 2 time(s), but never with the given prefix/suffix",
        {NOTES_FILE: note_yaml(id="para", quote="paragraph", suffix="opens", note="x")},
        detail=("the quote occurs here:",),
    ),
    # Glossary
    Case(
        "term-defined-twice",
        "annotations/glossary.yaml:5: error G001 duplicate-term: the term `Soviet` is already "
        "defined at glossary.yaml:2",
        {
            GLOSSARY_FILE: "glossary:\n  - term: soviet\n    short: s\n    definition: d\n"
            "  - term: Soviet\n    short: s\n    definition: d\n"
        },
    ),
    Case(
        "forms-collide",
        "annotations/glossary.yaml:6: error G002 form-collision: the form `councils` of `council` "
        "is also a form of `soviet`",
        {
            GLOSSARY_FILE: "glossary:\n  - term: soviet\n    forms: [soviets, councils]\n    short: s\n    definition: d\n"
            "  - term: council\n    forms: [councils]\n    short: s\n    definition: d\n"
        },
    ),
    Case(
        "see-names-no-term",
        "annotations/glossary.yaml:2: error G003 unknown-see: `see: sovet` in `soviet` names no "
        "glossary term; did you mean `soviet`?",
        {GLOSSARY_FILE: "glossary:\n  - term: soviet\n    see: [sovet]\n    short: s\n    definition: d\n"},
    ),
    # Unsafe markup
    Case(
        "javascript-link",
        "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'javascript:alert(1)'",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="See [this](javascript:alert(1)).")},
    ),
    # Source text
    Case(
        "undefined-footnote",
        "src_text/text.md:10: error T003 undefined-footnote: the footnote reference [^2] has no footnote text",
        {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.[^2]")},
    ),
    Case(
        "no-title",
        "src_text/text.md:1: error T002 missing-metadata: the metadata block has no title",
        {TEXT_FILE: TEXT.replace('title: "A Tiny Text"\n', "")},
    ),
    Case(
        "no-language",
        "src_text/text.md:1: error T002 missing-metadata: the metadata block has no language (`lang`, e.g. en)",
        {TEXT_FILE: TEXT.replace("lang: en\n", "")},
    ),
    # Metadata
    Case(
        "metadata-yaml-syntax",
        "src_text/text.md:4: error Y001 yaml-syntax: YAML syntax error: mapping values are not allowed in this context",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\nsubtitle: Founding texts: the Declaration\n")},
    ),
    Case(
        "metadata-unknown-key",
        "src_text/text.md:4: error K001 unknown-key: unknown metadata key `twoside`; did you mean `twosided`?",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\ntwoside: true\npapersize: a4\n")},
        detail=("src_text/text.md:5: error K001 unknown-key: unknown metadata key `papersize`; did you mean `paper`?",),
        errors=2,
    ),
    Case(
        "metadata-language-name",
        "src_text/text.md:3: error T005 bad-language-tag: `lang: english` is not a BCP 47 "
        "language tag; did you mean `en`?",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: english\n")},
    ),
    Case(
        "a-bad-citation-and-a-bad-quote-at-once",
        "annotations/notes.yaml:2: error A006 unknown-citation: note "
        "`long-book` cites @nobody, which is in no `references:` list",
        {NOTES_FILE: note_yaml(id="long-book", quote="The Lung Book", note="See @nobody.")},
        detail=("annotations/notes.yaml:2: error A001 quote-not-found",),
        errors=2,
        subprocess=True,
    ),
    Case(
        "every-independent-error-at-once",
        "src_text/text.md:4: error K001 unknown-key: unknown metadata key `papersize`; did you mean `paper`?",
        {
            TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\npapersize: a4\n") + "\n[^3]: One.\n\n[^3]: Two.\n",
            NOTES_FILE: "notes:\n  - id: long-book\n    qoute: The Long Book\n    note: x\n",
        },
        detail=(
            "annotations/notes.yaml:3: error K001 unknown-key: unknown key `qoute`",
            "src_text/text.md:17: error T008 duplicate-footnote",
        ),
        errors=4,
    ),
    # Images and footnotes
    Case(
        "image-without-alt",
        "src_text/text.md:12: error T006 image-without-alt: the image ../images/a.png has no alt text",
        {
            TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.\n\n![](../images/a.png)"),
            "images/a.png": b"\x89PNG\r\n\x1a\n",
        },
    ),
    Case(
        "image-not-found",
        "src_text/text.md:12: error T007 image-not-found: the image pictures/b.png is not a file "
        "in the edition (.gif, .jpeg, .jpg, .png, .svg, .webp)",
        {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending.\n\n![A picture](pictures/b.png)")},
    ),
    Case(
        "cover-not-found",
        "src_text/text.md:4: error T007 image-not-found: the cover front.txt is not an image "
        "file in the edition (.gif, .jpeg, .jpg, .png, .svg, .webp)",
        {TEXT_FILE: TEXT.replace("lang: en\n", "lang: en\ncover: front.txt\n"), "src_text/front.txt": "text"},
    ),
    Case(
        "footnote-defined-twice-in-a-file",
        "src_text/text.md:14: error T008 duplicate-footnote: the footnote [^1] is "
        "defined twice in this file (first at line 12)",
        {TEXT_FILE: TEXT + "\n[^1]: Another footnote one.\n"},
    ),
    # Files
    Case(
        "missing-root",
        "error F001 missing-path: the edition directory {root} does not exist",
        mutate=_rmtree,
        subprocess=True,
    ),
    Case(
        "annotation-file-is-a-directory",
        "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Is a directory",
        mutate=lambda root: (root / "annotations" / "x.yaml").mkdir(),
    ),
    Case(
        "stylesheet-does-not-parse",
        "styles/epub.css:2: error F004 bad-stylesheet: the style sheet does not parse: "
        "EOF reached before {} block for a qualified rule.",
        {"styles/epub.css": "p { color: red; }\n}}}\n"},
        subprocess=True,
    ),
]


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return make_edition(tmp_path / "edition")


@pytest.fixture
def good_out(edition: Path, tmp_path: Path, capsys) -> tuple[Path, dict]:
    """OUT holding a good build of the edition, and its snapshot."""
    out = tmp_path / "out"
    code, stdout, stderr = build_in_process(edition, out, capsys)
    assert code == 0, stderr
    before = snapshot(out)
    assert list(before) == [EPUB_NAME]
    return out, before


def rebuild(edition: Path, out: Path, capsys, via_subprocess: bool, command: str = "epub") -> tuple[int, str, str]:
    if via_subprocess:
        done = build_subprocess(edition, out, command)
        return done.returncode, done.stdout, done.stderr
    return build_in_process(edition, out, capsys, command)


def diagnostic_lines(stderr: str) -> list[str]:
    """The unindented lines of the output: diagnostics (progress lines are indented)."""
    return [
        line
        for line in stderr.splitlines()
        if line and not line.startswith(" ") and not line.startswith("build failed:")
    ]


def assert_refused(stderr: str, stdout: str, code: int, out: Path, errors: int) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr + stdout
    assert stdout == ""  # nothing "built"
    assert stderr.rstrip("\n").splitlines()[-1] == (
        f"build failed: {errors} error{'s' * (errors != 1)}; {out.resolve()} is unchanged"
    )


def assert_hint_follows(stderr: str, first_line: str, diagnostic_code: str) -> None:
    """The diagnostic's block (its line and indented detail) ends with its hint."""
    lines = stderr.splitlines()
    start = lines.index(first_line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    assert block[-1] == f"    hint: {CODES[diagnostic_code][1]}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys, tmp_path) -> None:
    out, before = good_out
    for relative, content in case.files.items():
        write(edition, relative, content)
    if case.mutate:
        case.mutate(edition)
    started = time.perf_counter()
    code, stdout, stderr = rebuild(edition, out, capsys, case.subprocess)
    elapsed = time.perf_counter() - started

    assert_refused(stderr, stdout, code, out, case.errors)
    expected = case.first_line.replace("{root}", str(edition.resolve()))
    assert diagnostic_lines(stderr)[0] == expected, stderr
    diagnostic_code = re.search(r"error ([A-Z]\d{3}) ", expected).group(1)
    assert f" {diagnostic_code} {CODES[diagnostic_code][0]}: " in expected
    assert_hint_follows(stderr, expected, diagnostic_code)
    for text in case.detail:
        assert text in stderr, stderr
    # OUT is as it was: same files, bytes and mtimes, and no temporary file left behind.
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME]
    if case.name == "yaml-bomb":
        assert elapsed < 5, f"the bomb took {elapsed:.1f} s to refuse"


def test_bomb_is_refused_in_process_quickly(tmp_path: Path) -> None:
    """Ten levels (10**10 strings if expanded), and a merge-key variant: refused before composing."""
    from readingedition.load.annotations import load_annotations

    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 11)]
    write(tmp_path, "annotations/bomb.yaml", "\n".join(levels) + "\n")
    write(
        tmp_path,
        "annotations/merge.yaml",
        "base: &base {id: x, quote: y, note: z}\nnotes:\n  - <<: *base\n    id: long-book\n",
    )
    started = time.perf_counter()
    with pytest.raises(BuildFailed) as failure:
        load_annotations(tmp_path / "annotations")
    assert time.perf_counter() - started < 1
    found = {(d.path.name, d.line, d.code) for d in failure.value.diagnostics}
    assert found == {("bomb.yaml", 2, "Y005"), ("merge.yaml", 3, "Y005")}


def test_applying_a_suggested_prefix_singles_out_its_occurrence(edition: Path) -> None:
    """The A002 candidates are usable as they are: each prefix shown anchors the note once."""
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition

    write(edition, NOTES_FILE, note_yaml(id="para", quote="paragraph", note="x"))
    with pytest.raises(BuildFailed) as failure:
        anchor_edition(load_edition(edition))
    prefixes = re.findall(r"prefix: '([^']*)'", failure.value.diagnostics[0].detail)
    assert prefixes == ["first ", "second "]
    for prefix in prefixes:
        write(edition, NOTES_FILE, note_yaml(id="para", quote="paragraph", prefix=prefix, note="x"))
        assert _anchored_ids(edition) == ["para"]


# ---------------------------------------------------------------------------------------------
# Unsafe markup in notes: escaped, never live


SCRIPT_NOTE = note_yaml(
    id="long-book",
    quote="The Long Book",
    note="<script>alert(1)</script> and <b>bold</b> and <a href='javascript:alert(2)'>x</a>",
)


def _xhtml(epub: Path, name: str = "chapter-01.xhtml") -> str:
    with zipfile.ZipFile(epub) as book:
        return book.read(f"EPUB/{name}").decode("utf-8")


def test_script_in_a_note_is_escaped_in_the_epub(edition: Path, tmp_path: Path) -> None:
    import lxml.etree

    write(edition, NOTES_FILE, SCRIPT_NOTE)
    done = build_subprocess(edition, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    xhtml = _xhtml(tmp_path / "out" / EPUB_NAME)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xhtml
    assert "&lt;b&gt;bold&lt;/b&gt;" in xhtml
    assert "<script" not in xhtml and "<b>" not in xhtml
    tree = lxml.etree.fromstring(xhtml.encode("utf-8"))
    assert tree.xpath("//*[local-name()='script']") == []
    assert not any(href.lower().startswith("javascript:") for href in tree.xpath("//@href"))
    aside = tree.xpath("//*[@id='note-long-book']")[0]
    assert "<script>alert(1)</script>" in "".join(aside.itertext())


def test_script_in_a_note_shows_as_text_in_the_pdf(edition: Path, tmp_path: Path) -> None:
    import pdfplumber

    write(edition, NOTES_FILE, SCRIPT_NOTE)
    done = build_subprocess(edition, tmp_path / "out", "pdf")
    assert done.returncode == 0, done.stderr
    with pdfplumber.open(tmp_path / "out" / f"{EDITION_NAME}.pdf") as pdf:
        # The margin column, where the note stands (the outer 65 mm of the page).
        text = "".join(
            (page.crop((page.width - 65 * 72 / 25.4, 0, page.width, page.height)).extract_text() or "")
            for page in pdf.pages
        )
    squeezed = re.sub(r"\s+", "", text)
    assert "<script>alert(1)</script>" in squeezed
    assert "<b>bold</b>" in squeezed


# ---------------------------------------------------------------------------------------------
# Source text: what editors' tools leave behind is normalised


def _chapter_after_build(root: Path, out: Path, capsys) -> str:
    code, _, stderr = build_in_process(root, out, capsys)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    return _xhtml(out / EPUB_NAME)


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr", "tabs", "bom-crlf-yaml"])
def test_source_text_is_normalised(variant: str, tmp_path: Path, capsys) -> None:
    clean = _chapter_after_build(make_edition(tmp_path / "clean"), tmp_path / "clean-out", capsys)
    raw = TEXT.encode("utf-8")
    files: dict[str, bytes] = {}
    if variant == "bom":
        files[TEXT_FILE] = b"\xef\xbb\xbf" + raw
    elif variant == "crlf":
        files[TEXT_FILE] = raw.replace(b"\n", b"\r\n")
    elif variant == "cr":
        files[TEXT_FILE] = raw.replace(b"\n", b"\r")
    elif variant == "tabs":  # a tab inside a line, and one opening a paragraph (not a code block)
        files[TEXT_FILE] = raw.replace(b"quiet ending", b"quiet\tending").replace(b"\nThe second", b"\n\tThe second")
    else:  # annotation files saved with a BOM and CRLF line ends
        for name in (NOTES_FILE, GLOSSARY_FILE):
            files[name] = b"\xef\xbb\xbf" + (tmp_path / "clean" / name).read_bytes().replace(b"\n", b"\r\n")
    root = make_edition(tmp_path / variant, files=files)
    assert _chapter_after_build(root, tmp_path / f"{variant}-out", capsys) == clean


def test_non_nfc_text_is_normalised_and_an_nfc_quote_anchors(tmp_path: Path, capsys) -> None:
    text = TEXT.replace("quiet ending", "quiet cafe\u0301 ending")
    notes = note_yaml(id="cafe", quote="quiet caf\u00e9", note="x")
    root = make_edition(tmp_path / "edition", text=text, notes=notes)
    xhtml = _chapter_after_build(root, tmp_path / "out", capsys)
    assert "caf\u00e9" in xhtml and "e\u0301" not in xhtml
    assert 'id="note-cafe"' in xhtml and 'id="call-cafe"' in xhtml


def test_unclosed_css_block_is_accepted(edition: Path, tmp_path: Path, capsys) -> None:
    """CSS closes a block left open at the end of the file: not an error (tinycss2 reports none)."""
    write(edition, "styles/epub.css", "p { color: red; ")
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root reading the file "
    "(the directory-named-x.yaml case covers F002)",
)
def test_unreadable_annotation_file(edition: Path, good_out, capsys) -> None:
    out, before = good_out
    path = write(edition, "annotations/x.yaml", note_yaml(id="x", quote="quiet ending", note="x"))
    path.chmod(0)
    try:
        code, stdout, stderr = rebuild(edition, out, capsys, via_subprocess=False)
    finally:
        path.chmod(0o644)
    assert_refused(stderr, stdout, code, out, 1)
    first = "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Permission denied"
    assert diagnostic_lines(stderr)[0] == first
    assert_hint_follows(stderr, first, "F002")
    assert snapshot(out) == before


def test_unreadable_annotation_file_simulated(edition: Path, good_out, capsys, monkeypatch) -> None:
    """The same, for any user (root included): reading the file raises PermissionError."""
    out, before = good_out
    path = write(edition, "annotations/x.yaml", note_yaml(id="x", quote="quiet ending", note="x"))
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == path.name and self.resolve() == path.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, stdout, stderr = rebuild(edition, out, capsys, via_subprocess=False)
    assert_refused(stderr, stdout, code, out, 1)
    first = "annotations/x.yaml: error F002 unreadable-file: cannot read the file: Permission denied"
    assert diagnostic_lines(stderr)[0] == first
    assert_hint_follows(stderr, first, "F002")
    assert snapshot(out) == before


# ---------------------------------------------------------------------------------------------
# Cases that were product bugs when the catalogue was written, fixed since


def _anchored_ids(root: Path) -> list[str]:
    """The ids of the anchored notes; a BuildFailed becomes a plain test failure showing its diagnostics."""
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition

    try:
        return [note.spec.id for note in anchor_edition(load_edition(root)).notes]
    except BuildFailed as failure:
        pytest.fail(str(failure))


def _diagnostics(root: Path) -> list:
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition

    with pytest.raises(BuildFailed) as failure:
        anchor_edition(load_edition(root))
    return list(failure.value.diagnostics)


def test_empty_value_is_an_empty_field(edition: Path) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: long-book\n    quote: The Long Book\n    note:\n")
    diagnostics = _diagnostics(edition)
    assert [(d.code, d.line, d.message) for d in diagnostics] == [("K003", 4, "`note` of note 'long-book' is empty")]


def test_number_or_boolean_value_says_to_quote_it(edition: Path) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: long-book\n    quote: 1917\n    note: yes\n")
    assert [(d.code, d.line) for d in _diagnostics(edition)] == [("K006", 4), ("K006", 3)]
    for diagnostic in _diagnostics(edition):
        rendered = diagnostic.render(edition)
        assert "is not of type" not in rendered and "True" not in rendered
        assert "quote" in diagnostic.hint.lower()


def test_empty_string_is_reported_once(edition: Path) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="", note="x"))
    diagnostics = _diagnostics(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("K003", 3)]


def test_duplicate_key_is_refused(edition: Path) -> None:
    write(
        edition,
        NOTES_FILE,
        "notes:\n  - id: long-book\n    quote: The Long Book\n    quote: quiet ending\n    note: x\n",
    )
    diagnostics = _diagnostics(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("Y006", 4)] and "`quote`" in diagnostics[0].message


def test_unclosed_quote_is_reported_where_it_opens(edition: Path) -> None:
    write(edition, NOTES_FILE, 'notes:\n  - id: long-book\n    quote: "The Long Book\n    note: x\n')
    diagnostics = _diagnostics(edition)
    assert [(d.code, d.line) for d in diagnostics] == [("Y001", 3)]


def test_nfd_quote_anchors_in_normalised_text(tmp_path: Path) -> None:
    text = TEXT.replace("quiet ending", "quiet caf\u00e9 ending")
    root = make_edition(tmp_path / "edition", text=text, notes=note_yaml(id="cafe", quote="quiet cafe\u0301", note="x"))
    assert _anchored_ids(root) == ["cafe"]


@pytest.mark.parametrize(
    "body",
    [
        "echo delta here.\n\nthen echo delta again.\n",  # first occurrence opens the text
        "one two echo delta here.\n\none two echo delta again.\n",  # same words before both
    ],
)
def test_every_suggested_context_singles_out_its_occurrence(tmp_path: Path, body: str) -> None:
    root = make_edition(
        tmp_path / "edition",
        text=METADATA + "\n" + body,
        glossary=None,
        notes=note_yaml(id="ed", quote="echo delta", note="x"),
    )
    [diagnostic] = _diagnostics(root)
    assert diagnostic.code == "A002"
    suggestions = re.findall(r"(prefix|suffix): '([^']*)'", diagnostic.detail)
    assert len(suggestions) == 2
    for key, value in suggestions:
        write(root, NOTES_FILE, note_yaml(id="ed", quote="echo delta", note="x", **{key: value}))
        assert _anchored_ids(root) == ["ed"]


@pytest.mark.parametrize("image", ["![x](javascript:alert(1))", "![x](https://example.com/a.png)"])
def test_images_in_notes_are_checked(edition: Path, image: str) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=f"See {image}."))
    diagnostics = _diagnostics(edition)
    assert [d.code for d in diagnostics] == ["A005"]


def test_build_failed_survives_a_generator_context_manager() -> None:
    import contextlib

    from readingedition.diagnostics import fail

    @contextlib.contextmanager
    def stage():
        yield

    with pytest.raises(BuildFailed):
        with stage():
            raise fail("F001", "the edition directory /nowhere does not exist")

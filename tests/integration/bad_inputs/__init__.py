"""The catalogue of bad inputs: what an editor can get wrong, and what the build says.

Every case starts from a tiny good edition (tests/editions_factory.py: a metadata block, two
paragraphs with one *italic* title and a footnote [^1], one note, one glossary entry), builds it
into OUT, breaks one input, and builds again. The build must exit 1 with no traceback, print
`PATH:LINE: error CODE slug: message` and `hint: ...` for the mistake, and leave OUT exactly as it
was (same files, bytes and mtimes, no temporary files left behind). Cases marked (subprocess) run
`python build.py epub` as a separate process; the others call readingedition.cli.main in-process.

Each family below is a module of its own (test_yaml, test_notes, test_text, test_metadata,
test_files; the fixed product bugs in test_regressions). The first line of each message, as the
build prints it (paths relative to the edition root):

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

Cases that were product bugs when this catalogue was written, and are fixed (test_regressions.py):
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

"""Hostile input: an edition received from anyone can read no local file, fetch nothing from the
network and put no script into an edition; editions change together or not at all.

Each case starts from a tiny good edition (tests/editions_factory.py) or a copy of
tests/editions/example, breaks one thing, and builds. A refused build exits 1 with a coded message
(file, line, hint), no traceback, and leaves OUT exactly as it was. Remote URLs point at a listener
on 127.0.0.1 that records every connection: none may ever arrive.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import lxml.etree
import pytest

from readingedition import memo
from readingedition.diagnostics import CODES
from readingedition.memo import CACHE_DIR

from editions_factory import (
    EDITION_NAME,
    GLOSSARY_FILE,
    METADATA,
    NOTES_FILE,
    NOTES_YAML,
    TEXT,
    TEXT_FILE,
    build_in_process,
    build_subprocess,
    make_edition,
    note_yaml,
    snapshot,
    write,
)

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "tests" / "editions" / "example"
EPUB_NAME = f"{EDITION_NAME}.epub"
PDF_NAME = f"{EDITION_NAME}.pdf"
REFERENCE = """\
references:
  - id: smith1983
    type: book
    author: [{family: Smith, given: S. A.}]
    title: Red Petrograd
    issued: {date-parts: [[1983]]}
"""


class Listener:
    """A TCP listener on 127.0.0.1 (a random port) that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "x.png") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, address = self.socket.accept()
            except OSError:
                continue
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    try:
        yield server
    finally:
        server.close()
    assert server.connections == [], "the build made a network request"


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path, monkeypatch):
    """Each test's build cache is signed with a key of its own (a user of its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    memo.user_key.cache_clear()
    yield
    memo.user_key.cache_clear()


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return make_edition(tmp_path / "edition")


@pytest.fixture
def good_out(edition: Path, tmp_path: Path, capsys) -> tuple[Path, dict]:
    out = tmp_path / "out"
    code, _, stderr = build_in_process(edition, out, capsys)
    assert code == 0, stderr
    return out, snapshot(out)


def first_diagnostic(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if line and not line.startswith((" ", "build failed")))


def assert_refused(code: int, stdout: str, stderr: str, out: Path, before: dict, first: str) -> None:
    """Exit 1, no traceback, `first` as the first diagnostic with its hint, OUT unchanged."""
    assert code == 1, stderr
    assert "Traceback" not in stderr + stdout
    assert first_diagnostic(stderr) == first, stderr
    diagnostic = first.split(" error ")[-1].split()[0] if " error " in first else first.split()[1]
    lines = stderr.splitlines()
    after = lines[lines.index(first) + 1 :]
    hint = next(line for line in after if line.startswith("    hint: "))
    assert hint == f"    hint: {CODES[diagnostic][1]}"
    assert snapshot(out) == before


def refuse(edition: Path, good_out, capsys, first: str, command: str = "epub") -> str:
    out, before = good_out
    code, stdout, stderr = build_in_process(edition, out, capsys, command)
    assert_refused(code, stdout, stderr, out, before, first)
    return stderr


def chapter(out: Path, name: str = EPUB_NAME) -> str:
    with zipfile.ZipFile(out / name) as book:
        return "".join(book.read(n).decode() for n in sorted(book.namelist()) if n.endswith(".xhtml"))


# ---------------------------------------------------------------------------------------------
# Links: allow-listed wherever a link can stand, citations and references included


@pytest.mark.parametrize(
    "note, first",
    [
        (
            "See [@smith1983, [catalogue](file:///etc/passwd){rel=attachment}].",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'file:///etc/passwd'",
        ),
        (
            "[see [x](javascript:alert(1)) @smith1983, p. 3]",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'javascript:alert(1)'",
        ),
        (
            "See [@smith1983, ![p](/etc/passwd)].",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` includes an image ('/etc/passwd')",
        ),
        (
            "A relative link [here](other.html) would name a local file in the PDF.",
            "annotations/notes.yaml:2: error A005 unsafe-link: note `long-book` links to 'other.html'",
        ),
    ],
)
def test_links_in_citations_are_checked(edition: Path, good_out, capsys, note: str, first: str) -> None:
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=note) + REFERENCE)
    refuse(edition, good_out, capsys, first)


@pytest.mark.parametrize(
    "field, first",
    [
        (
            'title: "Red [catalogue](file:///etc/passwd){rel=attachment}"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'file:///etc/passwd'",
        ),
        (
            'title: "Red [x](javascript:alert(1))"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'javascript:alert(1)'",
        ),
        (
            'URL: "javascript:alert(1)"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` links to 'javascript:alert(1)'",
        ),
        (
            'title: "Red ![p](http://127.0.0.1:9/p.png)"',
            "annotations/notes.yaml:6: error A005 unsafe-link: reference `smith1983` includes an image "
            "('http://127.0.0.1:9/p.png')",
        ),
        (
            'title: "Red [x]{onclick=alert(1)}"',
            "annotations/notes.yaml:6: error S001 unsafe-attribute: reference `smith1983` uses the attribute "
            "`onclick=alert(1)`, which is not allowed",
        ),
    ],
)
def test_references_fields_are_checked(edition: Path, good_out, capsys, field: str, first: str) -> None:
    notes = note_yaml(id="long-book", quote="The Long Book", note="See @smith1983.") + REFERENCE
    write(edition, NOTES_FILE, notes.replace("title: Red Petrograd", field))
    refuse(edition, good_out, capsys, first)


def test_raw_html_in_a_reference_is_text(edition: Path, tmp_path: Path, capsys) -> None:
    notes = note_yaml(id="long-book", quote="The Long Book", note="See @smith1983.") + REFERENCE
    write(edition, NOTES_FILE, notes.replace("title: Red Petrograd", 'title: "Red <b onclick=x>P</b>"'))
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    xhtml = chapter(tmp_path / "out")
    assert "&lt;b onclick=x&gt;P&lt;/b&gt;" in xhtml and 'onclick="' not in xhtml


# ---------------------------------------------------------------------------------------------
# Attributes: lang, dir and the documented classes only; the build's own names refused


@pytest.mark.parametrize(
    "files, first",
    [
        (
            {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="[click]{onclick=alert(1)}")},
            "annotations/notes.yaml:2: error S001 unsafe-attribute: note `long-book` uses the attribute "
            "`onclick=alert(1)`, which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet ending. `code`{onfocus=alert(1)}")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the attribute `onfocus=alert(1)`, "
            "which is not allowed",
        ),
        (
            {
                GLOSSARY_FILE: "glossary:\n  - term: soviet\n    short: s\n"
                "    definition: '[x]{style=\"background:url(http://127.0.0.1:9/x)\"}'\n"
            },
            "annotations/glossary.yaml:2: error S001 unsafe-attribute: glossary entry `soviet` uses the attribute "
            "`style=background:url(http://127.0.0.1:9/x)`, which is not allowed",
        ),
        (
            {GLOSSARY_FILE: "glossary:\n  - term: '[soviet]{onmouseover=x}'\n    short: s\n    definition: d\n"},
            "annotations/glossary.yaml:2: error S001 unsafe-attribute: glossary entry `[soviet]{onmouseover=x}` uses "
            "the attribute `onmouseover=x`, which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending](https://example.org){rel=attachment}.")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the attribute `rel=attachment`, "
            "which is not allowed",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{.shiny}.")},
            "src_text/text.md:10: error S001 unsafe-attribute: the text uses the class `shiny`, which the edition's "
            "styles do not document",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{.note-call}.")},
            "src_text/text.md:10: error S002 reserved-name: the text uses the class `note-call`, which the build keeps "
            "for itself",
        ),
        (
            {NOTES_FILE: note_yaml(id="long-book", quote="The Long Book", note="[x]{.term}")},
            "annotations/notes.yaml:2: error S002 reserved-name: note `long-book` uses the class `term`, which the "
            "build keeps for itself",
        ),
        (
            {TEXT_FILE: TEXT.replace("quiet ending.", "quiet [ending]{#fn-1}.")},
            "src_text/text.md:10: error S002 reserved-name: the text uses the id `fn-1`, which the build keeps for itself",
        ),
    ],
)
def test_attributes_are_allow_listed(edition: Path, good_out, capsys, files, first: str) -> None:
    for relative, content in files.items():
        write(edition, relative, content)
    refuse(edition, good_out, capsys, first)


def test_allowed_attributes_pass(edition: Path, tmp_path: Path, capsys) -> None:
    text = TEXT.replace("quiet ending.", "quiet [ending]{lang=fr dir=ltr} in [small caps]{.smallcaps}.")
    write(edition, TEXT_FILE, text)
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    xhtml = chapter(tmp_path / "out")
    assert '<span lang="fr" dir="ltr">ending</span>' in xhtml and '<span class="smallcaps">small caps</span>' in xhtml


def test_a_class_documented_by_the_editions_style_sheet_is_allowed(edition: Path, tmp_path: Path, capsys) -> None:
    write(edition, TEXT_FILE, TEXT.replace("quiet ending.", "quiet [ending]{.shiny}."))
    write(edition, "styles/epub.css", "/* editor classes: shiny */\n.shiny { color: teal; }\n")
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    assert '<span class="shiny">ending</span>' in chapter(tmp_path / "out")


def test_raw_html_in_a_note_is_never_live(edition: Path, tmp_path: Path, capsys) -> None:
    note = "<span onclick=alert(1)>x</span> <div onmouseover=alert(2)>y</div>"
    write(edition, NOTES_FILE, note_yaml(id="long-book", quote="The Long Book", note=note))
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    tree = lxml.etree.fromstring(chapter(tmp_path / "out", EPUB_NAME).split("</html>")[0].encode() + b"</html>")
    assert not [a for a in tree.xpath("//@*") if a.attrname.startswith("on")]
    assert "<span onclick=alert(1)>x</span>" in "".join(tree.itertext())


def test_headings_cannot_steal_the_builds_ids(tmp_path: Path, capsys) -> None:
    """A heading "Note control" would take the id of note `control`'s aside, "Fn 1" that of footnote 1."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    more = root / "src_text" / "02-more.md"
    more.write_text(
        "# Note control\n\nA first paragraph.\n\n## Fn 1\n\nAnd [back](#note-control).\n\n" + more.read_text()
    )
    code, _, stderr = build_in_process(root, tmp_path / "out", capsys)
    assert code == 0, stderr
    with zipfile.ZipFile(tmp_path / "out" / "a-small-example.epub") as book:
        pages = {n: lxml.etree.fromstring(book.read(n)) for n in book.namelist() if n.endswith(".xhtml")}
    ids = [i for page in pages.values() for i in page.xpath("//@id")]
    assert len(ids) == len(set(ids))
    owners = [page.xpath("//*[@id='note-control']") for page in pages.values()]
    [[aside]] = [found for found in owners if found]
    assert aside.tag.endswith("aside")
    assert "section-note-control" in ids and "section-fn-1" in ids
    hrefs = [h for page in pages.values() for h in page.xpath("//@href")]
    assert any(h.endswith("#section-note-control") for h in hrefs)


# ---------------------------------------------------------------------------------------------
# Resources: nothing from the network, no local file from outside the edition, no attachment


IMAGE_TYPES = "(.gif, .jpeg, .jpg, .png, .svg, .webp)"


@pytest.mark.parametrize(
    "image, first",
    [
        (
            "![x]({remote})",
            f"src_text/text.md:10: error T007 image-not-found: the image {{remote}} is not a file in the "
            f"edition {IMAGE_TYPES}",
        ),
        (
            "![x](/etc/passwd)",
            f"src_text/text.md:10: error T007 image-not-found: the image /etc/passwd is not a file in "
            f"the edition {IMAGE_TYPES}",
        ),
        (
            "![x](../../../../../../etc/passwd)",
            "src_text/text.md:10: error T007 image-not-found: the image "
            f"../../../../../../etc/passwd is not a file in the edition {IMAGE_TYPES}",
        ),
    ],
)
def test_images_only_from_the_edition(
    edition: Path, good_out, capsys, listener: Listener, image: str, first: str
) -> None:
    image, first = (s.replace("{remote}", listener.url()) for s in (image, first))
    write(edition, TEXT_FILE, TEXT.replace("quiet ending.", f"quiet ending. {image}"))
    refuse(edition, good_out, capsys, first)


def test_pdf_fetches_nothing_outside_the_edition(tmp_path: Path, capsys, listener: Listener) -> None:
    """Style sheets may name any URL; the PDF stage reads only the edition's files, warns about the
    rest (S005, naming the file and line), and attaches nothing."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    builtin = (REPOSITORY / "readingedition" / "styles" / "pdf.css").read_text()
    (root / "secret.txt").write_text("outside")
    (root / "styles").mkdir()
    (root / "styles" / "pdf.css").write_text(
        builtin + f"\nbody {{ background: url({listener.url('bg.png')}); }}\n"
        "h1 { background: url(file:///etc/passwd); }\n"
        "p { background: url(../inside-link.png); }\n"
    )
    (root / "inside-link.png").symlink_to("/etc/passwd")
    code, _, stderr = build_in_process(root, tmp_path / "out", capsys, "pdf")
    assert code == 0, stderr
    warnings = sorted(line for line in stderr.splitlines() if " warning S005 " in line)
    line = builtin.count("\n") + 2
    assert warnings == [
        f"styles/pdf.css:{line}: warning S005 refused-resource: the PDF does not use {listener.url('bg.png')}: "
        "it is not a file inside the edition",
        f"styles/pdf.css:{line + 1}: warning S005 refused-resource: the PDF does not use file:///etc/passwd: "
        "it is not a file inside the edition",
        f"styles/pdf.css:{line + 2}: warning S005 refused-resource: the PDF does not use inside-link.png: it is "
        "not a file inside the edition",
    ]
    detached = subprocess.run(
        ["pdfdetach", "-list", str(tmp_path / "out" / "a-small-example.pdf")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert detached.stdout.strip() == "0 embedded files"


def test_the_fetcher_serves_only_the_editions_files(tmp_path: Path) -> None:
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition
    from readingedition.render.fetch import EDITION_URL, EditionFetcher

    root = make_edition(tmp_path / "edition")
    (root / "pic.png").write_bytes(b"\x89PNG")
    (root / "away.png").symlink_to("/etc/hostname")
    fetcher = EditionFetcher(anchor_edition(load_edition(root)).edition)
    assert fetcher(EDITION_URL + "pic.png").read() == b"\x89PNG"
    assert fetcher(fetcher.url_of(root / "pic.png")).read() == b"\x89PNG"
    for url in (
        EDITION_URL + "away.png",
        EDITION_URL + "../../etc/passwd",
        (root / "pic.png").as_uri(),
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "ftp://x/y",
        EDITION_URL + "missing.png",
    ):
        with pytest.raises(ValueError):
            fetcher(url)
    assert [d.code for d in fetcher.warnings()] == ["S005"] * 7


def test_attachment_links_never_reach_the_pdf(tmp_path: Path) -> None:
    """Even a link the sanitiser would refuse (rel=attachment) attaches nothing to the PDF."""
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition
    from readingedition.render.pdf import render_pdf

    root = make_edition(tmp_path / "edition")
    (root / "own.txt").write_text("the edition's own file")
    annotated = anchor_edition(load_edition(root))
    body = annotated.notes[0].body
    link = {
        "t": "Link",
        "c": [["", [], [["rel", "attachment"]]], [{"t": "Str", "c": "own"}], [(root / "own.txt").as_uri(), ""]],
    }
    body[0]["c"].append(link)
    render_pdf(annotated, tmp_path / "x.pdf")
    detached = subprocess.run(
        ["pdfdetach", "-list", str(tmp_path / "x.pdf")], capture_output=True, text=True, check=True
    )
    assert detached.stdout.strip() == "0 embedded files"


def test_the_pdf_is_the_same_wherever_the_edition_sits(tmp_path: Path, capsys) -> None:
    """WeasyPrint names an image by a hash of its URL: the edition's URL must not be its directory."""
    pdfs = []
    stars = (REPOSITORY / "tests" / "editions" / "founding" / "images" / "stars.png").read_bytes()
    for place in ("a", "somewhere/much/deeper"):
        root = make_edition(
            tmp_path / place / "edition",
            files={"images/stars.png": stars},
            text=TEXT.replace("quiet ending.", "quiet ending.\n\n![Stars](images/stars.png)"),
        )
        code, _, stderr = build_in_process(root, tmp_path / place / "out", capsys, "pdf")
        assert code == 0, stderr
        pdfs.append((tmp_path / place / "out" / PDF_NAME).read_bytes())
    assert pdfs[0] == pdfs[1]
    assert str(tmp_path).encode() not in pdfs[0]


# ---------------------------------------------------------------------------------------------
# Metadata: lang is a language tag; values reach XML through lxml


@pytest.mark.parametrize("lang", ['"en&x<"', "'en\" dir=\"rtl'", "english please", '"en_GB"'])
def test_lang_must_be_a_language_tag(edition: Path, good_out, capsys, lang: str) -> None:
    write(edition, TEXT_FILE, TEXT.replace("lang: en", f"lang: {lang}"))
    stderr = refuse(edition, good_out, capsys, first_diagnostic_of_lang(edition))
    assert "is not a BCP 47 language tag" in stderr


def first_diagnostic_of_lang(edition: Path) -> str:
    from readingedition.diagnostics import BuildFailed
    from readingedition.load import load_edition

    with pytest.raises(BuildFailed) as failure:
        load_edition(edition)
    [diagnostic] = failure.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("T005", 3)
    return diagnostic.render(edition).splitlines()[0]


def test_the_package_language_is_set_by_lxml(edition: Path, tmp_path: Path, capsys) -> None:
    from readingedition.render.epub_package import _with_package_lang

    write(edition, TEXT_FILE, TEXT.replace("lang: en", "lang: en-GB"))
    code, _, stderr = build_in_process(edition, tmp_path / "out", capsys)
    assert code == 0, stderr
    with zipfile.ZipFile(tmp_path / "out" / EPUB_NAME) as book:
        package = lxml.etree.fromstring(book.read("EPUB/content.opf"))
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    hostile = lxml.etree.fromstring(
        _with_package_lang(b'<package xmlns="http://www.idpf.org/2007/opf"/>', 'en" dir="rtl&<')
    )
    assert hostile.get("{http://www.w3.org/XML/1998/namespace}lang") == 'en" dir="rtl&<'
    assert hostile.get("dir") is None


# ---------------------------------------------------------------------------------------------
# The cache: a received .cache/ changes nothing


def _cached_build(edition: Path, out: Path, capsys) -> bytes:
    code, _, stderr = build_in_process(edition, out, capsys)
    assert code == 0 and "Traceback" not in stderr, stderr
    return (out / EPUB_NAME).read_bytes()


def test_an_edited_cache_changes_no_output(edition: Path, tmp_path: Path, capsys) -> None:
    clean = _cached_build(edition, tmp_path / "first", capsys)
    table = edition / CACHE_DIR / "html-epub.json"
    stored = json.loads(table.read_text())
    stored["entries"] = {
        key: value.replace("<p>", '<p onclick="alert(1)">') for key, value in stored["entries"].items()
    }
    table.write_text(json.dumps(stored))
    assert _cached_build(edition, tmp_path / "second", capsys) == clean
    assert "onclick" not in chapter(tmp_path / "second")


def test_a_cache_from_another_user_is_ignored(edition: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    """A table signed with another key (a received edition's .cache/) is not used."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "sender"))
    memo.user_key.cache_clear()
    _cached_build(edition, tmp_path / "sender-out", capsys)
    table = edition / CACHE_DIR / "parse.json"
    stored = json.loads(table.read_text())
    stored["entries"] = {
        key: value.replace("quiet ending", "hostile ending") for key, value in stored["entries"].items()
    }
    body = json.dumps(stored["entries"], ensure_ascii=False, sort_keys=True).encode()
    stored["mac"] = memo._mac(memo.user_key(), body).decode()  # signed by the sender
    table.write_bytes(b'{"mac": "' + stored["mac"].encode() + b'", "entries": ' + body + b"}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "receiver"))
    memo.user_key.cache_clear()
    _cached_build(edition, tmp_path / "receiver-out", capsys)
    assert "hostile ending" not in chapter(tmp_path / "receiver-out")
    assert "quiet ending" in chapter(tmp_path / "receiver-out")


def test_a_truncated_cache_value_is_no_traceback(edition: Path, tmp_path: Path, capsys) -> None:
    clean = _cached_build(edition, tmp_path / "first", capsys)
    table = edition / CACHE_DIR / "parse.json"
    table.write_bytes(table.read_bytes()[:-200])
    assert _cached_build(edition, tmp_path / "second", capsys) == clean


def test_a_symlinked_cache_is_not_written_through(edition: Path, tmp_path: Path, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (edition / ".cache").symlink_to(elsewhere)
    _cached_build(edition, tmp_path / "out", capsys)
    assert list(elsewhere.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Files: nothing outside the edition, no pipe, no directory silently unread


def test_clean_writes_and_reads_inside_src_text_only(tmp_path: Path, capsys) -> None:
    from readingedition.cli import main

    root = tmp_path / "project"
    shutil.copytree(REPOSITORY / "src_text", root / "src_text")
    recipe = root / "src_text" / "recipe.yaml"
    original = recipe.read_text()
    for key, value in (("output", str(tmp_path / "evil.md")), ("raw", "../../../../etc/passwd")):
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in original.splitlines()]
        recipe.write_text("\n".join(lines) + "\n")
        capsys.readouterr()
        assert main(["clean", "--root", str(root)]) == 1
        stderr = capsys.readouterr().err
        assert f"error C003 bad-recipe: '{key}: {value}' leads outside src_text/" in stderr
        assert "Traceback" not in stderr
    assert not (tmp_path / "evil.md").exists()


def test_a_text_file_linked_from_outside_is_refused(edition: Path, good_out, capsys, tmp_path: Path) -> None:
    outside = tmp_path / "private.md"
    outside.write_text("A private diary.\n")
    (edition / "src_text" / "zz.md").symlink_to(outside)
    refuse(
        edition,
        good_out,
        capsys,
        f"src_text/zz.md: error F006 outside-edition: the file is a link to {outside}, outside the edition",
    )


def test_an_annotation_file_linked_from_outside_is_refused(edition: Path, good_out, capsys, tmp_path) -> None:
    outside = tmp_path / "other.yaml"
    outside.write_text(NOTES_YAML)
    (edition / NOTES_FILE).unlink()
    (edition / NOTES_FILE).symlink_to(outside)
    refuse(
        edition,
        good_out,
        capsys,
        f"annotations/notes.yaml: error F006 outside-edition: the file is a link to {outside}, outside the edition",
    )


def test_a_pipe_named_md_does_not_hang_the_build(edition: Path, good_out) -> None:
    out, before = good_out
    os.mkfifo(edition / "src_text" / "zz.md")
    done = build_subprocess(edition, out, timeout=60)
    assert_refused(
        done.returncode,
        done.stdout,
        done.stderr,
        out,
        before,
        "src_text/zz.md: error F005 not-a-regular-file: the file is not a regular file (a pipe, device or socket)",
    )


def test_an_unreadable_annotations_directory_is_an_error(edition: Path, good_out, capsys, monkeypatch) -> None:
    real = os.listdir

    def listdir(path):
        if Path(path).name == "annotations":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    refuse(
        edition,
        good_out,
        capsys,
        "annotations: error F007 unreadable-directory: cannot read the directory: Permission denied",
    )


# ---------------------------------------------------------------------------------------------
# Outputs change together


def _with_old_pdf(good_out) -> tuple[Path, dict]:
    out, _ = good_out
    (out / PDF_NAME).write_bytes(b"%PDF- the previous packet")
    return out, snapshot(out)


def test_a_failing_pdf_stage_leaves_both_editions_as_they_were(edition: Path, good_out, capsys, monkeypatch) -> None:
    from readingedition.diagnostics import fail
    from readingedition.render import pdf

    out, before = _with_old_pdf(good_out)
    write(edition, NOTES_FILE, NOTES_YAML.replace("*long*", "*longer*"))  # a new EPUB would differ

    def failing(annotated, target):
        target.write_bytes(b"half a PDF")
        raise fail("R001", "note `long-book` is not in the laid-out PDF")

    monkeypatch.setattr(pdf, "render_pdf", failing)
    code, stdout, stderr = build_in_process(edition, out, capsys, "all")
    assert_refused(
        code, stdout, stderr, out, before, "error R001 note-lost: note `long-book` is not in the laid-out PDF"
    )
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME, PDF_NAME]


def test_a_full_disk_leaves_both_editions_as_they_were(edition: Path, good_out, capsys, monkeypatch) -> None:
    from readingedition.render import pdf

    out, before = _with_old_pdf(good_out)
    write(edition, NOTES_FILE, NOTES_YAML.replace("*long*", "*longer*"))

    def disk_full(annotated, target):
        target.write_bytes(b"%PDF-1.7 and then")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf, "render_pdf", disk_full)
    code, stdout, stderr = build_in_process(edition, out, capsys, "all")
    assert_refused(
        code,
        stdout,
        stderr,
        out,
        before,
        f"error F008 cannot-write-output: cannot write {out / PDF_NAME}: No space left on device",
    )
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME, PDF_NAME]


def test_stale_temporary_files_of_a_killed_build_are_removed(edition: Path, good_out, capsys) -> None:
    out, _ = good_out
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stale = out / f".{EPUB_NAME}.{gone.stdout.strip()}.abc123.part"
    running = out / f".{EPUB_NAME}.{os.getpid()}.def456.part"
    for path in (stale, running):
        path.write_bytes(b"left by a build")
    code, _, stderr = build_in_process(edition, out, capsys)
    assert code == 0, stderr
    assert not stale.exists() and running.exists()


def test_a_killed_build_leaves_the_editions_as_they_were(tmp_path: Path) -> None:
    from readingedition.output import remove_stale

    from editions_factory import start_build

    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-small-example.epub").write_bytes(b"the previous EPUB")
    before = snapshot(out)
    process = start_build(root, out, "all")
    deadline = time.monotonic() + 60
    while not list(out.glob(".a-small-example.pdf.*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)  # until the PDF stage has begun (its temporary file exists)
    assert list(out.glob(".a-small-example.pdf.*")), "the build ended before its PDF stage began"
    process.kill()
    process.communicate()
    leftovers = {name for name in snapshot(out) if name.startswith(".")}
    assert leftovers  # the killed build's temporary files, which it could not remove
    assert {k: v for k, v in snapshot(out).items() if k not in leftovers} == before
    remove_stale(out)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "setup, first",
    [
        (lambda out: out.write_text("a file"), "error F008 cannot-write-output: cannot write {out}: File exists"),
        (
            lambda out: (out.mkdir(), (out / EPUB_NAME).mkdir()),
            "error F008 cannot-write-output: cannot write {out}/" + EPUB_NAME + ": it is a directory",
        ),
    ],
)
def test_a_bad_out_is_a_coded_error(edition: Path, tmp_path: Path, capsys, setup, first: str) -> None:
    out = tmp_path / "out"
    setup(out)
    before = snapshot(out) if out.is_dir() else out.read_bytes()
    code, stdout, stderr = build_in_process(edition, out, capsys)
    assert code == 1 and "Traceback" not in stderr + stdout
    assert first.format(out=out) in first_diagnostic(stderr)
    assert (snapshot(out) if out.is_dir() else out.read_bytes()) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_out_is_a_coded_error(edition: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, stderr = build_in_process(edition, out, capsys)
    finally:
        out.chmod(0o755)
    assert code == 1 and "error F008 cannot-write-output" in stderr


@pytest.mark.parametrize("value", ["yesterday", "1.5", "-1"])
def test_source_date_epoch_must_be_whole_seconds(edition: Path, good_out, value: str) -> None:
    out, before = good_out
    done = build_subprocess(edition, out, env={"SOURCE_DATE_EPOCH": value})
    assert_refused(
        done.returncode,
        done.stdout,
        done.stderr,
        out,
        before,
        f"error B001 bad-source-date-epoch: SOURCE_DATE_EPOCH is {value!r}, not a whole number of seconds",
    )


# ---------------------------------------------------------------------------------------------
# Nothing silently lost, no traceback


@pytest.mark.parametrize(
    "files, first",
    [
        (
            {TEXT_FILE: TEXT.replace("The second paragraph", "The sec\x0bond paragraph")},
            "src_text/text.md:10: error T009 control-character: the control character U+000B is in the text",
        ),
        (
            {TEXT_FILE: TEXT.replace("A Tiny Text", "A Tiny\x01 Text")},
            "src_text/text.md:2: error T009 control-character: the control character U+0001 is in the text",
        ),
        (
            {NOTES_FILE: 'notes:\n  - id: long-book\n    quote: The Long Book\n    note: "a\\vb"\n'},
            "annotations/notes.yaml:2: error T009 control-character: note `long-book` holds the control character U+000B",
        ),
        (
            {NOTES_FILE: "notes:\n  - id: long-book\n    quote: The Long Book\n    note: x\n    1: y\n"},
            "annotations/notes.yaml:5: error K007 key-not-text: the key `1` is read as a number or yes/no, not a word",
        ),
        (
            {
                GLOSSARY_FILE: "glossary:\n  - term: soviet\n    short: s\n    definition: d\n"
                "  - term: soviet!\n    short: t\n    definition: e\n"
            },
            "annotations/glossary.yaml:5: error G005 duplicate-slug: the terms `soviet` and `soviet!` would share the "
            "anchor `gloss-soviet`",
        ),
        (
            {TEXT_FILE: METADATA.replace("---\n", "---\nbibliography: /etc/passwd\n", 1) + "\nSee @x.\n"},
            "src_text/text.md:2: error K001 unknown-key: unknown metadata key `bibliography`; did you mean `epigraph`?",
        ),
    ],
)
def test_no_traceback_and_nothing_lost(edition: Path, good_out, capsys, files, first: str) -> None:
    for relative, content in files.items():
        write(edition, relative, content)
    refuse(edition, good_out, capsys, first)


def test_deep_block_quotes_are_refused(edition: Path, good_out, capsys) -> None:
    write(edition, TEXT_FILE, TEXT + "\n" + "> " * 150 + "deep\n")
    refuse(edition, good_out, capsys, "src_text/text.md: error S003 too-deep: the text nests more than 64 levels deep")


def test_deep_yaml_is_refused(edition: Path, good_out, capsys) -> None:
    write(edition, NOTES_FILE, "notes:\n  - id: x\n    quote: y\n    note: " + "[" * 990 + "]" * 990 + "\n")
    refuse(
        edition,
        good_out,
        capsys,
        "annotations/notes.yaml:4: error S003 too-deep: the YAML nests more than 64 levels deep",
    )


def test_a_huge_paragraph_is_refused_quickly(edition: Path, good_out) -> None:
    out, before = good_out
    write(edition, TEXT_FILE, TEXT + "\n" + "word " * 2_000_000 + "\n")
    done = build_subprocess(edition, out, timeout=60)
    assert_refused(
        done.returncode,
        done.stdout,
        done.stderr,
        out,
        before,
        "src_text/text.md:14: error S004 too-large: a paragraph of 10,000,001 characters is longer than "
        "the 100,000 the builder lays out",
    )

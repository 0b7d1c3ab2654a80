"""Kindle: calibre (Debian's `calibre`) converts the EPUB to AZW3, and the notes survive as linked
footnotes. The AZW3 is read back by converting it to EPUB again, as calibre's own viewer reads it:
every call is still a `doc-noteref` link, raised, to a `doc-footnote` that links back."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import lxml.html
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("ebook-convert") is None,
    reason="needs calibre's ebook-convert (apt-get install calibre; .ci/run installs it)",
)


def _convert(source, target) -> None:
    done = subprocess.run(["ebook-convert", str(source), str(target)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def read_back(essay, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("kindle")
    _convert(essay.epub, scratch / "book.azw3")
    assert (scratch / "book.azw3").read_bytes()[60:68] == b"BOOKMOBI"
    _convert(scratch / "book.azw3", scratch / "back.epub")
    with zipfile.ZipFile(scratch / "back.epub") as book:
        return {
            name.rsplit("/", 1)[-1]: lxml.html.fromstring(book.read(name))
            for name in book.namelist()
            if name.endswith((".html", ".xhtml"))
        }


def test_notes_remain_linked_footnotes_in_azw3(essay, read_back):
    elements = {(name, el.get("id")): el for name, tree in read_back.items() for el in tree.iter() if el.get("id")}
    calls = [(name, a) for name, tree in read_back.items() for a in tree.iter("a") if a.get("role") == "doc-noteref"]
    footnotes = sum(
        1
        for name in essay.names()
        if "/chapter-" in name
        for a in essay.xhtml(name.removeprefix("EPUB/")).iter("{http://www.w3.org/1999/xhtml}a")
        if a.get("class") == "footnote-ref"
    )
    assert len(calls) == len(essay.annotated.notes) + footnotes
    for name, call in calls:
        file_name, _, ident = call.get("href").partition("#")
        note = elements[(file_name.rsplit("/", 1)[-1] or name, ident)]
        assert note.get("role") == "doc-footnote"
        assert call.find("sup") is not None, "the call is still raised"
        back = [a for a in note.iter("a") if a.get("role") == "doc-backlink"]
        assert back and back[0].get("href").endswith(f"#{call.get('id')}")

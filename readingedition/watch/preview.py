"""The preview page: the EPUB's documents in reading order, as one HTML page.

Read from the built EPUB itself (container.xml -> the package's spine), so the page shows what
a reader gets. Links between the EPUB's files become links within the page; the EPUB's style
sheets and images are served from inside the EPUB, under /_epub/.
"""

from __future__ import annotations

import copy
import html
import posixpath
import zipfile
from importlib import resources
from pathlib import Path
from string import Template

import lxml.etree
import lxml.html

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_MOUNT = "/_epub/"
PAGE = Template(resources.files(__package__).joinpath("preview.html").read_text("utf-8"))


def package(book: zipfile.ZipFile) -> tuple[str, str, list[str]]:
    """The EPUB's title, language, and the names (inside the EPUB) of its documents in reading order."""
    container = lxml.etree.fromstring(book.read("META-INF/container.xml"))
    package_name = container.find(f".//{CONTAINER}rootfile").get("full-path")
    opf = lxml.etree.fromstring(book.read(package_name))
    base = posixpath.dirname(package_name)
    hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
    names = [posixpath.join(base, hrefs[ref.get("idref")]) for ref in opf.iter(f"{OPF}itemref")]
    return opf.findtext(f".//{DC}title") or "", opf.findtext(f".//{DC}language") or "en", names


def preview_page(epub: Path | None, version: int, errors: str, files: list[str]) -> str:
    """The page: the EPUB's documents (if it has been built), the last build's errors, and
    links to the built files."""
    title, lang, sheets, sections = "(not built yet)", "en", [], []
    if epub is not None and epub.is_file():
        with zipfile.ZipFile(epub) as book:
            title, lang, names = package(book)
            for name in names:
                document = lxml.etree.fromstring(book.read(name))
                sheets += [
                    _member(name, link.get("href"))
                    for link in document.iter(f"{XHTML}link")
                    if link.get("rel") == "stylesheet"
                ]
                sections.append(_section(name, document))
    links = " ".join(f'<a href="/{html.escape(name)}">{html.escape(name)}</a>' for name in files)
    return PAGE.substitute(
        lang=html.escape(lang),
        version=version,
        title=html.escape(title),
        files=links,
        stylesheets="\n".join(f'<link rel="stylesheet" href="{html.escape(s)}">' for s in dict.fromkeys(sheets)),
        errors=f'<pre class="preview-errors">{html.escape(errors)}</pre>' if errors else "",
        chapters="\n".join(sections),
    )


def _member(document: str, href: str) -> str:
    """The URL of a file the document refers to, inside the EPUB."""
    return EPUB_MOUNT + posixpath.normpath(posixpath.join(posixpath.dirname(document), href))


def _section(name: str, document: lxml.etree._Element) -> str:
    """One document's body as a <section>, in plain HTML (no namespaces)."""
    body = document.find(f"{XHTML}body")
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        element.tag = lxml.etree.QName(element).localname
        for attribute in list(element.attrib):
            if attribute.startswith("{"):  # epub:type and xml:lang
                value = element.attrib.pop(attribute)
                element.set(f"data-{lxml.etree.QName(attribute).localname}", value)
        if element.tag == "a" and element.get("href"):
            element.set("href", _in_page(element.get("href")))
        if element.tag == "img" and element.get("src"):
            element.set("src", _member(name, element.get("src")))
    body = copy.deepcopy(body)  # without the document's namespace declarations
    lxml.etree.cleanup_namespaces(body)
    body.tag = "section"
    body.attrib.clear()
    body.set("id", _anchor(posixpath.basename(name)))
    return lxml.html.tostring(body, encoding="unicode")


def _in_page(href: str) -> str:
    """An EPUB link, as a link within the page: file#id -> #id, file -> that file's section."""
    if "://" in href or href.startswith(("mailto:", "#")):
        return href
    target, _, fragment = href.partition("#")
    return f"#{fragment}" if fragment else f"#{_anchor(posixpath.basename(target))}"


def _anchor(file_name: str) -> str:
    return "doc-" + file_name

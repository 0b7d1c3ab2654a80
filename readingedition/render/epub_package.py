"""The EPUB's zip, as ebooklib wrote it, finished: reproducible entries, and what ebooklib has no
option for (xml:lang on the package, the landmarks hidden from readers, the NCX's real depth)."""

from __future__ import annotations

import datetime
import io
import zipfile

import lxml.etree

_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def normalise_package(data: bytes, lang: str, epoch: datetime.datetime) -> bytes:
    """Sorted entries with a fixed time (within what a zip can hold), mimetype first and stored; the
    package's files finished."""
    stamp = min(max(epoch.timetuple()[:6], (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        names = sorted(source.namelist(), key=lambda n: (n != "mimetype", n))
        for name in names:
            content = source.read(name)
            if name.endswith(".opf"):
                content = _with_package_lang(content, lang)
            elif name.endswith("/nav.xhtml"):
                content = _hide_landmarks(content)
            elif name.endswith(".ncx"):
                content = _ncx_depth(content)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zipped.writestr(info, content)
    return out.getvalue()


def _with_package_lang(opf: bytes, lang: str) -> bytes:
    """The package document with xml:lang on its root, set (and so escaped) by lxml."""
    tree = lxml.etree.fromstring(opf)
    tree.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    return lxml.etree.tostring(tree, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _hide_landmarks(content: bytes) -> bytes:
    """Landmarks are for reading systems' menus, not a list to show readers."""
    tree = lxml.etree.fromstring(content)
    for nav in tree.iter(f"{_XHTML}nav"):
        if nav.get(_EPUB_TYPE) == "landmarks":
            nav.set("hidden", "hidden")
    return lxml.etree.tostring(tree, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")


def _ncx_depth(content: bytes) -> bytes:
    tree = lxml.etree.fromstring(content)

    def depth(element: lxml.etree._Element) -> int:
        return max((1 + depth(point) for point in element.iterchildren(f"{_NCX}navPoint")), default=0)

    for meta in tree.iter(f"{_NCX}meta"):
        if meta.get("name") == "dtb:depth":
            meta.set("content", str(depth(tree.find(f"{_NCX}navMap"))))
    return lxml.etree.tostring(
        tree, encoding="utf-8", xml_declaration=True, doctype=tree.getroottree().docinfo.doctype or None
    )

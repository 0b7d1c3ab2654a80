"""Hostile input. Metadata: lang is a language tag; values reach XML through lxml."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree
import pytest

from .refusal import EPUB_NAME, refuse
from editions_factory import TEXT, TEXT_FILE, build_in_process, write


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

"""The words the build writes come from one table, by language, and the metadata overrides them."""

from __future__ import annotations

import zipfile

import lxml.etree
import pytest

from readingedition.anchor import anchor_edition
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition
from readingedition.load.labels import LABEL_KEYS, TABLE, labels_for
from readingedition.render.epub import render_epub

from editions_factory import TEXT, make_edition

XHTML = "{http://www.w3.org/1999/xhtml}"


def test_every_language_has_every_label():
    assert {"en", "fr", "de", "es", "it", "ru"} <= set(TABLE)
    for language, table in TABLE.items():
        assert set(table) == set(LABEL_KEYS), language
        assert all(value.strip() for value in table.values()), language


def test_a_language_tag_picks_its_primary_language_and_english_is_the_fallback():
    assert labels_for("fr-CA", {})("contents") == "Table des matières"
    assert labels_for("de", {})("use-n", n=3) == "Stelle 3"
    assert labels_for("nl", {})("glossary") == "Glossary"
    assert labels_for("en", {"glossary": "Words"})("glossary") == "Words"


@pytest.mark.parametrize(
    ("lang", "names", "joined"),
    [
        ("en", ["A"], "A"),
        ("en", ["A", "B"], "A and B"),
        ("en", ["A", "B", "C"], "A, B and C"),
        ("fr", ["A", "B"], "A et B"),
        ("ru", ["A", "B", "C"], "A, B и C"),
    ],
)
def test_names_are_joined_with_the_languages_conjunction(lang, names, joined):
    assert labels_for(lang, {}).names(names) == joined


def _epub_pages(root, tmp_path) -> dict[str, lxml.etree._Element]:
    target = tmp_path / "out.epub"
    render_epub(anchor_edition(load_edition(root, cache=False)), target)
    with zipfile.ZipFile(target) as book:
        return {
            name.removeprefix("EPUB/"): lxml.etree.fromstring(book.read(name))
            for name in book.namelist()
            if name.endswith(".xhtml")
        }


@pytest.mark.slow
def test_a_french_text_gets_french_labels_and_an_override_wins(tmp_path):
    text = TEXT.replace("lang: en", "lang: fr\nlabels:\n  contents: Sommaire")
    pages = _epub_pages(make_edition(tmp_path / "edition", text=text), tmp_path)
    glossary = pages["glossary.xhtml"]
    assert "".join(glossary.find(f".//{XHTML}h1").itertext()) == "Glossaire"
    assert "Dans le texte\u00a0:" in "".join(glossary.itertext())
    nav = pages["nav.xhtml"]
    landmarks = {a.get("{http://www.idpf.org/2007/ops}type"): a.text for a in nav.iter(f"{XHTML}a")}
    assert landmarks["toc"] == "Sommaire" and landmarks["titlepage"] == "Page de titre"
    title_page = pages["titlepage.xhtml"]
    assert title_page.find(f".//{XHTML}section").get("aria-label") == "Page de titre"
    assert "Une édition de lecture" in "".join(title_page.itertext())
    calls = [a.get("aria-label") for a in pages["chapter-01.xhtml"].iter(f"{XHTML}a") if a.get("class") == "note-call"]
    assert calls == ["Note de l’éditeur a"]


def test_an_unknown_label_is_refused_with_the_closest_name(tmp_path):
    root = make_edition(tmp_path, text=TEXT.replace("lang: en", "lang: en\nlabels:\n  glosary: Words"))
    with pytest.raises(BuildFailed) as failure:
        load_edition(root)
    [diagnostic] = failure.value.diagnostics
    assert (
        diagnostic.code == "K001" and "`labels` has no label `glosary`; did you mean `glossary`?" in diagnostic.message
    )

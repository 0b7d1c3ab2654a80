"""The style sheets select only by the names markup.py gives (or by classes they document as an editor's)."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from readingedition import markup

STYLES = resources.files("readingedition").joinpath("styles")
COMMENT = re.compile(r"/\*.*?\*/", re.S)
STRING = re.compile(r"\"[^\"]*\"|'[^']*'|url\([^)]*\)")
CLASS = re.compile(r"(?<![\w.#-])\.([A-Za-z_-][\w-]*)")
EDITOR_CLASSES = re.compile(r"editor classes:([^*]*)\*/")


def _kinds() -> set[str]:
    schema = json.loads(resources.files("readingedition").joinpath("schema/annotations.schema.json").read_text("utf-8"))
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "kind" in node.get("properties", {}):
                found.update(node["properties"]["kind"]["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def css_classes(css: str) -> tuple[set[str], set[str]]:
    """The classes a style sheet selects by, and those it documents as an editor's."""
    editor = {name.strip() for names in EDITOR_CLASSES.findall(css) for name in names.split(",") if name.strip()}
    selectors = STRING.sub("", COMMENT.sub("", css))
    return set(CLASS.findall(selectors)), editor


def undocumented(css: str) -> set[str]:
    used, editor = css_classes(css)
    kinds = {markup.kind_class(kind) for kind in _kinds()}
    return used - markup.CLASSES - kinds - editor


@pytest.mark.parametrize("name", sorted(p.name for p in STYLES.iterdir() if p.name.endswith(".css")))
def test_style_sheets_use_only_the_markup_contracts_classes(name):
    css = STYLES.joinpath(name).read_text("utf-8")
    assert not undocumented(css), f"{name} selects by classes markup.py does not name: {undocumented(css)}"


def test_the_check_finds_a_class_outside_the_contract_and_accepts_a_documented_editor_class():
    assert undocumented(".margin-note p, .kind-sic { color: red } .shiny { width: 1.5em }") == {"shiny"}
    assert undocumented('/* editor classes: shiny, smallcaps */ .shiny, .smallcaps { font: "a.b" }') == set()
    assert undocumented("/* .shiny is not a selector here */ p { margin: .5em }") == set()


def test_the_kinds_are_read_from_the_schema():
    assert _kinds() == {"context", "person", "source", "sic", "term", "question"}


def test_back_matter_ids_titles_and_files_are_distinct():
    parts = markup.BACK_MATTER
    assert len({p.id for p in parts}) == len({p.label for p in parts}) == len({p.file_name for p in parts}) == 3
    assert markup.CHAPTER_FILE.search(markup.chapter_file(11))
    assert not markup.CHAPTER_FILE.search(markup.GLOSSARY.file_name)

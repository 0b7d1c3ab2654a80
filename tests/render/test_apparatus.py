"""The back matter both editions share, as AST: glossary, discussion questions, references."""

from __future__ import annotations

import json

from readingedition import markup
from readingedition.anchor import anchor_edition
from readingedition.ast import stringify
from readingedition.load import load_edition
from readingedition.render.apparatus import glossary_blocks, questions_blocks, references_blocks

from conftest import EXAMPLE
from editions_factory import make_edition


def _href(anchor_id: str, chapter: int) -> str:
    return f"chapter-{chapter}#{anchor_id}"


def _raw(blocks: list) -> str:
    return "".join(b["c"][1] for b in blocks if b["t"] == "RawBlock")


def test_the_glossary_lists_entries_alphabetically_with_links_both_ways():
    annotated = anchor_edition(load_edition(EXAMPLE, cache=False))
    blocks = glossary_blocks(annotated, _href)
    raw = _raw(blocks)
    assert raw.startswith(f'<section id="{markup.GLOSSARY.id}"')
    # each entry (term and definition) is the links' target: a pop-up of it shows the definition
    ids = [part.split('"')[0] for part in raw.split('<div id="')[1:] if f'class="{markup.GLOSS_ENTRY}"' in part]
    assert ids == [markup.gloss_id(s) for s in ("factory-committee", "factory-committee-movement", "soviet")]
    text = json.dumps(blocks)
    assert '"#gloss-soviet"' in text and '"#gloss-factory-committee"' in text  # "see also", both ways
    for use in annotated.term_uses:  # every linked occurrence has its way back
        assert f'"{_href(use.anchor_id, use.chapter)}"' in text


def test_questions_link_back_to_their_passage():
    annotated = anchor_edition(load_edition(EXAMPLE, cache=False))
    [question] = [n for n in annotated.notes if n.spec.kind == "question"]
    blocks = questions_blocks(annotated, _href)
    assert f'id="{markup.QUESTIONS.id}"' in _raw(blocks)
    assert f'"{_href(markup.call_id(question.spec.id), question.chapter)}"' in json.dumps(blocks)


def test_an_edition_without_glossary_questions_or_references_has_no_back_matter(tmp_path):
    annotated = anchor_edition(load_edition(make_edition(tmp_path, glossary=None), cache=False))
    assert glossary_blocks(annotated, _href) == questions_blocks(annotated, _href) == references_blocks(annotated) == []


def test_references_are_the_bibliography_in_their_section():
    annotated = anchor_edition(load_edition(EXAMPLE, cache=False))
    blocks = references_blocks(annotated)
    assert f'id="{markup.REFERENCES.id}"' in _raw(blocks)
    assert "Red Petrograd" in stringify(blocks) and "Cambridge University Press" in stringify(blocks)

"""Bad inputs: notes and glossary entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readingedition.diagnostics import BuildFailed

from .catalogue import Case, anchored_ids, assert_case_refused
from editions_factory import GLOSSARY_FILE, NOTES_FILE, note_yaml, write

CASES = [
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
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_and_out_is_unchanged(case: Case, edition: Path, good_out, capsys) -> None:
    assert_case_refused(case, edition, good_out, capsys)


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
        assert anchored_ids(edition) == ["para"]

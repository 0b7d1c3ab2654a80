"""Anchoring rules, on small texts: what a reader sees is what an editor quotes."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from readingedition.anchor import anchor_edition, fold_quote, note_label
from readingedition.diagnostics import BuildFailed
from readingedition.load import load_edition

TEXT = """\
---
title: T
lang: en
---

# One

The *factory committees* were "organs" of workers' control.[^1] The soviets met -- often.

The factory committee movement grew. The Soviets and NEP met; nep did not. A [soviet link](https://example.org) here.

# Two

The soviets again, and soviets once more. The same words. The same words.

[^1]: See Carr on soviets.
"""


def edition(tmp_path: Path, annotations: str, text: str = TEXT):
    (tmp_path / "src_text").mkdir(exist_ok=True)
    (tmp_path / "src_text" / "a.md").write_text(text, "utf-8")
    (tmp_path / "annotations").mkdir(exist_ok=True)
    (tmp_path / "annotations" / "a.yaml").write_text(textwrap.dedent(annotations), "utf-8")
    return load_edition(tmp_path)


def anchored(tmp_path, annotations, text=TEXT):
    return anchor_edition(edition(tmp_path, annotations, text))


def failure(tmp_path, annotations, text=TEXT):
    with pytest.raises(BuildFailed) as caught:
        anchored(tmp_path, annotations, text)
    return caught.value.diagnostics


def glossed_text(annotated, note_id):
    """The text the marks say the note glosses, gathered across markup."""
    out = []

    def walk(node, inside):
        if isinstance(node, list):
            for item in node:
                walk(item, inside)
            return
        if not isinstance(node, dict):
            return
        t, c = node.get("t"), node.get("c")
        if t == "Span" and "glossed" in c[0][1] and dict(c[0][2]).get("data-note") == note_id:
            walk(c[1], True)
            return
        if t == "Str" and inside:
            out.append(c)
        elif t in ("Space", "SoftBreak") and inside:
            out.append(" ")
        elif t == "Note":
            return
        elif isinstance(c, list):
            walk(c, inside)

    for chapter in annotated.chapters:
        walk(chapter.blocks, False)
    return "".join(out)


def test_quote_across_italics_and_quotation_marks(tmp_path):
    result = anchored(
        tmp_path,
        """
        notes:
          - {id: a, quote: 'factory committees were "organs', note: x}
    """,
    )
    assert glossed_text(result, "a") == "factory committees were organs"


def test_quote_across_a_footnote_marker_with_curly_apostrophe_and_dash_variants(tmp_path):
    result = anchored(
        tmp_path,
        """
        notes:
          - {id: a, quote: "workers’ control.  The   soviets met — often", note: x}
    """,
    )
    assert glossed_text(result, "a") == "workers’ control. The soviets met – often"


def test_overlapping_and_nested_notes_both_render(tmp_path):
    result = anchored(
        tmp_path,
        """
        notes:
          - {id: outer, quote: "The factory committee movement grew.", note: x}
          - {id: inner, quote: "committee movement", note: y}
          - {id: cross, quote: "grew. The Soviets", note: z}
    """,
    )
    assert glossed_text(result, "outer") == "The factory committee movement grew."
    assert glossed_text(result, "inner") == "committee movement"
    assert glossed_text(result, "cross") == "grew. The Soviets"
    assert [n.label for n in result.notes] == ["a", "b", "c"]
    assert [n.spec.id for n in result.notes] == ["inner", "outer", "cross"], "labels follow the calls' order"


def test_quote_not_found_shows_closest_passage_and_difference(tmp_path):
    (problem,) = failure(
        tmp_path,
        """
        notes:
          - id: a
            quote: "The factory commitee movement grew"
            note: x
    """,
    )
    assert problem.code == "A001" and problem.line == 3
    assert "'commitee' → 'committee'" in problem.detail
    assert problem.path.name == "a.yaml"


def test_quote_found_twice_shows_a_prefix_for_each(tmp_path):
    (problem,) = failure(
        tmp_path,
        """
        notes:
          - {id: a, quote: "The same words.", note: x}
    """,
    )
    assert problem.code == "A002" and "occurs 2 times" in problem.message
    assert "prefix: 'more. '" in problem.detail and "prefix: 'words. '" in problem.detail


def test_prefix_and_suffix_choose_one_occurrence(tmp_path):
    result = anchored(
        tmp_path,
        """
        notes:
          - {id: a, quote: "The same words.", prefix: "once more. ", note: x}
          - {id: b, quote: "The same words.", suffix: " The same", note: y}
    """,
    )
    assert len(result.notes) == 2


def test_prefix_that_matches_nothing(tmp_path):
    (problem,) = failure(
        tmp_path,
        """
        notes:
          - {id: a, quote: "The same words.", prefix: "never written", note: x}
    """,
    )
    assert problem.code == "A003"


def test_quote_must_not_start_or_end_inside_a_word(tmp_path):
    (problem,) = failure(
        tmp_path,
        """
        notes:
          - {id: a, quote: "oviets met", note: x}
    """,
    )
    assert problem.code == "A001"


def terms(result):
    return [(u.slug, u.chapter) for u in result.term_uses]


GLOSSARY = """
    glossary:
      - {term: factory committee, forms: [factory committees], short: s, definition: d}
      - {term: factory committee movement, short: s, definition: d}
      - {term: soviet, forms: [soviets, Soviets], short: s, definition: d}
      - {term: NEP, short: s, definition: d}
      - {term: One, short: s, definition: d}
      - {term: zeppelin, short: s, definition: d}
"""


def test_terms_first_per_chapter_longest_first_case_sensitive_never_in_headings_or_links(tmp_path):
    result = anchored(tmp_path, GLOSSARY)
    assert terms(result) == [
        ("factory-committee", 0),
        ("soviet", 0),
        ("factory-committee-movement", 0),
        ("nep", 0),
        ("soviet", 1),
    ]
    assert result.report.term_uses["nep"] == 1  # "nep" in lower case is not "NEP"
    assert result.report.term_uses["one"] == 0  # only in a heading: not linked, but present
    assert [(w.code, w.severity, w.message) for w in result.report.warnings] == [
        ("G004", "warning", "the glossary term `zeppelin` occurs nowhere in the text")
    ]


def test_a_setting_links_every_occurrence(tmp_path):
    text = TEXT.replace("lang: en", "lang: en\nglossary-links: every")
    result = anchored(tmp_path, GLOSSARY, text)
    assert result.report.term_uses["soviet"] == 4  # not in the link, the heading or the footnote


def test_terms_match_whole_words_only(tmp_path):
    result = anchored(
        tmp_path,
        """
        glossary:
          - {term: sov, short: s, definition: d}
    """,
    )
    assert result.report.term_uses["sov"] == 0


def test_folding_and_labels():
    assert fold_quote("“It’s — here…”") == '"It\'s - here..."'
    labels = [note_label(i) for i in range(800)]
    assert labels[:3] == ["a", "b", "c"] and labels[25:28] == ["z", "aa", "ab"]
    assert len(set(labels)) == len(labels) and labels == sorted(labels, key=lambda label: (len(label), label))
    assert not {"an", "as", "at", "be", "in", "is", "it", "of", "on", "or", "to", "we"} & set(labels)
    assert labels[labels.index("al") + 1] == "ao", "am and an are words: skipped"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u200a", "\u2007", "\u2003", "\u2002", "\u3000"])
def test_every_unicode_space_in_the_text_matches_a_plain_space_in_a_quote(tmp_path, space):
    text = TEXT.replace("The factory committee movement grew.", f"The factory{space}committee movement grew.")
    result = anchored(
        tmp_path,
        """
        notes:
          - {id: a, quote: "factory committee movement", note: x}
    """,
        text,
    )
    assert glossed_text(result, "a") == f"factory{space}committee movement"


@pytest.mark.parametrize("mark", ["\u00ad", "\u2060", "\u200b", "\u200d", "\u200c"])
def test_invisible_format_characters_are_ignored_in_text_quotes_prefixes_and_terms(tmp_path, mark):
    text = TEXT.replace("movement grew", f"move{mark}ment grew")
    result = anchored(
        tmp_path,
        f"""
        notes:
          - {{id: a, quote: "move{mark}ment grew", prefix: "committee{mark} ", note: x}}
          - {{id: b, quote: "movement", note: y}}
        glossary:
          - {{term: "move{mark}ment", short: s, definition: d}}
    """,
        text,
    )
    assert glossed_text(result, "a") == f"move{mark}ment grew"
    assert list(result.report.term_uses.values()) == [1]


def test_a_quote_running_into_the_next_paragraph_says_so(tmp_path):
    text = TEXT.replace("control.[^1]", "control.")
    [problem] = failure(
        tmp_path,
        """
        notes:
          - {id: a, quote: "met -- often. The factory", note: x}
    """,
        text,
    )
    assert problem.code == "A001" and "runs from one paragraph into the next" in problem.message


def test_a_near_miss_never_shows_an_empty_differs_line(tmp_path):
    [problem] = failure(
        tmp_path,
        """
        notes:
          - {id: a, quote: "factory-committee movement grew", note: x}
    """,
    )
    assert problem.code == "A001" and "closest:" in problem.detail
    assert not re.search(r"differs: *$", problem.detail, re.M)

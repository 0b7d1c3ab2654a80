"""The cleaning rules of readingedition.clean, each on small strings: the title page, hand fixes,
chunks and footnote texts, inline markup, joins, footnote markers, and the fidelity helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from readingedition.clean.edition import render_metadata
from readingedition.clean.fidelity import dehyphenate_tokens, plain_tokens
from readingedition.clean.footnotes import PlacedMarker, footnote_problems, place_marker
from readingedition.clean.joins import JoinKind, decide_join, join_chunks, merge_join
from readingedition.clean.patterns import superscript_number
from readingedition.clean.rules import (
    Chunk,
    Fix,
    Footnote,
    apply_fixes,
    escape_block_start,
    escape_inline,
    is_title_page_line,
    parse_footnote,
    split_chunks,
    split_paragraphs,
    strip_front_matter,
    to_markdown,
)

from editions_factory import failure_of

TITLE_VALUES = (
    "Workers Power and the Russian Revolution",
    "A review of Maurice Brinton's For Workers Power",
    "Tom Wetzel",
    "2005",
)


# --- banner / title page -------------------------------------------------


def test_title_page_line_made_of_metadata_values() -> None:
    run_together = (
        "Tom Wetzel Workers Power and the Russian Revolution A review of Maurice Brinton's For Workers Power 2005"
    )
    assert is_title_page_line(run_together, TITLE_VALUES)
    assert is_title_page_line("2005", TITLE_VALUES)
    assert not is_title_page_line("Tom Wetzel wrote this in 2005", TITLE_VALUES)
    assert not is_title_page_line("", TITLE_VALUES)


def test_strip_front_matter_removes_banner_and_stops_at_text() -> None:
    raw = (
        "The Anarchist Library Anti-Copyright\n\n\n\n"
        "Tom Wetzel Workers Power and the Russian Revolution 2005\n\n"
        "Retrieved on 12th October 2020 from libcom.org.\n\ntheanarchistlibrary.org\n\n"
        "Workers Power and the Russian Revolution\n\nTom Wetzel\n\n2005\n\n"
        "I was attracted to radical politics.\n\nTom Wetzel\n\nRetrieved on a later line.\n"
    )
    front = strip_front_matter(raw, TITLE_VALUES)
    assert front.body == ("I was attracted to radical politics.\n\nTom Wetzel\n\nRetrieved on a later line.\n")
    assert front.removed[0] == "The Anarchist Library Anti-Copyright"
    assert "theanarchistlibrary.org" in front.removed
    assert len(front.removed) == 7


# --- hand fixes ------------------------------------------------------------


def test_apply_fixes_replaces_exactly_once() -> None:
    assert apply_fixes("a b c", [Fix("b", "B")]) == "a B c"
    assert "matches 2 times" in failure_of("C005", apply_fixes, "b b", [Fix("b", "B")]).message
    assert "matches 0 times" in failure_of("C005", apply_fixes, "a", [Fix("b", "B", 7)], Path("r.yaml")).message
    assert (
        failure_of("C005", apply_fixes, "a", [Fix("b", "B", 7)], Path("r.yaml"))
        .render()
        .startswith("r.yaml:7: error C005 fix-not-unique: the fix 'find: 'b'' matches 0 times in the raw text")
    )


# --- chunks and footnote texts ----------------------------------------------


def test_split_paragraphs_unwraps_lines() -> None:
    assert split_paragraphs("one\ntwo\n\n  \nthree ") == ("one two", "three")


def test_split_chunks_in_reading_order_including_mid_line_start() -> None:
    raw = "Alpha one. Two With Beta starts here. End.\n\n¹ A note.\n\nthe troops came."
    chunks = split_chunks(raw, ["Alpha one", "the troops", "Beta starts"])
    assert [c.start for c in chunks] == ["Alpha one", "the troops", "Beta starts"]
    assert chunks[0].paragraphs == ("Alpha one. Two With",)
    assert chunks[1].paragraphs == ("the troops came.",)
    assert chunks[2] == Chunk("Beta starts", ("Beta starts here. End.",), (Footnote(1, "A note."),))


@pytest.mark.parametrize(
    ("starts", "code", "message"),
    [
        (["Alpha", "Gamma"], "C006", "'Gamma' named in the recipe's 'order' is not in the raw text"),
        (["Alpha", "Beta"], "C007", "'Beta' named in the recipe's 'order' occurs more than once"),
        (["Beta and"], "C008", "text before the first chunk start would be dropped: 'Alpha'"),
    ],
)
def test_split_chunks_reports_recipe_mistakes(starts: list[str], code: str, message: str) -> None:
    diagnostic = failure_of(code, split_chunks, "Alpha Beta and Beta.", starts, Path("recipe.yaml"), [3, 5])
    assert message in diagnostic.message
    assert (diagnostic.path, diagnostic.line) == (Path("recipe.yaml"), 5 if code != "C008" else 3)


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("¹ For example, Alan Maas", Footnote(1, "For example, Alan Maas")),
        (" $^{^{2}}$ Oscar Anweiler", Footnote(2, "Oscar Anweiler")),
        ("$^{2}$ Oscar", Footnote(2, "Oscar")),
        ("$^{\\rm 5}$ Peter Rachleff", Footnote(5, "Peter Rachleff")),
        (" $^{^{\\}rm 5}$ Peter Rachleff", Footnote(5, "Peter Rachleff")),
        ("¹⁰ Ten.", Footnote(10, "Ten.")),
        ("then sent out a call for election of delegates.² Moreover", None),
        ("2005 was the year.", None),
    ],
)
def test_parse_footnote(paragraph: str, expected: Footnote | None) -> None:
    assert parse_footnote(paragraph) == expected


def test_superscript_number() -> None:
    assert superscript_number("⁴") == 4
    assert superscript_number("¹²") == 12


# --- inline markup -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "markdown"),
    [
        ("delegates.² Moreover", "delegates.[^2] Moreover"),
        ('duties."³', 'duties."[^3]'),
        ("class⁹ is", "class[^9] is"),
        ("government.$^{4}$ The", "government.[^4] The"),
        ("structure.$^{\\rm 5}$", "structure.[^5]"),
        ("in $\\it Liberation$, July", "in *Liberation*, July"),
        ("in $\\it Socialist\\ Viewpoint$, Sept.", "in *Socialist Viewpoint*, Sept."),
        ("Avrich, *The Russian Anarchists*, pp.", "Avrich, *The Russian Anarchists*, pp."),
        ("costs $5 * 2_x [sic]", "costs \\$5 \\* 2\\_x \\[sic\\]"),
        ("No…committees", "No…committees"),
    ],
)
def test_to_markdown(raw: str, markdown: str) -> None:
    assert to_markdown(raw) == markdown


def test_escape_inline_and_block_start() -> None:
    assert escape_inline("a@b ~c^ <d>") == "a\\@b \\~c\\^ \\<d>"
    assert escape_block_start("1. Not a list") == "1\\. Not a list"
    assert escape_block_start("# Not a heading") == "\\# Not a heading"
    assert escape_block_start("- not a bullet") == "\\- not a bullet"
    assert escape_block_start("1917 was a year.") == "1917 was a year."


# --- joins ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("Virtually the whole of Rus-", "sian industry", JoinKind.HYPHEN),
        ("the Bolshevik party", 'building "proletarian power"', JoinKind.SAME_PARAGRAPH),
        ("in their hands; the idea that", '"proletarian power" consists', JoinKind.SAME_PARAGRAPH),
        ("as Commissar of Transport,", "had broken the union", JoinKind.SAME_PARAGRAPH),
        ('the working class." With', '"the Party and economic', JoinKind.SAME_PARAGRAPH),
        ("at the end of October.", "The new governmental", JoinKind.NEW_PARAGRAPH),
        ("the situation they faced:", '"From the beginning', JoinKind.NEW_PARAGRAPH),
        ('duties."[^3]', "The factory committees", JoinKind.NEW_PARAGRAPH),
        ("industry in the U.S.", "economy grew", JoinKind.SAME_PARAGRAPH),
        ("a well-", "Known compound", JoinKind.SAME_PARAGRAPH),
    ],
)
def test_decide_join(before: str, after: str, kind: JoinKind) -> None:
    assert decide_join(before, after) is kind


def test_merge_join_kinds() -> None:
    assert merge_join("a.", "B", JoinKind.NEW_PARAGRAPH) == ("a.", "B")
    assert merge_join("a", "b", JoinKind.SAME_PARAGRAPH) == ("a b",)
    assert merge_join("Rus-", "sian", JoinKind.HYPHEN) == ("Russian",)
    assert merge_join("self-", "management", JoinKind.KEEP_HYPHEN) == ("self-management",)


def test_join_chunks_with_override() -> None:
    chunks = [
        ("First para.", "It ends here. They"),
        ("said so.", "Done."),
        ("Next one.",),
        ("More.",),
    ]
    joined = join_chunks(chunks, {3: JoinKind.SAME_PARAGRAPH})
    assert joined == ("First para.", "It ends here. They said so.", "Done.", "Next one. More.")


# --- footnotes -------------------------------------------------------------------


def test_place_marker_after_unique_words() -> None:
    paragraphs = ('he wrote, "the tide of revolt." Then', "Other.")
    placed = place_marker(paragraphs, PlacedMarker(6, 'tide of revolt."'))
    assert placed == ('he wrote, "the tide of revolt."[^6] Then', "Other.")
    assert "occurs 0 times" in failure_of("C009", place_marker, paragraphs, PlacedMarker(6, "not there")).message
    assert "occurs 2 times" in failure_of("C009", place_marker, ("a b", "a b"), PlacedMarker(1, "a b")).message


def test_footnote_problems() -> None:
    notes = [Footnote(1, "One."), Footnote(2, "Two."), Footnote(3, "Three.")]
    assert footnote_problems(["a[^1] b[^2] c[^3]"], notes) == ()
    problems = footnote_problems(["a[^2] b[^1] c[^4]"], notes)
    assert any("footnote 3 has no marker" in p for p in problems)
    assert any("[^4] has no footnote text" in p for p in problems)
    assert any("out of order" in p for p in problems)


def test_render_metadata_keeps_date_a_string() -> None:
    pairs = [("title", "Workers Power"), ("date", "2005"), ("subtitle", "Brinton's: For")]
    block = render_metadata(pairs)
    data = yaml.safe_load(block.strip().strip("-"))
    assert data == {"title": "Workers Power", "date": "2005", "subtitle": "Brinton's: For"}


# --- fidelity helpers --------------------------------------------------------------


def test_plain_tokens_normalise_markup_alike() -> None:
    raw = 'in $\\it Socialist\\ Viewpoint$, said "so."³ \\$5'
    markdown = 'in *Socialist Viewpoint*, said "so."[^3] \\$5'
    expected = ["in", "Socialist", "Viewpoint,", "said", '"so."', "[^3]", "$5"]
    assert plain_tokens(raw) == plain_tokens(markdown) == expected
    assert plain_tokens("[^3]: Paul") == ["[^3]:", "Paul"]


def test_dehyphenate_tokens() -> None:
    assert dehyphenate_tokens(["of", "Rus-", "sian", "industry"]) == ["of", "Russian", "industry"]
    assert dehyphenate_tokens(["re-designed", "—", "x"]) == ["re-designed", "—", "x"]

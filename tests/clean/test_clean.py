"""Tests for readingedition.clean: each mechanical rule on small strings, then
the real essay (regeneration and source fidelity) on copies in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from readingedition.clean import check_source_fidelity, clean_edition
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
from readingedition.diagnostics import BuildFailed

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_MD = ROOT / "src_text" / "wetzel-workers-power.md"
TITLE_VALUES = (
    "Workers Power and the Russian Revolution",
    "A review of Maurice Brinton's For Workers Power",
    "Tom Wetzel",
    "2005",
)


def _failure(code: str, call, *args):
    """The one diagnostic `call(*args)` fails with, which must have `code`."""
    with pytest.raises(BuildFailed) as failure:
        call(*args)
    [diagnostic] = failure.value.diagnostics
    assert diagnostic.code == code, diagnostic.render()
    return diagnostic


def _differences(report) -> str:
    """The source-fidelity errors, as the check prints them."""
    assert {d.code for d in report.diagnostics()} <= {"C012"}
    return "\n".join(d.render() for d in report.diagnostics())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repo's src_text in tmp_path, safe to mutate."""
    shutil.copytree(ROOT / "src_text", tmp_path / "src_text")
    return tmp_path


def _edit_recipe(root: Path, change) -> None:
    path = root / "src_text" / "recipe.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit_markdown(root: Path, old: str, new: str) -> None:
    path = root / "src_text" / "wetzel-workers-power.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


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
    assert "matches 2 times" in _failure("C005", apply_fixes, "b b", [Fix("b", "B")]).message
    assert "matches 0 times" in _failure("C005", apply_fixes, "a", [Fix("b", "B", 7)], Path("r.yaml")).message
    assert (
        _failure("C005", apply_fixes, "a", [Fix("b", "B", 7)], Path("r.yaml"))
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
    diagnostic = _failure(code, split_chunks, "Alpha Beta and Beta.", starts, Path("recipe.yaml"), [3, 5])
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
    assert "occurs 0 times" in _failure("C009", place_marker, paragraphs, PlacedMarker(6, "not there")).message
    assert "occurs 2 times" in _failure("C009", place_marker, ("a b", "a b"), PlacedMarker(1, "a b")).message


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


# --- the real essay -------------------------------------------------------------


def test_clean_edition_regenerates_committed_markdown(project: Path) -> None:
    (project / "src_text" / "wetzel-workers-power.md").unlink()
    path = clean_edition(project)
    assert path == project / "src_text" / "wetzel-workers-power.md"
    assert path.read_bytes() == COMMITTED_MD.read_bytes()


def test_committed_markdown_shape() -> None:
    text = COMMITTED_MD.read_text(encoding="utf-8")
    _, meta, body = text.split("---\n", 2)
    data = yaml.safe_load(meta)
    assert data["title"] == "Workers Power and the Russian Revolution"
    assert data["subtitle"] == "A review of Maurice Brinton's For Workers Power"
    assert data["author"] == "Tom Wetzel"
    assert data["date"] == "2005"
    assert data["identifier"].startswith("urn:uuid:")
    assert body.lstrip().startswith("I was attracted to radical politics")
    assert "Anarchist Library Anti-Copyright" not in body
    assert "$" not in body and not any(ch in body for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹")
    assert "Russian industry" in body and "Rus-" not in body
    for n in range(1, 10):
        assert body.count(f"[^{n}]") == 2  # one marker, one definition
        assert f"\n[^{n}]: " in body
    assert "*Liberation*" in body and "*Socialist Viewpoint*" in body
    assert "\n#" not in body  # the essay has no headings of its own


def test_source_fidelity_passes_on_real_essay() -> None:
    report = check_source_fidelity(ROOT)
    assert report.ok, report.render()
    assert report.chunks == 17 and report.footnotes == 9
    rendered = report.render()
    assert "OK" in rendered and "Rus- sian" in rendered and "[^7]" in rendered


def test_source_fidelity_catches_dropped_sentence(project: Path) -> None:
    _edit_markdown(project, "The executive made the real decisions in the backrooms. ", "")
    report = check_source_fidelity(project)
    assert not report.ok
    rendered = _differences(report)
    assert "lost 9 word(s)" in rendered and "backrooms." in rendered
    assert "then sent out a call" in rendered  # names the chunk


def test_source_fidelity_catches_duplicated_sentence(project: Path) -> None:
    sentence = "Soviets formed in other Russian cities were similar."
    _edit_markdown(project, sentence, f"{sentence} {sentence}")
    report = check_source_fidelity(project)
    assert not report.ok
    assert "added 8 word(s)" in _differences(report)
    assert "Soviets formed in other Russian cities were similar." in _differences(report)


def test_source_fidelity_catches_swapped_chunks(project: Path) -> None:
    def swap(data: dict) -> None:
        order = data["order"]
        i = order.index("the troops loyal to the soviets")
        j = order.index("become even more complex")
        order[i], order[j] = order[j], order[i]

    _edit_recipe(project, swap)
    report = check_source_fidelity(project)
    assert not report.ok
    assert "FAILED" in report.render()
    rendered = _differences(report)
    assert "the troops loyal to the soviets" in rendered or "nationalized from above" in rendered


def test_source_fidelity_catches_misplaced_marker(project: Path) -> None:
    _edit_markdown(project, 'tide of revolt."[^6]', 'tide of revolt."')
    _edit_markdown(project, "Isaac Deutscher explains", "Isaac[^6] Deutscher explains")
    report = check_source_fidelity(project)
    assert not report.ok
    assert "[^6]" in _differences(report)


# --- user mistakes -----------------------------------------------------------------


def test_missing_recipe_is_a_clean_error(tmp_path: Path) -> None:
    assert _failure("C001", clean_edition, tmp_path).path == tmp_path / "src_text" / "recipe.yaml"


def test_unknown_chunk_start_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["order"].append("words that are not there"))
    diagnostic = _failure("C006", clean_edition, project)
    assert "'words that are not there' named in the recipe's 'order' is not in the raw text" in diagnostic.message
    lines = (project / "src_text" / "recipe.yaml").read_text("utf-8").splitlines()
    assert "words that are not there" in lines[diagnostic.line - 1]


def test_ambiguous_chunk_start_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["order"].append("the Russian revolution"))
    assert "occurs more than once" in _failure("C007", clean_edition, project).message


def test_lost_marker_without_recipe_entry_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["footnote_markers"].pop())
    assert _failure("C010", clean_edition, project).message == "footnote 7 has no marker in the text"


def test_unknown_recipe_key_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data.update(oder=[]))
    assert "unknown keys ['oder']" in _failure("C003", clean_edition, project).message


def test_recipe_yaml_syntax_error_names_its_line(project: Path) -> None:
    path = project / "src_text" / "recipe.yaml"
    path.write_text(path.read_text("utf-8") + "order: [unclosed\n", "utf-8")
    diagnostic = _failure("C002", clean_edition, project)
    assert diagnostic.message.startswith("YAML syntax error") and diagnostic.line is not None


def test_missing_raw_text_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data.update(raw="nowhere.txt"))
    diagnostic = _failure("C004", clean_edition, project)
    assert diagnostic.message == "the raw text nowhere.txt named by 'raw:' is not there"


def test_source_fidelity_without_the_markdown_is_a_clean_error(project: Path) -> None:
    (project / "src_text" / "wetzel-workers-power.md").unlink()
    assert "wetzel-workers-power.md" in _failure("C011", check_source_fidelity, project).message


def test_a_source_difference_prints_as_a_coded_error(project: Path) -> None:
    _edit_markdown(project, "The executive made the real decisions in the backrooms. ", "")
    [diagnostic] = check_source_fidelity(project).diagnostics()
    assert diagnostic.render(project).startswith(
        "src_text/wetzel-workers-power.md: error C012 source-differs: lost 9 word(s) “The executive made"
    )

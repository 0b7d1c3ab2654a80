"""readingedition.clean on the real essay, on copies in tmp_path: the committed Markdown
regenerated, source fidelity, and the editor's mistakes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from readingedition.clean import check_source_fidelity, clean_edition

from editions_factory import failure_of

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_MD = ROOT / "src_text" / "wetzel-workers-power.md"


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
    assert failure_of("C001", clean_edition, tmp_path).path == tmp_path / "src_text" / "recipe.yaml"


def test_unknown_chunk_start_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["order"].append("words that are not there"))
    diagnostic = failure_of("C006", clean_edition, project)
    assert "'words that are not there' named in the recipe's 'order' is not in the raw text" in diagnostic.message
    lines = (project / "src_text" / "recipe.yaml").read_text("utf-8").splitlines()
    assert "words that are not there" in lines[diagnostic.line - 1]


def test_ambiguous_chunk_start_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["order"].append("the Russian revolution"))
    assert "occurs more than once" in failure_of("C007", clean_edition, project).message


def test_lost_marker_without_recipe_entry_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data["footnote_markers"].pop())
    assert failure_of("C010", clean_edition, project).message == "footnote 7 has no marker in the text"


def test_unknown_recipe_key_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data.update(oder=[]))
    assert "unknown keys ['oder']" in failure_of("C003", clean_edition, project).message


def test_recipe_yaml_syntax_error_names_its_line(project: Path) -> None:
    path = project / "src_text" / "recipe.yaml"
    path.write_text(path.read_text("utf-8") + "order: [unclosed\n", "utf-8")
    diagnostic = failure_of("C002", clean_edition, project)
    assert diagnostic.message.startswith("YAML syntax error") and diagnostic.line is not None


def test_missing_raw_text_is_a_clean_error(project: Path) -> None:
    _edit_recipe(project, lambda data: data.update(raw="nowhere.txt"))
    diagnostic = failure_of("C004", clean_edition, project)
    assert diagnostic.message == "the raw text nowhere.txt named by 'raw:' is not there"


def test_source_fidelity_without_the_markdown_is_a_clean_error(project: Path) -> None:
    (project / "src_text" / "wetzel-workers-power.md").unlink()
    assert "wetzel-workers-power.md" in failure_of("C011", check_source_fidelity, project).message


def test_a_source_difference_prints_as_a_coded_error(project: Path) -> None:
    _edit_markdown(project, "The executive made the real decisions in the backrooms. ", "")
    [diagnostic] = check_source_fidelity(project).diagnostics()
    assert diagnostic.render(project).startswith(
        "src_text/wetzel-workers-power.md: error C012 source-differs: lost 9 word(s) “The executive made"
    )

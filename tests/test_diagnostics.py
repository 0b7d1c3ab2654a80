"""Every diagnostic code has a test; the codes no other test file reaches are tested here."""

from __future__ import annotations

from pathlib import Path

import pytest

from readingedition.anchor import anchor_edition
from readingedition.diagnostics import CODES, BuildFailed
from readingedition.load import load_edition
from readingedition.render import pdf
from readingedition.render.margins import MarginPlacement

from editions_factory import TEXT, TEXT_FILE, make_edition, note_yaml

TESTS = Path(__file__).parent


def _test_code(path: Path) -> str:
    """A test file's code, without its module docstring (which may list codes it does not test)."""
    text = path.read_text("utf-8")
    return text.split('"""', 2)[2] if text.startswith('"""') else text


def test_every_code_is_tested_somewhere():
    text = "".join(_test_code(path) for path in TESTS.rglob("test_*.py") if path.name != Path(__file__).name)
    text += Path(__file__).read_text("utf-8").split("def test_every_code_is_tested_somewhere")[-1]
    untested = [
        code for code in CODES if all(m not in text for m in (f'"{code}"', f"error {code} ", f"warning {code} "))
    ]
    assert untested == []


def codes(root: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(BuildFailed) as failure:
        anchor_edition(load_edition(root))
    return [(d.code, d.line, d.message) for d in failure.value.diagnostics]


def test_a_kind_that_is_not_one_of_the_kinds(tmp_path):
    root = make_edition(tmp_path, notes=note_yaml(id="x", quote="The Long Book", note="n", kind="aside"))
    [(code, line, message)] = codes(root)
    assert code == "K005" and line == 5 and "`kind: aside` is not one of: context, person" in message


def test_a_citation_of_no_reference(tmp_path):
    root = make_edition(tmp_path, notes=note_yaml(id="x", quote="The Long Book", note="See [@nobody2020]."))
    assert codes(root) == [("A006", 2, "note `x` cites @nobody2020, which is in no `references:` list")]


def test_a_citation_of_no_reference_names_the_closest_key(tmp_path):
    references = "references:\n  - id: smith1983\n    type: book\n    title: A Book\n"
    root = make_edition(
        tmp_path,
        notes=note_yaml(id="x", quote="The Long Book", note="See [@smith1938]."),
        files={"annotations/references.yaml": references},
    )
    assert codes(root) == [
        ("A006", 2, "note `x` cites @smith1938, which is in no `references:` list; did you mean @smith1983?")
    ]


def test_no_text(tmp_path):
    root = make_edition(tmp_path)
    (root / TEXT_FILE).unlink()
    [(code, _, message)] = codes(root)
    assert code == "T001" and message == "no Markdown text found"


def test_a_paper_size_that_is_not_a4_or_letter(tmp_path):
    root = make_edition(tmp_path, text=TEXT.replace("lang: en", "lang: en\npaper: a5"))
    assert codes(root) == [("T004", 4, "`paper: a5` must be a4 or letter")]  # the line of `paper:`


@pytest.mark.slow  # lays out a PDF
def test_a_note_lost_in_layout_fails_the_build(tmp_path, monkeypatch):
    root = make_edition(tmp_path)
    annotated = anchor_edition(load_edition(root))

    class NoNotes:  # the placement finds none of the notes
        def __init__(self, document, twosided):
            pass

        def place(self, remade_pages=0):
            return MarginPlacement((), 0)

    monkeypatch.setattr(pdf, "MarginPlan", NoNotes)
    with pytest.raises(BuildFailed) as failure:
        pdf.render_pdf(annotated, tmp_path / "x.pdf")
    assert [d.code for d in failure.value.diagnostics] == ["R001"] * len(annotated.notes)
    assert not (tmp_path / "x.pdf").exists()


def test_a_booklet_that_is_neither_true_nor_false(tmp_path):
    root = make_edition(tmp_path, text=TEXT.replace("lang: en", "lang: en\nbooklet: maybe"))
    assert codes(root) == [("T004", 4, "`booklet: maybe` must be true or false")]

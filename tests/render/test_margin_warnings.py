"""The margin engine's warnings (R002-R005): what the editor hears of a note off its call's page,
a gloss left out, a note too long for its page, a note laid out in parts; each at the note's or
the term's line in the annotation files."""

from __future__ import annotations

import re

import pdfplumber

from readingedition.anchor import anchor_edition
from readingedition.load import load_edition
from readingedition.pipeline import build
from readingedition.render.margins import DroppedGloss, MarginPlacement, PlacedNote, placement_warnings

from editions_factory import EDITION_NAME, GLOSSARY_FILE, NOTES_FILE, TEXT, make_edition


def _note(note_id: str, page: int, call_page: int, continued: bool = False, at_foot: bool = False) -> PlacedNote:
    return PlacedNote(note_id, "a", page, call_page, 0.0, continued, at_foot)


def test_each_warning_names_the_annotation_file_and_line(tmp_path):
    annotated = anchor_edition(load_edition(make_edition(tmp_path)))
    placement = MarginPlacement(
        notes=(_note("long-book", 3, 2),),
        glosses_kept=0,
        dropped_glosses=(DroppedGloss("soviet", 2),),
        split_notes=("long-book",),
    )
    shown = [w.render(tmp_path) for w in placement_warnings(placement, annotated, "the PDF")]
    assert [line.splitlines()[0] for line in shown] == [
        f"{NOTES_FILE}:2: warning R002 note-moved: note `long-book` (a) starts on page 3 of the PDF, its call on page 2",
        f"{GLOSSARY_FILE}:2: warning R003 gloss-dropped: the PDF has no room in the margin for 1 glossary gloss",
        f"{NOTES_FILE}:2: warning R005 note-split: note `long-book` was laid out in parts in the PDF; one part was kept",
    ]
    assert all("hint: " in line for line in shown)


def test_glosses_left_out_are_one_warning_that_lists_each(tmp_path):
    """A margin full of notes leaves out many glosses (30 of the essay's 40): one warning, each
    term in its detail with its page and glossary line, not a screenful."""
    annotated = anchor_edition(load_edition(make_edition(tmp_path)))
    dropped = (DroppedGloss("soviet", 2), DroppedGloss("unknown-term", 3))
    [warning] = placement_warnings(MarginPlacement((), 0, dropped), annotated, "the booklet")
    assert warning.code == "R003" and "the booklet has no room in the margin for 2 glossary glosses" in warning.message
    assert warning.detail.splitlines() == ["`soviet` on page 2 (line 2)", "`unknown-term` on page 3"]


def test_a_note_continued_warns_and_a_note_at_the_foot_or_beside_its_call_does_not(tmp_path):
    annotated = anchor_edition(load_edition(make_edition(tmp_path)))
    quiet = MarginPlacement((_note("long-book", 2, 2), _note("long-book", 2, 2, at_foot=True)), 1)
    assert placement_warnings(quiet, annotated, "the PDF") == ()
    [continued] = placement_warnings(MarginPlacement((_note("long-book", 2, 2, continued=True),), 1), annotated, "x")
    assert (continued.code, continued.severity, continued.line) == ("R004", "warning", 2)
    assert "too long for page 2 of x: it continues on the next page" in continued.message


def test_the_dense_edition_warns_of_each_note_it_continues(dense):
    """Each note continued into the next page's margin is one R004 warning of the build, at the
    note's entry in its annotation file."""
    warnings = [line for line in dense.messages.splitlines() if " warning R004 " in line]
    with pdfplumber.open(dense.pdf) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    continued = set(re.findall(r"↑\s*([a-z]+), continued from p\.", text))
    assert continued and {re.search(r"\(([a-z]+)\)", w).group(1) for w in warnings} == continued
    assert len(warnings) == len(continued)
    for warning in warnings:
        path, line, note_id = re.match(r"(annotations/\S+\.yaml):(\d+): .*note `([^`]+)`", warning).groups()
        entry = (dense.annotated.edition.root / path).read_text("utf-8").splitlines()[int(line) - 1]
        assert note_id in entry
    assert " warning R002 " not in dense.messages  # every note starts on its call's page


def test_a_gloss_laid_out_in_parts_is_named_at_its_glossary_entry(tmp_path):
    annotated = anchor_edition(load_edition(make_edition(tmp_path)))
    [split] = placement_warnings(MarginPlacement((), 1, split_glosses=("soviet",)), annotated, "the PDF")
    assert split.render(tmp_path).splitlines()[0] == (
        f"{GLOSSARY_FILE}:2: warning R005 note-split: the gloss of `soviet` was laid out in parts in the PDF; "
        "one part was kept"
    )


def test_the_pdf_and_the_booklet_say_a_shared_warning_once(tmp_path, capsys):
    """Both lay the packet out and both refuse the same file the style sheet asks for: one S005."""
    root = make_edition(
        tmp_path / "edition",
        text=TEXT.replace("lang: en", "lang: en\nbooklet: true"),
        files={"styles/pdf.css": "body { background: url(file:///etc/passwd) }\n"},
    )
    build(root, tmp_path / "out", ("pdf",))
    said = [line for line in capsys.readouterr().err.splitlines() if " warning S005 " in line]
    assert (tmp_path / "out" / f"{EDITION_NAME}-booklet.pdf").is_file()
    assert len(said) == 1 and "file:///etc/passwd" in said[0]

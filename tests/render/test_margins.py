"""Margin notes in the PDF packet (issue 7): placement engine, CSS, audit.

The fixtures are hand-made pages in the renderer's HTML contract, written by
margin_fixtures.py into a temporary directory; each is rendered once per
module with styles/pdf-margins.css, placed, written, and audited from the PDF.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
import weasyprint

from readingedition.check.margin_audit import MarginAudit, audit_margin_notes
from readingedition.render.margins import (
    MarginPlacement,
    check_weasyprint_internals,
    notes_the_page_cannot_hold,
    page_references_kept,
    pages_make_room,
    place_margin_notes,
)

import margin_fixtures

REPOSITORY = Path(__file__).resolve().parents[2]
MARGINS_CSS = REPOSITORY / "readingedition" / "styles" / "pdf-margins.css"
MM = 72 / 25.4  # PDF points per mm


@dataclass(frozen=True)
class Geometry:
    """The page geometry of styles/pdf-margins.css, in PDF points."""

    text: float  # width of the text block
    outer: float  # outer (right) page margin
    recto_outer: float  # two-sided: outer margin of a recto page (right) ...
    verso_outer: float  # ... and of a verso page (left)
    gap: float  # between the text and the note column
    column: float  # width of the note column
    top: float  # top and bottom page margins
    bottom: float

    def column_x(self, page, side: str = "one-sided") -> tuple[float, float]:
        """Left and right x of the note column of ``page`` ("one-sided",
        "recto" or "verso"), measured from the page's outer edge."""
        if side == "verso":
            right = self.verso_outer - self.gap
            return right - self.column, right
        left = float(page.width) - (self.recto_outer if side == "recto" else self.outer) + self.gap
        return left, left + self.column


_PT = 0.75  # PDF points per CSS pixel
_GEOMETRY_PAGES = """<html class="{sides}"><body><p>Text<span class="margin-note">A note.</span></p>
<p style="break-before: page">Text</p></body></html>"""


@functools.cache
def geometry() -> Geometry:
    """The geometry of styles/pdf-margins.css, read from pages it lays out (not hard-coded here,
    and whatever its custom properties say, so that the tests follow a change of the page design)."""
    sheets = [weasyprint.CSS(filename=str(MARGINS_CSS))]
    onesided = weasyprint.HTML(string=_GEOMETRY_PAGES.format(sides="onesided")).render(stylesheets=sheets)
    recto, verso = weasyprint.HTML(string=_GEOMETRY_PAGES.format(sides="twosided")).render(stylesheets=sheets).pages[:2]
    page = onesided.pages[0]._page_box
    note = next(box for box in _descendants(page) if box.element_tag == "span")
    gap = -note.right - note.width
    assert gap > 0, "notes stand beside the text, not over it"
    return Geometry(
        text=page.width * _PT,
        outer=page.margin_right * _PT,
        recto_outer=recto._page_box.margin_right * _PT,
        verso_outer=verso._page_box.margin_left * _PT,
        gap=gap * _PT,
        column=note.width * _PT,
        top=page.margin_top * _PT,
        bottom=page.margin_bottom * _PT,
    )


def _descendants(box):
    for child in getattr(box, "children", ()):
        yield child
        yield from _descendants(child)


@dataclass(frozen=True)
class Packet:
    expected: tuple[str, ...]  # note ids, in document order
    calls: dict[str, str]  # note id -> call letter
    placement: MarginPlacement | None
    pdf: Path
    audit: MarginAudit
    pages: int
    doc: pdfplumber.PDF  # kept open: pages are parsed once for all tests

    def placed(self, note_id: str):
        return next(note for note in self.placement.notes if note.note_id == note_id)


def _expected(html: str) -> tuple[tuple[str, ...], dict[str, str]]:
    pairs = re.findall(r'data-note-id="([^"]+)" data-call="([^"]+)"', html)
    return tuple(note_id for note_id, _ in pairs), dict(pairs)


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    fixtures = margin_fixtures.write_all(tmp_path_factory.mktemp("margin-fixtures"))
    css = weasyprint.CSS(filename=str(MARGINS_CSS))
    cache: dict[tuple, Packet] = {}

    def build(
        name: str,
        *,
        twosided: bool = False,
        place: bool = True,
        room: bool = False,
        extra_css: str = "",
        **write_options,
    ) -> Packet:
        """``room``: laid out as the packet is, each page making room at its foot for the
        notes its margin cannot hold; else in one layout, what does not fit continues."""
        # Tagged, as the packet is built (the tags follow the moved notes).
        write_options = {"pdf_variant": "pdf/ua-1", **write_options}
        key = (name, twosided, place, room, extra_css, tuple(sorted(write_options.items())))
        if key not in cache:
            path = fixtures / name
            expected, calls = _expected(path.read_text(encoding="utf-8"))
            sheets = [css] + ([weasyprint.CSS(string=extra_css)] if extra_css else [])
            with pages_make_room(notes_the_page_cannot_hold, 4) if room else contextlib.nullcontext():
                document = weasyprint.HTML(filename=str(path)).render(stylesheets=sheets)
            placement = place_margin_notes(document, twosided=twosided) if place else None
            out = tmp_path_factory.mktemp("margins") / name.replace(".html", ".pdf")
            document.write_pdf(out, **write_options)
            cache[key] = Packet(
                expected,
                calls,
                placement,
                out,
                audit_margin_notes(out, expected),
                len(document.pages),
                pdfplumber.open(str(out)),
            )
        return cache[key]

    yield build
    for built in cache.values():
        built.doc.close()


def _assert_clean(packet: Packet) -> None:
    """No overlap, nothing lost, every note drawn once, links right."""
    audit = packet.audit
    assert audit.overlaps == (), audit.render()
    assert audit.missing == (), audit.render()
    assert audit.broken_links == (), audit.render()
    assert sorted(n.note_id_or_call for n in audit.notes) == sorted(packet.expected)
    assert sorted(n.note_id for n in packet.placement.notes) == sorted(packet.expected)


def _words(built: Packet, page: int) -> list[dict]:
    return built.doc.pages[page - 1].extract_words(extra_attrs=["size"])


def _dehyphenate(text: str) -> str:
    """Undo the hyphenation of line ends (WeasyPrint's hyphen is U+2010)."""
    return re.sub("\u2010\\s+", "", text)


def _page_text(built: Packet, page: int) -> str:
    return _dehyphenate(" ".join(w["text"] for w in _words(built, page)))


def _margin_text(built: Packet, page: int) -> str:
    """The words in the note column of a (one-sided) page, line by line."""
    left, right = geometry().column_x(built.doc.pages[page - 1])
    return _dehyphenate(
        " ".join(w["text"] for w in _words(built, page) if w["x0"] >= left - 1 and w["x1"] <= right + 1)
    )


# ---------------------------------------------------------------------------


def test_weasyprint_internals_are_there():
    assert weasyprint.__version__ == "70.0"  # pinned: pdf_margins uses internals
    check_weasyprint_internals()


def test_internals_check_fails_loudly_when_weasyprint_changes(monkeypatch):
    import weasyprint.anchors

    monkeypatch.delattr(weasyprint.anchors, "gather_anchors")
    with pytest.raises(RuntimeError, match="gather_anchors"):
        check_weasyprint_internals()


FIXTURE_NAMES = [
    "five_notes.html",
    "last_line.html",
    "long_note.html",
    "crowded.html",
    "glosses.html",
    "overflow_last.html",
]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_overlap_and_no_note_lost(packet, name):
    _assert_clean(packet(name))


def test_five_notes_in_one_short_paragraph_stack_in_order(packet):
    built = packet("five_notes.html")
    _assert_clean(built)
    notes = built.audit.notes
    assert [n.note_id_or_call for n in notes] == [f"five-{i}" for i in range(1, 6)]
    assert {n.page_number for n in notes} == {1}
    # They follow one another down, in order, the first beside its call (the
    # run may rise a little to bring more of them within two lines).
    assert abs(notes[0].lines_from_call) <= 2
    distances = [n.lines_from_call for n in notes]
    assert distances == sorted(distances)
    assert sum(1 for d in distances if abs(d) <= 2) >= 3
    assert all(not n.continued for n in built.placement.notes)
    # The engine and the audit agree on how far each note moved.
    for audited in notes:
        placed = built.placed(audited.note_id_or_call)
        assert placed.lines_moved == pytest.approx(abs(audited.lines_from_call), abs=0.35)
    assert {n.note_id for n in built.placement.moved()} == {
        n.note_id_or_call for n in notes if abs(n.lines_from_call) > 2
    }


def test_note_called_on_the_last_line_of_a_page_stays_on_that_page(packet):
    built = packet("last_line.html")
    _assert_clean(built)
    (note,) = built.audit.notes
    # The fixture really calls it on the last body line of page 1 ...
    assert note.call_page_number == 1
    pdf = built.doc
    page = pdf.pages[0]
    call = next(a for a in page.annots if (a.get("data") or {}).get("Dest") == b"note-foot-1")
    body = [c for c in page.chars if abs(c["size"] - 11) < 0.3]
    lowest = max(body, key=lambda c: c["top"])
    assert call["top"] < lowest["bottom"] and call["bottom"] > lowest["top"]
    # ... and the note is drawn there, moved up just enough, not on page 2.
    assert note.page_number == 1
    placed = built.placed("foot-1")
    assert not placed.continued and placed.page_number == 1
    assert note.lines_from_call < 0  # moved up, above its call


def test_note_longer_than_a_third_of_the_page(packet):
    built = packet("long_note.html")
    _assert_clean(built)
    pdf = built.doc
    page = pdf.pages[0]
    text_right = max(c["x1"] for c in page.chars if abs(c["size"] - 11) < 0.3)
    margin = [c for c in page.chars if c["x0"] > text_right + 2]
    second_label = _label_top(page, "b")
    long_note = [c for c in margin if c["top"] < second_label]
    height = max(c["bottom"] for c in long_note) - min(c["top"] for c in long_note)
    assert height > page.height / 3
    first, second = built.audit.notes
    assert abs(first.lines_from_call) < 0.3
    assert second.page_number == 1 and second.lines_from_call > 2  # pushed below the first


def _text_in(page, annot) -> str:
    """The text whose characters' centres lie inside a link's rectangle."""
    chars = [
        c
        for c in page.chars
        if annot["x0"] - 0.5 <= (c["x0"] + c["x1"]) / 2 <= annot["x1"] + 0.5
        and annot["top"] - 0.5 <= (c["top"] + c["bottom"]) / 2 <= annot["bottom"] + 0.5
    ]
    return "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])).strip()


def _label_top(page, letter: str) -> float:
    for annot in page.annots:
        dest = (annot.get("data") or {}).get("Dest")
        if isinstance(dest, bytes) and dest.startswith(b"call-") and _text_in(page, annot) == letter:
            return annot["top"]
    raise AssertionError(f"no label {letter}")


def test_crowded_page_continues_on_the_next_page_with_its_page_number(packet):
    built = packet("crowded.html")
    _assert_clean(built)
    continued = [n for n in built.placement.notes if n.continued]
    assert continued, "the fixture must overflow page 1's margin"
    assert all(n.call_page_number == 1 and n.page_number == 2 for n in continued)
    # Only what does not fit moves on: the last notes, in order; the rest stay.
    order = [n.note_id for n in built.placement.notes]
    assert order[-len(continued) :] == [n.note_id for n in continued]
    assert sum(1 for n in built.placement.notes if n.page_number == 1) >= 15
    # They are reported as moved, and marked with where they belong.
    assert set(built.placement.moved()) >= set(continued)
    words = _words(built, 2)
    marks = [i for i, w in enumerate(words) if w["text"] == "\u2191"]
    assert len(marks) == len(continued)
    letters = {built.calls[n.note_id] for n in continued}
    for i in marks:
        assert words[i + 1]["text"].rstrip(",") in letters
        assert " ".join(w["text"] for w in words[i + 2 : i + 6]) == "continued from p. 1"
    # The mark sits above the label of its note, in the margin column.
    pdf = built.doc
    for note in continued:
        label_top = _label_top(pdf.pages[1], built.calls[note.note_id])
        assert any(0 < label_top - words[i]["top"] < 14 for i in marks)


def test_links_in_moved_notes_point_to_the_right_place(packet):
    built = packet("crowded.html")
    continued = {n.note_id for n in built.placement.notes if n.continued}
    pdf = built.doc
    page_ids = {page.page_obj.pageid: i for i, page in enumerate(pdf.pages)}
    for note_id in continued:
        # The call's link leads to the note, now on page 2 ...
        dest = pdf.doc.get_dest(f"note-{note_id}".encode())
        assert page_ids[dest[0].objid] == 1
        top = pdf.pages[1].height - dest[3]
        assert abs(top - _label_top(pdf.pages[1], built.calls[note_id])) < 15
    # ... and each link drawn in the margin covers its own text.
    for page in pdf.pages:
        for annot in page.annots:
            if annot["x0"] < geometry().column_x(page)[0] - 1:  # not in the margin
                continue
            assert _text_in(page, annot), annot
        labels = [a for a in page.annots if ((a.get("data") or {}).get("Dest") or b"").startswith(b"call-")]
        for annot in labels:  # the label leads back to its call
            name = annot["data"]["Dest"].decode()
            assert pdf.doc.get_dest(name.encode()) is not None
    # An external link inside a note that moved follows its words.
    crowd_7 = built.placed("crowd-7")
    assert crowd_7.lines_moved > 2
    page = pdf.pages[crowd_7.page_number - 1]
    links = [a for a in page.annots if a.get("uri") == "https://example.org/archive"]
    assert links
    for link in links:
        text = _text_in(page, link)
        assert text and text in "the archive catalogue"


def test_notes_that_overflow_the_last_page_get_a_page_of_their_own(packet):
    built = packet("overflow_last.html")
    _assert_clean(built)
    assert built.pages > 1  # the text is one page; the notes continue on added pages
    pages = {n.page_number for n in built.placement.notes}
    assert pages == set(range(1, built.pages + 1))
    assert all(n.continued == (n.page_number > 1) for n in built.placement.notes)
    assert len(built.placement.moved()) >= 30 - 12


def test_twosided_notes_stand_in_the_outer_margin(packet):
    built = packet("twosided.html", twosided=True)
    _assert_clean(built)
    assert built.pages >= 2
    pdf = built.doc
    css = geometry()
    for number, page in enumerate(pdf.pages, start=1):
        verso = number % 2 == 0
        body = [c for c in page.chars if abs(c["size"] - 11) < 0.3]
        left, right = min(c["x0"] for c in body), max(c["x1"] for c in body)
        margin = [c for c in page.chars if c["x0"] > right + 2 or c["x1"] < left - 2]
        notes = [
            c
            for c in margin
            if c["size"] < 9  # not the running head or the folio
            and css.top - 3 * MM < c["top"] < page.height - css.bottom + 3 * MM
        ]
        assert notes, number
        # In the note column of the outer margin, as the CSS sets it.
        column_left, column_right = css.column_x(page, "verso" if verso else "recto")
        assert all(column_left - 1 <= c["x0"] and c["x1"] <= column_right + 1 for c in notes)
        if not verso:  # recto: right margin, the outer margin is the right one
            assert all(c["x0"] > right for c in notes)
            assert page.width - right == pytest.approx(css.recto_outer, abs=3)
            assert right - left == pytest.approx(css.text, abs=3)
        else:  # verso: left margin, mirrored page
            assert all(c["x1"] < left for c in notes)
            assert left == pytest.approx(css.verso_outer, abs=3)
            assert right - left == pytest.approx(css.text, abs=3)
            # Set ragged-left: the lines of each note end flush with the text side.
            ends = [round(max(c["x1"] for c in line), 0) for line in _lines(notes) if len(line) > 12]
            assert max(ends) - min(ends) < 2
            assert all(abs(end - column_right) < 2 for end in ends)
    continued = [n for n in built.placement.notes if n.continued]
    assert continued and all(n.page_number == 2 for n in continued)


def _lines(chars):
    lines: dict[float, list] = {}
    for char in chars:
        lines.setdefault(round(char["bottom"], 0), []).append(char)
    return lines.values()


def test_glosses_stay_where_there_is_room_and_go_where_it_is_crowded(packet):
    roomy = packet("glosses.html")
    _assert_clean(roomy)
    assert (roomy.placement.glosses_kept, roomy.placement.glosses_dropped) == (2, 1)
    assert [(g.term, g.page_number) for g in roomy.placement.dropped_glosses] == [("plenum", 1)]
    margin, text = _margin_text(roomy, 1), _page_text(roomy, 1)
    assert "council of elected" in margin and "elected by a workshop" in margin
    for drawn in (margin, text):
        assert "all the deputies together" not in drawn  # beside note a: dropped
    crowded = packet("crowded.html")
    assert crowded.placement.glosses_kept == 0 and crowded.placement.glosses_dropped == 2
    for drawn in (_margin_text(crowded, 1), _page_text(crowded, 1)):
        assert "council of elected" not in drawn


def test_us_letter_geometry(packet):
    built = packet("long_note.html", extra_css="@page { size: letter }")
    _assert_clean(built)
    pdf = built.doc
    page = pdf.pages[0]
    assert round(page.width) == 612 and round(page.height) == 792
    body = [c for c in page.chars if abs(c["size"] - 11) < 0.3]
    left, right = min(c["x0"] for c in body), max(c["x1"] for c in body)
    # Same text block and note column, measured from the outer edge.
    css = geometry()
    assert page.width - right == pytest.approx(css.outer, abs=3)
    assert right - left == pytest.approx(css.text, abs=3)
    column_left, column_right = css.column_x(page)
    notes = [c for c in page.chars if c["x0"] > right + 2]
    assert notes and all(column_left - 1 <= c["x0"] and c["x1"] <= column_right + 1 for c in notes)
    assert min(c["x0"] for c in notes) == pytest.approx(column_left, abs=1)


def test_tagged_pdf_after_moving_notes(packet):
    built = packet("crowded.html")  # written as PDF/UA-1: tagged, with notes moved across pages
    _assert_clean(built)
    pdf = built.doc
    assert "StructTreeRoot" in pdf.doc.catalog
    assert pdf.doc.catalog["MarkInfo"]["Marked"]


def test_the_audit_sees_overlaps_without_placement(packet):
    raw = packet("five_notes.html", place=False)
    assert raw.audit.overlaps  # WeasyPrint alone piles the five notes up
    assert "overlaps" in raw.audit.render()


def test_audit_report(packet):
    built = packet("crowded.html")
    report = built.audit.render()
    assert "Overlaps: 0" in report and "Missing: 0" in report
    assert 0 < built.audit.share_within(2) < 1
    assert {n.note_id_or_call for n in built.audit.moved} == {n.note_id for n in built.placement.moved()}
    assert audit_margin_notes(built.pdf, ["a", "zz"]).missing == ("zz",)  # by call letter too


def test_a_tagged_pdf_builds_its_page_references_once_per_page(monkeypatch) -> None:
    import pydyf

    built: list[int] = []
    rebuilt = pydyf.PDF.page_references
    monkeypatch.setattr(pydyf.PDF, "page_references", property(lambda pdf: built.append(1) or rebuilt.fget(pdf)))
    html = "".join(f"<h1>Part {n}</h1>" + "<p>Words and <em>more</em> words.</p>" * 60 for n in range(4))
    document = weasyprint.HTML(string=html).render(pdf_tags=True)
    plain = document.write_pdf(pdf_variant="pdf/ua-1")
    every_read = len(built)
    built.clear()
    with page_references_kept():
        kept = document.write_pdf(pdf_variant="pdf/ua-1")
    assert kept == plain
    assert every_read > 10 * len(document.pages)  # without: once per structure element
    assert 0 < len(built) <= len(document.pages) + 1  # with: once per page count


def test_a_crowded_page_makes_room_at_its_foot(packet):
    """Laid out as the packet is: the notes page 1's margin cannot hold are set at its foot,
    lettered as in the margin; the page gives up text lines for them. None continues."""
    built = packet("crowded.html", room=True)
    _assert_clean(built)
    audit = built.audit
    assert audit.share_on_call_page() == 1.0, audit.render()
    foot = [n for n in audit.notes if n.at_foot]
    assert foot and audit.continued == 0
    assert not any(n.continued for n in built.placement.notes)
    assert {n.note_id for n in built.placement.notes if n.at_foot} == {n.note_id_or_call for n in foot}
    # Each area reads top to bottom in letter order: the margin, and the foot.
    page = built.doc.pages[0]
    for at_foot in (False, True):
        letters = [built.calls[n.note_id_or_call] for n in audit.notes if n.page_number == 1 and n.at_foot == at_foot]
        tops = [_label_top(page, letter) for letter in letters]
        assert tops == sorted(tops) and len(tops) > 1
    # The foot's notes are below the text, inside the text block, not in the margin.
    body = [c for c in page.chars if abs(c["size"] - 11) < 0.3]
    body_right = max(c["x1"] for c in body)
    lowest_body = max(c["bottom"] for c in body)
    for note in foot:
        top = _label_top(page, built.calls[note.note_id_or_call])
        assert top > lowest_body
    assert all(c["x1"] <= body_right + 1 for c in page.chars if c["top"] > lowest_body and c["size"] < 9)


def test_a_note_longer_than_the_margin_starts_on_its_page_and_continues(packet):
    built = packet("too_long.html", room=True)
    _assert_clean(built)
    huge = built.placed("huge-1")
    assert huge.page_number == huge.call_page_number == 1 and huge.continued and not huge.at_foot
    first, second = (" ".join(w["text"] for w in _words(built, page)) for page in (1, 2))
    assert "\u2193 continued on p. 2" in first
    assert f"\u2191 {built.calls['huge-1']}, continued from p. 1" in second
    # Every part of it is printed once, in order, across the margins of the pages it runs on.
    margin = _dehyphenate(" ".join(_margin_text(built, page) for page in range(1, built.pages + 1)))
    parts = [int(m) for m in re.findall(r"Part (\d+):", margin)]
    assert parts == list(range(1, 60))
    # The notes called after it on its page stand on their page too.
    assert all(
        built.placed(f"after-{i}").page_number == built.placed(f"after-{i}").call_page_number for i in range(2, 5)
    )

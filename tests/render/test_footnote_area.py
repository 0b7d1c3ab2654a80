"""Footnote areas' trial layouts without absolutely positioned boxes (render/margins/
footnote_area.py) lay pages out exactly as WeasyPrint does alone: same pages, same footnote
areas, same footnotes, same absolute boxes."""

from __future__ import annotations

import weasyprint

from readingedition.render.margins import footnote_area
from readingedition.render.margins.boxes import page_box

# Footnotes of different lengths, some holding an absolutely positioned note (as a margin note
# called in an author's footnote), enough for several pages whose footnotes move on.
CSS = """
@page { size: 105mm 148mm; margin: 12mm 30mm 12mm 10mm; }
body { font: 10pt/13pt serif; }
p { position: relative; margin: 0 0 6pt; }
.fn { float: footnote; font-size: 8pt; line-height: 10pt; position: relative; }
.note { position: absolute; top: auto; right: -28mm; width: 26mm; font-size: 7pt; }
"""


def _html() -> str:
    paragraphs = []
    for n in range(24):
        words = " ".join(f"word{n}x{i}" for i in range(18 + 7 * (n % 4)))
        note = f'<span class="note">a note in footnote {n}: {"gloss " * (5 + n % 6)}</span>' if n % 3 == 0 else ""
        footnote = f'<span class="fn">Footnote {n} {"text " * (4 + 9 * (n % 5))}{note}</span>'
        paragraphs.append(f"<p>{words}{footnote} {words}</p>")
    return f"<html><body>{''.join(paragraphs)}</body></html>"


def _layout(without_absolute_boxes: bool) -> list[tuple]:
    """Every box of every page: its type, place and size, in tree order."""

    def render() -> weasyprint.Document:
        return weasyprint.HTML(string=_html()).render(stylesheets=[weasyprint.CSS(string=CSS)])

    if without_absolute_boxes:
        with footnote_area.footnote_trials_without_absolute_boxes():
            document = render()
    else:
        document = render()
    seen = []
    for page in document.pages:
        for box in page_box(page).descendants():
            element = box.element.get("class") if box.element is not None else None
            done = getattr(box, "_layout_done", None)  # of an absolutely positioned box's placeholder
            seen.append(
                (type(box).__name__, element, done, round(box.position_x, 3), round(box.position_y, 3), box.height)
            )
    return seen


def test_pages_are_laid_out_as_weasyprint_alone_lays_them_out():
    alone = _layout(without_absolute_boxes=False)
    assert sum(1 for kind, *_ in alone if kind == "PageBox") >= 3
    assert sum(1 for kind, *_ in alone if kind == "FootnoteAreaBox") >= 3
    notes = [done for kind, element, done, *_ in alone if kind == "AbsolutePlaceholder" and element == "note"]
    assert len(notes) == 8 and all(notes)  # every note in a footnote is laid out
    assert _layout(without_absolute_boxes=True) == alone

"""Editor's notes in the PDF reading packet: in the outer margin beside their line, or at the
foot of their page when its margin cannot hold them; and the back-references' page numbers.

WeasyPrint lays out each ``.margin-note`` (and each glossary ``.margin-gloss``) as an absolutely
positioned box beside the line of its call (see ``styles/pdf-margins.css``): level with its line
and outside the text flow, but free to overlap its neighbours and to run off the page. Two steps:

* while WeasyPrint makes each page (:func:`pages_make_room`), the page is asked which notes its
  column cannot hold (:func:`notes_the_page_cannot_hold`); those become footnotes of the page,
  and the page is made again, so WeasyPrint gives up text lines for them as for any footnote.
  Only pages that overflow are made twice; the document is laid out once.
* after ``render()`` and before ``write_pdf()``, :class:`MarginPlan` moves every margin note
  into the note column with no overlaps (:meth:`MarginPlan.place`).

Modules, in the order the work is done:
  pages.py         reading the laid-out pages: text block, note column, notes, calls
  placement.py     where notes go in a column: pure functions of heights and positions
  engine.py        which notes a page cannot hold; stacking, splitting, drawing
  glosses.py       glossary glosses where the column has room
  page_numbers.py  back-references' page numbers, written after layout
  results.py       what is handed back: PlacedNote, MarginPlacement
  internals.py     WeasyPrint's private internals (pinned at 70.0; checked): box helpers
  room.py          ... and the layout hook that makes a page again with notes at its foot
"""

from __future__ import annotations

from .engine import MarginPlan, place_margin_notes
from .internals import check_weasyprint_internals, page_references_kept
from .overflow import notes_the_page_cannot_hold
from .page_numbers import PAGE_NUMBER_SLOT, write_page_numbers
from .results import DroppedGloss, MarginPlacement, PlacedNote, placement_warnings
from .room import pages_make_room

__all__ = [
    "DroppedGloss",
    "MarginPlacement",
    "MarginPlan",
    "PAGE_NUMBER_SLOT",
    "PlacedNote",
    "check_weasyprint_internals",
    "notes_the_page_cannot_hold",
    "page_references_kept",
    "pages_make_room",
    "place_margin_notes",
    "placement_warnings",
    "write_page_numbers",
]

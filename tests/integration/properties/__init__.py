"""Property tests of anchoring and layout, with Hypothesis (a module per property).

* Random notes and glossary terms on random passages of a generated text always give a valid
  edition with every note present: passages at paragraph ends, inside and across italics,
  overlapping, inside footnotes and just before footnote markers, and two notes on one passage.
* Random edits of the text never crash the anchoring: it succeeds, or refuses with A001/A002/A003
  naming the note's file and line.
* Random notes of random lengths on a dense page never overlap in the PDF's margin.

The text is made of distinct words (w0 w1 w2 …), so any run of words occurs once and quotes
need no prefix. Everything is built in-process (load_edition, anchor_edition, render_epub /
render_pdf); example counts are kept small so that they run in well under 20 s.
"""

from hypothesis import HealthCheck

# Each example builds an edition: no deadline, and no complaint that generating one is slow.
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

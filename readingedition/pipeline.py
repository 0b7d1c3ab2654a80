"""The library behind the command line: build() and check() wire the stages together in one
place (load -> anchor -> render -> check), for cli.py and watch/ alike. Editions are written
together (output.py), so a failed build leaves the previous editions untouched.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .diagnostics import Diagnostic
from .output import write_together


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Progress:
    """A build's progress on stderr: each stage with its time, each warning once (the PDF and
    the booklet may find the same)."""

    def __init__(self, root: Path) -> None:
        self.start, self.root, self.said = time.perf_counter(), root, set()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        _progress(f"  {what} ({now - self.start:.2f} s)")
        self.start = now

    def warn(self, warnings: tuple) -> None:
        for warning in warnings:
            if warning not in self.said:
                self.said.add(warning)
                _progress(warning.render(self.root))


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def build(root: Path, out: Path, formats: tuple[str, ...] = ()) -> list[Path]:
    """Build the editions named in `formats` (epub, pdf, booklet), or all of them; the booklet
    comes with the PDF when the metadata says `booklet: true`."""
    from .anchor import anchor_edition
    from .load import load_edition

    progress = _Progress(root)
    edition = load_edition(root)
    progress.lap(
        f"loaded {edition.name}: {len(edition.annotations.notes)} notes, "
        f"{len(edition.annotations.glossary)} glossary terms"
    )
    annotated = anchor_edition(edition)
    progress.warn(annotated.report.warnings)
    progress.lap(annotated.report.render())
    formats = formats or ("epub", "pdf")
    if edition.metadata.booklet and "pdf" in formats:
        formats = (*formats, "booklet")
    jobs = []
    if "epub" in formats:
        from .render.epub import render_epub

        jobs.append((f"{edition.name}.epub", lambda path: (render_epub(annotated, path), progress.lap("EPUB written"))))
    if "pdf" in formats:
        from .render.pdf import render_pdf

        jobs.append((f"{edition.name}.pdf", lambda path: _report_pdf(render_pdf(annotated, path), progress)))
    if "booklet" in formats:
        from .render.booklet import render_booklet

        jobs.append(
            (f"{edition.name}-booklet.pdf", lambda path: _report_booklet(render_booklet(annotated, path), progress))
        )
    write_together(out, jobs)
    built = [out / name for name, _ in jobs]
    for path in built:
        print(f"built {path} ({_size(path)})")
    return built


def _report_booklet(result, progress: _Progress) -> None:
    progress.lap(f"booklet imposed: {result.pages} pages on {(result.pages + 3) // 4} sheets")
    progress.warn(result.warnings)


def _report_pdf(result, progress: _Progress) -> None:
    notes = result.placement.notes
    progress.lap(
        f"PDF laid out: {result.pages} pages, {len(notes)} editor's notes, "
        f"{sum(note.at_foot for note in notes)} at the page foot, {len(result.placement.moved())} in the margin "
        "more than two lines from their call"
    )
    progress.warn(result.warnings)


def check(root: Path, out: Path, editions: bool) -> bool:
    from .anchor import anchor_edition
    from .load import load_edition

    edition = load_edition(root)
    annotated = anchor_edition(edition)
    from .check.citations import doubled_citations

    for warning in (*annotated.report.warnings, *doubled_citations(annotated)):
        _progress(warning.render(root))
    print(f"annotations valid: {annotated.report.render()}")
    print(annotated.report.render_terms())
    if not editions:
        return True
    problems: list[Diagnostic] = []
    ok = True
    if (root / "src_text" / "recipe.yaml").is_file():
        from .clean import check_source_fidelity

        report = check_source_fidelity(root)
        print(report.render())
        problems.extend(report.diagnostics())
        ok = report.ok
    from .check import check_editions

    result = check_editions(annotated, out)
    for line in result.summary:
        print(line)
    problems.extend(result.diagnostics)
    for problem in problems:
        _progress(problem.render(root))
    failed = ([] if ok else ["source fidelity (src_text/recipe.yaml)"]) + list(result.failed)
    ok &= result.ok
    print("all checks passed" if ok else f"CHECKS FAILED: {'; '.join(failed)}")
    return ok

"""The command line: `python build.py [all|epub|pdf|check|clean] [--root DIR] [--out DIR]`.

Wires the stages together in one place. Editions are written to a temporary file beside the
target and renamed into place, so a failed build leaves the previous edition untouched.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .diagnostics import BuildFailed

REPOSITORY = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        _progress(f"  {what} ({now - self.start:.2f} s)")
        self.start = now


def _write_atomically(target: Path, write: Callable[[Path], object]) -> object:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        result = write(Path(scratch))
        os.chmod(scratch, 0o644)
        os.replace(scratch, target)
        return result
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def build(root: Path, out: Path, formats: tuple[str, ...]) -> list[Path]:
    from .anchor import anchor_edition
    from .load import load_edition

    timer = _Timer()
    edition = load_edition(root)
    timer.lap(f"loaded {edition.name}: {len(edition.annotations.notes)} notes, "
              f"{len(edition.annotations.glossary)} glossary terms")
    annotated = anchor_edition(edition)
    for warning in annotated.report.warnings:
        _progress(warning.render(root))
    timer.lap(annotated.report.render())
    built = []
    if "epub" in formats:
        from .render.epub import render_epub
        target = out / f"{edition.name}.epub"
        _write_atomically(target, lambda path: render_epub(annotated, path))
        timer.lap("EPUB written")
        built.append(target)
    if "pdf" in formats:
        from .render.pdf import render_pdf
        target = out / f"{edition.name}.pdf"
        result = _write_atomically(target, lambda path: render_pdf(annotated, path))
        moved = result.placement.moved()
        timer.lap(f"PDF laid out: {result.pages} pages, {len(result.placement.notes)} margin notes, "
                  f"{len(moved)} moved more than two lines")
        for note in moved:
            where = "continued on the next page" if note.continued else f"{note.lines_moved:.1f} lines"
            _progress(f"    note {note.note_id} ({note.call}) on p. {note.call_page_number}: moved {where}")
        built.append(target)
    for path in built:
        print(f"built {path} ({_size(path)})")
    return built


def check(root: Path, out: Path, editions: bool) -> bool:
    from .anchor import anchor_edition
    from .load import load_edition

    edition = load_edition(root)
    annotated = anchor_edition(edition)
    from .check.citations import doubled_citations
    for warning in (*annotated.report.warnings, *doubled_citations(annotated)):
        print(warning.render(root))
    print(f"annotations valid: {annotated.report.render()}")
    print(annotated.report.render_terms())
    if not editions:
        return True
    ok = True
    if (root / "src_text" / "recipe.yaml").is_file():
        from .clean import check_source_fidelity
        report = check_source_fidelity(root)
        print(report.render())
        ok = report.ok
    from .check import check_editions
    return check_editions(annotated, out) and ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the reading editions (EPUB and PDF) of an edition directory.")
    parser.add_argument("command", nargs="?", default="all", choices=["all", "epub", "pdf", "check", "clean"],
                        help="all (default): both editions; epub; pdf; check: validate and anchor the annotations "
                             "without rendering (with --editions, also check the built editions); clean: "
                             "regenerate src_text/*.md from the raw text and its recipe")
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="the edition directory (default: this repository)")
    parser.add_argument("--out", type=Path, default=None, help="where editions go (default: ROOT/output)")
    parser.add_argument("--editions", action="store_true",
                        help="with check: also run epubcheck, the fidelity checks and the margin-note audit "
                             "on the built editions")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out = (args.out or root / "output").resolve()
    try:
        if args.command == "clean":
            from .clean import clean_edition
            print(f"wrote {clean_edition(root)}")
            return 0
        if args.command == "check":
            return 0 if check(root, out, args.editions) else 1
        formats = ("epub", "pdf") if args.command == "all" else (args.command,)
        build(root, out, formats)
        return 0
    except BuildFailed as failure:
        for diagnostic in failure.diagnostics:
            print(diagnostic.render(root), file=sys.stderr)
        count = len(failure.diagnostics)
        step, unchanged = ("clean", root / "src_text") if args.command == "clean" else ("build", out)
        print(f"{step} failed: {count} error{'s' * (count != 1)}; {unchanged} is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130



"""The command line: `readingedition build|check|new|watch|clean-text` (also `python -m
readingedition`, and build.py in a checkout). `--help` at every level.

build() and check() wire the stages together in one place. Editions are written together
(output.py), so a failed build leaves the previous editions untouched.
"""

from __future__ import annotations

import argparse
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from .diagnostics import BuildFailed, Diagnostic
from .output import write_together


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        _progress(f"  {what} ({now - self.start:.2f} s)")
        self.start = now


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def build(root: Path, out: Path, formats: tuple[str, ...] = ()) -> list[Path]:
    """Build the editions named in `formats` (epub, pdf, booklet), or all of them; the booklet
    comes with the PDF when the metadata says `booklet: true`."""
    from .anchor import anchor_edition
    from .load import load_edition

    timer = _Timer()
    edition = load_edition(root)
    timer.lap(
        f"loaded {edition.name}: {len(edition.annotations.notes)} notes, "
        f"{len(edition.annotations.glossary)} glossary terms"
    )
    annotated = anchor_edition(edition)
    for warning in annotated.report.warnings:
        _progress(warning.render(root))
    timer.lap(annotated.report.render())
    formats = formats or ("epub", "pdf")
    if edition.metadata.booklet and "pdf" in formats:
        formats = (*formats, "booklet")
    jobs = []
    if "epub" in formats:
        from .render.epub import render_epub

        jobs.append((f"{edition.name}.epub", lambda path: (render_epub(annotated, path), timer.lap("EPUB written"))))
    if "pdf" in formats:
        from .render.pdf import render_pdf

        jobs.append((f"{edition.name}.pdf", lambda path: _report_pdf(render_pdf(annotated, path), timer, root)))
    if "booklet" in formats:
        from .render.booklet import render_booklet

        jobs.append(
            (f"{edition.name}-booklet.pdf", lambda path: _report_booklet(render_booklet(annotated, path), timer))
        )
    write_together(out, jobs)
    built = [out / name for name, _ in jobs]
    for path in built:
        print(f"built {path} ({_size(path)})")
    return built


def _report_booklet(result, timer: _Timer) -> None:
    timer.lap(f"booklet imposed: {result.pages} pages on {(result.pages + 3) // 4} sheets")


def _report_pdf(result, timer: _Timer, root: Path) -> None:
    moved = result.placement.moved()
    timer.lap(
        f"PDF laid out: {result.pages} pages, {len(result.placement.notes)} margin notes, "
        f"{len(moved)} moved more than two lines"
    )
    for note in moved:
        where = "continued on the next page" if note.continued else f"{note.lines_moved:.1f} lines"
        _progress(f"    note {note.note_id} ({note.call}) on p. {note.call_page_number}: moved {where}")
    for warning in result.refused:
        _progress(warning.render(root))


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


# build.py's commands before `readingedition` had subcommands; still accepted.
_LEGACY = {"all": ["build"], "epub": ["build", "epub"], "pdf": ["build", "pdf"], "clean": ["clean-text"]}
FORMATS = ("epub", "pdf", "booklet")


def _version() -> str:
    try:
        return metadata.version("readingedition")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def _format(name: str) -> str:
    # (not `choices`: argparse 3.11 refuses an empty list against them)
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"{name!r} is not one of: {', '.join(FORMATS)}")
    return name


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build annotated reading editions (an EPUB and a PDF reading packet) from an "
        "edition directory: src_text/, annotations/ and, optionally, styles/.",
    )
    parser.add_argument("--version", action="version", version=f"readingedition {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    _add_build_commands(commands)
    _add_authoring_commands(commands)
    return parser


def _command(
    commands: Any, name: str, summary: str, details: str = "", *, edition: bool = True
) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=summary, description=summary + (" " + details if details else ""))
    if edition:
        sub.add_argument(
            "--root",
            type=Path,
            help="the edition directory (default: the current directory, if it holds src_text/)",
        )
        sub.add_argument("--out", type=Path, help="where the editions go (default: ROOT/output)")
    return sub


def _add_build_commands(commands: Any) -> None:
    build_command = _command(
        commands,
        "build",
        "build the editions: all of them (the default), or those named.",
        "The booklet is built when the metadata says `booklet: true`, or when named.",
    )
    build_command.add_argument(
        "formats",
        nargs="*",
        type=_format,
        metavar="FORMAT",
        help="epub, pdf or booklet (the PDF on A5 or half-letter pages, imposed two-up "
        "for printing, folding and stapling)",
    )
    check_command = _command(commands, "check", "validate and anchor the annotations, without rendering.")
    check_command.add_argument(
        "--editions",
        action="store_true",
        help="also run epubcheck, the fidelity checks and the margin-note audit on the built editions",
    )


def _add_authoring_commands(commands: Any) -> None:
    new_command = _command(
        commands,
        "new",
        "start an edition: write a small working one into DIR.",
        "It has a chapter, notes, a glossary entry, a reference, every metadata key "
        "(commented) and a Makefile of its own.",
        edition=False,
    )
    new_command.add_argument(
        "directory", type=Path, metavar="DIR", help="a directory that does not exist yet, or an empty one"
    )
    watch_command = _command(
        commands,
        "watch",
        "rebuild on every save, and preview the EPUB in a browser.",
        "Serves ROOT/output on 127.0.0.1 (a free port unless --port) with a page showing the "
        "chapters, reloaded after each build; Ctrl-C stops.",
    )
    watch_command.add_argument(
        "formats", nargs="*", type=_format, metavar="FORMAT", help="what to rebuild (default: as `build`)"
    )
    watch_command.add_argument("--port", type=int, default=0, help="the port to serve on (default: a free one)")
    _command(commands, "clean-text", "regenerate src_text/*.md from the raw text and src_text/recipe.yaml.")


def _arguments(argv: list[str]) -> list[str]:
    """Translate build.py's old commands (`all`, `epub`, `pdf`, `clean`) to the subcommands."""
    if argv and argv[0] in _LEGACY:
        return [*_LEGACY[argv[0]], *argv[1:]]
    return argv


def edition_root(given: Path | None, fallback: Path | None = None) -> Path:
    """--root if given; else the current directory if it holds src_text/; else `fallback`, said aloud."""
    if given is not None:
        return given.resolve()
    here = Path.cwd()
    if (here / "src_text").is_dir():
        return here
    if fallback is not None:
        _progress(f"building the edition in {fallback}")
        return fallback
    raise BuildFailed((Diagnostic("E001", f"{here} is not an edition directory: it has no src_text/ folder"),))


def main(argv: list[str] | None = None, *, prog: str = "readingedition", fallback_root: Path | None = None) -> int:
    """The `readingedition` command (and `python -m readingedition`). build.py passes its own
    directory as `fallback_root`, and an empty command line there means `build`."""
    arguments = _arguments(list(sys.argv[1:] if argv is None else argv))
    if not arguments and fallback_root is not None:
        arguments = ["build"]
    parser = _parser(prog)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "new":
            from .new import new_edition

            root = new_edition(args.directory)
            print(f"wrote a new edition in {root}; `make` there builds it")
            return 0
        root = edition_root(args.root, fallback_root)
    except BuildFailed as failure:
        return _failed(failure, Path.cwd(), args.command, "")
    out = (args.out or root / "output").resolve()
    try:
        return _run(args, root, out)
    except BuildFailed as failure:
        step, unchanged = ("clean", root / "src_text") if args.command == "clean-text" else ("build", out)
        return _failed(failure, root, step, f"; {unchanged} is unchanged")
    except KeyboardInterrupt:
        return 130


def _failed(failure: BuildFailed, root: Path, step: str, unchanged: str) -> int:
    for diagnostic in failure.diagnostics:
        print(diagnostic.render(root), file=sys.stderr)
    count = len(failure.diagnostics)
    print(f"{step} failed: {count} error{'s' * (count != 1)}{unchanged}", file=sys.stderr)
    return 1


def _run(args: argparse.Namespace, root: Path, out: Path) -> int:
    if args.command == "clean-text":
        from .clean import clean_edition

        print(f"wrote {clean_edition(root)}")
        return 0
    if args.command == "check":
        return 0 if check(root, out, args.editions) else 1
    if args.command == "watch":
        from .watch import watch

        watch(root, out, tuple(args.formats), port=args.port)
        return 0
    build(root, out, tuple(args.formats))
    return 0

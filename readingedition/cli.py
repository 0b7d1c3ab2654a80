"""The command line: `readingedition build|check|new|watch|clean-text` (also `python -m
readingedition`, and build.py in a checkout). `--help` at every level.

It parses the arguments, calls the library (pipeline.py's build() and check(), new.py, clean/,
watch/) and prints the diagnostics of a failed run.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from .diagnostics import BuildFailed, Diagnostic
from .pipeline import build, check

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
        print(f"building the edition in {fallback}", file=sys.stderr, flush=True)
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

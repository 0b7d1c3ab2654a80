"""Reading an editor's files, with a clear message when one cannot or must not be read.

An edition may come from anyone: a file that is a link leading out of the edition, or a pipe
or device (which would hang the build), is refused before it is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..diagnostics import BuildFailed, Diagnostic


def read_utf8(path: Path, root: Path | None = None) -> str:
    """The file's text (a byte-order mark dropped), or F002/F003 with the line of the bad byte;
    with `root`, F006 if the file (a symlink) lies outside it; F005 for a pipe, device or socket."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise BuildFailed((Diagnostic("F006", f"the file is a link to {path.resolve()}, outside the edition", path),))
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise BuildFailed((Diagnostic("F002", f"cannot read the file: {error.strerror}", path),)) from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise BuildFailed((Diagnostic("F005", "the file is not a regular file (a pipe, device or socket)", path),))
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BuildFailed((Diagnostic("F002", f"cannot read the file: {error.strerror}", path),)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BuildFailed(
            (Diagnostic("F003", f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})", path, line),)
        ) from None


def listed(directory: Path, *patterns: str) -> list[Path]:
    """The files in a directory matching the patterns, each pattern's sorted by name; F007 if
    the directory cannot be read (which would otherwise look like an empty one)."""
    try:
        os.listdir(directory)
    except OSError as error:
        raise BuildFailed((Diagnostic("F007", f"cannot read the directory: {error.strerror}", directory),)) from None
    return [path for pattern in patterns for path in sorted(directory.glob(pattern))]

"""Reading an editor's file as text, with a clear message when it cannot be read."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import BuildFailed, Diagnostic


def read_utf8(path: Path) -> str:
    """The file's text (a byte-order mark dropped), or F002/F003 with the line of the bad byte."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BuildFailed((Diagnostic("F002", f"cannot read the file: {error.strerror}", path),))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BuildFailed((Diagnostic("F003", f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})", path, line),))

"""Editions change together or not at all.

Every requested edition is written to a temporary file beside its target; only when all have
succeeded are they moved into place. A failure, a full disk or an interrupted build leaves the
output directory as it was. A build that was killed cannot remove its temporary files, so each
build removes those left by builds that are no longer running (their names carry the process id).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .diagnostics import BuildFailed, Diagnostic

Writer = Callable[[Path], Any]
_SCRATCH = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.part")


def write_together(out: Path, jobs: list[tuple[str, Writer]]) -> list[Any]:
    """Run each (file name, writer) on a temporary file in `out`, then move all into place;
    what each writer returned. An OSError becomes F008 naming the file."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cannot_write(out, error) from None
    remove_stale(out)
    written: list[tuple[Path, Path]] = []
    results = []
    try:
        for name, write in jobs:
            target = out / name
            if target.is_dir():
                raise BuildFailed((Diagnostic("F008", f"cannot write {target}: it is a directory"),))
            try:
                handle, scratch = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".part", dir=out)
                os.close(handle)
            except OSError as error:
                raise _cannot_write(target, error) from None
            written.append((Path(scratch), target))
            try:
                results.append(write(Path(scratch)))
                os.chmod(scratch, 0o644)
            except OSError as error:
                raise _cannot_write(target, error) from None
        for scratch, target in written:
            os.replace(scratch, target)
    finally:
        for scratch, _ in written:
            if scratch.exists():
                scratch.unlink()
    return results


def _cannot_write(target: Path, error: OSError) -> BuildFailed:
    return BuildFailed((Diagnostic("F008", f"cannot write {target}: {error.strerror or error}"),))


def remove_stale(out: Path) -> None:
    """Remove the temporary files of builds that were killed (their process is gone)."""
    for path in out.glob(".*.part"):
        match = _SCRATCH.fullmatch(path.name)
        if match and not _running(int(match["pid"])):
            try:
                path.unlink()
            except OSError:
                pass  # another build cleaned it first


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid at all): leave its file alone
    return True

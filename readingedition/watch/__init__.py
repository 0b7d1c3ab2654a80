"""`readingedition watch`: rebuild on every save, and serve a preview that reloads itself.

Polls the modification times of the text, the annotations and the style sheets (a fifth of a
second apart: cheap, and the same on every system). Each change rebuilds the EPUB first, with
the build cache, and tells the preview page (which then reloads), then the PDF. A failed build
prints its errors, shows them on the page, and the watcher carries on. Ctrl-C stops it.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from ..diagnostics import BuildFailed
from .server import BuildState, PreviewServer

WATCHED = ("src_text/*.md", "annotations/*.yaml", "annotations/*.yml", "styles/*")
POLL_SECONDS = 0.2
Snapshot = dict[Path, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """The modification time and size of every watched file."""
    found: Snapshot = {}
    for pattern in WATCHED:
        for path in root.glob(pattern):
            try:
                status = path.stat()
            except OSError:  # deleted while we looked
                continue
            found[path] = (status.st_mtime_ns, status.st_size)
    return found


def changes(before: Snapshot, after: Snapshot, root: Path) -> list[str]:
    """What changed, for a person: each file's path in the edition, and how."""
    said = []
    for path in sorted(before.keys() | after.keys()):
        how = "added" if path not in before else "removed" if path not in after else "changed"
        if how != "changed" or before[path] != after[path]:
            said.append(f"{path.relative_to(root)} ({how})" if how != "changed" else str(path.relative_to(root)))
    return said


def watch(root: Path, out: Path, formats: tuple[str, ...] = (), *, port: int = 0) -> None:
    """Build, serve the preview, and rebuild after every save, until Ctrl-C."""
    from ..pipeline import build

    state = BuildState(out)
    server = PreviewServer(state, port)
    print(f"watching {root}; the preview is at {server.url} (Ctrl-C stops)", flush=True)
    try:
        seen = snapshot(root)
        _rebuild(root, out, formats, state, build)
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(root)
            changed = changes(seen, now, root)
            if changed:
                seen = now
                print(f"changed: {', '.join(changed)}", flush=True)
                _rebuild(root, out, formats, state, build)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        server.stop()


def _rebuild(
    root: Path, out: Path, formats: tuple[str, ...], state: BuildState, build: Callable[..., list[Path]]
) -> None:
    """The EPUB first, so that the page reloads without waiting for the PDF; then the rest."""
    wanted = formats or ("epub", "pdf")
    steps = [("epub",)] if "epub" in wanted else []
    rest = tuple(name for name in wanted if name != "epub")
    steps += [rest] if rest else []
    for step in steps:
        started = time.perf_counter()
        try:
            built = build(root, out, step)
        except BuildFailed as failure:
            report = "\n".join(diagnostic.render(root) for diagnostic in failure.diagnostics)
            print(f"{report}\nbuild failed; the previous editions are still in {out}", file=sys.stderr, flush=True)
            state.built(None, report)
            return
        except Exception:  # a bug in the builder: report it and keep watching
            report = traceback.format_exc()
            print(report, file=sys.stderr, flush=True)
            state.built(None, report)
            return
        epub = next((path.name for path in built if path.suffix == ".epub"), None)
        if epub:
            state.built(epub)
        print(f"rebuilt {', '.join(step)} in {time.perf_counter() - started:.2f} s", flush=True)

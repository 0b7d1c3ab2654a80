"""`readingedition watch`: from a saved note to the preview page showing it."""

from __future__ import annotations

import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from editions import edit_one_note
from measuring import REPO, Plan, progress


def _page_version(url: str, newer_than: int, timeout: float = 60) -> int:
    """Fetch the preview page until it comes from a build after version `newer_than`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:
            version = int(re.search(r'data-version="(\d+)"', response.read().decode())[1])
        if version > newer_than:
            return version
        time.sleep(0.05)
    raise RuntimeError(f"the preview was not rebuilt after version {newer_than}")


def bench_watch(plan: Plan, work: Path) -> dict[str, Any]:
    """A saved note, from the file to the watcher's preview page (see watch_note_edit_s)."""
    root = work / "watched"
    for part in ("src_text", "annotations"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("raw"))
    watcher = subprocess.Popen(
        [sys.executable, "-m", "readingedition", "watch", "epub"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = next(
            line.split("the preview is at ")[1].split()[0] for line in watcher.stdout if "the preview is at" in line
        )
        version = _page_version(url, 0)
        times = []
        for _ in range(plan.watch_runs):
            edit_one_note(root)
            started = time.perf_counter()
            version = _page_version(url, version)
            times.append(time.perf_counter() - started)
            progress(f"watch: note edit shown in {times[-1]:.2f} s")
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
    return {"watch_note_edit_s": statistics.median(times), "watch_runs": plan.watch_runs}

"""The book's peak memory, and anchoring at 1x, 10x and 100x the text and notes: each measured in
a fresh process."""

from __future__ import annotations

import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from editions import book_edition
from measuring import REPO, Plan, Sample, progress, timed
from synthetic import make_edition

from readingedition.anchor import anchor_edition
from readingedition.load import load_edition

# The probe reports VmHWM, the peak RSS of its own address space since exec. Not ru_maxrss: Linux
# carries the parent's RSS at fork/vfork time into the child's ru_maxrss across exec, so a child
# of this (large) process would report at least this process's size.
MEMORY_PROBE = """
import sys
from readingedition.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as status_file:
    fields = dict(line.split(":", 1) for line in status_file)
print(f"VMHWM {fields['VmHWM'].split()[0]}", file=sys.stderr)
sys.exit(status)
"""


def bench_memory(plan: Plan, work: Path) -> dict[str, Any]:
    """Peak RSS of a whole `build.py all` of the book, in a fresh process (pandoc's own processes,
    which run while Python waits, are not counted)."""
    root, _ = book_edition(plan, work)
    progress("memory: build.py all on the book in a subprocess")
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, "all", "--root", str(root), "--out", out],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
    line = next((row for row in done.stderr.splitlines() if row.startswith("VMHWM")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"the book build failed:\n{done.stderr[-3000:]}")
    return {"peak_mem_mb": int(line.split()[1]) / 1024, "book_cli_all_s": wall}


def _anchor_times(root: Path, runs: int) -> tuple[list[Sample], float, int, int]:
    edition, load = timed(lambda: load_edition(root))
    times = []
    for _ in range(runs):
        annotated, sample = timed(lambda: anchor_edition(edition))
        times.append(sample)
        del annotated
    return times, load.wall, len(edition.annotations.notes), len(edition.annotations.glossary)


def bench_anchor(plan: Plan, work: Path) -> dict[str, Any]:
    """Anchoring alone (load excluded) at 1x, 10x and 100x the text and notes, each case in a
    fresh Python process (as `build.py` anchors in one), so that what the book left in this
    process's heap does not weigh on it."""
    figures: dict[str, Any] = {}
    cases = (
        ("1x", 1, plan.book_extra_terms, plan.scale_runs),
        ("10x", 10, plan.book_extra_terms, plan.scale_runs),
        ("100x", plan.big_chapters, plan.big_extra_terms, plan.big_runs),
    )
    for name, chapters, extra_terms, runs in cases:
        root = work / f"anchor-{name}"
        progress(f"anchor: {name} ({chapters} chapters), {runs} runs")
        make_edition(REPO, root, chapters=chapters, notes_per_chapter=plan.notes_per_chapter, extra_terms=extra_terms)
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as fresh:
            times, load, notes, terms = fresh.submit(_anchor_times, root, runs).result()
        figures.update(
            {
                f"anchor_{name}_s": statistics.median(t.wall for t in times),
                f"anchor_{name}_cpu_s": statistics.median(t.cpu for t in times),
                f"anchor_{name}_runs": runs,
                f"anchor_{name}_notes": notes,
                f"anchor_{name}_terms": terms,
                f"anchor_{name}_chapters": chapters,
            }
        )
        if name == "100x":
            figures["load_100x_s"] = load
        shutil.rmtree(root)
    figures["anchor_scaling_10x"] = figures["anchor_10x_s"] / figures["anchor_1x_s"]
    figures["anchor_scaling_10x_cpu"] = figures["anchor_10x_cpu_s"] / figures["anchor_1x_cpu_s"]
    return figures

"""`make` in a snapshot of the repository: no-op, what each input rebuilds, -j1 against -j2."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measuring import REPO, Plan, progress, run_command

SNAPSHOT = ("Makefile", "build.py", "pyproject.toml", "requirements.lock", "src_text", "annotations", "readingedition")
PROBES = (
    "annotations/notes.yaml",
    "annotations/glossary.yaml",
    "readingedition/styles/epub.css",
    "readingedition/styles/pdf.css",
    "readingedition/styles/pdf-margins.css",
    "readingedition/render/epub.py",
    "readingedition/render/pdf.py",
    "readingedition/anchor/__init__.py",
)


def snapshot(target: Path) -> Path:
    """A copy of the repository's build inputs (times kept), with a venv stand-in that runs ours."""
    target.mkdir(parents=True)
    for name in SNAPSHOT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    (target / "output").mkdir()
    venv = target / ".venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(  # logs when each build command starts and ends, to see them overlap
        f'#!/bin/sh\necho "start $$ $(date +%s.%N) $*" >> "{venv}/calls.log"\n"{sys.executable}" "$@"\n'
        f'status=$?\necho "end $$ $(date +%s.%N) $*" >> "{venv}/calls.log"\nexit $status\n'
    )
    python.chmod(0o755)
    for stamp in (".installed", ".font"):  # newer than pyproject.toml: make must not reinstall
        (venv / stamp).touch()
    return target


def _make(snap: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["make", *args], cwd=snap, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"make {' '.join(args)} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done


def _rebuilds(snap: Path) -> dict[str, list[str]]:
    """For each probe input: which targets a dry run rebuilds after touching it."""
    found = {}
    for name in PROBES:
        path = snap / name
        if not path.exists():
            continue
        before = path.stat()
        os.utime(path, (before.st_atime, time.time() + 5))
        commands = _make(snap, "-n").stdout
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        found[name] = [t for t in ("epub", "pdf") if f"build.py {t}" in commands]
    return found


def _overlap(log: Path) -> float:
    """Seconds during which the EPUB and the PDF build ran at the same time (from calls.log)."""
    spans: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        event, pid, stamp, *command = line.split()
        target = next((t for t in ("epub", "pdf") if t in command), None)
        if target:
            spans.setdefault(target, []).append(float(stamp))
    if len(spans) < 2:
        return 0.0
    (epub_start, epub_end), (pdf_start, pdf_end) = spans["epub"][:2], spans["pdf"][:2]
    return max(0.0, min(epub_end, pdf_end) - max(epub_start, pdf_start))


def _clean_build(snap: Path, jobs: str) -> tuple[float, float]:
    """Wall time of `make <jobs>` after `make clean`, and how long EPUB and PDF builds overlapped."""
    _make(snap, "clean")
    log = snap / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    wall = run_command(["make", jobs], cwd=snap).wall
    return wall, _overlap(log)


def bench_make(plan: Plan, work: Path) -> dict[str, Any]:
    snap = snapshot(work / "snapshot")
    progress("make: full build in a snapshot of the repository")
    _make(snap)
    noop = [run_command(["make"], cwd=snap).wall for _ in range(plan.make_runs)]
    rebuilds = _rebuilds(snap)
    runs: dict[str, list[tuple[float, float]]] = {"-j1": [], "-j2": []}
    for run in range(plan.parallel_runs):
        progress(f"make: -j1 and -j2 after make clean, run {run + 1} of {plan.parallel_runs}")
        for jobs, results in runs.items():
            results.append(_clean_build(snap, jobs))
    j1_s = statistics.median(wall for wall, _ in runs["-j1"])
    j2_s = statistics.median(wall for wall, _ in runs["-j2"])
    return {
        "noop_make_s": statistics.median(noop),
        "noop_make_runs": plan.make_runs,
        "make_rebuilds": rebuilds,
        "make_j1_s": j1_s,
        "make_j2_s": j2_s,
        "make_parallel_speedup": j1_s / j2_s,
        "make_j2_overlap_s": statistics.median(overlap for _, overlap in runs["-j2"]),
        "make_j1_overlap_s": statistics.median(overlap for _, overlap in runs["-j1"]),
        "make_parallel_runs": plan.parallel_runs,
    }

"""How the benchmark measures: its plans (full and quick), timed calls and their samples."""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


@dataclass(frozen=True)
class Plan:
    essay_runs: int = 5
    book_runs: int = 3
    book_chapters: int = 20
    notes_per_chapter: int = 40
    book_extra_terms: int = 110  # + the essay's 40
    scale_runs: int = 7  # anchoring at 1x and 10x
    big_chapters: int = 100
    big_extra_terms: int = 360  # + the essay's 40
    big_runs: int = 3
    make_runs: int = 5
    watch_runs: int = 5
    parallel_runs: int = 2
    quick: bool = False


FULL = Plan()
QUICK = replace(
    FULL,
    essay_runs=1,
    book_runs=1,
    book_chapters=3,
    scale_runs=3,
    big_chapters=20,
    big_runs=1,
    make_runs=2,
    parallel_runs=1,
    watch_runs=2,
    quick=True,
)


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # this process and its waited-for children


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(call: Callable[[], Any]) -> tuple[Any, Sample]:
    gc.collect()
    cpu, wall = _cpu_now(), time.perf_counter()
    result = call()
    return result, Sample(time.perf_counter() - wall, _cpu_now() - cpu)


class Samples(dict):
    """name -> list of Samples, one per run."""

    def add(self, name: str, sample: Sample) -> None:
        self.setdefault(name, []).append(sample)

    def wall(self, name: str) -> float:
        return statistics.median(s.wall for s in self[name])

    def cpu(self, name: str) -> float:
        return statistics.median(s.cpu for s in self[name])

    def summed(self, names: tuple[str, ...]) -> list[Sample]:
        runs = zip(*(self[n] for n in names))
        return [Sample(sum(s.wall for s in run), sum(s.cpu for s in run)) for run in runs]


def run_command(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    def call() -> None:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    return timed(call)[1]

"""What was measured, and on what: the source's state and the machine."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import pypandoc
import weasyprint
from measuring import REPO


def source_state() -> dict[str, Any]:
    """Which code was measured: HEAD and the product files changed since (read-only git calls)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    status = git("status", "--porcelain", "--", "readingedition", "styles", "Makefile", "build.py")
    changed = [line.split(maxsplit=1)[1] for line in status.splitlines()]
    return {"head": git("rev-parse", "--short", "HEAD"), "uncommitted_product_files": changed}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pandoc = subprocess.run([pypandoc.get_pandoc_path(), "--version"], capture_output=True, text=True)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "pandoc": pandoc.stdout.split("\n", 1)[0],
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }

"""`readingedition new DIR`: start an edition from the template (package data in template/).

The template is a small edition that builds as it is: a chapter, notes, a glossary entry, a
reference, its metadata with every key commented, a pdf.css to start from and a Makefile that
calls the installed command.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from .diagnostics import BuildFailed, Diagnostic


def new_edition(directory: Path) -> Path:
    """Write the template into `directory` (new or empty); its absolute path."""
    target = directory.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BuildFailed((Diagnostic("E002", f"{target} already exists and is not an empty directory"),))
    with resources.as_file(resources.files("readingedition") / "template") as template:
        shutil.copytree(template, target, dirs_exist_ok=True)
    return target

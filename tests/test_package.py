"""The package as pip installs it: a wheel holding everything a build needs, and a `readingedition`
command that builds an edition anywhere, without this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPOSITORY


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPOSITORY), "--no-deps", "--quiet", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("readingedition-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, str]:
    """The wheel installed into a directory of its own: the environment that runs its command
    (the dependencies come from this environment)."""
    target = tmp_path_factory.mktemp("installed")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return {**os.environ, "PYTHONPATH": str(target), "PATH": f"{target / 'bin'}{os.pathsep}{os.environ['PATH']}"}


def test_the_wheel_holds_the_styles_csl_schema_labels_and_template(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    for name in (
        "styles/pdf.css",
        "styles/pdf-margins.css",
        "styles/pdf-letter.css",
        "styles/pdf-a5.css",
        "styles/pdf-half-letter.css",
        "styles/epub.css",
        "watch/preview.html",
        "watch/preview.js",
        "styles/citation-style.csl",
        "schema/annotations.schema.json",
        "load/labels.yaml",
        "template/Makefile",
        "template/src_text/text.md",
        "template/annotations/notes.yaml",
    ):
        assert f"readingedition/{name}" in names, name
    assert "readingedition = readingedition.cli:main" in entry_points


def test_the_installed_command_makes_and_builds_an_edition_outside_the_repository(installed, tmp_path):
    where = subprocess.run(
        [sys.executable, "-c", "import readingedition; print(readingedition.__file__)"],
        env=installed,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed["PYTHONPATH"])
    subprocess.run(["readingedition", "new", "reader"], env=installed, cwd=tmp_path, check=True, capture_output=True)
    done = subprocess.run(["make"], env=installed, cwd=tmp_path / "reader", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = {path.name: path.stat().st_size for path in (tmp_path / "reader" / "output").iterdir()}
    assert (
        set(built) == {"resistance-to-civil-government.epub", "resistance-to-civil-government.pdf"}
        and min(built.values()) > 5000
    )

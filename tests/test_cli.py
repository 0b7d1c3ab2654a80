"""The command line and make, as an editor uses them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE, REPOSITORY


def run(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *args], cwd=cwd, capture_output=True, text=True)


def test_help_names_every_command():
    done = run("--help")
    assert done.returncode == 0
    for word in ("all", "epub", "pdf", "check", "clean", "--root", "--out"):
        assert word in done.stdout


def test_check_validates_and_anchors_without_rendering(tmp_path):
    done = run("check", "--root", str(EXAMPLE), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "anchored 4 notes" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_root_builds_another_edition_and_reports_what_it_built(tmp_path):
    done = run("epub", "--root", str(EXAMPLE), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    target = tmp_path / "a-small-example.epub"  # from the title
    assert f"built {target}" in done.stdout and "KB" in done.stdout
    assert "anchored 4 notes" in done.stderr  # progress goes to stderr


def test_a_failed_build_leaves_the_previous_edition_untouched(tmp_path):
    edition = tmp_path / "edition"
    shutil.copytree(EXAMPLE, edition)
    out = tmp_path / "out"
    assert run("epub", "--root", str(edition), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    notes = edition / "annotations" / "notes.yaml"
    notes.write_text(notes.read_text().replace("not yet - how", "not ever - how"))
    done = run("epub", "--root", str(edition), "--out", str(out))
    assert done.returncode == 1
    assert "notes.yaml:11: error A001 quote-not-found" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_clean_regenerates_the_committed_text_exactly(tmp_path):
    shutil.copytree(REPOSITORY / "src_text", tmp_path / "src_text")
    committed = (tmp_path / "src_text" / "wetzel-workers-power.md").read_bytes()
    (tmp_path / "src_text" / "wetzel-workers-power.md").unlink()
    done = run("clean", "--root", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "src_text" / "wetzel-workers-power.md").read_bytes() == committed


def test_a_second_make_with_nothing_changed_does_nothing(tmp_path):
    subprocess.run(["make", "-s", "all"], cwd=REPOSITORY, check=True, capture_output=True)
    done = subprocess.run(["make", "-n", "all"], cwd=REPOSITORY, capture_output=True, text=True)
    assert "Nothing to be done" in done.stdout

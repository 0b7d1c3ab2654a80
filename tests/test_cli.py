"""The command line and make, as an editor uses them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from readingedition.load.metadata import KEYS

from conftest import EXAMPLE, REPOSITORY


def run(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess:
    """`python build.py ARGS`: the same command, with build.py's old commands, for this repository."""
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "build.py"), *args], cwd=cwd, capture_output=True, text=True
    )


def command(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess:
    """`python -m readingedition ARGS`: the `readingedition` command."""
    return subprocess.run([sys.executable, "-m", "readingedition", *args], cwd=cwd, capture_output=True, text=True)


def test_help_at_every_level_names_the_commands_and_their_options():
    done = command("--help")
    assert done.returncode == 0
    for word in ("build", "check", "new", "watch", "clean-text", "--version"):
        assert word in done.stdout
    for sub, words in (
        ("build", ("epub", "pdf", "booklet", "--root", "--out")),
        ("check", ("--editions",)),
        ("new", ("DIR",)),
        ("watch", ("--port", "--root")),
        ("clean-text", ("--root",)),
    ):
        done = command(sub, "--help")
        assert done.returncode == 0 and all(word in done.stdout for word in words), done.stdout
    assert "clean-text" in run("--help").stdout  # build.py is the same command


def test_version_comes_from_the_installed_package():
    done = command("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"readingedition {metadata.version('readingedition')}"


def test_the_edition_is_the_current_directory_when_it_holds_src_text(tmp_path):
    edition = tmp_path / "edition"
    shutil.copytree(EXAMPLE, edition)
    done = command("build", "epub", cwd=edition)
    assert done.returncode == 0, done.stderr
    assert (edition / "output" / "a-small-example.epub").is_file()


def test_elsewhere_the_command_refuses_and_build_py_says_which_edition_it_builds(tmp_path):
    done = command("check", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"error E001 no-edition: {tmp_path} is not an edition directory: it has no src_text/ folder" in done.stderr
    assert "readingedition new DIR" in done.stderr
    done = run("check", cwd=tmp_path)
    assert done.returncode == 0 and f"building the edition in {REPOSITORY}" in done.stderr


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


def test_new_writes_an_edition_whose_makefile_builds_and_cleans_it(tmp_path):
    done = command("new", "my-reader", cwd=tmp_path)
    edition = tmp_path / "my-reader"
    assert done.returncode == 0, done.stderr
    assert {p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()} == {
        "Makefile",
        "src_text/text.md",
        "annotations/notes.yaml",
        "annotations/glossary.yaml",
        "annotations/references.yaml",
        "styles/pdf.css",
    }
    metadata_block = (edition / "src_text" / "text.md").read_text().split("---")[1]
    for key in KEYS:
        assert f"\n{key}:" in metadata_block or f"\n# {key}:" in metadata_block, key
    make = ["make", f"READINGEDITION={sys.executable} -m readingedition"]
    done = subprocess.run(make, cwd=edition, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "anchored 3 notes" in done.stderr
    assert sorted(p.name for p in (edition / "output").iterdir()) == [
        "resistance-to-civil-government.epub",
        "resistance-to-civil-government.pdf",
    ]
    subprocess.run([*make, "clean"], cwd=edition, check=True, capture_output=True)
    assert list((edition / "output").iterdir()) == [] and not (edition / ".cache" / "readingedition").exists()


def test_new_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    done = command("new", "taken", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (
        f"error E002 edition-exists: {tmp_path / 'taken'} already exists and is not an empty directory" in done.stderr
    )
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def test_the_repositorys_makefile_builds_another_edition_with_root(tmp_path):
    edition = tmp_path / "edition"
    shutil.copytree(EXAMPLE, edition)
    done = subprocess.run(["make", "-s", f"ROOT={edition}", "epub"], cwd=REPOSITORY, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (edition / "output" / "a-small-example.epub").is_file()
    assert not (REPOSITORY / "output" / "a-small-example.epub").exists()

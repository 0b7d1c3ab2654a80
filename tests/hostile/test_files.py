"""Hostile input. Files: nothing outside the edition, no pipe, no directory silently unread."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .refusal import refuse, refuse_in_subprocess
from conftest import REPOSITORY
from editions_factory import NOTES_FILE, NOTES_YAML


def test_clean_writes_and_reads_inside_src_text_only(tmp_path: Path, capsys) -> None:
    from readingedition.cli import main

    root = tmp_path / "project"
    shutil.copytree(REPOSITORY / "src_text", root / "src_text")
    recipe = root / "src_text" / "recipe.yaml"
    original = recipe.read_text()
    for key, value in (("output", str(tmp_path / "evil.md")), ("raw", "../../../../etc/passwd")):
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in original.splitlines()]
        recipe.write_text("\n".join(lines) + "\n")
        capsys.readouterr()
        assert main(["clean", "--root", str(root)]) == 1
        stderr = capsys.readouterr().err
        assert f"error C003 bad-recipe: '{key}: {value}' leads outside src_text/" in stderr
        assert "Traceback" not in stderr
    assert not (tmp_path / "evil.md").exists()


def test_a_text_file_linked_from_outside_is_refused(edition: Path, good_out, capsys, tmp_path: Path) -> None:
    outside = tmp_path / "private.md"
    outside.write_text("A private diary.\n")
    (edition / "src_text" / "zz.md").symlink_to(outside)
    refuse(
        edition,
        good_out,
        capsys,
        f"src_text/zz.md: error F006 outside-edition: the file is a link to {outside}, outside the edition",
    )


def test_an_annotation_file_linked_from_outside_is_refused(edition: Path, good_out, capsys, tmp_path) -> None:
    outside = tmp_path / "other.yaml"
    outside.write_text(NOTES_YAML)
    (edition / NOTES_FILE).unlink()
    (edition / NOTES_FILE).symlink_to(outside)
    refuse(
        edition,
        good_out,
        capsys,
        f"annotations/notes.yaml: error F006 outside-edition: the file is a link to {outside}, outside the edition",
    )


def test_a_pipe_named_md_does_not_hang_the_build(edition: Path, good_out) -> None:
    os.mkfifo(edition / "src_text" / "zz.md")
    refuse_in_subprocess(
        edition,
        good_out,
        "src_text/zz.md: error F005 not-a-regular-file: the file is not a regular file (a pipe, device or socket)",
        timeout=60,
    )


def test_an_unreadable_annotations_directory_is_an_error(edition: Path, good_out, capsys, monkeypatch) -> None:
    real = os.listdir

    def listdir(path):
        if Path(path).name == "annotations":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    refuse(
        edition,
        good_out,
        capsys,
        "annotations: error F007 unreadable-directory: cannot read the directory: Permission denied",
    )

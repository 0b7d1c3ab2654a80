"""Hostile input. Outputs change together."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .refusal import EPUB_NAME, PDF_NAME, assert_refused, first_diagnostic, refuse_in_subprocess
from conftest import EXAMPLE
from editions_factory import NOTES_FILE, NOTES_YAML, build_in_process, snapshot, write


def _with_old_pdf(good_out) -> tuple[Path, dict]:
    out, _ = good_out
    (out / PDF_NAME).write_bytes(b"%PDF- the previous packet")
    return out, snapshot(out)


def test_a_failing_pdf_stage_leaves_both_editions_as_they_were(edition: Path, good_out, capsys, monkeypatch) -> None:
    from readingedition.diagnostics import fail
    from readingedition.render import pdf

    out, before = _with_old_pdf(good_out)
    write(edition, NOTES_FILE, NOTES_YAML.replace("*long*", "*longer*"))  # a new EPUB would differ

    def failing(annotated, target):
        target.write_bytes(b"half a PDF")
        raise fail("R001", "note `long-book` is not in the laid-out PDF")

    monkeypatch.setattr(pdf, "render_pdf", failing)
    code, stdout, stderr = build_in_process(edition, out, capsys, "all")
    assert_refused(
        code, stdout, stderr, out, before, "error R001 note-lost: note `long-book` is not in the laid-out PDF"
    )
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME, PDF_NAME]


def test_a_full_disk_leaves_both_editions_as_they_were(edition: Path, good_out, capsys, monkeypatch) -> None:
    from readingedition.render import pdf

    out, before = _with_old_pdf(good_out)
    write(edition, NOTES_FILE, NOTES_YAML.replace("*long*", "*longer*"))

    def disk_full(annotated, target):
        target.write_bytes(b"%PDF-1.7 and then")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf, "render_pdf", disk_full)
    code, stdout, stderr = build_in_process(edition, out, capsys, "all")
    assert_refused(
        code,
        stdout,
        stderr,
        out,
        before,
        f"error F008 cannot-write-output: cannot write {out / PDF_NAME}: No space left on device",
    )
    assert sorted(p.name for p in out.iterdir()) == [EPUB_NAME, PDF_NAME]


def test_stale_temporary_files_of_a_killed_build_are_removed(edition: Path, good_out, capsys) -> None:
    out, _ = good_out
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stale = out / f".{EPUB_NAME}.{gone.stdout.strip()}.abc123.part"
    running = out / f".{EPUB_NAME}.{os.getpid()}.def456.part"
    for path in (stale, running):
        path.write_bytes(b"left by a build")
    code, _, stderr = build_in_process(edition, out, capsys)
    assert code == 0, stderr
    assert not stale.exists() and running.exists()


def test_a_killed_build_leaves_the_editions_as_they_were(tmp_path: Path) -> None:
    from readingedition.output import remove_stale

    from editions_factory import start_build

    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-small-example.epub").write_bytes(b"the previous EPUB")
    before = snapshot(out)
    process = start_build(root, out, "all")
    deadline = time.monotonic() + 60
    while not list(out.glob(".a-small-example.pdf.*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)  # until the PDF stage has begun (its temporary file exists)
    assert list(out.glob(".a-small-example.pdf.*")), "the build ended before its PDF stage began"
    process.kill()
    process.communicate()
    leftovers = {name for name in snapshot(out) if name.startswith(".")}
    assert leftovers  # the killed build's temporary files, which it could not remove
    assert {k: v for k, v in snapshot(out).items() if k not in leftovers} == before
    remove_stale(out)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "setup, first",
    [
        (lambda out: out.write_text("a file"), "error F008 cannot-write-output: cannot write {out}: File exists"),
        (
            lambda out: (out.mkdir(), (out / EPUB_NAME).mkdir()),
            "error F008 cannot-write-output: cannot write {out}/" + EPUB_NAME + ": it is a directory",
        ),
    ],
)
def test_a_bad_out_is_a_coded_error(edition: Path, tmp_path: Path, capsys, setup, first: str) -> None:
    out = tmp_path / "out"
    setup(out)
    before = snapshot(out) if out.is_dir() else out.read_bytes()
    code, stdout, stderr = build_in_process(edition, out, capsys)
    assert code == 1 and "Traceback" not in stderr + stdout
    assert first.format(out=out) in first_diagnostic(stderr)
    assert (snapshot(out) if out.is_dir() else out.read_bytes()) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_out_is_a_coded_error(edition: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, stderr = build_in_process(edition, out, capsys)
    finally:
        out.chmod(0o755)
    assert code == 1 and "error F008 cannot-write-output" in stderr


@pytest.mark.parametrize("value", ["yesterday", "1.5", "-1"])
def test_source_date_epoch_must_be_whole_seconds(edition: Path, good_out, value: str) -> None:
    refuse_in_subprocess(
        edition,
        good_out,
        f"error B001 bad-source-date-epoch: SOURCE_DATE_EPOCH is {value!r}, not a whole number of seconds",
        env={"SOURCE_DATE_EPOCH": value},
    )

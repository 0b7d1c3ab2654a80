"""`build.py check --editions`: each check's problems are coded diagnostics, printed on stderr."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from readingedition import check
from readingedition.anchor import anchor_edition
from readingedition.check import AceResult, audit_diagnostics, check_editions, run_ace, run_epubcheck
from readingedition.check.margin_audit import MarginAudit
from readingedition.cli import main
from readingedition.load import load_edition

from conftest import EXAMPLE


def test_editions_not_built_are_errors(tmp_path):
    annotated = anchor_edition(load_edition(EXAMPLE))
    result = check_editions(annotated, tmp_path)
    assert not result.ok
    assert [(d.code, d.path.name) for d in result.diagnostics] == [
        ("V001", "a-small-example.epub"),
        ("V001", "a-small-example.pdf"),
    ]


def test_check_prints_its_problems_on_stderr_and_its_summary_on_stdout(tmp_path, capsys):
    assert main(["check", "--editions", "--root", str(EXAMPLE), "--out", str(tmp_path)]) == 1
    printed = capsys.readouterr()
    assert "error V001 edition-missing: the edition is not built" in printed.err
    assert "V001" not in printed.out and "CHECKS FAILED" in printed.out


def test_an_epub_that_does_not_validate(example, tmp_path):
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(example.epub) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("chapter-01.xhtml"):
                data = data.replace(b"</p>", b"", 1)  # an unclosed paragraph
            target.writestr(item, data)
    result = run_epubcheck(broken)
    assert not result.ok and result.render().startswith("epubcheck: ")
    problems = result.diagnostics()
    assert problems and {d.code for d in problems} == {"V002"}
    assert any(d.severity == "error" and "chapter-01.xhtml" in d.message for d in problems)


def test_epubcheck_without_java(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    [problem] = run_epubcheck(tmp_path / "x.epub").diagnostics()
    assert (problem.code, problem.message) == ("V003", "epubcheck did not run: Java is not installed")


def test_ace_not_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(check, "ACE", tmp_path / "no-ace")
    [problem] = run_ace(tmp_path / "x.epub", chromium="/usr/bin/chromium").diagnostics()
    assert problem.code == "V005" and problem.message.startswith("DAISY Ace did not run: it needs `npm ci`")


def test_ace_violations_are_errors():
    result = AceResult(("chapter-01.xhtml: Images must have alternate text (critical): fix it",))
    [problem] = result.diagnostics()
    assert (problem.code, problem.severity) == ("V004", "error")
    assert problem.render().startswith("error V004 accessibility: chapter-01.xhtml: Images must have")


def test_margin_audit_failures_are_errors():
    audit = MarginAudit(notes=(), moved=(), overlaps=("p. 3: note a overlaps note b",), missing=("c",))
    problems = audit_diagnostics(audit, Path("x.pdf"))
    assert [(d.code, d.message) for d in problems] == [
        ("V010", "p. 3: note a overlaps note b"),
        ("V011", "the margin note c is not in the PDF"),
    ]

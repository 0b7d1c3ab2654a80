"""The dense edition keeps the shape it was made for: a real scholarly apparatus on a short text.

Reads the Markdown and the YAML only; nothing is built.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DENSE = Path(__file__).resolve().parents[1] / "editions" / "dense"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((DENSE / "src_text").glob("*.md"))]
    texts[0] = re.sub(r"\A---\n.*?\n---\n", "", texts[0], flags=re.S)
    return texts


def _notes() -> list[dict]:
    notes: list[dict] = []
    for path in sorted((DENSE / "annotations").glob("*.yaml")):
        notes += yaml.safe_load(path.read_text(encoding="utf-8")).get("notes") or []
    return notes


def _words(text: str) -> int:
    return len(text.split())


def _plain(text: str) -> str:
    """The text as a reader sees it: no footnote calls, emphasis marks or runs of spaces."""
    text = re.sub(r"\[\^\w+\]", "", text).replace("*", "")
    return re.sub(r"\s+", " ", text)


def test_dense_counts():
    texts, notes = _texts(), _notes()
    lengths = [_words(n["note"]) for n in notes]
    assert sum(_words(t) for t in texts) <= 5000
    assert len(notes) >= 60
    assert sum(n > 80 for n in lengths) * 3 >= len(notes)
    assert sum(n > 250 for n in lengths) >= 3


def test_dense_structure():
    texts, notes = _texts(), _notes()
    body = "\n".join(texts)
    headings = [line[2:] for line in body.splitlines() if line.startswith("# ")]
    footnotes = re.findall(r"^\[\^\w+\]:.*?(?=^\[\^|^#|\Z)", body, flags=re.S | re.M)
    assert len(headings) >= 3 and len(footnotes) >= 3
    quotes = [n["quote"] for n in notes]
    assert sum(any(q in h for h in headings) for q in quotes) >= 2
    assert sum(any(q in _plain(f) for f in footnotes) for q in quotes) >= 2
    # at least one quote runs across an author's footnote call in the text
    calls = re.findall(r"(\S+\s*)\[\^\w+\](\s*\S+)", body)
    assert any(any(f"{before}{after}".replace("*", "") in _plain(q) for before, after in calls) for q in quotes)
    marks = "\n".join(n["note"] for n in notes)
    assert re.search(r"^> ", marks, flags=re.M), "a block quote in a note"
    assert re.search(r"^\| ", marks, flags=re.M), "verse (a line block) in a note"
    assert re.search(r"\\$", marks, flags=re.M), "a hard line break in a note"

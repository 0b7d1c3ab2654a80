"""The EPUB in a real reading system: foliate-js (the engine of the Foliate reader) in Debian's
Chromium, driven by tests/reading_system/read.mjs. What a reader sees: a tap on a call opens a
pop-up with that note's text; a glossary link pops up the definition; with the notes hidden, every
paragraph after a section's first is set off; links and calls stay legible in a night theme that
sets only the body's colours; the contents list every chapter and section. Screenshots of a page,
a pop-up, the night theme and the contents, at e-reader (600×800) and phone (390×844) sizes, are
saved in output/screenshots/EDITION/ (the test prints where).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import EPUB_NS, REPOSITORY, XHTML

READ = REPOSITORY / "tests" / "reading_system" / "read.mjs"
FOLIATE = REPOSITORY / "node_modules" / "foliate-js" / "view.js"
MISSING = [
    what
    for what, present in (
        ("node", shutil.which("node")),
        ("Debian's chromium", shutil.which("chromium")),
        ("foliate-js (npm ci)", FOLIATE.is_file()),
    )
    if not present
]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}; `make` installs them")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w’']+", " ", text).split())


def _plan(built) -> tuple[dict, dict[str, str]]:
    """What to tap, and the text each tap must show: the first editor's note, the first footnote,
    a note on a footnote's text, and the first two glossary links."""
    chapter = built.xhtml("chapter-01.xhtml")
    asides = {aside.get("id"): _words(" ".join(aside.itertext())) for aside in chapter.iter(f"{XHTML}aside")}
    glossary = built.xhtml("glossary.xhtml")
    entries = {
        div.get("id"): _words(" ".join(div.itertext()))
        for div in glossary.iter(f"{XHTML}div")
        if div.get("class") == "gloss-entry"
    }
    calls = [
        a
        for a in chapter.iter(f"{XHTML}a")
        if a.get(f"{EPUB_NS}type") == "noteref" and not any(p.tag == f"{XHTML}aside" for p in a.iterancestors())
    ]
    chosen = [
        next(a for a in calls if a.get("class") == "note-call"),
        next(a for a in calls if a.get("class") == "footnote-ref"),
    ]
    beside = [
        a
        for a, before in zip(calls[1:], calls)
        if before.get("class") == "footnote-ref" and a.get("class") == "note-call"
    ]
    chosen += beside[:1]
    expected = {f"EPUB/chapter-01.xhtml#{a.get('id')}": asides[a.get("href")[1:]] for a in chosen}
    terms = [a for a in chapter.iter(f"{XHTML}a") if a.get("class") == "term" and a.get("id")][:2]
    expected.update({f"EPUB/chapter-01.xhtml#{a.get('id')}": entries[a.get("href").split("#")[1]] for a in terms})
    chapters = sorted(f"EPUB/{n.removeprefix('EPUB/')}" for n in built.names() if "/chapter-" in n)
    first = next(iter(expected))
    plan = {"popups": list(expected), "chapters": chapters, "screenshots": {"page": first, "popup": first}}
    return plan, expected


@pytest.fixture(scope="module", params=["essay", "founding"])
def reading(request):
    built = request.getfixturevalue(request.param)
    shots = REPOSITORY / "output" / "screenshots" / request.param
    shots.mkdir(parents=True, exist_ok=True)
    plan, expected = _plan(built)
    done = subprocess.run(
        ["node", str(READ), str(built.epub), str(shots), json.dumps(plan)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"\nscreenshots of the {request.param} in foliate-js: {shots}")
    return built, json.loads(done.stdout), expected


def test_a_tap_on_a_call_or_a_term_pops_up_its_note_or_definition(reading):
    built, seen, expected = reading
    popups = {popup["href"]: popup for popup in seen["popups"]}
    assert set(popups) == set(expected)
    for href, text in expected.items():
        assert "error" not in popups[href], popups[href]
        shown = _words(popups[href]["text"])
        assert shown == text, f"{href}: the pop-up shows {shown[:200]!r}"
    definitions = [href for href in expected if "#term-" in href]
    assert definitions and all(popups[href]["text"].count("\n") > 2 for href in definitions), (
        "a glossary pop-up holds more than the headword"
    )


def test_calls_are_targets_a_finger_can_hit(reading):
    _, seen, _ = reading
    calls = [t for t in seen["targets"] if "#call-" in t["href"] or "#fnref-" in t["href"]]
    assert calls and all(t["width"] >= 24 and t["height"] >= 24 for t in calls), calls


def test_with_notes_hidden_every_paragraph_after_the_first_is_set_off(reading):
    built, seen, _ = reading
    paragraphs = seen["paragraphs"]
    body = sum(
        1
        for name in built.names()
        if "/chapter-" in name
        for p in built.xhtml(name.removeprefix("EPUB/")).iter(f"{XHTML}p")
        if not any(a.tag == f"{XHTML}aside" for a in p.iterancestors())
    )
    assert len(paragraphs) >= body - 2 * len(seen["toc"]), "every paragraph after a first was measured"
    flat = [p for p in paragraphs if p["indent"] < 4 and p["gap"] < 4]
    assert flat == []


def test_links_and_calls_keep_their_contrast_in_a_night_theme(reading):
    _, seen, _ = reading
    kinds = {c["what"] for c in seen["contrast"]}
    assert {"note-call", "footnote-ref", "term"} <= kinds
    weak = [c for c in seen["contrast"] if c["ratio"] < 4.5]
    assert weak == []


def test_the_contents_list_every_chapter_and_section(reading):
    built, seen, _ = reading
    listed = [_words(entry["label"]) for entry in seen["toc"]]
    headings = []
    for name in sorted(n.removeprefix("EPUB/") for n in built.names() if "/chapter-" in n):
        tree = built.xhtml(name)
        headings += [
            _words(" ".join(h.itertext()))
            for h in tree.iter(f"{XHTML}h1", f"{XHTML}h2", f"{XHTML}h3")
            if not any(a.tag == f"{XHTML}aside" for a in h.iterancestors())
        ]
    assert [h for h in headings if h not in listed] == []
    assert listed[: len(headings)] == headings, "in reading order, before the back matter"
    assert "Glossary" in listed


def test_screenshots_are_saved_at_reader_and_phone_sizes(reading):
    _, seen, _ = reading
    names = {path.rsplit("/", 1)[1] for path in seen["screenshots"]}
    assert names == {
        f"{kind}-{size}.png" for kind in ("page", "popup", "night", "contents") for size in ("600x800", "390x844")
    }

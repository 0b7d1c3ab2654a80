"""Synthetic editions for the benchmark, made from the essay edition (not committed; see run.py).

`make_edition(essay_root, target, chapters=20, notes_per_chapter=40, extra_terms=110)` writes an
edition directory (src_text/book.md, annotations/*.yaml) whose text is the essay's body repeated
once per chapter under `# Chapter N` headings, so the text is `chapters` times the essay.

Notes must anchor uniquely although every chapter repeats the same words. So in each chapter,
`notes_per_chapter` paragraphs (spread evenly) get one chapter-specific token, e.g. `c7n12`, put
before a run of four plain words; the note quotes the token and those words. The note bodies and
kinds are the essay's own notes (editor's notes and discussion questions), cycled, so margin notes
have realistic lengths and citations. Footnote labels are renamed per chapter (`[^c7-1]`).

The glossary is the essay's (about 40 entries, with `see` links) plus `extra_terms` synthetic
entries, each a two-word phrase that occurs in the text (then single long words, if the text
runs out of phrases), with a singular/plural variant as a second form; their short glosses and
definitions are the essay's, cycled. The references are the essay's, so citations resolve.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

PLAIN_WORD = re.compile(r"^[A-Za-z]+$")
QUOTE_WORDS = 4  # plain words quoted after the token
STOPWORDS = frozenset(
    """
a about after all also an and any are as at be been before but by can could did do does for from had
has have he her his how if in into is it its may more most much must no not of on one only or other
our out over own same she should so some such than that the their them then there these they this
those through to too under up upon was we were what when where which while who whom why will with
would you your itself themselves itself being very just even each every both either neither
""".split()
)


class _NoAliases(yaml.SafeDumper):
    """The build refuses YAML aliases; never write one, even for a list used twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, path: Path) -> None:
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100), "utf-8")


def split_essay(markdown: str) -> tuple[str, list[str]]:
    """The metadata block (with its fences) and the body's blocks (paragraphs and footnote texts)."""
    match = re.match(r"---\n.*?\n---\n", markdown, re.S)
    if not match:
        raise ValueError("the essay has no YAML metadata block")
    body = markdown[match.end() :]
    return match.group(0), [block for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]


def _is_paragraph(block: str) -> bool:
    return not block.startswith(("[^", "#", ">", "|", "-", "*", "```")) and not re.match(r"\d+\.\s", block)


def _token_place(words: list[str]) -> int | None:
    """Index of the first run of QUOTE_WORDS plain words (letters only) that a token can precede,
    preferring the middle of the paragraph."""
    runs = [
        i for i in range(len(words) - QUOTE_WORDS + 1) if all(PLAIN_WORD.match(w) for w in words[i : i + QUOTE_WORDS])
    ]
    if not runs:
        return None
    middle = len(words) // 2
    return min(runs, key=lambda i: abs(i - middle))


def _chapter(blocks: list[str], number: int, wanted: int) -> tuple[str, list[tuple[str, str]]]:
    """One chapter's Markdown and its (note id stem, quote) pairs."""
    paragraphs = [i for i, block in enumerate(blocks) if _is_paragraph(block)]
    chosen = set(paragraphs[k * len(paragraphs) // wanted] for k in range(min(wanted, len(paragraphs))))
    quotes: list[tuple[str, str]] = []
    out = [f"# Chapter {number}"]
    for index, block in enumerate(blocks):
        block = re.sub(r"\[\^([^\]\s]+)\]", lambda m: f"[^c{number}-{m.group(1)}]", block)
        if index in chosen:
            words = block.split(" ")
            place = _token_place(words)
            if place is not None:
                token = f"c{number}n{len(quotes) + 1}"
                quotes.append((token, " ".join([token, *words[place : place + QUOTE_WORDS]])))
                words.insert(place, token)
                block = " ".join(words)
        out.append(block)
    return "\n\n".join(out), quotes


def book_text(essay_markdown: str, chapters: int, notes_per_chapter: int) -> tuple[str, list[tuple[str, str]]]:
    """The book's Markdown (metadata block, then the chapters) and every note's (token, quote)."""
    meta, blocks = split_essay(essay_markdown)
    meta = re.sub(r"(?m)^title: .*$", f'title: "Synthetic book: the essay {chapters} times"', meta)
    meta = re.sub(r"(?m)^identifier: .*\n", "", meta)
    parts, quotes = [meta], []
    for number in range(1, chapters + 1):
        text, chapter_quotes = _chapter(blocks, number, notes_per_chapter)
        parts.append(text)
        quotes.extend(chapter_quotes)
    return "\n\n".join(parts) + "\n", quotes


def _essay_annotations(essay_root: Path) -> dict[str, list[dict[str, Any]]]:
    merged: dict[str, list[dict[str, Any]]] = {"notes": [], "glossary": [], "references": []}
    for path in sorted((essay_root / "annotations").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for key in merged:
            merged[key].extend(data.get(key) or ())
    return merged


def _notes(quotes: list[tuple[str, str]], essay_notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    notes = []
    for index, (token, quote) in enumerate(quotes):
        model = essay_notes[index % len(essay_notes)]
        notes.append(
            {
                "id": f"{token}-{model['id']}",
                "kind": model.get("kind", "context"),
                "quote": quote,
                "note": model["note"],
            }
        )
    return notes


def _words(markdown: str) -> list[str]:
    """The body's words as they stand, Markdown punctuation left attached (so it breaks phrases)."""
    _, blocks = split_essay(markdown)
    return " ".join(b for b in blocks if _is_paragraph(b)).split()


def _term_candidates(markdown: str) -> Iterator[str]:
    """Two-word lower-case phrases of the text, most frequent first; then long single words."""
    words = _words(markdown)

    def good(word: str) -> bool:
        return bool(PLAIN_WORD.match(word)) and word.islower() and len(word) >= 4 and word not in STOPWORDS

    pairs = Counter(f"{a} {b}" for a, b in zip(words, words[1:]) if good(a) and good(b))
    yield from (phrase for phrase, _ in pairs.most_common())
    singles = Counter(w for w in words if good(w) and len(w) >= 7)
    yield from (word for word, _ in singles.most_common())


def _variant(phrase: str) -> str:
    return phrase[:-1] if phrase.endswith("s") and not phrase.endswith("ss") else phrase + "s"


def _synthetic_terms(markdown: str, essay_terms: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Phrases that share no word with an essay term and do not chain with another chosen phrase
    (so no longer or earlier match hides them), most frequent first."""
    forms = [form.casefold() for entry in essay_terms for form in (entry["term"], *(entry.get("forms") or ()))]
    banned = {word for form in forms for word in re.findall(r"[a-z]+", form)}
    taken = set(forms)
    firsts: set[str] = set()
    lasts: set[str] = set()
    terms: list[dict[str, Any]] = []
    for phrase in _term_candidates(markdown):
        if len(terms) == count:
            break
        variant = _variant(phrase)
        words = phrase.split()
        if (
            phrase in taken
            or variant in taken
            or banned & set(words)
            or words[0] in lasts
            or words[-1] in firsts
            or words[0] in firsts
        ):
            continue
        taken.update((phrase, variant))
        firsts.add(words[0])
        lasts.add(words[-1])
        model = essay_terms[len(terms) % len(essay_terms)]
        terms.append({"term": phrase, "forms": [variant], "short": model["short"], "definition": model["definition"]})
    if len(terms) < count:
        raise ValueError(f"the text yields only {len(terms)} synthetic glossary terms, not {count}")
    return terms


def make_edition(
    essay_root: Path, target: Path, *, chapters: int = 20, notes_per_chapter: int = 40, extra_terms: int = 110
) -> dict[str, int]:
    """Write a synthetic edition into `target` (created); return its size: chapters, notes, terms."""
    essay_md = sorted((essay_root / "src_text").glob("*.md"))[0].read_text("utf-8")
    text, quotes = book_text(essay_md, chapters, notes_per_chapter)
    essay = _essay_annotations(essay_root)
    notes = _notes(quotes, essay["notes"])
    glossary = [dict(entry) for entry in essay["glossary"]] + _synthetic_terms(essay_md, essay["glossary"], extra_terms)
    (target / "src_text").mkdir(parents=True, exist_ok=True)
    (target / "annotations").mkdir(exist_ok=True)
    (target / "src_text" / "book.md").write_text(text, "utf-8")
    dump_yaml({"notes": notes}, target / "annotations" / "notes.yaml")
    dump_yaml({"glossary": glossary}, target / "annotations" / "glossary.yaml")
    if essay["references"]:
        dump_yaml({"references": essay["references"]}, target / "annotations" / "references.yaml")
    return {"chapters": chapters, "notes": len(notes), "terms": len(glossary), "text_chars": len(text)}

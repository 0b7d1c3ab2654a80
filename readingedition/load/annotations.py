"""Load stage, part two: the editors' annotation files (annotations/*.yaml).

Reads every file, refuses what YAML can hide (aliases, tabs, non-UTF-8), validates against the
shipped JSON Schema, and checks what a schema cannot (unique ids, colliding glossary forms,
`see` targets). Every problem becomes a Diagnostic with the file and line.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..diagnostics import BuildFailed, Diagnostic, fail
from ..memo import Memo
from ..model import Annotations, Location, NoteSpec, TermSpec
from .files import listed, read_utf8
from .sanitise import check_yaml_depth

_SCHEMA_TEXT = resources.files("readingedition").joinpath("schema/annotations.schema.json").read_text("utf-8")
SCHEMA: dict[str, Any] = json.loads(_SCHEMA_TEXT)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: several times faster
_VALID = "valid"  # what the build cache keeps for a file's text that the schema accepts


def load_annotations(directory: Path, root: Path | None = None, cache_dir: Path | None = None) -> Annotations:
    """Every annotation file in `directory` (none if it does not exist); files must lie inside
    `root`, the edition (by default, the directory's parent). With `cache_dir`, the build cache
    keeps which files' texts the schema accepts, so an unchanged file is not validated again."""
    if not directory.is_dir():
        # An edition may have no annotations at all.
        return Annotations((), (), ())
    files = tuple(listed(directory, "*.yaml", "*.yml"))
    memo = Memo.open(cache_dir, "annotations", _validation_version())
    problems: list[Diagnostic] = []
    notes: list[NoteSpec] = []
    terms: list[TermSpec] = []
    references: list[dict[str, Any]] = []
    reference_where: list[Location] = []
    for path in files:
        try:
            text, data, node = _read_yaml(path, root or directory.parent)
        except BuildFailed as failure:
            problems.extend(failure.diagnostics)
            continue
        file_problems = _validated(path, text, data, node, memo)
        problems.extend(file_problems)
        if file_problems:
            continue
        for index, item in enumerate(data.get("notes") or ()):
            notes.append(
                NoteSpec(
                    id=item["id"],
                    quote=item["quote"],
                    note=item["note"],
                    kind=item.get("kind", "context"),
                    prefix=item.get("prefix"),
                    suffix=item.get("suffix"),
                    where=Location(path, _line_of(node, ["notes", index])),
                )
            )
        for index, item in enumerate(data.get("glossary") or ()):
            terms.append(
                TermSpec(
                    term=item["term"],
                    forms=tuple(item.get("forms") or ()),
                    short=item["short"],
                    definition=item["definition"],
                    see=tuple(item.get("see") or ()),
                    where=Location(path, _line_of(node, ["glossary", index])),
                )
            )
        for index, item in enumerate(data.get("references") or ()):
            references.append(item)
            reference_where.append(Location(path, _line_of(node, ["references", index])))
            problems.extend(_reference_problems(item, reference_where[-1]))
    memo.save()
    problems.extend(_cross_file_problems(notes, terms))
    if problems:
        raise BuildFailed(tuple(problems))
    return Annotations(tuple(notes), tuple(terms), tuple(references), tuple(reference_where))


def _reference_problems(item: Any, where: Location):
    """citeproc makes a link of a reference's URL, and puts https:// before one with any other
    scheme (so `javascript:` would become a live link); refuse those here."""
    url = item.get("URL") if isinstance(item, dict) else None
    if isinstance(url, str) and not url.strip().lower().startswith(("http://", "https://")):
        yield Diagnostic("A005", f"reference `{item.get('id')}` links to {url!r}", where.path, where.line)


@functools.cache
def _validation_version() -> str:
    """What else a file's schema problems depend on: the schema, the validator and the YAML loader."""
    installed = Path(jsonschema.__file__).resolve().parents[1]
    validator = " ".join(sorted(p.name for p in installed.glob("jsonschema-*.dist-info")))
    schema = hashlib.blake2b(_SCHEMA_TEXT.encode(), digest_size=16).hexdigest()
    return f"{schema} {validator} PyYAML {yaml.__version__} {_LOADER.__name__}"


def _validated(path: Path, text: str, data: Any, node: yaml.Node, memo: Memo) -> list[Diagnostic]:
    """The file's schema problems; none if the build cache knows its text to be valid."""
    key = memo.key(text)
    if memo.get(key) == _VALID:
        return []
    problems = list(_schema_problems(path, data, node))
    if not problems:
        memo.put(key, _VALID)
    return problems


def _read_yaml(path: Path, root: Path) -> tuple[str, Any, yaml.Node]:
    text = read_utf8(path, root)
    data, node = parse_yaml(text, path)
    if data is None:
        raise BuildFailed((Diagnostic("Y003", "the file is empty", path, 1),))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise BuildFailed(
            (Diagnostic("Y004", f"the file holds {kind}, not a mapping", path, node.start_mark.line + 1),)
        )
    return text, data, node


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """YAML text (from `first_line` of `path`) as data and its node tree, refusing tabs, aliases and
    duplicate keys; every error names the line in the file."""
    for number, line_text in enumerate(text.splitlines(), first_line):
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        if "\t" in indent:
            raise BuildFailed((Diagnostic("Y002", "a tab is used for indentation", path, number),))
    try:
        # Refuse aliases before composing: they are how entity-expansion bombs work.
        events = list(yaml.parse(text, Loader=_LOADER))
        for event in events:
            if isinstance(event, yaml.AliasEvent):
                raise BuildFailed(
                    (Diagnostic("Y005", "an alias (*name) is used", path, event.start_mark.line + first_line),)
                )
        too_deep = check_yaml_depth(events, path, first_line)
        if too_deep:
            raise BuildFailed((too_deep,))
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        # An unclosed quote is found at the end of the file; where it opens is what the editor needs.
        opened = error.context and "quoted scalar" in error.context
        mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise BuildFailed((Diagnostic("Y001", f"YAML syntax error: {what}", path, line),)) from None
    except yaml.YAMLError as error:  # e.g. a character YAML does not allow, such as a control character
        position = getattr(error, "position", None)
        line = text.count("\n", 0, position) + first_line if isinstance(position, int) else None
        raise BuildFailed((Diagnostic("Y001", f"YAML syntax error: {error}".splitlines()[0], path, line),)) from None
    duplicate = _duplicate_key(node) if node is not None else None
    if duplicate is not None:
        message = f"the key `{duplicate.value}` appears twice in the same entry"
        raise fail("Y006", message, path, duplicate.start_mark.line + first_line)
    odd = _key_not_text(node) if node is not None else None
    if odd is not None:
        message = f"the key `{odd.value}` is read as a number or yes/no, not a word"
        raise fail("K007", message, path, odd.start_mark.line + first_line)
    return data, node


def _key_not_text(node: yaml.Node) -> yaml.Node | None:
    """The first mapping key that YAML reads as something other than text (`1:`, `yes:`, `~:`)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.tag != "tag:yaml.org,2002:str":
                    return key
                stack.append(value)
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
    return None


def _duplicate_key(node: yaml.Node) -> yaml.Node | None:
    """YAML keeps the last of two equal keys and drops the first without a word; find the second."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                return key
            seen.add(key.value)
            found = _duplicate_key(value)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found is not None:
                return found
    return None


def _node_at(node: yaml.Node, path: list[Any]) -> yaml.Node:
    """The YAML node at a JSON path, or its nearest existing parent."""
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            match = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            match = node.value[step]
        else:
            match = None
        if match is None:
            break
        node = match
    return node


def _line_of(node: yaml.Node, path: list[Any]) -> int:
    return _node_at(node, path).start_mark.line + 1


def _key_line(node: yaml.Node, path: list[Any], key: str) -> int:
    parent = _node_at(node, path)
    if isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if k.value == key:
                return k.start_mark.line + 1
    return parent.start_mark.line + 1


def _schema_problems(path: Path, data: Any, node: yaml.Node):
    for error in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = list(error.absolute_path)
        line = _line_of(node, where)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(allowed)):
                guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
                suggestion = f"; did you mean `{guess[0]}`?" if guess else f"; allowed keys: {', '.join(allowed)}"
                yield Diagnostic("K001", f"unknown key `{key}`{suggestion}", path, _key_line(node, where, key))
        elif error.validator == "required":
            missing = error.message.split("'")[1]
            yield Diagnostic("K002", f"{_describe(data, where)} has no `{missing}`", path, line)
        elif error.validator == "type" and error.instance is None:
            yield Diagnostic("K003", f"`{where[-1]}` of {_describe(data, where[:-1])} is empty", path, line)
        elif error.validator == "type" and error.validator_value == "string":
            kind = {bool: "yes/no", int: "number", float: "number"}.get(type(error.instance), "list or mapping")
            yield Diagnostic(
                "K006", f"`{where[-1]}` of {_describe(data, where[:-1])} is read as a {kind}, not text", path, line
            )
        elif error.validator in ("minLength", "pattern") and where and where[-1] == "id":
            yield Diagnostic("K004", f"malformed id {error.instance!r}", path, line)
        elif error.validator in ("minLength", "pattern"):
            yield Diagnostic("K003", f"`{where[-1]}` of {_describe(data, where[:-1])} is empty", path, line)
        elif error.validator == "enum":
            options = ", ".join(map(str, error.validator_value))
            yield Diagnostic("K005", f"`{where[-1]}: {error.instance}` is not one of: {options}", path, line)
        else:
            field = ".".join(map(str, where)) or "the file"
            yield Diagnostic("K005", f"{field}: {error.message}", path, line)


def _describe(data: Any, where: list[Any]) -> str:
    if len(where) >= 2 and isinstance(where[1], int):
        item = data[where[0]][where[1]]
        label = item.get("id") or item.get("term") if isinstance(item, dict) else None
        noun = {"notes": "note", "glossary": "glossary entry", "references": "reference"}.get(where[0], "entry")
        return f"{noun} {label!r}" if label else f"{noun} #{where[1] + 1}"
    return "the file"


def _cross_file_problems(notes: list[NoteSpec], terms: list[TermSpec]):
    first_note: dict[str, NoteSpec] = {}
    for note in notes:
        if note.id in first_note:
            other = first_note[note.id].where
            yield Diagnostic(
                "A004",
                f"note id `{note.id}` is already used at {other.path.name}:{other.line}",
                note.where.path,
                note.where.line,
            )
        else:
            first_note[note.id] = note
    owner: dict[str, TermSpec] = {}
    slugs: dict[str, TermSpec] = {}
    for entry in terms:
        if entry.slug in slugs and entry.term.casefold() != slugs[entry.slug].term.casefold():
            other = slugs[entry.slug]
            yield Diagnostic(
                "G005",
                f"the terms `{other.term}` and `{entry.term}` would share the anchor `gloss-{entry.slug}`",
                entry.where.path,
                entry.where.line,
            )
        slugs.setdefault(entry.slug, entry)
        if entry.term.casefold() in {t.term.casefold() for t in owner.values()}:
            other = next(t for t in owner.values() if t.term.casefold() == entry.term.casefold()).where
            yield Diagnostic(
                "G001",
                f"the term `{entry.term}` is already defined at {other.path.name}:{other.line}",
                entry.where.path,
                entry.where.line,
            )
            continue
        for form in entry.all_forms:
            key = form.casefold()
            if key in owner and owner[key] is not entry:
                yield Diagnostic(
                    "G002",
                    f"the form `{form}` of `{entry.term}` is also a form of `{owner[key].term}`",
                    entry.where.path,
                    entry.where.line,
                )
            owner.setdefault(key, entry)
    known = {t.term for t in terms}
    for entry in terms:
        for target in entry.see:
            if target not in known:
                guess = difflib.get_close_matches(target, sorted(known), n=1)
                hint = f"; did you mean `{guess[0]}`?" if guess else ""
                yield Diagnostic(
                    "G003",
                    f"`see: {target}` in `{entry.term}` names no glossary term{hint}",
                    entry.where.path,
                    entry.where.line,
                )

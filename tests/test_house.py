"""The package's house rules, read from its source: modules and functions short enough to read
whole, and no import across stages except through the shared modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPOSITORY

PACKAGE = REPOSITORY / "readingedition"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
STAGES = frozenset({"load", "anchor", "render", "check", "clean"})
# What every stage may import: the interfaces between stages (model, markup, ast, diagnostics)
# and the utilities under them (pandoc with its cache, reproducible dates), which import no stage.
SHARED = frozenset({"model", "markup", "ast", "diagnostics", "pandoc", "memo", "reproducible"})
# What wires the stages together, and may import any of them.
WIRING = frozenset({"cli", "pipeline", "watch", "__main__"})


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def imported(path: Path, tree: ast.Module) -> set[str]:
    """The top-level names in readingedition/ (`load`, `model`, `cli`...) that a module imports,
    relative or absolute, at any depth in its code."""
    package = list(path.relative_to(PACKAGE).parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            dotted = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            dotted = [base + node.module.split(".")] if node.module else [base + [a.name] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            dotted = [node.module.split(".") + [alias.name] for alias in node.names]
        else:
            continue
        for parts in dotted:
            if parts[0] == "readingedition" and len(parts) > 1:
                parts = parts[1:]
            elif isinstance(node, ast.Import) or not node.level:
                continue  # another package
            found.add(parts[0])
    return found


def crossings(path: Path, tree: ast.Module) -> set[str]:
    """What a module imports that its place does not allow: a stage may import itself and the
    shared modules; a shared module, only shared ones; the wiring, anything."""
    top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if top in WIRING:
        return set()
    allowed = SHARED | ({top} if top in STAGES else set())
    return imported(path, tree) - allowed


def long_functions(tree: ast.Module) -> list[str]:
    return [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_a_module_is_short(path):
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_a_modules_functions_are_short(path):
    found = long_functions(ast.parse(path.read_text("utf-8")))
    assert not found, f"{_name(path)}: {found}"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_a_module_imports_no_other_stage(path):
    crossed = crossings(path, ast.parse(path.read_text("utf-8")))
    assert not crossed, f"{_name(path)} imports {sorted(crossed)} across stages"


def _crossings_of(name: str, source: str) -> set[str]:
    return crossings(PACKAGE / name, ast.parse(source))


def test_the_import_check_sees_every_form_of_import():
    assert _crossings_of("render/pdf.py", "from ..anchor import anchor_edition") == {"anchor"}
    assert _crossings_of("render/margins/engine.py", "from ...load.text import x") == {"load"}
    assert _crossings_of("check/x.py", "import readingedition.render.epub") == {"render"}
    assert _crossings_of("check/x.py", "from readingedition import load") == {"load"}
    assert _crossings_of("check/x.py", "from .. import load, markup") == {"load"}
    assert _crossings_of("check/x.py", "def f():\n    from ..cli import build") == {"cli"}
    assert _crossings_of("model.py", "from .load import x") == {"load"}


def test_the_import_check_allows_the_stage_itself_the_shared_modules_and_the_wiring():
    assert _crossings_of("render/margins/engine.py", "from .. import pdf_notes\nfrom ...markup import X") == set()
    assert _crossings_of("load/text.py", "from . import x\nfrom ..pandoc import y\nimport yaml") == set()
    assert _crossings_of("pipeline.py", "from .render.pdf import render_pdf") == set()
    assert _crossings_of("watch/server.py", "from ..cli import main") == set()


def test_the_length_check_counts_a_function_from_its_def_to_its_last_line():
    body = "".join(f"    x = {n}\n" for n in range(MAX_FUNCTION_LINES - 1))
    assert long_functions(ast.parse(f"def fits():\n{body}")) == []
    assert long_functions(ast.parse(f"def over():\n{body}    return x\n")) == [
        f"over (line 1): {MAX_FUNCTION_LINES + 1} lines"
    ]

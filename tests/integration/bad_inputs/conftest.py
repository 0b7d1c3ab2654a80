"""A tiny good edition, and OUT holding its good build."""

from __future__ import annotations

from pathlib import Path

import pytest

from .catalogue import EPUB_NAME
from editions_factory import build_in_process, make_edition, snapshot


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return make_edition(tmp_path / "edition")


@pytest.fixture
def good_out(edition: Path, tmp_path: Path, capsys) -> tuple[Path, dict]:
    """OUT holding a good build of the edition, and its snapshot."""
    out = tmp_path / "out"
    code, stdout, stderr = build_in_process(edition, out, capsys)
    assert code == 0, stderr
    before = snapshot(out)
    assert list(before) == [EPUB_NAME]
    return out, before

"""A tiny good edition, and OUT holding its good build."""

from __future__ import annotations

from pathlib import Path

import pytest

from .catalogue import EPUB_NAME
from editions_factory import good_build, make_edition


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return make_edition(tmp_path / "edition")


@pytest.fixture
def good_out(edition: Path, tmp_path: Path, capsys) -> tuple[Path, dict]:
    """OUT holding a good build of the edition, and its snapshot."""
    out, before = good_build(edition, tmp_path / "out", capsys)
    assert list(before) == [EPUB_NAME]
    return out, before

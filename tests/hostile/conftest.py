"""The hostile tests' fixtures: a listener that no build may reach, a cache key per test, a
tiny good edition and its good build."""

from __future__ import annotations

from pathlib import Path

import pytest

from readingedition import memo

from .listener import Listener
from editions_factory import good_build, make_edition


@pytest.fixture
def listener():
    server = Listener()
    try:
        yield server
    finally:
        server.close()
    assert server.connections == [], "the build made a network request"


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path, monkeypatch):
    """Each test's build cache is signed with a key of its own (a user of its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    memo.user_key.cache_clear()
    yield
    memo.user_key.cache_clear()


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return make_edition(tmp_path / "edition")


@pytest.fixture
def good_out(edition: Path, tmp_path: Path, capsys) -> tuple[Path, dict]:
    return good_build(edition, tmp_path / "out", capsys)

"""Hostile input. The cache: a received .cache/ changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from readingedition import memo
from readingedition.memo import CACHE_DIR

from .refusal import EPUB_NAME, chapter
from editions_factory import build_in_process


def _cached_build(edition: Path, out: Path, capsys) -> bytes:
    code, _, stderr = build_in_process(edition, out, capsys)
    assert code == 0 and "Traceback" not in stderr, stderr
    return (out / EPUB_NAME).read_bytes()


def test_an_edited_cache_changes_no_output(edition: Path, tmp_path: Path, capsys) -> None:
    clean = _cached_build(edition, tmp_path / "first", capsys)
    table = edition / CACHE_DIR / "html-epub.json"
    stored = json.loads(table.read_text())
    stored["entries"] = {
        key: value.replace("<p>", '<p onclick="alert(1)">') for key, value in stored["entries"].items()
    }
    table.write_text(json.dumps(stored))
    assert _cached_build(edition, tmp_path / "second", capsys) == clean
    assert "onclick" not in chapter(tmp_path / "second")


def test_a_cache_from_another_user_is_ignored(edition: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    """A table signed with another key (a received edition's .cache/) is not used."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "sender"))
    memo.user_key.cache_clear()
    _cached_build(edition, tmp_path / "sender-out", capsys)
    table = edition / CACHE_DIR / "parse.json"
    stored = json.loads(table.read_text())
    stored["entries"] = {
        key: value.replace("quiet ending", "hostile ending") for key, value in stored["entries"].items()
    }
    body = json.dumps(stored["entries"], ensure_ascii=False, sort_keys=True).encode()
    stored["mac"] = memo._mac(memo.user_key(), body).decode()  # signed by the sender
    table.write_bytes(b'{"mac": "' + stored["mac"].encode() + b'", "entries": ' + body + b"}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "receiver"))
    memo.user_key.cache_clear()
    _cached_build(edition, tmp_path / "receiver-out", capsys)
    assert "hostile ending" not in chapter(tmp_path / "receiver-out")
    assert "quiet ending" in chapter(tmp_path / "receiver-out")


def test_a_truncated_cache_value_is_no_traceback(edition: Path, tmp_path: Path, capsys) -> None:
    clean = _cached_build(edition, tmp_path / "first", capsys)
    table = edition / CACHE_DIR / "parse.json"
    table.write_bytes(table.read_bytes()[:-200])
    assert _cached_build(edition, tmp_path / "second", capsys) == clean


def test_a_symlinked_cache_is_not_written_through(edition: Path, tmp_path: Path, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (edition / ".cache").symlink_to(elsewhere)
    _cached_build(edition, tmp_path / "out", capsys)
    assert list(elsewhere.iterdir()) == []

"""The build cache: results of pandoc calls kept between builds, keyed by a hash of their input.

pandoc is most of an EPUB build's time, and its output depends only on its input, its version
and its options. So each result is kept under a hash of all three, and an edit to one note
re-parses that note only. A table is one JSON file in the edition's `.cache/readingedition/`;
it keeps the entries its last build used and no others, so it does not grow. A table that
cannot be read or written is ignored: the cache only ever saves time, never changes a result.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

CACHE_DIR = Path(".cache") / "readingedition"  # inside an edition directory
FORMAT = "1"  # change when what is stored changes meaning


class Memo:
    """One table of results: hash of the input -> text of the result."""

    def __init__(self, path: Path | None, salt: str):
        self.path = path  # None: remember only during this build
        self.salt = f"{FORMAT}\0{salt}"
        self._stored: dict[str, str] = {}
        if path is not None:
            try:
                stored = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                stored = None  # no cache yet, or an unreadable one: start afresh
            if isinstance(stored, dict):
                self._stored = {key: value for key, value in stored.items() if isinstance(value, str)}
        self._used: dict[str, str] = {}
        self._added = False

    @classmethod
    def open(cls, cache_dir: Path | None, name: str, salt: str) -> "Memo":
        return cls(cache_dir / f"{name}.json" if cache_dir is not None else None, salt)

    def key(self, *parts: str | bytes) -> str:
        digest = hashlib.blake2b(self.salt.encode(), digest_size=20)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "little"))  # so ("ab", "c") and ("a", "bc") differ
            digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> str | None:
        value = self._used.get(key)
        if value is None:
            value = self._stored.get(key)
            if value is not None:
                self._used[key] = value
        return value

    def put(self, key: str, value: str) -> None:
        self._used[key] = value
        self._added = True

    def save(self) -> None:
        """Keep what this build used; write only if that differs from what was stored."""
        if self.path is None or (not self._added and self._used.keys() == self._stored.keys()):
            return
        scratch = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self._used, out, ensure_ascii=False, sort_keys=True)
            os.replace(scratch, self.path)  # atomic: a parallel build reads the old table or the new
        except OSError:
            pass  # e.g. a read-only edition directory: build without a cache
        finally:
            if scratch is not None and os.path.exists(scratch):
                os.unlink(scratch)

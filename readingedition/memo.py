"""The build cache: results of pandoc calls kept between builds, keyed by a hash of their input.

pandoc is most of an EPUB build's time, and its output depends only on its input, its version
and its options. So each result is kept under a hash of all three, and an edit to one note
re-parses that note only. A table is one JSON file in the edition's `.cache/readingedition/`;
it keeps the entries its last build used and no others, so it does not grow. A table that
cannot be read or written is ignored: the cache only ever saves time, never changes a result.

Editions are shared with their `.cache/`, so a table is trusted only if this user's build wrote
it: each carries a MAC made with a key kept in the user's own cache directory
($XDG_CACHE_HOME/readingedition, or ~/.cache/readingedition). A table with another key, edited
or damaged, is ignored; a cache directory that is a symlink is neither read nor written.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path

CACHE_DIR = Path(".cache") / "readingedition"  # inside an edition directory
FORMAT = "2"  # change when what is stored changes meaning
_HEAD, _MIDDLE = b'{"mac": "', b'", "entries": '  # a table: {"mac": "<hex>", "entries": {...}}
_MAC_LENGTH = 40  # hex digits


@functools.cache
def user_key() -> bytes | None:
    """This user's key for the build cache, made on first use; None if it cannot be kept."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "readingedition"
    path = home / "cache-key"
    try:
        if not path.exists():
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, scratch = tempfile.mkstemp(dir=home)
            try:
                os.write(handle, os.urandom(32))
                os.close(handle)
                os.link(scratch, path)  # atomic: of two builds making a key at once, one key wins
            except FileExistsError:
                pass
            finally:
                os.unlink(scratch)
        key = path.read_bytes()
    except (OSError, RuntimeError):  # RuntimeError: no home directory to find
        return None
    return key if len(key) == 32 else None


def _mac(key: bytes, body: bytes) -> bytes:
    return hashlib.blake2b(body, key=key, digest_size=_MAC_LENGTH // 2).hexdigest().encode()


def _read_table(path: Path, key: bytes) -> dict[str, str]:
    """The entries of a table this user's build wrote; nothing if it is missing, damaged or foreign."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    start = len(_HEAD) + _MAC_LENGTH + len(_MIDDLE)
    if not (raw.startswith(_HEAD) and raw[len(_HEAD) + _MAC_LENGTH : start] == _MIDDLE and raw.endswith(b"}")):
        return {}
    body = raw[start:-1]
    if not hmac.compare_digest(raw[len(_HEAD) : len(_HEAD) + _MAC_LENGTH], _mac(key, body)):
        return {}
    try:
        stored = json.loads(body)
    except ValueError:
        return {}
    return {k: v for k, v in stored.items() if isinstance(v, str)} if isinstance(stored, dict) else {}


class Memo:
    """One table of results: hash of the input -> text of the result."""

    def __init__(self, path: Path | None, salt: str):
        self.salt = f"{FORMAT}\0{salt}"
        self._key = user_key() if path is not None else None
        self.path = path if self._key is not None else None  # None: remember only during this build
        self._stored: dict[str, str] = _read_table(path, self._key) if self.path is not None else {}
        self._used: dict[str, str] = {}
        self._added = False

    @classmethod
    def open(cls, cache_dir: Path | None, name: str, salt: str) -> Memo:
        path = cache_dir / f"{name}.json" if cache_dir is not None else None
        if path is not None and any(p.is_symlink() for p in (cache_dir.parent, cache_dir, path)):
            path = None  # a link may lead anywhere: remember only during this build
        return cls(path, salt)

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
            body = json.dumps(self._used, ensure_ascii=False, sort_keys=True).encode()
            with os.fdopen(handle, "wb") as out:
                out.write(_HEAD + _mac(self._key, body) + _MIDDLE + body + b"}")
            os.replace(scratch, self.path)  # atomic: a parallel build reads the old table or the new
        except (OSError, ValueError):
            pass  # e.g. a read-only edition directory: build without a cache
        finally:
            if scratch is not None and os.path.exists(scratch):
                os.unlink(scratch)

"""The preview server: the output directory on 127.0.0.1, with the preview page at /.

/          the preview page (preview.py), made from the last EPUB built
/_version  the number of the last build, which the page polls to reload itself
/_epub/…   a file inside the EPUB (its style sheets, images)
/_preview/ the page's own style sheet and script (package data)
/NAME      a file of the output directory (the EPUB, the PDF)
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import threading
import zipfile
from importlib import resources
from pathlib import Path

from ..diagnostics import BuildFailed, Diagnostic
from .preview import EPUB_MOUNT, preview_page

ASSETS = {"/_preview/preview.css": "preview.css", "/_preview/preview.js": "preview.js"}


class BuildState:
    """What the page shows, updated by the watcher after each build."""

    def __init__(self, out: Path, epub_name: str | None = None):
        self.out = out
        self.epub_name = epub_name
        self.version = 0
        self.errors = ""
        self.lock = threading.Lock()

    def built(self, epub_name: str | None, errors: str = "") -> None:
        with self.lock:
            self.epub_name = epub_name or self.epub_name
            self.errors = errors
            self.version += 1

    def page(self) -> str:
        with self.lock:
            epub = self.out / self.epub_name if self.epub_name else None
            version, errors = self.version, self.errors
        files = sorted(p.name for p in self.out.glob("*") if p.suffix in (".epub", ".pdf")) if self.out.is_dir() else []
        return preview_page(epub, version, errors, files)


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: BuildState

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(self.state.page().encode(), "text/html; charset=utf-8")
        elif path == "/_version":
            self._send(str(self.state.version).encode(), "text/plain")
        elif path in ASSETS:
            asset = resources.files(__package__).joinpath(ASSETS[path]).read_bytes()
            self._send(asset, mimetypes.guess_type(ASSETS[path])[0] or "application/octet-stream")
        elif path.startswith(EPUB_MOUNT):
            self._from_epub(path[len(EPUB_MOUNT) :])
        else:
            super().do_GET()

    def _from_epub(self, member: str) -> None:
        epub = self.state.out / (self.state.epub_name or "")
        try:
            with zipfile.ZipFile(epub) as book:
                content = book.read(member)
        except (OSError, KeyError, zipfile.BadZipFile):
            self.send_error(404)
            return
        self._send(content, mimetypes.guess_type(member)[0] or "application/octet-stream")

    def _send(self, content: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass  # the watcher prints builds, not requests


class PreviewServer:
    """Serves `state` on 127.0.0.1:`port` (0: a free port) from a thread of its own."""

    def __init__(self, state: BuildState, port: int = 0):
        state.out.mkdir(parents=True, exist_ok=True)
        handler = type("Handler", (_Handler,), {"state": state})
        try:
            self.httpd = http.server.ThreadingHTTPServer(
                ("127.0.0.1", port), functools.partial(handler, directory=str(state.out))
            )
        except OSError as error:
            raise BuildFailed((Diagnostic("E003", f"cannot serve on 127.0.0.1:{port}: {error.strerror}"),)) from None
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

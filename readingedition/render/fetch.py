"""What WeasyPrint may read while it lays out the PDF: the edition's own files, nothing else.

An edition's text and styles can name any URL (an image, a CSS `url()`); WeasyPrint would fetch
it from the network or the machine's files. This fetcher serves only regular files inside the
edition directory (a symlink is followed only when its target is inside too) and the built-in
styles; everything else is refused, and reported as a warning (S005) naming the file that asked.

WeasyPrint sees the edition at a fixed URL (EDITION_URL), not at the directory it sits in: it
names each image in the PDF by a hash of its URL, and the PDF must be the same bytes wherever the
edition is. Only URLs under EDITION_URL and STYLES_URL are served, so a real path
(file:///etc/passwd) is refused as it is written.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..diagnostics import Diagnostic
from ..model import Edition

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"
EDITION_URL = "file:///edition/"
STYLES_URL = "file:///readingedition-styles/"


class EditionFetcher(URLFetcher):
    """WeasyPrint's fetcher, with its one way of fetching (urllib, for any protocol) replaced."""

    def __init__(self, edition: Edition):
        super().__init__(allowed_protocols=("file",))
        self.edition = edition
        self.places = ((EDITION_URL, edition.root.resolve()), (STYLES_URL, BUILTIN_STYLES))
        self.refused: list[str] = []

    def url_of(self, path: Path) -> str:
        """The URL WeasyPrint knows an edition's or a built-in file by (a style sheet's base URL)."""
        for prefix, directory in self.places:
            if path.resolve().is_relative_to(directory):
                return prefix + path.resolve().relative_to(directory).as_posix()
        raise ValueError(f"{path} is neither the edition's nor a built-in file")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"readingedition does not fetch {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    def _path(self, url: str) -> Path | None:
        """The file a URL under one of the fixed prefixes names, if it is a file in that directory
        (a symlink is followed, and must stay inside)."""
        bare = urlsplit(url)._replace(query="", fragment="").geturl()
        for prefix, directory in self.places:
            if bare.startswith(prefix):
                path = (directory / unquote(bare[len(prefix) :])).resolve()
                return path if path.is_relative_to(directory) and path.is_file() else None
        return None

    def warnings(self) -> tuple[Diagnostic, ...]:
        shown = {url: unquote(url.removeprefix(EDITION_URL)) for url in dict.fromkeys(self.refused)}
        return tuple(
            Diagnostic(
                "S005",
                f"the PDF does not use {name}: it is not a file inside the edition",
                *self._asked_by(name),
                severity="warning",
            )
            for name in shown.values()
        )

    def _sources(self) -> list[Path]:
        """The files that can name a URL: the edition's style sheets and its text."""
        edition = self.edition
        return [*edition.styles.pdf_css, *edition.styles.booklet_css, *sorted((edition.root / "src_text").glob("*.md"))]

    def _asked_by(self, url: str) -> tuple[Path | None, int | None]:
        """The edition's file (and line) that names the URL, or the last part of its path."""
        needles = [url, urlsplit(url).path.rsplit("/", 1)[-1] or url]
        for needle in needles:
            for path in self._sources():
                try:
                    text = path.read_text("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                offset = text.find(needle)
                if offset >= 0:
                    return path, text.count("\n", 0, offset) + 1
        return None, None

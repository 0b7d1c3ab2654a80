"""The EPUB's cover image: the edition's own (`cover:` in the metadata), or one drawn from the
title, subtitle and author, so that e-reader libraries show the book rather than a blank.

The drawn cover is byte-reproducible: EB Garamond (found with fc-match, as the PDF uses it),
Pillow's basic text layout (never libraqm, which a machine may or may not have), and a PNG
without a timestamp. Drawing and compressing it takes longer than the rest of an EPUB build
after an edit, so it is kept in the build cache, keyed by everything the picture depends on.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont, features

from ..memo import Memo
from ..model import Metadata

SIZE = (1200, 1800)  # 2:3, as e-reader stores ask
PAPER = (244, 239, 228)
INK = (38, 32, 28)
ACCENT = (128, 32, 28)
MARGIN = 130


@dataclass(frozen=True)
class Cover:
    file_name: str  # in the package, beside the XHTML; its suffix gives the media type
    content: bytes


def cover_for(meta: Metadata, cache_dir: Path | None) -> Cover:
    """The edition's cover, or the drawn one (from the build cache in `cache_dir`, if there)."""
    if meta.cover is not None:
        return Cover(f"cover{meta.cover.suffix.lower()}", meta.cover.read_bytes())
    memo = Memo.open(cache_dir, "cover", _drawing_version())
    fonts = [_font_identity(_font_file(style)) for style in ("Regular", "Italic")]
    key = memo.key(meta.title, meta.subtitle or "", meta.author, *fonts)
    stored = memo.get(key)
    if stored is None:
        picture = draw_cover(meta.title, meta.subtitle, meta.author)
        memo.put(key, base64.b64encode(picture).decode("ascii"))
    else:
        picture = base64.b64decode(stored)
    memo.save()
    return Cover("cover.png", picture)


@cache
def _drawing_version() -> str:
    """What else the picture's bytes depend on: this module's code, Pillow, FreeType and zlib."""
    code = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).hexdigest()
    return f"{code} {PIL.__version__} {features.version('freetype2')} {zlib.ZLIB_RUNTIME_VERSION}"


def _font_identity(path: str | None) -> str:
    if path is None:
        return "Pillow's own font"
    found = os.stat(path)
    return f"{path} {found.st_size} {found.st_mtime_ns}"


def draw_cover(title: str, subtitle: str | None, author: str) -> bytes:
    picture = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    width, height = SIZE
    draw.rectangle((60, 60, width - 61, height - 61), outline=ACCENT, width=6)
    draw.rectangle((80, 80, width - 81, height - 81), outline=ACCENT, width=2)
    y = 330
    y = _centred(draw, title, _font("Regular", 104), INK, y, leading=1.15) + 50
    draw.line((width / 2 - 120, y, width / 2 + 120, y), fill=ACCENT, width=4)
    y += 80
    if subtitle:
        y = _centred(draw, subtitle, _font("Italic", 58), INK, y, leading=1.25)
    if author:
        _centred(draw, author.upper(), _font("Regular", 54), ACCENT, height - 380, leading=1.2, tracking=6)
    out = io.BytesIO()
    # pillow's `optimize` tries every filter: a tenth of a second on every EPUB build for a file
    # 5% smaller. The default level is enough for a picture of flat colour and type.
    picture.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _centred(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont,
    colour: tuple[int, int, int],
    top: float,
    *,
    leading: float,
    tracking: int = 0,
) -> float:
    """Draw the text centred, wrapped to the measure; return the y below it."""
    size = font.size
    for line in _wrap(text, font, SIZE[0] - 2 * MARGIN, tracking):
        width = _width(line, font, tracking)
        x = (SIZE[0] - width) / 2
        if tracking:
            for char in line:
                draw.text((x, top), char, font=font, fill=colour)
                x += font.getlength(char) + tracking
        else:
            draw.text((x, top), line, font=font, fill=colour)
        top += size * leading
    return top


def _width(line: str, font: ImageFont.FreeTypeFont, tracking: int) -> float:
    return font.getlength(line) + tracking * max(0, len(line) - 1)


def _wrap(text: str, font: ImageFont.FreeTypeFont, measure: int, tracking: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", font, tracking) <= measure:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@cache
def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    path = _font_file(style)
    if path is None:  # no fontconfig or no EB Garamond: Pillow's own font, still reproducible
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@cache
def _font_file(style: str) -> str | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run(
        [fc_match, "-f", "%{file}", f"EB Garamond 12:style={style}"], capture_output=True, text=True
    ).stdout
    return found if "EBGaramond" in found else None

"""Hostile input. Resources: nothing from the network, no local file from outside the edition, no
attachment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .listener import Listener
from .refusal import PDF_NAME, refuse
from conftest import EXAMPLE, REPOSITORY
from editions_factory import TEXT, TEXT_FILE, build_in_process, make_edition, write

IMAGE_TYPES = "(.gif, .jpeg, .jpg, .png, .svg, .webp)"


@pytest.mark.parametrize(
    "image, first",
    [
        (
            "![x]({remote})",
            f"src_text/text.md:10: error T007 image-not-found: the image {{remote}} is not a file in the "
            f"edition {IMAGE_TYPES}",
        ),
        (
            "![x](/etc/passwd)",
            f"src_text/text.md:10: error T007 image-not-found: the image /etc/passwd is not a file in "
            f"the edition {IMAGE_TYPES}",
        ),
        (
            "![x](../../../../../../etc/passwd)",
            "src_text/text.md:10: error T007 image-not-found: the image "
            f"../../../../../../etc/passwd is not a file in the edition {IMAGE_TYPES}",
        ),
    ],
)
def test_images_only_from_the_edition(
    edition: Path, good_out, capsys, listener: Listener, image: str, first: str
) -> None:
    image, first = (s.replace("{remote}", listener.url()) for s in (image, first))
    write(edition, TEXT_FILE, TEXT.replace("quiet ending.", f"quiet ending. {image}"))
    refuse(edition, good_out, capsys, first)


def test_pdf_fetches_nothing_outside_the_edition(tmp_path: Path, capsys, listener: Listener) -> None:
    """Style sheets may name any URL; the PDF stage reads only the edition's files, warns about the
    rest (S005, naming the file and line), and attaches nothing."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    builtin = (REPOSITORY / "readingedition" / "styles" / "pdf.css").read_text()
    (root / "secret.txt").write_text("outside")
    (root / "styles").mkdir()
    (root / "styles" / "pdf.css").write_text(
        builtin + f"\nbody {{ background: url({listener.url('bg.png')}); }}\n"
        "h1 { background: url(file:///etc/passwd); }\n"
        "p { background: url(../inside-link.png); }\n"
    )
    (root / "inside-link.png").symlink_to("/etc/passwd")
    code, _, stderr = build_in_process(root, tmp_path / "out", capsys, "pdf")
    assert code == 0, stderr
    warnings = sorted(line for line in stderr.splitlines() if " warning S005 " in line)
    line = builtin.count("\n") + 2
    assert warnings == [
        f"styles/pdf.css:{line}: warning S005 refused-resource: the PDF does not use {listener.url('bg.png')}: "
        "it is not a file inside the edition",
        f"styles/pdf.css:{line + 1}: warning S005 refused-resource: the PDF does not use file:///etc/passwd: "
        "it is not a file inside the edition",
        f"styles/pdf.css:{line + 2}: warning S005 refused-resource: the PDF does not use inside-link.png: it is "
        "not a file inside the edition",
    ]
    detached = subprocess.run(
        ["pdfdetach", "-list", str(tmp_path / "out" / "a-small-example.pdf")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert detached.stdout.strip() == "0 embedded files"


def test_the_fetcher_serves_only_the_editions_files(tmp_path: Path) -> None:
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition
    from readingedition.render.fetch import EDITION_URL, EditionFetcher

    root = make_edition(tmp_path / "edition")
    (root / "pic.png").write_bytes(b"\x89PNG")
    (root / "away.png").symlink_to("/etc/hostname")
    fetcher = EditionFetcher(anchor_edition(load_edition(root)).edition)
    assert fetcher(EDITION_URL + "pic.png").read() == b"\x89PNG"
    assert fetcher(fetcher.url_of(root / "pic.png")).read() == b"\x89PNG"
    for url in (
        EDITION_URL + "away.png",
        EDITION_URL + "../../etc/passwd",
        (root / "pic.png").as_uri(),
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "ftp://x/y",
        EDITION_URL + "missing.png",
    ):
        with pytest.raises(ValueError):
            fetcher(url)
    assert [d.code for d in fetcher.warnings()] == ["S005"] * 7


def test_attachment_links_never_reach_the_pdf(tmp_path: Path) -> None:
    """Even a link the sanitiser would refuse (rel=attachment) attaches nothing to the PDF."""
    from readingedition.anchor import anchor_edition
    from readingedition.load import load_edition
    from readingedition.render.pdf import render_pdf

    root = make_edition(tmp_path / "edition")
    (root / "own.txt").write_text("the edition's own file")
    annotated = anchor_edition(load_edition(root))
    body = annotated.notes[0].body
    link = {
        "t": "Link",
        "c": [["", [], [["rel", "attachment"]]], [{"t": "Str", "c": "own"}], [(root / "own.txt").as_uri(), ""]],
    }
    body[0]["c"].append(link)
    render_pdf(annotated, tmp_path / "x.pdf")
    detached = subprocess.run(
        ["pdfdetach", "-list", str(tmp_path / "x.pdf")], capture_output=True, text=True, check=True
    )
    assert detached.stdout.strip() == "0 embedded files"


def test_the_pdf_is_the_same_wherever_the_edition_sits(tmp_path: Path, capsys) -> None:
    """WeasyPrint names an image by a hash of its URL: the edition's URL must not be its directory."""
    pdfs = []
    stars = (REPOSITORY / "tests" / "editions" / "founding" / "images" / "stars.png").read_bytes()
    for place in ("a", "somewhere/much/deeper"):
        root = make_edition(
            tmp_path / place / "edition",
            files={"images/stars.png": stars},
            text=TEXT.replace("quiet ending.", "quiet ending.\n\n![Stars](images/stars.png)"),
        )
        code, _, stderr = build_in_process(root, tmp_path / place / "out", capsys, "pdf")
        assert code == 0, stderr
        pdfs.append((tmp_path / place / "out" / PDF_NAME).read_bytes())
    assert pdfs[0] == pdfs[1]
    assert str(tmp_path).encode() not in pdfs[0]

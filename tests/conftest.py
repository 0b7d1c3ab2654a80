"""Shared fixtures: each edition is built once per test session, into a temporary directory."""

from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import pytest

from readingedition.anchor import anchor_edition
from readingedition.load import load_edition
from readingedition.model import AnnotatedEdition
from readingedition.pipeline import build

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLE = REPOSITORY / "tests" / "editions" / "example"
STRESS = REPOSITORY / "tests" / "editions" / "stress"
DENSE = REPOSITORY / "tests" / "editions" / "dense"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


@dataclass(frozen=True)
class Built:
    annotated: AnnotatedEdition
    epub: Path
    pdf: Path
    messages: str  # what the build wrote on stderr: its progress and warnings

    def xhtml(self, name: str) -> lxml.etree._Element:
        with zipfile.ZipFile(self.epub) as book:
            return lxml.etree.fromstring(book.read(f"EPUB/{name}"))

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.epub) as book:
            return book.namelist()


def _build(root: Path, out: Path) -> Built:
    with contextlib.redirect_stderr(io.StringIO()) as messages:
        epub, pdf = build(root, out, ("epub", "pdf"))
    return Built(anchor_edition(load_edition(root)), epub, pdf, messages.getvalue())


@pytest.fixture(scope="session")
def essay(tmp_path_factory) -> Built:
    return _build(REPOSITORY, tmp_path_factory.mktemp("essay"))


@pytest.fixture(scope="session")
def example(tmp_path_factory) -> Built:
    return _build(EXAMPLE, tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="session")
def stress(tmp_path_factory) -> Built:
    return _build(STRESS, tmp_path_factory.mktemp("stress"))


FOUNDING = REPOSITORY / "tests" / "editions" / "founding"
DROITS = REPOSITORY / "tests" / "editions" / "droits"


@pytest.fixture(scope="session")
def founding(tmp_path_factory) -> Built:
    """The Declaration and two speeches of Lincoln: every body construct, two chapter files."""
    return _build(FOUNDING, tmp_path_factory.mktemp("founding"))


@pytest.fixture(scope="session")
def droits(tmp_path_factory) -> Built:
    """A small French edition, two-sided, with verse and French spacing."""
    return _build(DROITS, tmp_path_factory.mktemp("droits"))


# The session's built editions, and the fixtures that pick one of them.
BUILD_FIXTURES = {"essay", "example", "stress", "founding", "droits", "dense", "built"}
# Folders and modules whose tests render, package or run builds themselves.
SLOW_PATHS = (
    "integration/",
    "render/test_booklet.py",
    "render/test_epub.py",
    "render/test_reading_system.py",
    "render/test_kindle.py",
    "render/test_margins.py",
    "render/test_pdf.py",
    "render/test_styles.py",
    "check/test_check.py",
    "check/test_fidelity.py",
    "test_cli.py",
    "test_memo.py",
    "test_package.py",
    "test_watch.py",
)
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """`pytest -m quick` selects the tests that build nothing: not in SLOW_PATHS, using no build
    fixture, and not marked `slow`."""
    for item in items:
        where = item.path.resolve().relative_to(TESTS).as_posix()
        if (
            not where.startswith(SLOW_PATHS)
            and not BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
            and item.get_closest_marker("slow") is None
        ):
            item.add_marker(pytest.mark.quick)


@pytest.fixture(scope="session")
def dense(tmp_path_factory) -> Built:
    return _build(DENSE, tmp_path_factory.mktemp("dense"))

"""Reproducible builds: the same inputs give byte-identical editions.

Three builds of one small edition (tests/editions_factory.py), EPUB and PDF each:
  A  in this process, SOURCE_DATE_EPOCH unset, this process's time zone;
  B  a copy of the edition in another directory, built in a subprocess with TZ=Pacific/Kiritimati
     (UTC+14) and LC_ALL=C, SOURCE_DATE_EPOCH unset;
  C  a subprocess with SOURCE_DATE_EPOCH=1700000000 and TZ=America/St_Johns (UTC-3:30).
faketime is not used (not installed): no build reads the clock (reproducible.py), so the time zone,
the locale and the edition's path must not matter, and A and B must be byte-identical.
SOURCE_DATE_EPOCH must change only the dates: the EPUB's dcterms:modified and its zip entry times,
and the PDF's CreationDate/ModDate (with the content hash half of its /ID).
"""

from __future__ import annotations

import datetime
import io
import shutil
import struct
import time
import zipfile

import pytest

from editions_factory import EDITION_NAME, make_edition, start_build

OTHER_EPOCH = 1700000000  # 2023-11-14T22:13:20Z
DEFAULT_STAMP = (2006, 1, 1, 0, 0, 0)  # readingedition.reproducible.DEFAULT_EPOCH
DEFAULT_EPOCH = 1136073600


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    from readingedition.pipeline import build

    base = tmp_path_factory.mktemp("determinism")
    root = make_edition(base / "edition")
    elsewhere = base / "another" / "place" / "edition"
    shutil.copytree(root, elsewhere)
    out: dict[str, dict[str, bytes]] = {}

    runs = {
        "b": (elsewhere, {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"}),
        "c": (root, {"TZ": "America/St_Johns", "SOURCE_DATE_EPOCH": str(OTHER_EPOCH)}),
    }
    started = {
        name: start_build(edition, base / f"out-{name}", "all", env=env) for name, (edition, env) in runs.items()
    }
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("SOURCE_DATE_EPOCH", raising=False)
            build(root, base / "out-a", ("epub", "pdf"))
    finally:
        results = {name: process.communicate(timeout=120) for name, process in started.items()}
    for name, process in started.items():
        assert process.returncode == 0, results[name][1]
    for name in "abc":
        out[name] = {kind: (base / f"out-{name}" / f"{EDITION_NAME}.{kind}").read_bytes() for kind in ("epub", "pdf")}
    return out


@pytest.mark.parametrize("kind", ["epub", "pdf"])
def test_same_inputs_give_identical_bytes_whatever_the_time_zone_and_path(builds, kind: str) -> None:
    assert builds["a"][kind] == builds["b"][kind]


def _entries(data: bytes) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


@pytest.mark.parametrize("run, stamp", [("a", DEFAULT_STAMP), ("c", (2023, 11, 14, 22, 13, 20))])
def test_epub_zip_is_normalised(builds, run: str, stamp: tuple[int, ...]) -> None:
    data = builds[run]["epub"]
    entries = _entries(data)
    names = [entry.filename for entry in entries]
    assert names[0] == "mimetype"
    assert names[1:] == sorted(names[1:])
    assert entries[0].compress_type == zipfile.ZIP_STORED
    assert all(entry.compress_type == zipfile.ZIP_DEFLATED for entry in entries[1:])
    # The entry times are the build epoch, not the time of the build.
    assert {entry.date_time for entry in entries} == {stamp}
    assert {entry.external_attr >> 16 for entry in entries} == {0o644}
    # OCF: the file starts with the mimetype entry, uncompressed, with no extra field.
    assert data[:4] == b"PK\x03\x04"
    name_length, extra_length = struct.unpack("<HH", data[26:30])
    assert (name_length, extra_length) == (8, 0)
    assert data[30 : 38 + len("application/epub+zip")] == b"mimetypeapplication/epub+zip"


def test_source_date_epoch_changes_only_the_epub_modified_date(builds) -> None:
    default = zipfile.ZipFile(io.BytesIO(builds["a"]["epub"]))
    other = zipfile.ZipFile(io.BytesIO(builds["c"]["epub"]))
    assert default.namelist() == other.namelist()
    changed = [name for name in default.namelist() if default.read(name) != other.read(name)]
    assert changed == ["EPUB/content.opf"]
    modified = '<meta property="dcterms:modified">{}</meta>'
    when = datetime.datetime.fromtimestamp(OTHER_EPOCH, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    before = default.read("EPUB/content.opf").decode("utf-8")
    after = other.read("EPUB/content.opf").decode("utf-8")
    assert modified.format("2006-01-01T00:00:00Z") in before
    assert modified.format(when) in after
    assert after.replace(modified.format(when), modified.format("2006-01-01T00:00:00Z")) == before


def _pdf_objects(data: bytes):
    """Every object of a PDF (streams decoded), its /Info and its /ID, with pdfminer."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    objects = {}
    for xref in document.xrefs:
        for object_id in xref.get_objids():
            value = document.getobj(object_id)
            if isinstance(value, PDFStream):
                if value.attrs.get("Type") is not None and value.attrs["Type"].name in ("ObjStm", "XRef"):
                    continue  # containers: they change with what they hold
                value = (repr(sorted((k, repr(v)) for k, v in value.attrs.items())), value.get_data())
            else:
                value = repr(value)
            objects[object_id] = value
    trailer_ids = [xref.trailer.get("ID") for xref in document.xrefs if xref.trailer.get("ID")]
    return objects, document.info[0], trailer_ids[0]


def test_source_date_epoch_changes_only_the_pdf_dates(builds) -> None:
    default, default_info, default_id = _pdf_objects(builds["a"]["pdf"])
    other, other_info, other_id = _pdf_objects(builds["c"]["pdf"])
    assert default_info["CreationDate"] == default_info["ModDate"] == b"D:20060101000000Z"
    assert other_info["CreationDate"] == other_info["ModDate"] == b"D:20231114221320Z"
    dates = ("CreationDate", "ModDate")
    assert {k: v for k, v in default_info.items() if k not in dates} == {
        k: v for k, v in other_info.items() if k not in dates
    }
    # Only the /Info dictionary and the XMP metadata (PDF/UA mirrors the dates there) differ, and
    # the font subsets if the subsetter dates them (fontTools does; HarfBuzz keeps the font's own
    # date); the /ID's first half is the edition's identifier (its second half hashes the content).
    changed = [object_id for object_id in default if default[object_id] != other.get(object_id)]
    fonts = [object_id for object_id in changed if "OpenType" in str(default[object_id])]
    assert len(changed) == 2 + len(fonts)
    assert any("CreationDate" in str(default[object_id]) for object_id in changed)
    assert any("xmpmeta" in str(default[object_id]) for object_id in changed)
    assert set(default) == set(other)
    assert default_id[0] == other_id[0]
    assert default_id[0].startswith(b"urn:uuid:")


def _font_dates(data: bytes) -> set[int]:
    """The `modified` date (seconds since 1970) in the `head` table of every embedded font subset."""
    from fontTools.misc.timeTools import epoch_diff
    from fontTools.ttLib import TTFont

    objects, _, _ = _pdf_objects(data)
    fonts = [value[1] for value in objects.values() if isinstance(value, tuple) and "OpenType" in value[0]]
    assert fonts
    return {TTFont(io.BytesIO(font))["head"].modified + epoch_diff for font in fonts}


def test_font_subsets_are_not_dated_by_the_wall_clock(builds) -> None:
    # fontTools (WeasyPrint's subsetter when HarfBuzz's is missing) stamps each subset with the
    # time it was made unless SOURCE_DATE_EPOCH is set: two builds a second apart then differ.
    # With HarfBuzz's subsetter a subset keeps the font's own date.
    now = time.time()
    for build in ("a", "c"):
        dates = _font_dates(builds[build]["pdf"])
        assert not [date for date in dates if abs(now - date) < 86400], f"build {build}: a font is dated today"


def test_font_subsets_made_by_fonttools_carry_the_build_date(tmp_path, monkeypatch) -> None:
    # Whatever this machine has, take the fontTools path, the one that dates its subsets.
    import weasyprint.pdf.fonts

    from readingedition.pipeline import build

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_edition(tmp_path / "edition")
    build(root, tmp_path / "out", ("pdf",))
    assert _font_dates((tmp_path / "out" / f"{EDITION_NAME}.pdf").read_bytes()) == {DEFAULT_EPOCH}

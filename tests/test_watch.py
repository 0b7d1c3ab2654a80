"""`readingedition watch`, as an editor uses it: edit a note, see it in the preview page."""

from __future__ import annotations

import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import EXAMPLE

NOTE = "What did the committees want?"


class Watcher:
    """`python -m readingedition watch` on an edition, its output read line by line."""

    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "readingedition", "watch", "epub"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", self.wait_for("the preview is at"))[0]

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in the watcher's output:\n{''.join(self.seen)}")

    def page(self) -> str:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            return response.read().decode()

    def page_with(self, text: str, timeout: float = 30, without: str | None = None) -> str:
        """The page once it shows `text` (and no longer shows `without`): the new EPUB is in place a
        moment before the build's errors are cleared, and the page then reloads itself."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page = self.page()
            if text in page and (without is None or without not in page):
                return page
            time.sleep(0.05)
        raise AssertionError(f"the preview never showed {text!r}:\n{''.join(self.seen)}")


@pytest.fixture
def watcher(tmp_path):
    root = tmp_path / "edition"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    running = Watcher(root)
    yield root, running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_a_saved_note_shows_in_the_preview_and_ctrl_c_stops_cleanly(watcher):
    root, running = watcher
    page = running.page_with(NOTE)
    assert 'data-version="1"' in page and 'src="/_preview/preview.js"' in page
    version = urllib.request.urlopen(running.url + "_version", timeout=10).read().decode()
    assert version == "1"
    notes = root / "annotations" / "notes.yaml"
    notes.write_text(notes.read_text().replace(NOTE, "What did the committees want in 1918?"))
    running.page_with("What did the committees want in 1918?")
    running.wait_for("changed: annotations/notes.yaml")
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=20) == 0
    running.wait_for("stopped")


def test_a_failed_build_shows_its_error_and_the_watcher_carries_on(watcher):
    root, running = watcher
    running.page_with(NOTE)
    notes = root / "annotations" / "notes.yaml"
    good = notes.read_text()
    notes.write_text(good.replace("not yet - how", "not ever - how"))
    page = running.page_with("A001 quote-not-found")
    assert NOTE in page  # the last good EPUB stays on the page, under the error
    assert running.process.poll() is None
    notes.write_text(good.replace(NOTE, "Back again?"))
    running.page_with("Back again?", without="A001")  # the error goes once the build succeeds
    epub = root / "output" / "a-small-example.epub"
    with urllib.request.urlopen(running.url + epub.name, timeout=10) as response:
        assert response.read() == epub.read_bytes()  # the output directory is served too


def test_a_port_in_use_is_refused_clearly(tmp_path):
    root = tmp_path / "edition"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "readingedition", "watch", "--port", str(port)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"error E003 port-unavailable: cannot serve on 127.0.0.1:{port}: Address already in use" in done.stderr

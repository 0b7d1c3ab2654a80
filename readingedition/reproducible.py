"""One clock for every build: SOURCE_DATE_EPOCH if set, otherwise a fixed date.

Editions must be byte-identical for the same inputs whatever the clock or time zone, so no
build reads the current time.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
from collections.abc import Iterator

from .diagnostics import BuildFailed, Diagnostic

DEFAULT_EPOCH = 1136073600  # 2006-01-01T00:00:00Z: fixed, so unset means reproducible too


def build_epoch() -> datetime.datetime:
    value = os.environ.get("SOURCE_DATE_EPOCH") or str(DEFAULT_EPOCH)  # set but empty: unset
    if not re.fullmatch(r"\d{1,11}", value.strip()):  # whole seconds, up to the year 5138
        raise BuildFailed((Diagnostic("B001", f"SOURCE_DATE_EPOCH is {value!r}, not a whole number of seconds"),))
    seconds = int(value)
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).replace(tzinfo=None)


@contextlib.contextmanager
def libraries_clock() -> Iterator[None]:
    """Give libraries that stamp their output with the time the same clock, by the convention
    they follow (SOURCE_DATE_EPOCH): fontTools writes it into every font subset's `head` table."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(build_epoch().replace(tzinfo=datetime.UTC).timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved

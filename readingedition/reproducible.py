"""One clock for every build: SOURCE_DATE_EPOCH if set, otherwise a fixed date.

Editions must be byte-identical for the same inputs whatever the clock or time zone, so no
build reads the current time.
"""
from __future__ import annotations

import datetime
import os

DEFAULT_EPOCH = 1136073600  # 2006-01-01T00:00:00Z: fixed, so unset means reproducible too


def build_epoch() -> datetime.datetime:
    seconds = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).replace(tzinfo=None)

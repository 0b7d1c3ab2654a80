#!/usr/bin/env python3
"""Build the reading editions of this repository (or of --root DIR): `readingedition`, run from a
checkout, with build.py's old commands (`all`, `epub`, `pdf`, `check`, `clean`). See --help."""

import sys
from pathlib import Path

from readingedition.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="build.py", fallback_root=Path(__file__).resolve().parent))

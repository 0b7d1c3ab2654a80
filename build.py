#!/usr/bin/env python3
"""Build the reading editions of this repository (or of --root DIR). See `python build.py --help`."""
import sys

from readingedition.cli import main

if __name__ == "__main__":
    sys.exit(main())

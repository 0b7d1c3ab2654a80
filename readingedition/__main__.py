"""`python -m readingedition`: the `readingedition` command."""

import sys

from .cli import main

sys.exit(main())

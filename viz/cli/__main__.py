"""`python -m viz.cli`: the same as the `tracegrad` command."""

import sys

from viz.cli.main import main

sys.exit(main())

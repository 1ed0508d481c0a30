"""`python -m desktop` is the same as `orchestrator-desktop`."""

import sys

from desktop.app import main

sys.exit(main())

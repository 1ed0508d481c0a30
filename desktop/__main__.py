"""`python -m orchestrator_desktop` is the same as `orchestrator-desktop`."""

import sys

from orchestrator_desktop.app import main

sys.exit(main())

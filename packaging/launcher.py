"""The bundle's entry script: the same `main` as the `orchestrator-desktop` command."""

import sys

from orchestrator_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())

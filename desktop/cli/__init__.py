"""The headless command line: every data operation, human-readable tables or `--json`.

Never imports Qt. `orchestrator_desktop.app.main` hands over when `is_command()` says the
arguments name a command; `orchestrator-desktop-cli` (a console script, for Windows where the
window's script has no console) always comes here.
"""

from __future__ import annotations

import sys

from .dispatch import COMMANDS, is_command, main

__all__ = ["COMMANDS", "is_command", "main", "main_entry"]


def main_entry() -> None:
    """The `orchestrator-desktop-cli` console script."""
    sys.exit(main(sys.argv[1:]))

"""The `orchestrator-desktop` entry point: a command runs headless, anything else opens a window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command line (never imports Qt) or to the window."""
    args = list(sys.argv[1:] if argv is None else argv)
    from . import cli

    if cli.is_command(args):
        return cli.main(args)
    from .gui.application import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())

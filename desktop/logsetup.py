"""Logging to a rotating file in the user's log folder; `--verbose` adds debug detail."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from . import paths

LOG_FILE_NAME = "orchestrator-desktop.log"


def configure(verbose: bool = False, *, to_stderr: bool = False) -> Path | None:
    """Send log records to the log file (and stderr when asked); return the file's path."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_orchestrator", False):
            root.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_path: Path | None = paths.log_dir() / LOG_FILE_NAME
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        log_path = None
        handler = logging.NullHandler()
    handler.setFormatter(formatter)
    handler._orchestrator = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if to_stderr and verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        stream._orchestrator = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    logging.getLogger("pony").setLevel(logging.WARNING)
    return log_path

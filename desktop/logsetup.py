"""Logging to a rotating file in the user's log folder; `--verbose` adds debug detail."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from . import paths

LOG_FILE_NAME = "orchestrator-desktop.log"
MAX_BYTES, BACKUPS = 2_000_000, 3  # the log file's size before it is rotated; files kept
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(verbose: bool = False, *, to_stderr: bool = False,
              rotate: bool = True) -> Path | None:
    """Send log records to the log file (and stderr when asked); return the file's path.

    `rotate=False` writes to the file without rotating it until `rotate_file()` is called:
    `logging.handlers` (and the socket, pickle and queue modules it imports) costs a window's
    launch about 10 ms before its first paint."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_orchestrator", False):
            root.removeHandler(handler)
    log_path: Path | None = paths.log_dir() / LOG_FILE_NAME
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = _rotating(log_path) if rotate else logging.FileHandler(
            log_path, encoding="utf-8")
    except OSError:
        log_path = None
        handler = logging.NullHandler()
    _add(root, handler)
    if to_stderr and verbose:
        _add(root, logging.StreamHandler(sys.stderr))
    logging.getLogger("pony").setLevel(logging.WARNING)
    return log_path


def rotate_file() -> None:
    """From now on rotate the log file `configure(rotate=False)` opened (at MAX_BYTES)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.FileHandler and getattr(handler, "_orchestrator", False):
            try:
                rotating = _rotating(Path(handler.baseFilename))
            except OSError:
                return  # the plain file goes on
            root.removeHandler(handler)
            handler.close()
            _add(root, rotating)


def _rotating(path: Path) -> logging.Handler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES,
                                                backupCount=BACKUPS, encoding="utf-8")


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._orchestrator = True  # type: ignore[attr-defined]
    root.addHandler(handler)

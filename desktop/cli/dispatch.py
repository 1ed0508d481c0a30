"""Recognising a command line, running the command, and turning failures into exit codes."""

from __future__ import annotations

import difflib
import logging
import os
import re
import sys
from pathlib import Path

from .. import logsetup
from ..data import DataError
from .opening import waiting
from .output import Outcome, emit, error_line

log = logging.getLogger(__name__)

COMMANDS = frozenset({"session", "search", "agent", "snapshot", "db"})
"""The first word of every command; anything else (or nothing) opens the window."""

OPTIONS_WITH_VALUE = frozenset({"--db", "--wait"})
FLAGS = frozenset({"--json", "--verbose"})
CLI_ONLY = frozenset({"-h", "--help", "--version"})

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 0, 1, 2, 70, 130


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
"""What a command looks like; a file path has a separator or a suffix."""


def is_command(args: list[str]) -> bool:
    """True when the arguments name a command (or ask for help or the version).

    Global options (`--db PATH`, `--wait S`, `--json`, `--verbose`) are skipped; a file path,
    a Qt option or nothing at all means the window. A bare word that is neither a command nor
    an existing file (`sesion`) is a mistyped command, which the command line refuses.
    """
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in CLI_ONLY:
            return True
        if arg in OPTIONS_WITH_VALUE:
            index += 2
        elif arg in FLAGS or arg.split("=", 1)[0] in OPTIONS_WITH_VALUE:
            index += 1
        elif arg == "--":
            return index + 1 < len(args) and _names_command(args[index + 1])
        else:
            return _names_command(arg)
    return False


def _names_command(arg: str) -> bool:
    return arg in COMMANDS or _mistyped_command(arg)


def _first_word(args: list[str]) -> str | None:
    """The first argument that is not a global option, if any."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in OPTIONS_WITH_VALUE:
            index += 2
        elif arg in FLAGS or arg in CLI_ONLY or arg.split("=", 1)[0] in OPTIONS_WITH_VALUE:
            index += 1
        elif arg == "--":
            return args[index + 1] if index + 1 < len(args) else None
        else:
            return arg
    return None


def _mistyped_command(word: str) -> bool:
    return bool(_WORD.fullmatch(word)) and not Path(word).exists()


def did_you_mean(word: str) -> str | None:
    """The command `word` is most likely a typing mistake for, if any is close."""
    close = difflib.get_close_matches(word.lower(), sorted(COMMANDS), n=1, cutoff=0.6)
    return close[0] if close else None


def main(args: list[str]) -> int:
    """Run one command; return its exit code (0 ok, 1 user error, 2 usage, 70 unexpected)."""
    from .parser import build_parser

    parser = build_parser()
    try:
        word = _first_word(args)
        if word is not None and word not in COMMANDS and (suggestion := did_you_mean(word)):
            parser.error(f"unknown command {word!r} (did you mean `{suggestion}`?)")
        options = parser.parse_args(args)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    log_path = logsetup.configure(options.verbose, to_stderr=True)
    log.debug("command line: %s", args)
    _prefer_utf8_stdout()
    try:
        with waiting(options.wait):
            outcome: Outcome = options.handler(options)
    except DataError as exc:
        log.info("command failed: %s", exc)
        print(error_line(str(exc)), file=sys.stderr)
        return EXIT_USER_ERROR
    except SystemExit as exit_:  # a usage error only a handler can see (`agent set` alone)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(error_line("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:
        log.exception("unexpected error running %s", args)
        where = f"details in {log_path}" if log_path else "run again with --verbose for details"
        print(error_line(f"unexpected problem ({where})"), file=sys.stderr)
        return EXIT_UNEXPECTED
    try:
        emit(outcome, as_json=options.json)
    except BrokenPipeError:  # `... | head`: the reader went away, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return outcome.exit_code


def _prefer_utf8_stdout() -> None:
    """Write UTF-8 to pipes and files whatever the locale says (JSON is UTF-8)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding != "utf8" and not sys.stdout.isatty():
        try:
            sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass

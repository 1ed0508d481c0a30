"""The argument parser: global options, one sub-parser per command, and value types."""

from __future__ import annotations

import argparse
import difflib
import textwrap
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .. import __version__
from ..data.enums import AgentType, DotNetEnum, SessionStatus

PROG = "orchestrator-desktop"
DEFAULT_WAIT_SECONDS = 10.0

DESCRIPTION = """\
Read and change an OrchestratorChat database without the window: list, show,
rename and delete sessions and change their status, search messages, create,
edit, duplicate and delete agents, take and restore snapshots, back up and check
the file. Each command prints readable text, or one JSON document with
--json.

With no command (or with a file path) orchestrator-desktop opens the window."""

EPILOG = """\
The options above also work after the command (session list --json).

exit status: 0 success; 1 user error (unknown id, invalid value, not a database,
locked or read-only file); 2 usage error (also a delete without --yes); 70
unexpected problem (details in the log file).

examples:
  orchestrator-desktop session list --status Active
  orchestrator-desktop --db ~/orchestrator.db --json session show 3f2b8c1e-...
  orchestrator-desktop search "tokenizer" --limit 5
  orchestrator-desktop db backup ~/backups/orchestrator-before-upgrade.db

'orchestrator-desktop COMMAND ACTION --help' describes each command."""


# -- value types (a bad value is a usage error: exit 2) -------------------------------------

def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def non_negative_int(text: str) -> int:
    """A whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def seconds(text: str) -> float:
    """A non-negative number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 86400")
    return value


def enum_name(kind: type[DotNetEnum], text: str, what: str) -> DotNetEnum:
    """A member of `kind` by name, in any case; a usage error names the closest one and every
    valid name."""
    try:
        return kind.from_name(text)
    except ValueError:
        pass
    names = {name.lower(): name for name in kind.__members__}
    close = difflib.get_close_matches(text.strip().lower(), names, n=1, cutoff=0.6)
    hint = f" (did you mean {names[close[0]]}?)" if close else ""
    raise argparse.ArgumentTypeError(
        f"{text!r} is not {what}{hint}; choose one of {', '.join(names.values())}")


def session_status(text: str) -> SessionStatus:
    """A SessionStatus by name, in any case."""
    return enum_name(SessionStatus, text, "a session status")  # type: ignore[return-value]


def agent_type(text: str) -> AgentType:
    """An AgentType by name, in any case."""
    return enum_name(AgentType, text, "an agent type")  # type: ignore[return-value]


def since_date(text: str) -> datetime:
    """An ISO 8601 date or date and time; local time unless it has `Z` or an offset.

    Returned as a naive UTC datetime, the form the file stores.
    """
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date like 2024-01-30 or 2024-01-30T14:00") from None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


YES = ("yes", "y", "true", "on", "1")
NO = ("no", "n", "false", "off", "0")


def yes_no(text: str) -> bool:
    """yes/no (also true/false, on/off, 1/0)."""
    lowered = text.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not yes or no")


# -- building the parser --------------------------------------------------------------------

def _common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The global options; on commands they default to "not given" so the ones given before
    the command still count."""
    kwargs: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--db", metavar="PATH", help=(
        "the database file (default: the one the window uses; $ORCHESTRATOR_DESKTOP_DB "
        "overrides it)"), **kwargs)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document instead of text", **kwargs)
    parser.add_argument("--verbose", action="store_true",
                        help="log debugging detail, also to stderr", **kwargs)
    parser.add_argument("--wait", metavar="SECONDS", type=seconds, help=(
        "how long to wait for a file another program is writing (default 10)"), **kwargs)


def command(group: Any, name: str, *, summary: str, description: str, examples: str,
            handler: Callable[[argparse.Namespace], Any]) -> argparse.ArgumentParser:
    """Add one command with its help text, examples and the global options."""
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, defaults=False)
    parser = group.add_parser(
        name, help=summary, description=wrap(description), parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + textwrap.indent(textwrap.dedent(examples).strip(), "  "))
    parser.set_defaults(handler=handler)
    return parser


def wrap(text: str, width: int = 79) -> str:
    """Paragraphs (blank-line separated) filled to `width` for the raw help formatter."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in text.split("\n\n"))


def command_group(commands: Any, name: str, summary: str) -> Any:
    """A word like `session` that takes an action (`list`, `show`, ...)."""
    parser = commands.add_parser(name, help=summary, description=summary[:1].upper() +
                                 summary[1:] + ".")
    return parser.add_subparsers(title="actions", metavar="ACTION", dest="action",
                                 required=True)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    from .commands import agents, database, search, sessions, snapshots

    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common_options(parser, defaults=True)
    parser.set_defaults(db=None, json=False, verbose=False, wait=DEFAULT_WAIT_SECONDS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                     required=True)
    sessions.register(commands)
    search.register(commands)
    agents.register(commands)
    snapshots.register(commands)
    database.register(commands)
    return parser

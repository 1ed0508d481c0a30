"""`session export`: a session as Markdown, HTML, JSON or PDF, to a file or to stdout."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from .. import tables as t
from ..dispatch import EXIT_USAGE
from ..opening import reading
from ..output import Outcome, error_line, progress_reporter
from ..parser import command

FORMATS = ("md", "html", "json", "pdf")


def register(group: Any) -> None:
    """Add `session export` to the `session` command's actions."""
    parser = command(
        group, "export", summary="write a session to Markdown, HTML, JSON or PDF",
        handler=export_command,
        description="Write a session with all its messages, tool calls and attachments: "
                    "md is a readable transcript, html one self-contained page (no script, "
                    "nothing loaded from elsewhere), json every row as --json writes it, pdf "
                    "the HTML form printed with numbered pages. Without --output the text "
                    "forms go to stdout; a PDF needs --output or a pipe. A file is written "
                    "under a temporary name and renamed into place when complete, so an "
                    "interrupted export leaves nothing behind.",
        examples="""
            orchestrator-desktop session export 3f2b8c1e-... --format md > parser.md
            orchestrator-desktop session export 3f2b8c1e-... --format html -o parser.html
            orchestrator-desktop session export 3f2b8c1e-... --format pdf -o parser.pdf --dark
            orchestrator-desktop session export 3f2b8c1e-... -f json | jq '.messages | length'""")
    parser.add_argument("id", metavar="ID", help="the session's id")
    parser.add_argument("--format", "-f", choices=FORMATS, default="md",
                        help="md (default), html, json or pdf")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="the file to write (replaced if it exists); stdout when absent "
                             "or -")
    parser.add_argument("--no-tool-output", dest="tool_output", action="store_false",
                        help="list tool calls without their parameters, output and error")
    parser.add_argument("--dark", action="store_true",
                        help="dark colours for html and pdf (default light)")


def export_command(options: argparse.Namespace) -> Outcome:
    from ...export import ExportOptions, export_session

    chosen = ExportOptions(format=options.format, tool_output=options.tool_output,
                           dark=options.dark)
    to_stdout = options.output in (None, "-")
    if to_stdout and options.format == "pdf" and sys.stdout.isatty():
        print(error_line("a PDF is not written to a terminal: give --output FILE or "
                         "redirect stdout"), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    with reading(options) as store:
        if to_stdout and options.format != "pdf":
            _replace_unencodable(sys.stdout)
            try:
                export_session(store, options.id, chosen, stream=sys.stdout)
            except BrokenPipeError:  # `... | head`: the reader went away, not an error
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return Outcome(None, "", written=True)
        if to_stdout:  # a PDF into a pipe: printed to a temporary file, then copied
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.pdf"
                export_session(store, options.id, chosen, target=path)
                with open(path, "rb") as pdf:
                    shutil.copyfileobj(pdf, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            return Outcome(None, "", written=True)
        report = progress_reporter()
        target = Path(options.output).expanduser()
        result = export_session(store, options.id, chosen, target=target,
                                progress=report)
    size = result.size_bytes or 0
    data = {"session_id": options.id, "format": result.format, "path": str(result.path),
            "message_count": result.message_count, "size_bytes": size}
    text = (f"Exported {result.message_count:,} messages to {result.path} "
            f"({t.size(size)}).")
    return Outcome(data, text)


def _replace_unencodable(stream: Any) -> None:
    """A terminal whose encoding cannot show a character gets a replacement, not a crash."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if encoding != "utf8":
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


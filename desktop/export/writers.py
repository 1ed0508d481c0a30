"""Markdown, HTML and JSON forms of a session, written message by message to a text stream.

A writer gets the session's facts once (`begin`), then each message in thread order
(`message`), then `end`; it keeps nothing of a message once written, so a session of any size
costs the memory of one page of messages.

The HTML is one self-contained file: its only style is inline, it has no script, nothing in it
loads anything (a Content-Security-Policy forbids it besides), every text from the file is
escaped, and only http(s) addresses written in a message become links.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from ..cli import jsonform
from ..cli.tables import duration
from ..data import records as r
from ..units import human_size
from . import highlight as hl

FORMAT_NAME = "orchestrator-desktop-session-export"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportOptions:
    """What an export holds and how it looks."""

    format: str = "md"  # md, html, json or pdf
    tool_output: bool = True  # tool calls' parameters, output and error
    dark: bool = False  # HTML and PDF colours
    selected: bool = False  # only some messages (said in the header)


@dataclass(frozen=True)
class SessionFacts:
    """What the header says about the session."""

    session: r.SessionRecord
    members: tuple[r.SessionAgentRecord, ...]
    statistics: r.SessionStatistics | None
    message_count: int  # how many messages this export holds
    exported_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc)
                                  .replace(tzinfo=None))


def tool_call_parts(call: r.ToolCallRecord, plain: str) -> list[tuple[str, str, str]]:
    """(label, text, language) of what a tool call holds: its parameters (JSON when valid,
    else flagged and `plain`), its output and its error, each only when there is one."""
    parts = []
    parameters = call.parameters
    if not parameters.is_absent:
        label = "Parameters" if parameters.is_valid else "Parameters (not valid JSON)"
        parts.append((label, parameters.pretty(), "json" if parameters.is_valid else plain))
    if call.output:
        parts.append(("Output", call.output, plain))
    if call.error:
        parts.append(("Error", call.error, plain))
    return parts


def utc_text(value: datetime | None) -> str:
    """A stored UTC time as `2024-01-30 09:05:01 UTC`; "—" when absent. The year always has
    four digits (strftime prints .NET's DateTime.MinValue as "1-01-01" on Linux)."""
    if value is None:
        return "—"
    return f"{value.year:04d}-{value:%m-%d %H:%M:%S} UTC"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible_controls(text: str) -> str:
    """Control characters as their visible pictures (␀, ␛): HTML cannot hold them and they
    would garble a terminal or a PDF."""
    return _CONTROL.sub(lambda m: "\u2421" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())),
                        text)


_BIDI = {"R", "AL", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "FSI", "PDF", "PDI"}


def isolate(text: str) -> str:
    """Text from the file set apart for the bidirectional algorithm when it holds right-to-left
    letters or direction controls, so it cannot reorder the dates printed beside it."""
    if any(unicodedata.bidirectional(c) in _BIDI for c in text):
        return f"\u2068{text}\u2069"
    return text


def message_heading(message: r.MessageRecord) -> list[str]:
    """Role, agent, time and tokens of a message, as short phrases."""
    parts = [message.role.label]
    if message.agent_id:
        parts.append(isolate(message.agent_name or message.agent_id))
    parts.append(utc_text(message.timestamp))
    usage = message.token_usage
    if usage:
        parts.append(f"{usage.total_tokens:,} tokens (in {usage.input_tokens:,} / out "
                     f"{usage.output_tokens:,})")
    elif not message.token_usage_json.is_absent and not message.token_usage_json.is_valid:
        parts.append("token usage unreadable")
    return parts


def session_fields(facts: SessionFacts, options: ExportOptions) -> list[tuple[str, str]]:
    """The header's label/value pairs."""
    s = facts.session
    stats = facts.statistics
    pairs = [("Session ID", s.id), ("Status", s.status.label), ("Type", s.type.label),
             ("Project", s.project_id or "—"), ("Working directory", s.working_directory or "—"),
             ("Created", utc_text(s.created_at)), ("Last activity", utc_text(s.last_activity_at))]
    if s.completed_at:
        pairs.append(("Completed", utc_text(s.completed_at)))
    if stats is not None:
        pairs += [("Messages", f"{stats.message_count:,}"),
                  ("Total tokens", f"{stats.total_tokens:,}"),
                  ("Tool calls", f"{stats.tool_call_count:,}"),
                  ("Duration", duration(stats.duration))]
    exported = f"{facts.message_count:,} messages"
    if options.selected:
        exported += " (selected)"
    if not options.tool_output:
        exported += ", without tool output"
    pairs += [("Exported", f"{exported}, {utc_text(facts.exported_at)}")]
    return pairs


def member_text(member: r.SessionAgentRecord) -> str:
    text = member.agent_name or member.agent_id
    if member.role:
        text += f" ({member.role})"
    text += f", joined {utc_text(member.joined_at)}"
    if member.left_at:
        text += f", left {utc_text(member.left_at)}"
    return text


def attachment_text(attachment: r.AttachmentRecord) -> str:
    details = ", ".join(x for x in (attachment.mime_type, human_size(max(attachment.size, 0)))
                        if x)
    return f"{attachment.file_name or '(unnamed attachment)'} ({details})"


def call_text(call: r.ToolCallRecord) -> str:
    outcome = "ok" if call.success else "failed"
    return f"{call.tool_name or '(unnamed tool)'} — {outcome}, {duration(call.execution_time)}"


# -- Markdown's fenced code, found without a Markdown library -------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a message: prose, or a fenced code block with its language."""

    text: str
    code: bool = False
    language: str = ""
    closed: bool = True


def segments(content: str) -> Iterator[Segment]:
    """The message cut into prose and fenced code blocks (CommonMark's fence rules: three or
    more backticks or tildes, closed by at least as many of the same)."""
    prose: list[str] = []
    lines = content.split("\n")
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            if prose:
                yield Segment("\n".join(prose))
                prose = []
            fence, info = match.group(1), match.group(2).strip()
            body: list[str] = []
            index += 1
            closed = False
            while index < len(lines):
                end = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", lines[index])
                if end and end.group(1)[0] == fence[0] and len(end.group(1)) >= len(fence):
                    closed = True
                    break
                body.append(lines[index])
                index += 1
            yield Segment("\n".join(body), code=True, language=info, closed=closed)
            index += 1
            continue
        prose.append(lines[index])
        index += 1
    if prose:
        yield Segment("\n".join(prose))


def fence_for(text: str, char: str = "`") -> str:
    """A fence longer than any run of `char` in the text (at least three)."""
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", text)), default=0)
    return char * max(3, longest + 1)


# -- writers ---------------------------------------------------------------------------------

class Writer:
    """One export form, written to `out` as it goes."""

    def __init__(self, out: TextIO, options: ExportOptions) -> None:
        self.out = out
        self.options = options

    def begin(self, facts: SessionFacts) -> None:
        raise NotImplementedError

    def message(self, message: r.MessageRecord) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_inline(text: str) -> str:
    """Text from the file on one line of Markdown, shown as typed (no markup of its own)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(visible_controls(text).split()))


class MarkdownWriter(Writer):
    """A readable transcript: the session's facts, then each message under its heading."""

    def begin(self, facts: SessionFacts) -> None:
        w = self.out.write
        w(f"# {md_inline(facts.session.display_name)}\n\n")
        w("| | |\n|---|---|\n")
        for label, value in session_fields(facts, self.options):
            w(f"| {label} | {md_inline(value)} |\n")
        if facts.members:
            w("\n## Agents\n\n")
            for member in facts.members:
                w(f"- {md_inline(member_text(member))}\n")
        w("\n## Messages\n")

    def message(self, message: r.MessageRecord) -> None:
        w = self.out.write
        heading = " · ".join(md_inline(p) for p in message_heading(message))
        number = f"{message.number} · " if message.number else ""
        w(f"\n---\n\n### {number}{heading}\n\n")
        content = message.content
        if not content:
            w("*(no content)*\n" if content is None else "*(empty)*\n")
        else:
            content = visible_controls(content)
            w(content.rstrip("\n") + "\n")
            unclosed = [s for s in segments(content) if s.code and not s.closed]
            if unclosed:  # close it, or it would swallow the rest of the transcript
                w(fence_for(content) + "\n")
        if message.tool_calls:
            w("\n**Tool calls**\n\n")
            for call in message.tool_calls:
                w(f"- {md_inline(call_text(call))}\n")
                if self.options.tool_output:
                    self._tool_details(call)
        if message.attachments:
            w("\n**Attachments**\n\n")
            for attachment in message.attachments:
                w(f"- {md_inline(attachment_text(attachment))}\n")

    def _tool_details(self, call: r.ToolCallRecord) -> None:
        for label, text, language in tool_call_parts(call, plain=""):
            text = visible_controls(text)
            fence = fence_for(text)
            body = "\n".join("  " + line for line in text.split("\n"))
            self.out.write(f"\n  {label}:\n\n  {fence}{language}\n{body}\n  {fence}\n")

    def end(self) -> None:
        self.out.write("\n")


class JsonWriter(Writer):
    """The session with all its rows, as `--json` writes them (docs/cli.md's conventions)."""

    def begin(self, facts: SessionFacts) -> None:
        head = {
            "format": FORMAT_NAME, "version": FORMAT_VERSION,
            "exported_at": jsonform.iso(facts.exported_at),
            "options": {"selected_messages": self.options.selected,
                        "tool_output": self.options.tool_output},
            "session": {**jsonform.session(facts.session),
                        "agent_names": [m.agent_name or m.agent_id for m in facts.members]},
            "members": [jsonform.member(m) for m in facts.members],
            "statistics": (jsonform.statistics(facts.statistics)
                           if facts.statistics is not None else None),
            "message_count": facts.message_count,
        }
        text = json.dumps(head, ensure_ascii=False, indent=2)
        self.out.write(text[:-2] + ',\n  "messages": [')
        self._first = True

    def message(self, message: r.MessageRecord) -> None:
        data = jsonform.message(message)
        if not self.options.tool_output:
            for call in data["tool_calls"]:
                for key in ("parameters_json", "output", "error"):
                    call.pop(key, None)
        text = json.dumps(data, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        self.out.write(("\n    " if self._first else ",\n    ") + text)
        self._first = False

    def end(self) -> None:
        self.out.write("\n  ]\n}\n" if not self._first else "]\n}\n")


# -- HTML ------------------------------------------------------------------------------------

THEMES = {
    False: {"page": "#ffffff", "text": "#1f2328", "muted": "#59636e", "border": "#d1d9e0",
            "User": "#ddf4ff", "Assistant": "#f6f8fa", "System": "#fff8c5", "Tool": "#e6f4ea",
            "other": "#f6f8fa", "ok": "#1a7f37", "failed": "#cf222e", "link": "#0969da"},
    True: {"page": "#0d1117", "text": "#e6edf3", "muted": "#9198a1", "border": "#3d444d",
           "User": "#132339", "Assistant": "#151b23", "System": "#2e2a12", "Tool": "#112a1c",
           "other": "#151b23", "ok": "#3fb950", "failed": "#f85149", "link": "#4493f8"},
}
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]}]")


def esc(text: str) -> str:
    """Text from the file as HTML text: escaped, control characters made visible."""
    return html.escape(visible_controls(text), quote=True)


def prose_html(text: str) -> str:
    """Prose escaped, with http(s) addresses as plain links (no other scheme is ever live)."""
    out, position = [], 0
    for match in _URL.finditer(text):
        out.append(esc(text[position:match.start()]))
        url = match.group()
        out.append(f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(url)}</a>')
        position = match.end()
    out.append(esc(text[position:]))
    return "".join(out)


def code_html(text: str, language: str, dark: bool) -> str:
    """A code block's text escaped, its runs coloured by Pygments."""
    spans = hl.highlight(text, language, dark)
    pieces = []
    for piece, look in hl.runs(text, spans):
        if look is None:
            pieces.append(esc(piece))
        else:
            pieces.append(f'<span style="{look.css()}">{esc(piece)}</span>')
    return "".join(pieces)


def content_html(content: str, dark: bool, *, qt: bool = False) -> str:
    """A message's text: prose paragraphs and highlighted code blocks."""
    parts = []
    theme = THEMES[dark]
    for segment in segments(content):
        if segment.code:
            label = (f'<div class="lang" style="color:{theme["muted"]}">'
                     f"{esc(segment.language)}</div>") if segment.language else ""
            style = (f' style="background-color:{hl.CODE_BACKGROUND[dark]};'
                     f'color:{hl.CODE_TEXT[dark]}"')
            parts.append(f'{label}<pre class="code"{style}>'
                         f"{code_html(segment.text, segment.language, dark)}</pre>")
        elif segment.text.strip():
            text = segment.text.strip("\n")
            if qt:  # Qt's rich text keeps line breaks only as <br>
                parts.append('<p class="text">' + prose_html(text).replace("\n", "<br>")
                             + "</p>")
            else:
                parts.append(f'<div class="text" dir="auto">{prose_html(text)}</div>')
    return "".join(parts)


def stylesheet(dark: bool) -> str:
    t = THEMES[dark]
    return f"""
body {{ background: {t["page"]}; color: {t["text"]}; margin: 0 auto; max-width: 60em;
  padding: 1.5em; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.45; }}
h1 {{ font-size: 1.5em; margin: 0 0 .5em; }}
h2 {{ font-size: 1.1em; margin: 1.5em 0 .5em; }}
table.facts {{ border-collapse: collapse; }}
table.facts th {{ text-align: left; color: {t["muted"]}; font-weight: normal;
  padding: .1em 1em .1em 0; vertical-align: top; }}
table.facts td {{ padding: .1em 0; overflow-wrap: anywhere; }}
.msg {{ border: 1px solid {t["border"]}; border-radius: 8px; margin: .8em 0;
  padding: .6em .9em; }}
.head {{ color: {t["muted"]}; font-size: .9em; font-weight: bold; margin-bottom: .3em; }}
.text {{ white-space: pre-wrap; overflow-wrap: anywhere; margin: .3em 0; }}
pre.code {{ padding: .6em .8em; border-radius: 6px; overflow-x: auto; white-space: pre;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .88em; }}
.lang {{ font-size: .8em; margin-top: .5em; }}
.empty {{ color: {t["muted"]}; font-style: italic; }}
.calls, .attachments {{ margin: .4em 0 0; padding-left: 1.2em; }}
.ok {{ color: {t["ok"]}; }} .failed {{ color: {t["failed"]}; }}
.label {{ color: {t["muted"]}; font-size: .85em; margin: .3em 0 0; }}
a {{ color: {t["link"]}; }}
"""


def message_html(message: r.MessageRecord, options: ExportOptions, *, qt: bool = False,
                 limit: int | None = None, long_line: int | None = None) -> str:
    """One message as an HTML fragment; `limit` and `long_line` (for Qt's layout, which
    freezes on megabytes of text) shorten the content and break its long lines."""
    dark = options.dark
    theme = THEMES[dark]
    role = message.role.label if message.role.label in theme else "other"
    heading = "  ·  ".join(esc(p) for p in message_heading(message))
    parts = [f'<div class="head" style="color:{theme["muted"]}">{message.number}'
             f"  ·  {heading}</div>"]
    content = message.content
    if not content:
        parts.append('<p class="empty">' + ("(no content)" if content is None else "(empty)")
                     + "</p>")
    else:
        shown = content if limit is None else content[:limit]
        if long_line:
            shown = break_long_lines(shown, long_line)
        parts.append(content_html(shown, dark, qt=qt))
        if limit is not None and len(content) > limit:
            parts.append(f'<p class="empty">Shortened: {limit:,} of '
                         f"{len(content):,} characters shown; the Markdown, HTML and JSON "
                         "exports hold all of it.</p>")
    if message.tool_calls:
        parts.append('<p class="label">Tool calls</p><ul class="calls">')
        for call in message.tool_calls:
            kind = "ok" if call.success else "failed"
            parts.append(f'<li><span class="{kind}" style="color:{theme[kind]}">'
                         f"{esc(call_text(call))}</span>")
            if options.tool_output:
                parts.append(_call_details(call, dark, limit, long_line))
            parts.append("</li>")
        parts.append("</ul>")
    if message.attachments:
        parts.append('<p class="label">Attachments</p><ul class="attachments">')
        parts.extend(f"<li>{esc(attachment_text(a))}</li>" for a in message.attachments)
        parts.append("</ul>")
    body = "".join(parts)
    if qt:  # Qt draws backgrounds and borders on table cells, not on divs
        return (f'<table width="100%" cellspacing="0" cellpadding="8" '
                f'style="margin-bottom:8px; border-width:1px; border-style:solid; '
                f'border-color:{theme["border"]}" bgcolor="{theme[role]}"><tr><td>{body}'
                "</td></tr></table>")
    return (f'<article class="msg" id="m{message.position or 0}" '
            f'style="background:{theme[role]}">{body}</article>\n')


def _call_details(call: r.ToolCallRecord, dark: bool, limit: int | None,
                  long_line: int | None) -> str:
    out = []
    for label, text, language in tool_call_parts(call, plain="text"):
        shown = text if limit is None else text[:limit]
        if long_line:
            shown = break_long_lines(shown, long_line)
        out.append(f'<p class="label">{label}</p><pre class="code" style="background-color:'
                   f'{hl.CODE_BACKGROUND[dark]};color:{hl.CODE_TEXT[dark]}">'
                   f"{code_html(shown, language, dark)}</pre>")
        if limit is not None and len(text) > limit:
            out.append(f'<p class="empty">Shortened: {limit:,} of {len(text):,} characters '
                       "shown.</p>")
    return "".join(out)


def break_long_lines(text: str, width: int) -> str:
    """Lines over `width` characters broken into several (Qt lays a line out all at once)."""
    if all(len(line) <= width for line in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        out.extend([line[i:i + width] for i in range(0, len(line), width)] or [""])
    return "\n".join(out)


def header_html(facts: SessionFacts, options: ExportOptions) -> str:
    """The session's name, facts and agents."""
    rows = "".join(f"<tr><th>{esc(label)}</th><td><bdi>{esc(value)}</bdi></td></tr>"
                   for label, value in session_fields(facts, options))
    out = [f"<h1><bdi>{esc(facts.session.display_name)}</bdi></h1>",
           f'<table class="facts">{rows}</table>']
    if facts.members:
        out.append("<h2>Agents</h2><ul>")
        out.extend(f"<li><bdi>{esc(member_text(m))}</bdi></li>" for m in facts.members)
        out.append("</ul>")
    out.append("<h2>Messages</h2>\n")
    return "".join(out)


CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class HtmlWriter(Writer):
    """One self-contained page that looks like the thread."""

    def begin(self, facts: SessionFacts) -> None:
        dark = self.options.dark
        self.out.write(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="color-scheme" content="{"dark" if dark else "light"}">\n'
            f"<title>{esc(facts.session.display_name)}</title>\n"
            f"<style>{stylesheet(dark)}</style>\n</head>\n<body>\n")
        self.out.write(header_html(facts, self.options))

    def message(self, message: r.MessageRecord) -> None:
        self.out.write(message_html(message, self.options))

    def end(self) -> None:
        self.out.write("</body>\n</html>\n")


TEXT_WRITERS: dict[str, type[Writer]] = {"md": MarkdownWriter, "html": HtmlWriter,
                                          "json": JsonWriter}
EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json", "pdf": ".pdf"}
FORMAT_LABELS = {"md": "Markdown", "html": "HTML", "json": "JSON", "pdf": "PDF"}


def writer_for(options: ExportOptions, out: TextIO) -> Writer:
    """The text writer of the options' format."""
    return TEXT_WRITERS[options.format](out, options)

"""A message's details: everything stored for it, as plain, selectable text.

Nothing here is a link and nothing is rendered as HTML or Markdown: values from the file go
into read-only line edits and plain-text boxes, so a path, an address or markup in the file
shows as the characters it is and opens nothing.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...data.encoding import JsonText
from ...data.records import AttachmentRecord, MessageRecord, ToolCallRecord
from ...units import human_size
from .. import style
from .message_render import break_long_lines

FIELD_LIMIT = 20_000  # characters of one tool output shown here; Copy Text copies the message


def markdown_text(message: MessageRecord) -> str:
    """The message as the Markdown export writes it: its heading, text, tool calls and
    attachments."""
    from ...export.writers import ExportOptions, MarkdownWriter  # the export code: on demand

    out = io.StringIO()
    MarkdownWriter(out, ExportOptions()).message(message)
    return out.getvalue().removeprefix("\n---\n\n").rstrip("\n") + "\n"


def parent_text(message: MessageRecord, parent_position: int | None) -> str:
    """The parent message's id and where it is in the thread, in words."""
    if not message.parent_message_id:
        return "none"
    place = f"message #{parent_position:,} of this thread" if parent_position \
        else "not in this session"
    return f"{message.parent_message_id}  ({place})"


def _time_text(when: object, stored: str | None) -> str:
    from ...export.writers import utc_text

    if when is None:
        return "unreadable" if stored else "—"
    local, utc = style.exact_time(when), utc_text(when)
    return local if local.replace(" UTC", "") == utc.replace(" UTC", "") else f"{local}  ({utc})"


def _shortened(text: str) -> str:
    if len(text) <= FIELD_LIMIT:
        return break_long_lines(text)[0]
    return (break_long_lines(text[:FIELD_LIMIT])[0]
            + f"\n… (shortened: {len(text):,} characters in all)")


def _json_lines(label: str, value: JsonText) -> list[str]:
    if value.is_absent:
        return [f"{label}: (none)"]
    flag = "" if value.is_valid else " (not valid JSON, shown exactly as stored)"
    return [f"{label}{flag}:", _shortened(value.pretty())]


def tool_call_text(call: ToolCallRecord) -> str:
    """One tool call with everything stored for it, as plain text."""
    seconds = call.execution_time.total_seconds() if call.execution_time is not None else 0
    lines = [f"{call.tool_name or '(unnamed)'} — {'ok' if call.success else 'failed'} — "
             f"{style.human_duration(seconds)}",
             f"Id: {call.id}",
             f"Executed: {style.exact_time(call.executed_at)}",
             *_json_lines("Parameters", call.parameters)]
    for label, text in (("Output", call.output), ("Error", call.error)):
        lines += [f"{label}:", _shortened(text)] if text else [f"{label}: (none)"]
    return "\n".join(lines)


def attachment_text(attachment: AttachmentRecord) -> str:
    """One attachment's stored fields, as plain text (the path and URL are not links)."""
    return "\n".join((
        f"File name: {attachment.file_name or '(none)'}",
        f"Type: {attachment.mime_type or '(none)'}",
        f"Size: {human_size(attachment.size)} ({attachment.size:,} bytes)",
        f"Storage path: {attachment.storage_path or '(none)'}",
        f"URL: {attachment.url or '(none)'}",
        f"Uploaded: {style.exact_time(attachment.uploaded_at)}",
        f"Id: {attachment.id}",
    ))


class MessageDetailsDialog(QDialog):
    """Everything stored for one message; `fields` holds the line edits by label."""

    def __init__(self, message: MessageRecord, parent_position: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = " ".join(filter(None, ("Message", message.number.lstrip("#")))) + " — Details"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields: dict[str, QLineEdit] = {}
        self.texts: dict[str, QPlainTextEdit] = {}
        self.flags: dict[str, QLabel] = {}
        body = QWidget(self)
        column = QVBoxLayout(body)

        about = self._form(column, "Message")
        agent = message.agent_name or ""
        if message.agent_id:
            agent = f"{agent}  ({message.agent_id})" if agent else message.agent_id
        for label, value in (
                ("Number", f"{message.position:,} in the thread (by time)"
                 if message.position else "—"),
                ("Id", message.id),
                ("Session", message.session_id or "—"),
                ("Role", f"{message.role.label} ({int(message.role)})"),
                ("Agent", agent or "none"),
                ("Time", _time_text(message.timestamp, message.timestamp_text)),
                ("Time as stored", "(none)" if message.timestamp_text is None
                 else str(message.timestamp_text)),
                ("Sequence number", f"{message.sequence_number} (as stored)"),
                ("Parent message", parent_text(message, parent_position)),
                ("Length", style.count_of(len(message.content or ""), "character")
                 if message.content is not None else "no content (NULL)")):
            self._field(about, label, value)

        tokens = self._form(column, "Token usage")
        usage = message.token_usage
        for label, value in (
                ("Input tokens", f"{usage.input_tokens:,}" if usage else "—"),
                ("Output tokens", f"{usage.output_tokens:,}" if usage else "—"),
                ("Total tokens", f"{usage.total_tokens:,}" if usage else "—"),
                ("Estimated cost", f"{usage.estimated_cost:,.6f}".rstrip("0").rstrip(".")
                 if usage else "—")):
            self._field(tokens, label, value)
        self._json(column, "Token usage as stored", message.token_usage_json)
        self._json(column, "Metadata", message.metadata)
        self._text(column, f"Tool calls ({len(message.tool_calls)})",
                   "\n\n".join(tool_call_text(c) for c in message.tool_calls) or "(none)")
        self._text(column, f"Attachments ({len(message.attachments)})",
                   "\n\n".join(attachment_text(a) for a in message.attachments) or "(none)")

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(760, 680)

    def _form(self, column: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column.addWidget(box)
        return form

    def _field(self, form: QFormLayout, label: str, value: str) -> None:
        edit = QLineEdit(value, self)
        edit.setReadOnly(True)
        edit.setAccessibleName(label)
        edit.setCursorPosition(0)
        self.fields[label] = edit
        form.addRow(f"{label}:", edit)

    def _json(self, column: QVBoxLayout, label: str, value: JsonText) -> None:
        flag = QLabel("Not valid JSON: shown exactly as stored", self)
        flag.setTextFormat(Qt.TextFormat.PlainText)
        flag.setAccessibleName(f"{label} is not valid JSON")
        flag.setStyleSheet("font-weight: bold;")
        flag.setVisible(not value.is_valid)
        self.flags[label] = flag
        text = "(none)" if value.is_absent else _shortened(value.pretty())
        self._text(column, label, text, flag)

    def _text(self, column: QVBoxLayout, label: str, text: str,
              flag: QLabel | None = None) -> None:
        box = QGroupBox(label, self)
        inner = QVBoxLayout(box)
        if flag is not None:
            inner.addWidget(flag)
        edit = QPlainTextEdit(self)
        edit.setReadOnly(True)
        edit.setPlainText(text)
        edit.setAccessibleName(label)
        edit.setTabChangesFocus(True)
        lines = min(max(text.count("\n") + 1, 2), 12)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 16)
        self.texts[label.split(" (")[0]] = edit
        inner.addWidget(edit)
        column.addWidget(box)

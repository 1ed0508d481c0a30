"""What colouring code costs a message in the window: Pygments against the keyword list it
replaced, and against no colouring at all.

    python -m benchmarks.highlight [--messages N] [--repeat N]

Each message holds prose and a 40-line fenced block (Python, C#, JavaScript, and one without a
language); a window's page is 60 messages. Times are medians of `--repeat` runs of laying out
every message with `build_document` (the window's own renderer); "cold" clears the highlight
cache before each run (a page seen for the first time), "warm" keeps it (the same page
painted again, as when scrolling back). The markdown table goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from orchestrator_desktop.data.encoding import JsonText  # noqa: E402
from orchestrator_desktop.data.enums import MessageRole  # noqa: E402
from orchestrator_desktop.data.records import MessageRecord  # noqa: E402
from orchestrator_desktop.export import highlight  # noqa: E402
from orchestrator_desktop.gui.thread import message_render  # noqa: E402
from PySide6.QtCore import QRegularExpression  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextFormat,  # noqa: E402
)
from PySide6.QtWidgets import QApplication  # noqa: E402

SAMPLES = {
    "python": "def f_{n}(items: list[int]) -> int:\n    total = 0  # running sum\n"
              "    for i in items:\n        total += i * {n}\n    return total\n",
    "csharp": "public int F{n}(List<int> items) {{\n    var total = 0; // sum\n"
              "    foreach (var i in items) total += i * {n};\n    return total;\n}}\n",
    "javascript": "function f{n}(items) {{\n  let total = 0; // sum\n"
                  "  for (const i of items) total += i * {n};\n  return `total ${{total}}`;\n}}\n",
    "": "f{n} items -> total\n  add each item times {n}\n  return the total\n",
}

OLD_KEYWORDS = (
    r"\b(?:and|as|assert|async|await|break|case|catch|class|const|continue|def|del|do|elif|"
    r"else|enum|except|export|extends|false|False|finally|fn|for|from|func|function|if|impl|"
    r"import|in|interface|is|let|match|mut|new|nil|None|not|null|or|pass|private|protected|"
    r"pub|public|raise|return|self|static|struct|super|switch|this|throw|true|True|try|type|"
    r"use|var|void|while|with|yield)\b")


class KeywordHighlighter(QSyntaxHighlighter):
    """The hand-made highlighter this project used before Pygments (for comparison)."""

    def __init__(self, document, palette) -> None:
        super().__init__(document)
        self._rules = []
        for pattern, colour, bold in (
                (OLD_KEYWORDS, "#7b1fa2", True), (r"\b\d+(?:\.\d+)?\b", "#b71c1c", False),
                (r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", "#2e7d32", False),
                (r"(?:#|//).*$", "#6a737d", False)):
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._rules.append((QRegularExpression(pattern), fmt))

    def highlightBlock(self, text: str) -> None:
        fmt = self.currentBlock().blockFormat()
        if not (fmt.nonBreakableLines() or fmt.hasProperty(QTextFormat.Property.BlockCodeFence)):
            return
        for expression, char_format in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), char_format)


class NoHighlighter(QSyntaxHighlighter):
    def __init__(self, document, palette) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        return None


def messages(count: int, lines: int = 40) -> list[MessageRecord]:
    out = []
    for n in range(count):
        language = list(SAMPLES)[n % len(SAMPLES)]
        body = "".join(SAMPLES[language].format(n=n + k) for k in range(lines // 5))
        content = f"Message {n}: here is the code.\n\n```{language}\n{body}```\n\nThat is all."
        out.append(MessageRecord(f"m{n}", "s", content, MessageRole.Assistant, None, None,
                                 None, n + 1, JsonText(None), JsonText(None)))
    return out


def timed(run: Callable[[], None], repeat: int, before: Callable[[], None] | None = None
          ) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    palette = app.palette()
    page = messages(args.messages)
    original = message_render.CodeHighlighter

    def render() -> None:
        for message in page:
            message_render.build_document(message, palette, frozenset()).setTextWidth(700)

    rows = []
    try:
        for label, cls, before in (
                ("no colouring", NoHighlighter, None),
                ("keyword list (before)", KeywordHighlighter, None),
                ("Pygments, cold cache", original, highlight.cache_clear),
                ("Pygments, warm cache", original, None)):
            message_render.CodeHighlighter = cls
            render()  # warm-up: imports, fonts, lexers
            rows.append((label, timed(render, args.repeat, before)))
    finally:
        message_render.CodeHighlighter = original
    base = rows[0][1]
    print(f"| {args.messages} messages, 40-line code block each | page | per message | "
          "vs no colouring |")
    print("|---|---:|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:.1f} ms | {seconds * 1000 / len(page):.2f} ms | "
              f"{seconds / base:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

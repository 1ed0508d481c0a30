"""Exports on real files: every form on the hostile session, read back as a reader would;
cancelled and failed exports leave nothing; the command line's `session export`."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, add_messages, make_dotnet_database
from hostile_files import (
    BIG_ID,
    BIG_SIZE,
    BIG_WORD,
    CODE_WORD,
    HOSTILE_ID,
    RTL_TEXT,
    SCRIPT,
    make_hostile_database,
)
from orchestrator_desktop.data import DataError, open_store
from orchestrator_desktop.export import ExportCancelled, ExportOptions, export_session, highlight
from orchestrator_desktop.export.writers import segments
from processes import APP

ROOT = Path(__file__).resolve().parents[1]
# PDFs printed in this process use the tests' QApplication (one made by the export itself
# would be a QGuiApplication, and no QApplication could follow it); the command line's own
# offscreen one is tested in subprocesses below
pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_hostile_database(tmp_path_factory.mktemp("hostile") / "orchestrator.db")


@pytest.fixture(scope="module")
def store(hostile):
    opened = open_store(hostile, read_only=True, create=False)
    yield opened
    opened.close()


def export(store, tmp_path: Path, fmt: str, session_id: str = HOSTILE_ID, **options):
    target = tmp_path / f"out.{fmt}"
    result = export_session(store, session_id, ExportOptions(format=fmt, **options),
                            target=target)
    assert result.path == target and target.stat().st_size == result.size_bytes
    return target, result


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- Markdown --------------------------------------------------------------------------------

def test_markdown_is_a_whole_readable_transcript(store, tmp_path) -> None:
    path, result = export(store, tmp_path, "md")
    text = path.read_text(encoding="utf-8")
    assert result.message_count == 8 and text.count("\n### #") == 8
    assert text.startswith("# Hostile")
    assert "| Session ID | 6e5d4c3b-0000-4000-8000-00000000bad1 |" in text
    # numbered by their place in the thread's time order (.NET's DateTime.MinValue first)
    assert "### #1 · System · " in text and "0001-01-01 00:00:00 UTC" in text
    assert "### #2 · Assistant · " in text and "Unknown \\(99\\)" not in text
    assert "### #8 · Unknown (99) · " in text  # the unknown role, named as --json names it
    big = text[text.index(BIG_WORD):]
    assert len(big) > BIG_SIZE  # the 5 MB message whole, not shortened
    assert "```python\ndef " + CODE_WORD in text  # the code fence keeps its language
    assert RTL_TEXT.split()[0] in text and "👩‍👩‍👧‍👦" in text
    assert "before\u2400after" in text and "\x00" not in text  # NUL made visible
    assert "**Tool calls**" in text and "**Attachments**" in text
    assert "token usage unreadable" in text
    # the tool output of a million "o"s is fenced: the fences pair up, so nothing after it
    # is swallowed into code
    fences = [line for line in text.split("\n") if re.match(r"^\s*(```|~~~)", line)]
    assert len(fences) % 2 == 0


def test_markdown_without_tool_output_lists_the_calls_only(store, tmp_path) -> None:
    text = export(store, tmp_path, "md", tool_output=False)[0].read_text(encoding="utf-8")
    assert "**Tool calls**" in text and "o" * 1000 not in text
    assert "without tool output" in text


# -- HTML ------------------------------------------------------------------------------------

class Inspector(HTMLParser):
    """Every element, attribute and style text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.text_parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag) -> None:
        self._in_style = False

    def handle_data(self, data) -> None:
        (self.styles if self._in_style else self.text_parts).append(data)


@pytest.mark.parametrize("dark", [False, True])
def test_html_runs_nothing_and_loads_nothing(store, tmp_path, dark) -> None:
    path, _ = export(store, tmp_path, "html", dark=dark)
    page = path.read_text(encoding="utf-8")
    inspector = Inspector()
    inspector.feed(page)
    inspector.close()
    assert "script" not in inspector.tags
    for banned in ("iframe", "img", "object", "embed", "link", "base", "form", "frame", "svg",
                   "video", "audio", "source", "meta refresh"):
        assert banned not in inspector.tags
    assert [a for a in inspector.attributes if a[1].startswith("on")] == []
    assert [a for a in inspector.attributes if a[1] in ("src", "srcset", "action",
                                                        "formaction", "background")] == []
    hrefs = [value for _tag, name, value in inspector.attributes if name == "href"]
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    styles = "\n".join(inspector.styles) + "\n".join(
        value for _tag, name, value in inspector.attributes if name == "style")
    assert "@import" not in styles and "url(" not in styles.lower()
    assert "expression(" not in styles.lower()
    csp = [value for tag, name, value in inspector.attributes if name == "content"
           and "default-src" in value]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                   "form-action 'none'"]
    text = "".join(inspector.text_parts)
    assert SCRIPT in text  # shown as text, escaped in the file
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert "javascript:alert(document.cookie)" in text  # inert: a link's text, never an href
    assert BIG_WORD in text and len(page) > BIG_SIZE
    assert RTL_TEXT.split()[0] in text


def test_html_code_is_coloured_like_the_window(store, tmp_path) -> None:
    page = export(store, tmp_path, "html")[0].read_text(encoding="utf-8")
    keyword = highlight.highlight("def f(): pass", "python", False)[0][2]
    assert f'<span style="{keyword.css()}">def</span> ' in page  # Pygments' keyword colour
    # the 100,000-line block is coloured only up to the limit, then plain
    block = page[page.index(CODE_WORD):]
    block = block[:block.index("</pre>")]
    assert "<span" in block[:5000] and "<span" not in block[-5000:]


# -- JSON ------------------------------------------------------------------------------------

def test_json_parses_back_with_every_row(store, hostile, tmp_path) -> None:
    path, _ = export(store, tmp_path, "json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "orchestrator-desktop-session-export" and data["version"] == 1
    assert data["session"]["id"] == HOSTILE_ID
    assert data["session"]["metadata_json"] == {"raw": "<not json/>", "valid": False}
    assert data["message_count"] == len(data["messages"]) == 8
    # in the thread's time order, each with its place in it (the stored numbers are not it)
    assert [m["position"] for m in data["messages"]] == list(range(1, 9))
    assert sorted(m["sequence_number"] for m in data["messages"]) == list(range(1, 9))
    by_id = {m["id"]: m for m in data["messages"]}
    con = sqlite3.connect(hostile)
    stored = con.execute('SELECT "Content" FROM "Messages" WHERE "Id" = ?',
                         (BIG_ID,)).fetchone()[0]
    con.close()
    assert by_id[BIG_ID]["content"] == stored  # 5 MB, exact
    roles = {m["role"] for m in data["messages"]}
    assert {"Unknown (99)", "Unknown (-1)"} <= roles
    calls = [c for m in data["messages"] for c in m["tool_calls"]]
    assert {c["id"] for c in calls} == {"bad-call-1", "bad-call-2"}
    assert len(next(c for c in calls if c["id"] == "bad-call-1")["output"]) == 1_000_000


def test_json_messages_are_what_session_show_json_prints(tmp_path) -> None:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    with closing(open_store(db, read_only=True, create=False)) as store:
        exported = json.loads(export(store, tmp_path, "json", SESSION_ID)[0].read_text("utf-8"))
    shown = subprocess.run(
        [*APP, "--db", str(db), "--json", "session", "show",
         SESSION_ID], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    assert shown.returncode == 0, shown.stderr
    assert exported["messages"] == json.loads(shown.stdout)["messages"]
    assert exported["members"] == json.loads(shown.stdout)["members"]


# -- PDF -------------------------------------------------------------------------------------

def pdf_pages(path: Path) -> int:
    """Page objects in the file, as a PDF reader counts them."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


@pytest.mark.parametrize("dark", [False, True])
def test_pdf_is_printed_with_its_pages(store, tmp_path, dark) -> None:
    path, result = export(store, tmp_path, "pdf", dark=dark)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert result.pages is not None and result.pages > 3  # shortened, they still fill pages
    assert pdf_pages(path) == result.pages


def test_pdf_of_an_empty_session_is_one_page(tmp_path) -> None:
    db = make_hostile_database(tmp_path / "orchestrator.db")
    with closing(open_store(db, read_only=True, create=False)) as store:
        path, result = export(store, tmp_path, "pdf", "6e5d4c3b-0000-4000-8000-00000000bad2")
    assert result.message_count == 0 and pdf_pages(path) == result.pages == 1


# -- large sessions, cancelling, failing ------------------------------------------------------

@pytest.fixture
def large(tmp_path) -> Path:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(db, SESSION_ID, 20_000, first_sequence=6,
                 text="message {n}\n\n```python\nprint({n})\n```")
    return db


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["md", "html", "json", "pdf"])
def test_cancelling_midway_leaves_no_file_and_keeps_an_older_one(large, tmp_path, fmt) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    target = out / f"session.{fmt}"
    target.write_text("an older export")
    seen: list[float] = []

    def progress(_text: str, fraction: float) -> None:
        seen.append(fraction)

    with closing(open_store(large, read_only=True, create=False)) as store, \
            pytest.raises(ExportCancelled):
        export_session(store, SESSION_ID, ExportOptions(format=fmt), target=target,
                       progress=progress, should_stop=lambda: len(seen) >= 5)
    assert 0 < seen[-1] < 0.1  # stopped early, not after writing it all
    assert leftovers(out) == ["session." + fmt]
    assert target.read_text() == "an older export"


@pytest.mark.slow
def test_a_large_session_exports_whole_and_in_order(large, tmp_path) -> None:
    fractions: list[float] = []
    with closing(open_store(large, read_only=True, create=False)) as store:
        target = tmp_path / "all.json"
        result = export_session(store, SESSION_ID, ExportOptions(format="json"), target=target,
                                progress=lambda _t, f: fractions.append(f), page_size=300)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert result.message_count == len(data["messages"]) == 20_005
    sequence = [m["sequence_number"] for m in data["messages"]]
    assert sequence == sorted(sequence) and len(set(sequence)) == 20_005
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_failed_export_leaves_no_file(tmp_path) -> None:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    out = tmp_path / "exports"
    out.mkdir()

    written = []

    def failing():
        with closing(open_store(db, read_only=True, create=False)) as other:
            yield from other.sessions.messages_page(SESSION_ID).messages[:2]
        written.append([p.name for p in out.iterdir()])  # the temporary file, half written
        raise OSError(28, "No space left on device")

    with closing(open_store(db, read_only=True, create=False)) as store:
        for fmt in ("md", "pdf"):
            with pytest.raises(DataError, match="No space left on device"):
                export_session(store, SESSION_ID, ExportOptions(format=fmt),
                               target=out / f"x.{fmt}", messages=failing())
            assert written[-1][0].startswith(f".x.{fmt}.") and written[-1][0].endswith(".part")
        with pytest.raises(DataError, match="Cannot write"):
            export_session(store, SESSION_ID, ExportOptions(format="md"),
                           target=tmp_path / "missing" / "x.md")
    assert leftovers(out) == []


def test_selected_messages_only(tmp_path) -> None:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    with closing(open_store(db, read_only=True, create=False)) as store:
        chosen = store.sessions.messages_page(SESSION_ID).messages[1:3]
        target = tmp_path / "some.md"
        result = export_session(store, SESSION_ID, ExportOptions(format="md", selected=True),
                                target=target, messages=chosen)
    text = target.read_text(encoding="utf-8")
    assert result.message_count == 2
    assert re.findall(r"^### #(\d+)", text, re.M) == ["2", "3"]
    assert "2 messages (selected)" in text


# -- highlighting ----------------------------------------------------------------------------

def test_highlighting_follows_the_fence_language() -> None:
    spans = highlight.highlight("def f():\n    return 'x'  # note\n", "python", False)
    coloured = {"def f():\n    return 'x'  # note\n"[s:s + n] for s, n, _ in spans}
    assert {"def", "return", "'x'", "# note"} <= coloured
    dark = highlight.highlight("def f(): pass", "Python", True)
    assert dark and dark[0][2] != spans[0][2]  # another style on a dark background
    assert highlight.highlight("def f(): pass", "no-such-language", False) == ()
    assert highlight.highlight("def f(): pass", "text", False) == ()


def test_a_block_without_language_is_guessed_only_when_sure() -> None:
    assert highlight.highlight("Please refactor the tokenizer module.", "", False) == ()
    assert highlight.highlight("#!/usr/bin/env python3\nimport os\n", "", False)
    assert highlight.highlight('{"a": [1, 2, "x"]}', "", False)


def test_highlighting_a_huge_block_stays_bounded() -> None:
    code = "\n".join(f"x_{n} = {n}  # line {n}" for n in range(100_000))
    spans = highlight.highlight(code, "python", False)
    assert spans and max(s + n for s, n, _ in spans) <= highlight.HIGHLIGHT_LIMIT


def test_fences_are_found_as_commonmark_does() -> None:
    found = list(segments("a\n```py\nx\n```\nb\n~~~~\n```\n~~~~\nc\n```\nopen"))
    assert [(s.code, s.text, s.language) for s in found] == [
        (False, "a", ""), (True, "x", "py"), (False, "b", ""), (True, "```", ""),
        (False, "c", ""), (True, "open", "")]
    assert found[-1].closed is False


# -- the command line --------------------------------------------------------------------------

def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"}
    env.pop("QT_QPA_PLATFORM", None)  # the PDF must find its offscreen platform itself
    result = subprocess.run([*APP, *args], cwd=ROOT, env=env,
                            capture_output=True, timeout=120)
    assert b"Traceback" not in result.stderr, result.stderr
    return result


def test_cli_export_to_stdout_and_to_files(tmp_path) -> None:
    db = str(make_dotnet_database(tmp_path / "orchestrator.db"))
    md = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID)
    assert md.returncode == 0 and md.stdout.decode().startswith("# Refactor the parser")
    html = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID, "-f", "html")
    assert b"<!DOCTYPE html>" in html.stdout and b"<script>" not in html.stdout
    data = json.loads(run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID,
                              "--format", "json").stdout)
    assert len(data["messages"]) == 5
    piped = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID, "-f", "pdf")
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF-")
    target = tmp_path / "out" / "parser.pdf"
    target.parent.mkdir()
    made = run_cli(tmp_path, "--db", db, "--json", "session", "export", SESSION_ID, "-f",
                   "pdf", "--output", str(target))
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["path"] == str(target) and summary["message_count"] == 5
    assert summary["size_bytes"] == target.stat().st_size and pdf_pages(target) >= 1
    assert leftovers(target.parent) == ["parser.pdf"]
    text = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID, "-o",
                   str(tmp_path / "out" / "t.md"), "--no-tool-output")
    assert text.stdout.decode().startswith("Exported 5 messages to ")
    assert "def tokenize" not in (tmp_path / "out" / "t.md").read_text(encoding="utf-8")


def test_cli_export_errors(tmp_path) -> None:
    db = str(make_dotnet_database(tmp_path / "orchestrator.db"))
    unknown = run_cli(tmp_path, "--db", db, "session", "export", "no-such-session")
    assert unknown.returncode == 1 and unknown.stderr.startswith(b"error: ")
    assert unknown.stdout == b""
    bad = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID, "-f", "docx")
    assert bad.returncode == 2 and b"invalid choice" in bad.stderr
    missing = run_cli(tmp_path, "--db", db, "session", "export", SESSION_ID, "-o",
                      str(tmp_path / "nowhere" / "x.md"))
    assert missing.returncode == 1 and b"Cannot write" in missing.stderr
    assert not (tmp_path / "nowhere").exists()


def test_text_exports_load_no_qt(tmp_path) -> None:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    script = ("import sys; from orchestrator_desktop.app import main; "
              f"code = main(['--db', {str(db)!r}, 'session', 'export', {SESSION_ID!r}, "
              f"'-f', 'html', '-o', {str(tmp_path / 'x.html')!r}]); "
              "print('QT LOADED' if 'PySide6' in sys.modules else 'NO QT', code)")
    probe = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           text=True, timeout=60,
                           env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    assert probe.stdout.strip().endswith("NO QT 0"), probe.stderr


def test_only_the_pdf_module_of_the_exports_imports_qt() -> None:
    import ast

    folder = ROOT / "desktop" / "export"
    users = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if any(n.split(".")[0] in ("PySide6", "shiboken6") for n in names):
                users.add(path.name)
    assert users == {"pdf.py"}

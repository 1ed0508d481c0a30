"""Code colouring by Pygments, without Qt: the window, the HTML export and the PDF all use it.

`highlight(text, language, dark)` gives the coloured runs of a code block as
`(start, length, Look)` in Python string offsets. The lexer is the fence's language; without
one, a small set of common lexers each rate the text and the best is taken only when it is
sure (a shebang, `<?php`, `<?xml`, JSON that parses), otherwise the block stays plain. Only
the first HIGHLIGHT_LIMIT characters of a block are coloured, so a 100,000-line block costs no
more than a long screenful. Results are cached per (language, text, dark).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound

log = logging.getLogger(__name__)

HIGHLIGHT_LIMIT = 20_000  # characters of one block that are coloured; the rest stays plain
GUESS_SAMPLE = 2_000  # characters a guess looks at
GUESS_CONFIDENCE = 0.5  # below this a block without a language stays plain
LIGHT_STYLE, DARK_STYLE = "default", "github-dark"
# what a block without a language may be guessed as: the common languages of chat code, so a
# guess never loads Pygments' several hundred lexers (a quarter of a second the first time)
GUESS_CANDIDATES = ("python", "javascript", "typescript", "bash", "powershell", "c", "cpp",
                    "csharp", "java", "go", "rust", "php", "ruby", "perl", "html", "xml",
                    "yaml", "toml", "ini", "sql", "diff", "docker", "make")
LANGUAGE_ALIASES = {"c#": "csharp", "cs": "csharp", "f#": "fsharp", "sh": "bash",
                    "shell": "bash", "zsh": "bash", "console": "console", "jsonc": "json",
                    "vue": "html", "py3": "python", "golang": "go", "plaintext": "text",
                    "txt": "text", "plain": "text"}

# Code block backgrounds and plain code text, in the window's light and dark forms (the
# window shades code with its palette; the exports use these fixed ones).
CODE_BACKGROUND = {False: "#f6f8fa", True: "#161b22"}
CODE_TEXT = {False: "#1f2328", True: "#e6edf3"}


@dataclass(frozen=True, slots=True)
class Look:
    """How one run of code is drawn: a colour as `#rrggbb` (or None), bold, italic."""

    colour: str | None
    bold: bool = False
    italic: bool = False

    def css(self) -> str:
        """The look as inline CSS."""
        parts = [f"color:{self.colour}"] if self.colour else []
        if self.bold:
            parts.append("font-weight:bold")
        if self.italic:
            parts.append("font-style:italic")
        return ";".join(parts)


Span = tuple[int, int, Look]


def style_name(dark: bool) -> str:
    """The Pygments style used on a light or a dark background."""
    return DARK_STYLE if dark else LIGHT_STYLE


@lru_cache(maxsize=4)
def _style(dark: bool) -> StyleMeta:
    try:
        return get_style_by_name(style_name(dark))
    except ClassNotFound:  # an older Pygments without github-dark
        return get_style_by_name("monokai" if dark else "default")


@lru_cache(maxsize=2048)
def _look(ttype: _TokenType, dark: bool) -> Look | None:
    found = _style(dark).style_for_token(ttype)
    colour = f"#{found['color']}" if found.get("color") else None
    if colour and colour.lower() == CODE_TEXT[dark]:
        colour = None
    if not (colour or found.get("bold") or found.get("italic")):
        return None
    return Look(colour, bool(found.get("bold")), bool(found.get("italic")))


@lru_cache(maxsize=256)
def _lexer_by_name(name: str) -> Lexer | None:
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def lexer_for(language: str | None, text: str) -> Lexer | None:
    """The lexer of a fence's language (its first word, any case); a confident guess when
    there is none; None for plain text or a language Pygments does not know."""
    name = (language or "").strip().split(maxsplit=1)[0].lower() if (language or "").strip() \
        else ""
    name = name.lstrip(".{").rstrip("}")
    if name:
        name = LANGUAGE_ALIASES.get(name, name)
        return None if name == "text" else _lexer_by_name(name)
    return _guess(text[:GUESS_SAMPLE])


@lru_cache(maxsize=512)
def _guess(sample: str) -> Lexer | None:
    stripped = sample.strip()
    if not stripped:
        return None
    if stripped[0] in "{[":
        try:
            json.loads(stripped)
            return _lexer_by_name("json")
        except ValueError:
            pass
    best, best_score = None, 0.0
    for name in GUESS_CANDIDATES:
        lexer = _lexer_by_name(name)
        if lexer is None:
            continue
        try:
            score = float(lexer.analyse_text(sample) or 0.0)
        except Exception:  # a lexer's heuristic failing on odd text is no reason to stop
            continue
        if score > best_score:
            best, best_score = lexer, score
    return best if best_score >= GUESS_CONFIDENCE else None


def highlight(text: str, language: str | None, dark: bool) -> tuple[Span, ...]:
    """The coloured runs of a code block (plain runs left out), merged where they touch."""
    return _highlight(text[:HIGHLIGHT_LIMIT], language or "", dark)


@lru_cache(maxsize=1024)
def _highlight(text: str, language: str, dark: bool) -> tuple[Span, ...]:
    lexer = lexer_for(language, text)
    if lexer is None or not text:
        return ()
    spans: list[Span] = []
    try:
        for start, ttype, value in lexer.get_tokens_unprocessed(text):
            look = _look(ttype, dark)
            if look is None or not value or value.isspace():
                continue
            if spans and spans[-1][2] == look and spans[-1][0] + spans[-1][1] == start:
                spans[-1] = (spans[-1][0], spans[-1][1] + len(value), look)
            else:
                spans.append((start, len(value), look))
    except Exception:  # a lexer bug on hostile text: show the block plain rather than fail
        log.debug("highlighting failed", exc_info=True)
        return ()
    return tuple(spans)


def runs(text: str, spans: tuple[Span, ...]) -> Iterator[tuple[str, Look | None]]:
    """The whole text cut into (piece, look) runs, plain pieces with None."""
    position = 0
    for start, length, look in spans:
        if start > position:
            yield text[position:start], None
        yield text[start:start + length], look
        position = start + length
    if position < len(text):
        yield text[position:], None


def cache_clear() -> None:
    """Forget cached results (for benchmarks)."""
    _highlight.cache_clear()
    _guess.cache_clear()

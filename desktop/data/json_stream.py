"""Reading a big JSON document a piece at a time, in memory that does not grow with it.

A snapshot's state may be hundreds of megabytes: `json.loads` of it takes gigabytes of Python
objects, and a document nested thousands of levels deep raises RecursionError. `JsonStream`
walks the top-level object (and one array in it) itself and decodes only one member or
element at a time with the standard decoder, reading the text in chunks; `string_pieces()`
decodes one long string value in pieces.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from .errors import SnapshotFormatError

CHUNK_CHARS = 1 << 20
MAX_VALUE_CHARS = 256 << 20  # one member or element; a message is far smaller
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()

Reader = Callable[[int], str]
"""Returns up to n more characters of the text, "" at its end."""


class JsonStream:
    """The members of one JSON object read from `read`, one at a time."""

    def __init__(self, read: Reader, what: str = "The snapshot's session state") -> None:
        self._read = read
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self.what = what

    def error(self, problem: str) -> SnapshotFormatError:
        return SnapshotFormatError(f"{self.what} {problem}; it cannot be used.")

    # -- the buffer --------------------------------------------------------------------------

    def _more(self, at_least: int = CHUNK_CHARS) -> bool:
        if self._eof:
            return False
        if self._pos > len(self._buffer) // 2:  # drop what has been read
            self._buffer, self._pos = self._buffer[self._pos:], 0
        wanted, pieces = at_least, []
        while wanted > 0:
            piece = self._read(max(wanted, CHUNK_CHARS))
            if not piece:
                self._eof = True
                break
            pieces.append(piece)
            wanted -= len(piece)
        self._buffer += "".join(pieces)
        return bool(pieces)

    def _peek(self) -> str:
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self.error("is not valid JSON" if not self._eof or self._peek() else
                             "is cut short")
        self._pos += 1

    # -- values ------------------------------------------------------------------------------

    def value(self) -> Any:
        """The next whole JSON value."""
        self._peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self._buffer, self._pos)
            except RecursionError:
                raise self.error("is nested too deeply") from None
            except ValueError:
                if self._eof:
                    raise self.error("is not valid JSON") from None
                end = None
            if end is not None and (end < len(self._buffer) or self._eof):
                self._pos = end  # a number at the very end may go on in the next chunk
                return found
            if len(self._buffer) - self._pos > MAX_VALUE_CHARS:
                raise self.error(f"holds one value over {MAX_VALUE_CHARS >> 20} MB")
            self._more(len(self._buffer) - self._pos)  # double what is buffered: linear

    def members(self) -> Iterator[str]:
        """The keys of the object, in order; after each, the caller reads its value with
        `value()`, `elements()` or `string_pieces()` before asking for the next key."""
        self._expect("{")
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise self.error("is not valid JSON")
            self._expect(":")
            yield key
            following = self._peek()
            self._pos += 1
            if following == "}":
                return
            if following != ",":
                raise self.error("is not valid JSON" if following else "is cut short")

    def elements(self) -> Iterator[Any]:
        """The elements of the array that comes next, one at a time."""
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            following = self._peek()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise self.error("is not valid JSON" if following else "is cut short")

    def string_pieces(self) -> Iterator[str]:
        """The string value that comes next, decoded a piece at a time (None: not a string)."""
        if self._peek() != '"':
            raise self.error("is not valid JSON")
        self._pos += 1
        while True:
            buffer, start = self._buffer, self._pos
            close = _closing_quote(buffer, start)
            if close is not None:
                yield _unescape(buffer[start:close], self)
                self._pos = close + 1
                return
            cut = _safe_cut(buffer, start)
            if cut > start:
                yield _unescape(buffer[start:cut], self)
                self._pos = cut
            if not self._more():
                raise self.error("is cut short")

    def end(self) -> None:
        """Nothing but whitespace may follow the object."""
        if self._peek():
            raise self.error("has text after its end")


def _closing_quote(text: str, start: int) -> int | None:
    at = start
    while True:
        at = text.find('"', at)
        if at < 0:
            return None
        backslashes = 0
        while at - 1 - backslashes >= start and text[at - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return at
        at += 1


def _safe_cut(text: str, start: int) -> int:
    """An end for a piece that splits no escape (`\\uXXXX\\uXXXX` is at most 12 long)."""
    cut = len(text)
    slash = text.find("\\", max(start, cut - 12))
    if slash < 0:
        return cut
    while slash > start and text[slash - 1] == "\\":
        slash -= 1
    return slash


def _unescape(piece: str, stream: JsonStream) -> str:
    if "\\" not in piece:
        return piece
    try:
        return json.decoder.scanstring(f'"{piece}"', 1)[0]
    except ValueError:
        raise stream.error("is not valid JSON") from None


def text_reader(text: str) -> Reader:
    """A reader over text already in memory."""
    position = 0

    def read(size: int) -> str:
        nonlocal position
        piece = text[position:position + size]
        position += len(piece)
        return piece

    return read


def pieces_reader(pieces: Iterator[str]) -> Reader:
    """A reader over text that arrives in pieces."""
    pending: list[str] = []

    def read(size: int) -> str:
        got = 0
        out = []
        while got < size:
            if not pending:
                piece = next(pieces, None)
                if piece is None:
                    break
                pending.append(piece)
            piece = pending.pop()
            if got + len(piece) > size:
                pending.append(piece[size - got:])
                piece = piece[:size - got]
            out.append(piece)
            got += len(piece)
        return "".join(out)

    return read

"""Parse JSON and remember the line each value starts on, so errors can name their line.

The standard library parser does not report positions of values, so this is a small
recursive-descent parser over the same grammar (strings are decoded by ``json``'s own
``scanstring``, numbers and literals by ``json`` too). ``lines[path]`` is the 1-based line of
the value at ``path`` (a tuple of keys and indexes); for ``"name": "x"`` that is the line of the
key too, which is where a person reading the file expects the problem to be.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

Path = tuple[str | int, ...]
MAX_DEPTH = 64
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


class JSONSyntaxError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.message = message
        self.line = line


@dataclass
class LocatedJSON:
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the value at ``path``, or of its nearest enclosing value."""
        probe = tuple(path)
        while probe not in self.lines and probe:
            probe = probe[:-1]
        return self.lines.get(probe, 1)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[Path, int] = {}
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        # number of newlines before pos, plus one (binary search)
        lo, hi = 0, len(self._newlines)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._newlines[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1

    def fail(self, message: str, pos: int) -> JSONSyntaxError:
        return JSONSyntaxError(message, self.line_at(pos))

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def parse(self) -> Any:
        pos = self.skip(0)
        value, pos = self.value(pos, (), 0)
        pos = self.skip(pos)
        if pos != len(self.text):
            raise self.fail("unexpected text after the end of the JSON", pos)
        return value

    def value(self, pos: int, path: Path, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise self.fail("nested too deeply", pos)
        if pos >= len(self.text):
            raise self.fail("the file ends where a value was expected", pos)
        self.lines[path] = self.line_at(pos)
        char = self.text[pos]
        if char == "{":
            return self.object(pos + 1, path, depth)
        if char == "[":
            return self.array(pos + 1, path, depth)
        if char == '"':
            return self.string(pos + 1)
        for literal, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, pos):
                return result, pos + len(literal)
        match = _NUMBER.match(self.text, pos)
        if match:
            return json.loads(match.group()), match.end()
        raise self.fail(f"unexpected character {char!r}", pos)

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, pos, True)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None

    def object(self, pos: int, path: Path, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return result, pos + 1
        while True:
            if not self.text.startswith('"', pos):
                raise self.fail("expected a property name in double quotes", pos)
            key, pos = self.string(pos + 1)
            if key in result:
                raise self.fail(f"the property {key!r} appears twice", pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after the property name", pos)
            pos = self.skip(pos + 1)
            result[key], pos = self.value(pos, (*path, key), depth + 1)
            pos = self.skip(pos)
            if self.text.startswith("}", pos):
                return result, pos + 1
            if not self.text.startswith(",", pos):
                raise self.fail("expected ',' or '}'", pos)
            pos = self.skip(pos + 1)

    def array(self, pos: int, path: Path, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return result, pos + 1
        while True:
            item, pos = self.value(pos, (*path, len(result)), depth + 1)
            result.append(item)
            pos = self.skip(pos)
            if self.text.startswith("]", pos):
                return result, pos + 1
            if not self.text.startswith(",", pos):
                raise self.fail("expected ',' or ']'", pos)
            pos = self.skip(pos + 1)


def parse_with_lines(text: str) -> LocatedJSON:
    """Parse ``text``; raise JSONSyntaxError (with its line) if it is not valid JSON."""
    parser = _Parser(text)
    value = parser.parse()
    return LocatedJSON(value=value, lines=parser.lines)

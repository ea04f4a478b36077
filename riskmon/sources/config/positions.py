"""Where each key of a TOML document sits: a tolerant scanner that maps data paths to lines.

tomllib gives us the data but not positions, and pydantic reports errors by data path, e.g.
`('channels', 1, 'order_share')`. `key_lines(text)` walks the text once and records the line
of every `[table]` and `[[array.of.tables]]` header (counting the elements of each array of
tables, nested ones such as `[[rules.steps]]` per parent element), every `key = value`, and
every element and key inside inline arrays and tables. `line_for(lines, path)` looks a path
up, falling back to the nearest enclosing path that has a line.

The scanner never raises: on text it does not understand it skips to the next line, so it
can run on anything (the TUI's editor validates half-typed files).
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Sequence

Path = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r")


class _Bail(Exception):
    """The text is not TOML we understand here; resume at the next line."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[Path, int] = {}
        self.counts: dict[Path, int] = {}  # array-of-tables path -> elements seen so far
        self.table: Path = ()
        self.assigned: set[Path] = set()  # full paths set by `key = value`
        self.duplicates: list[int] = []  # lines that set a key again
        self.ends: dict[Path, int] = {}  # path of `key = value` -> line where its value ends

    # -- helpers -----------------------------------------------------------------------------

    def line_at(self, i: int) -> int:
        return bisect.bisect_right(self.starts, i)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def record(self, path: Path, at: int) -> None:
        self.lines.setdefault(path, self.line_at(at))

    def skip_spaces(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def skip_blank(self) -> None:
        """Whitespace, newlines and comments."""
        while self.i < self.n:
            ch = self.s[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif ch == "#":
                self.skip_line()
            else:
                return

    def skip_line(self) -> None:
        j = self.s.find("\n", self.i)
        self.i = self.n if j < 0 else j + 1

    # -- keys ----------------------------------------------------------------------------------

    def key(self) -> list[str]:
        """A dotted key: bare or quoted parts separated by dots."""
        parts: list[str] = []
        while True:
            self.skip_spaces()
            ch = self.peek()
            if ch == '"':
                parts.append(self.quoted_key())
            elif ch == "'":
                j = self.s.find("'", self.i + 1)
                if j < 0 or "\n" in self.s[self.i : j]:
                    raise _Bail
                parts.append(self.s[self.i + 1 : j])
                self.i = j + 1
            else:
                j = self.i
                while j < self.n and self.s[j] in _BARE:
                    j += 1
                if j == self.i:
                    raise _Bail
                parts.append(self.s[self.i : j])
                self.i = j
            self.skip_spaces()
            if self.peek() != ".":
                return parts
            self.i += 1

    def quoted_key(self) -> str:
        j = self.i + 1
        while j < self.n and self.s[j] not in '"\n':
            j += 2 if self.s[j] == "\\" else 1
        if j >= self.n or self.s[j] != '"':
            raise _Bail
        raw = self.s[self.i : j + 1]
        self.i = j + 1
        import tomllib

        try:
            value = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            raise _Bail from None
        return str(value)

    def resolve(self, parts: Sequence[str]) -> Path:
        """A header's dotted key as a data path: arrays of tables step into their last element."""
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in self.counts:
                path = (*path, self.counts[path] - 1)
        return path

    # -- document ------------------------------------------------------------------------------

    def document(self) -> dict[Path, int]:
        while True:
            self.skip_blank()
            if self.i >= self.n:
                return self.lines
            try:
                if self.peek() == "[":
                    self.header()
                else:
                    self.keyval(self.table)
            except _Bail:
                pass
            # Whatever follows on this line (a comment, or junk we do not understand).
            self.skip_spaces()
            if self.i < self.n and self.s[self.i] not in "\r\n":
                self.skip_line()

    def header(self) -> None:
        at = self.i
        array = self.peek(1) == "["
        self.i += 2 if array else 1
        parts = self.key()
        close = "]]" if array else "]"
        if not self.s.startswith(close, self.i):
            raise _Bail
        self.i += len(close)
        if array:
            parent = self.resolve(parts[:-1])
            arr: Path = (*parent, parts[-1])
            index = self.counts.get(arr, 0)
            self.counts[arr] = index + 1
            self.record(arr, at)
            self.table = (*arr, index)
        else:
            self.table = self.resolve(parts)
        self.record(self.table, at)

    def keyval(self, base: Path) -> None:
        at = self.i
        parts = self.key()
        for k in range(1, len(parts)):
            self.record((*base, *parts[:k]), at)
        path = (*base, *parts)
        if path in self.assigned:
            self.duplicates.append(self.line_at(at))
        self.assigned.add(path)
        self.record(path, at)
        self.skip_spaces()
        if self.peek() != "=":
            raise _Bail
        self.i += 1
        self.skip_spaces()
        self.value(path)
        self.ends.setdefault(path, self.line_at(self.i - 1))

    # -- values --------------------------------------------------------------------------------

    def value(self, path: Path) -> None:
        ch = self.peek()
        if ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        elif self.s.startswith('"""', self.i) or self.s.startswith("'''", self.i):
            self.multiline_string(self.s[self.i : self.i + 3])
        elif ch == '"':
            j = self.i + 1
            while j < self.n and self.s[j] not in '"\n':
                j += 2 if self.s[j] == "\\" else 1
            if j >= self.n or self.s[j] != '"':
                raise _Bail
            self.i = j + 1
        elif ch == "'":
            j = self.s.find("'", self.i + 1)
            if j < 0 or "\n" in self.s[self.i : j]:
                raise _Bail
            self.i = j + 1
        else:
            j = self.i
            while j < self.n and self.s[j] not in _SCALAR_END:
                j += 1
            if j == self.i:
                raise _Bail
            self.i = j

    def multiline_string(self, quote: str) -> None:
        j = self.i + 3
        while True:
            k = self.s.find(quote, j)
            if k < 0:
                raise _Bail
            if quote == '"""':
                backslashes = 0
                while k - 1 - backslashes >= j and self.s[k - 1 - backslashes] == "\\":
                    backslashes += 1
                if backslashes % 2:
                    j = k + 1
                    continue
            end = k + 3
            extra = 0
            while end < self.n and self.s[end] == quote[0] and extra < 2:
                end += 1
                extra += 1
            self.i = end
            return

    def array(self, path: Path) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.i += 1
                return
            if self.i >= self.n:
                raise _Bail
            self.record((*path, index), self.i)
            self.value((*path, index))
            index += 1
            self.skip_blank()
            ch = self.peek()
            if ch == ",":
                self.i += 1
            elif ch == "]":
                self.i += 1
                return
            else:
                raise _Bail

    def inline_table(self, path: Path) -> None:
        self.i += 1
        while True:
            self.skip_blank()
            if self.peek() == "}":
                self.i += 1
                return
            if self.i >= self.n:
                raise _Bail
            self.keyval(path)
            self.skip_blank()
            ch = self.peek()
            if ch == ",":
                self.i += 1
            elif ch == "}":
                self.i += 1
                return
            else:
                raise _Bail


def key_lines(text: str) -> dict[Path, int]:
    """Map every data path found in `text` to its 1-based line. Never raises."""
    scanner = _Scanner(text)
    try:
        return scanner.document()
    except (RecursionError, _Bail, IndexError, ValueError):
        return scanner.lines


def duplicate_lines(text: str) -> list[int]:
    """Lines that set a key that was already set (tomllib reports those at the end)."""
    scanner = _Scanner(text)
    with contextlib.suppress(RecursionError, _Bail, IndexError, ValueError):
        scanner.document()
    return scanner.duplicates


def value_end_lines(text: str) -> dict[Path, int]:
    """Map the path of every `key = value` to the 1-based line where its value ends (a
    multi-line array or string ends below its key). Never raises."""
    scanner = _Scanner(text)
    with contextlib.suppress(RecursionError, _Bail, IndexError, ValueError):
        scanner.document()
    return scanner.ends


def line_for(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of `path`, else of its nearest enclosing path that has one, else None."""
    for k in range(len(path), 0, -1):
        found = lines.get(tuple(path[:k]))
        if found is not None:
            return found
    return None

"""Where each value of a JSON text lies: a small scanner that records the offsets of every value,
so that one value (a notebook cell's "source") can be replaced and every other character of the
file kept as it was. It reads what ``json.loads`` reads; values are decoded by ``json`` itself."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional, Tuple

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


class ScanError(ValueError):
    """The text is not JSON the scanner can follow."""


@dataclass(frozen=True)
class Node:
    """One JSON value: ``text[start:end]`` is its text. ``items``: an object's (key, Node) pairs
    in file order, an array's Nodes."""

    kind: str  # "object" | "array" | "string" | "number" | "literal"
    start: int
    end: int
    items: Tuple = ()

    def get(self, key: str) -> Optional["Node"]:
        """An object's value for ``key`` (the last one, as json.loads keeps)."""
        found = None
        for k, v in self.items:
            if k == key:
                found = v
        return found


def scan(text: str) -> Node:
    """The value tree of ``text``. Raises ScanError."""
    try:
        node, pos = _value(text, _skip(text, 0))
    except RecursionError:
        raise ScanError("nested too deeply")
    if _skip(text, pos) != len(text):
        raise ScanError(f"extra data at offset {pos}")
    return node


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def _value(text: str, pos: int) -> Tuple[Node, int]:
    if pos >= len(text):
        raise ScanError("unexpected end of the text")
    c = text[pos]
    if c == "{":
        return _object(text, pos)
    if c == "[":
        return _array(text, pos)
    if c == '"':
        m = _STRING.match(text, pos)
        if m is None:
            raise ScanError(f"unterminated string at offset {pos}")
        return Node("string", pos, m.end()), m.end()
    m = _NUMBER.match(text, pos)
    if m is not None and m.end() > pos:
        return Node("number", pos, m.end()), m.end()
    for word in _LITERALS:
        if text.startswith(word, pos):
            return Node("literal", pos, pos + len(word)), pos + len(word)
    raise ScanError(f"unexpected {c!r} at offset {pos}")


def _object(text: str, start: int) -> Tuple[Node, int]:
    items = []
    pos = _skip(text, start + 1)
    if text.startswith("}", pos):
        return Node("object", start, pos + 1), pos + 1
    while True:
        key, pos = _value(text, pos)
        if key.kind != "string":
            raise ScanError(f"an object key must be a string (offset {key.start})")
        pos = _skip(text, pos)
        if not text.startswith(":", pos):
            raise ScanError(f"expected ':' at offset {pos}")
        value, pos = _value(text, _skip(text, pos + 1))
        items.append((string_value(text, key), value))
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
            continue
        if text.startswith("}", pos):
            return Node("object", start, pos + 1, tuple(items)), pos + 1
        raise ScanError(f"expected ',' or '}}' at offset {pos}")


def _array(text: str, start: int) -> Tuple[Node, int]:
    items = []
    pos = _skip(text, start + 1)
    if text.startswith("]", pos):
        return Node("array", start, pos + 1), pos + 1
    while True:
        value, pos = _value(text, pos)
        items.append(value)
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
            continue
        if text.startswith("]", pos):
            return Node("array", start, pos + 1, tuple(items)), pos + 1
        raise ScanError(f"expected ',' or ']' at offset {pos}")


def string_value(text: str, node: Node) -> str:
    """A string node's decoded value."""
    try:
        return json.loads(text[node.start:node.end])
    except ValueError as e:
        raise ScanError(f"bad string at offset {node.start}: {e}")


def raw_offset(text: str, node: Node, k: int) -> int:
    """The offset in ``text`` of the ``k``-th character of a string node's decoded value (its
    closing quote when ``k`` is the value's length): escapes (``\\n``, ``\\u00e9``, a surrogate
    pair) are one character of the value but several of the text."""
    pos = node.start + 1
    end = node.end - 1
    for _ in range(k):
        if pos >= end:
            break
        if text[pos] != "\\":
            pos += 1
        elif text[pos + 1] != "u":
            pos += 2
        else:
            code = int(text[pos + 2:pos + 6], 16)
            pos += 6
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", pos):
                low = int(text[pos + 2:pos + 6], 16)
                if 0xDC00 <= low < 0xE000:  # a surrogate pair is one character
                    pos += 6
    return min(pos, end)

"""Positions across the LSP boundary (pure functions, no pygls). cnnlint's columns count code
points (1-based); LSP counts UTF-16 code units unless the client and server agree on another
encoding (0-based)."""
from __future__ import annotations

import re
from typing import List, Sequence, Tuple

NEWLINE = re.compile(r"\r\n?|\n")
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str = UTF16) -> int:
    """Length of ``text`` in the client's code units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def to_client(lines: Sequence[str], line: int, column: int, encoding: str = UTF16) -> Tuple[int, int]:
    """cnnlint's 1-based (line, code-point column) -> LSP's 0-based (line, code-unit character)."""
    i = max(0, line - 1)
    if i >= len(lines):
        return len(lines), 0
    text = lines[i].rstrip("\r\n")
    return i, units(text[: max(0, column - 1)], encoding)


def from_client(lines: Sequence[str], line: int, character: int, encoding: str = UTF16) -> Tuple[int, int]:
    """LSP's 0-based (line, code-unit character) -> cnnlint's 1-based (line, code-point column)."""
    if line >= len(lines):
        return line + 1, 1
    text = lines[line].rstrip("\r\n")
    count = 0
    for i, ch in enumerate(text):
        if count >= character:
            return line + 1, i + 1
        count += units(ch, encoding)
    return line + 1, len(text) + 1


def lines_of(source: str) -> List[str]:
    """The document's lines as LSP counts them: split at \\n, \\r\\n and \\r only (str.splitlines
    also splits at form feeds and Unicode separators, which LSP and cnnlint do not)."""
    return NEWLINE.split(source)

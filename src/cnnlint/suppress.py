"""Suppression comments, in ruff's manner.

- ``# noqa`` at the end of a line drops every diagnostic reported on that line;
  ``# noqa: CNN102`` or ``# noqa: CNN101, CNN102`` drops only those codes (a prefix such as
  ``CNN1`` drops the whole family).
- ``# cnnlint: skip-file`` anywhere in a file (on a line of its own) skips the file.

Only real comments count: a ``# noqa`` inside a string literal does not.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, List, Optional, Sequence, Tuple

from cnnlint.diagnostics import Diagnostic

# `# noqa`, `# noqa: A1, B2`, `# NOQA:A1 B2`; codes are letters followed by digits.
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)
SKIP_FILE = re.compile(r"#\s*cnnlint\s*:\s*skip-file\b", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]*", re.IGNORECASE)

def comments(source: str) -> List[Tuple[int, str]]:
    """(line, text) of every comment token. Falls back to a plain per-line scan when the file
    does not tokenize (a syntax error), so suppressions still work there."""
    out: List[Tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out.append((tok.start[0], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out = []
        for i, line in enumerate(source.splitlines(), 1):
            j = line.find("#")
            if j >= 0:
                out.append((i, line[j:]))
    return out


def parse_noqa(comment: str) -> Optional[Tuple[str, ...]]:
    """The codes a comment suppresses: ``("*",)`` for a bare ``# noqa``, the listed codes for
    ``# noqa: A, B``, None when the comment is no noqa comment."""
    m = NOQA.search(comment)
    if m is None:
        return None
    codes = m.group("codes")
    if not codes:
        return ("*",)
    return tuple(c.upper() for c in _CODE.findall(codes))


def noqa_map(source: str) -> Dict[int, Tuple[str, ...]]:
    """line -> codes suppressed there (``("*",)`` for a bare ``# noqa``)."""
    out: Dict[int, Tuple[str, ...]] = {}
    for line, text in comments(source):
        codes = parse_noqa(text)
        if codes is not None:
            out[line] = out.get(line, ()) + codes
    return out


def skip_file(source: str) -> bool:
    """True when the file says ``# cnnlint: skip-file``. A cheap text test comes first."""
    if "skip-file" not in source:
        return False
    return any(SKIP_FILE.match(text) for _, text in comments(source))


def suppressed(d: Diagnostic, noqa: Dict[int, Tuple[str, ...]]) -> bool:
    codes = noqa.get(d.span.line)
    if not codes:
        return False
    return "*" in codes or any(d.code.startswith(c) for c in codes)


def apply_noqa(diagnostics: Sequence[Diagnostic], source: Optional[str]) -> Tuple[Diagnostic, ...]:
    """The diagnostics that no ``# noqa`` comment on their line suppresses."""
    if not diagnostics or not source or "noqa" not in source.lower():
        return tuple(diagnostics)
    noqa = noqa_map(source)
    return tuple(d for d in diagnostics if not suppressed(d, noqa))


def noqa_edit_text(line_text: str, code: str) -> Tuple[int, str]:
    """Where and what to insert to suppress ``code`` on a line: (0-based column in code points,
    text). Extends an existing ``# noqa: A`` to ``# noqa: A, CODE``; a bare ``# noqa`` already
    covers everything (returns the end of line and an empty text)."""
    body = line_text.rstrip("\r\n")
    for _, text in comments(body + "\n") if body.strip() else []:
        m = NOQA.search(text)
        if m is None:
            continue
        start = body.rfind(text)
        if not m.group("codes"):
            return len(body), ""
        end = start + m.end()
        return end, f", {code}"
    stripped = body.rstrip()
    return len(stripped), f"  # noqa: {code}"


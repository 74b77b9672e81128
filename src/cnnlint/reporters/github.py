"""GitHub Actions workflow commands: one ``::error file=...,line=...::message`` line per
diagnostic, which the runner turns into annotations on the pull request's diff."""
from __future__ import annotations

from typing import List, Sequence

from cnnlint.diagnostics import Diagnostic, FileResult
from cnnlint.reporters.paths import relative

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """Escape a message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """Escape a property value (``file=``, ``title=``)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    s = d.span
    path = relative(d.path) or d.path
    props = [f"file={_prop(path)}", f"line={s.line}", f"col={s.column}",
             f"endLine={s.end_line}", f"endColumn={s.end_column}", f"title={_prop(d.code)}"]
    return f"::{LEVELS.get(d.severity, 'warning')} {','.join(props)}::{_data(d.message)}"


def annotations(results: Sequence[FileResult]) -> str:
    lines: List[str] = [annotation(d) for r in results for d in r.diagnostics]
    return "".join(line + "\n" for line in lines)

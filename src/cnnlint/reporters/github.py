"""GitHub Actions workflow commands: one ``::error file=...,line=...::message`` line per
diagnostic, which the runner turns into annotations on the pull request's diff.

GitHub places an annotation at a line of the file's text. For a notebook that is its JSON, so the
annotation points at the cell's line where it stands in the .ipynb file, and its title names the
cell and the line within it (``CNN102 (cell 3, line 4)``)."""
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
    s = d.span if d.cell is None else d.file_span
    path = relative(d.path) or d.path
    title = d.code if d.cell is None else f"{d.code} (cell {d.cell}, line {d.span.line})"
    props = [f"file={_prop(path)}"]
    if s is not None:  # a notebook position not found in the file's text: the file only
        props += [f"line={s.line}", f"col={s.column}", f"endLine={s.end_line}", f"endColumn={s.end_column}"]
    props.append(f"title={_prop(title)}")
    return f"::{LEVELS.get(d.severity, 'warning')} {','.join(props)}::{_data(d.message)}"


def annotations(results: Sequence[FileResult]) -> str:
    lines: List[str] = [annotation(d) for r in results for d in r.diagnostics]
    return "".join(line + "\n" for line in lines)

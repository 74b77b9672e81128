"""The human formats: `path:line:col: CODE message` lines and a summary."""
from __future__ import annotations

from typing import List, Sequence

from cnnlint.diagnostics import FileResult
from cnnlint.reporters.paths import position


def notes_hidden(n: int) -> str:
    """What stands for the notes about cnnlint's own limits that the text formats leave out."""
    return f"{n:,} note{'s' if n != 1 else ''} hidden: `--show-notes`"


def summary(results: Sequence[FileResult], hidden: int = 0, checked: bool = True) -> str:
    """The closing line. ``hidden``: how many notes were left out; ``checked``: False when no
    file was checked at all, which is not a pass."""
    if not checked:
        return "No Python files found: nothing was checked."
    counts = {"error": 0, "warning": 0, "info": 0}
    fixable = hidden_fixes = 0
    for r in results:
        for d in r.diagnostics:
            counts[d.severity] = counts.get(d.severity, 0) + 1
            if d.fix is not None and d.fix.applies:
                fixable += 1
            elif d.fix is not None and d.fix.edits:
                hidden_fixes += 1
    if not any(counts.values()):
        line = "All checks passed!"
    else:
        parts = [f"{n:,} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n]
        line = f"Found {', '.join(parts)} in {sum(1 for r in results if r.diagnostics):,} file(s)."
    if hidden:
        line += f" {notes_hidden(hidden)}"
    hint = f"{hidden_fixes:,} hidden fix{'es' if hidden_fixes != 1 else ''} can be enabled with the " \
           "`--unsafe-fixes` option" if hidden_fixes else ""
    if fixable:
        line += f"\n[*] {fixable:,} fixable with `cnnlint check --fix`" + (f" ({hint})." if hint else ".")
    elif hint:
        line += f"\nNo fixes available ({hint})."
    return line


def concise(results: Sequence[FileResult], hidden: int = 0, checked: bool = True) -> str:
    lines: List[str] = []
    for r in results:
        for d in r.diagnostics:
            mark = " [*]" if d.fix is not None and d.fix.applies else ""
            lines.append(f"{position(d.path, d.span.line, d.span.column, d.cell)}: {d.code}{mark} {d.message}")
    lines.append(summary(results, hidden, checked))
    return "\n".join(lines) + "\n"


def full(results: Sequence[FileResult], hidden: int = 0, checked: bool = True) -> str:
    lines: List[str] = []
    for r in results:
        src = r.source.splitlines() if r.source else []
        starts = dict(r.cell_starts)  # a notebook: where each cell begins in r.source
        for d in r.diagnostics:
            mark = " [*]" if d.fix is not None and d.fix.applies else ""
            lines.append(f"{position(d.path, d.span.line, d.span.column, d.cell)}: {d.code}{mark} {d.message}")
            at = d.span.line if d.cell is None else starts[d.cell] + d.span.line - 1 if d.cell in starts else 0
            if 0 < at <= len(src):
                text = src[at - 1]
                width = (d.span.end_column - d.span.column) if d.span.end_line == d.span.line else len(text) - d.span.column + 1
                lines.append(f"  {d.span.line:>4} | {text}")
                lines.append(f"       | {' ' * (d.span.column - 1)}{'^' * max(1, width)}")
            for step in d.explain:
                lines.append(f"       = {step}")
            if d.options:
                lines.append(f"       help: {'; '.join(d.options)}")
            elsewhere = sorted({e.span.line for e in d.fix.edits} - {d.span.line}) if d.fix is not None else []
            if d.fix is not None and (not d.options or elsewhere):  # a repair away from the error: where
                lines.append(f"       help: {d.fix.description}"
                             + (f" (line {', '.join(map(str, elsewhere))})" if elsewhere else ""))
            if d.fix is not None and d.fix.alternatives:
                lines.append(f"       help: other repairs that make the model run: {'; '.join(d.fix.alternatives)}")
            lines.append("")
    lines.append(summary(results, hidden, checked))
    return "\n".join(lines) + "\n"

"""A notebook's check, reported per cell: the result of checking its code cells as one Python
source (notebook.py) with every position made a (cell, line within the cell), as ruff reports
notebooks; and the per-file messages for a notebook that cannot be checked."""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import Optional, Tuple

from cnnlint.diagnostics import Diagnostic, Edit, FileResult, ModelTrace, Span
from cnnlint.notebook import CodeCell, FilePositions, Notebook, NotebookError, cell_at, cell_span


def unreadable(path: str, error: NotebookError) -> FileResult:
    """The result for a file that is no notebook cnnlint can read (invalid JSON, no cells list)."""
    return FileResult(path, (Diagnostic(path, Span(error.line, error.column, error.line, error.column),
                                        "CNN001", "error", f"cannot read the notebook: {error}"),))


def not_checked(path: str, nb: Notebook) -> Optional[FileResult]:
    """The result for a notebook with nothing to check (no code cells, another language), or None."""
    if nb.language.lower() not in ("python", "python3", "ipython", "ipython3"):
        message = f"not checked: a notebook in {nb.language}, not Python"
    elif not nb.cells:
        message = f"not checked: the notebook has no code cells ({nb.count} cell{'s' if nb.count != 1 else ''})"
    else:
        return None
    return FileResult(path, (Diagnostic(path, Span(1, 1, 1, 1), "CNN001", "warning", message),))


def to_cells(result: FileResult, nb: Notebook, text: str) -> FileResult:
    """``result`` (a check of nb.source) with its positions in cells. ``text``: the notebook file's
    text, where SARIF and GitHub annotations point."""
    positions = FilePositions(text, nb)
    diagnostics = tuple(_diagnostic(d, nb, positions) for d in _parse_errors(result.diagnostics, nb))
    models = tuple(_trace(t, nb) for t in result.models)
    return replace(result, diagnostics=diagnostics, models=models, source=nb.source,
                   cell_starts=tuple((c.index, c.start) for c in nb.cells))


def _diagnostic(d: Diagnostic, nb: Notebook, positions: FilePositions) -> Diagnostic:
    d = in_cells(d, nb)
    return replace(d, file_span=positions.span(d.cell, d.span)) if d.cell is not None else d


def in_cells(d: Diagnostic, nb: Notebook) -> Diagnostic:
    """A diagnostic of nb.source placed in its cell (its fix's edits too)."""
    if d.cell is not None:  # placed already (a parse error found cell by cell)
        return d
    cell, span = cell_span(nb, d.span)
    if cell is None:
        return d
    fix = d.fix
    if fix is not None:
        fix = replace(fix, edits=tuple(_edit(e, nb) for e in fix.edits))
    return replace(d, span=span, cell=cell, fix=fix)


def _edit(e: Edit, nb: Notebook) -> Edit:
    cell, span = cell_span(nb, e.span)
    return Edit(span, e.text, cell)


def _trace(t: ModelTrace, nb: Notebook) -> ModelTrace:
    cell, line = _line(t.line, nb)
    layers = []
    for row in t.layers:
        row_cell, row_line = _line(row.line, nb)
        layers.append(replace(row, line=row_line, cell=row_cell))
    return replace(t, line=line, cell=cell, layers=tuple(layers))


def _line(line: int, nb: Notebook) -> Tuple[Optional[int], int]:
    if not isinstance(line, int) or line < 1:
        return None, line
    cell = cell_at(nb, line)
    if cell is None:
        return None, line
    return cell.index, min(line, cell.end - 1) - cell.start + 1


def _parse_errors(diagnostics: Tuple[Diagnostic, ...], nb: Notebook) -> Tuple[Diagnostic, ...]:
    """A source that does not parse is reported at the first cell that does not parse alone, with
    Python's own message: the error a parser finds in the joined cells can lie in a later cell
    than the one left unfinished."""
    if not any(d.code == "CNN001" for d in diagnostics):
        return diagnostics
    bad = _first_bad_cell(nb)
    if bad is None:
        return diagnostics
    return tuple(replace(bad, path=d.path) if d.code == "CNN001" else d for d in diagnostics)


def _first_bad_cell(nb: Notebook) -> Optional[Diagnostic]:
    for c in nb.cells:
        error = cell_parse_error(c)
        if error is not None:
            return error
    return None


def cell_parse_error(c: CodeCell) -> Optional[Diagnostic]:
    """The CNN001 error of a cell that does not parse alone (positions within the cell), or None."""
    flags = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    try:
        compile(c.python, f"cell {c.index}", "exec", flags, dont_inherit=True)
    except SyntaxError as e:
        line = min(max(1, e.lineno or 1), max(1, c.lines))
        column = max(1, e.offset or 1)
        end_line = e.end_lineno if e.end_lineno and line <= e.end_lineno <= c.lines else line
        end_column = e.end_offset if e.end_offset and (end_line, e.end_offset) > (line, column) else column
        return Diagnostic("", Span(line, column, end_line, end_column), "CNN001", "error",
                          f"cannot parse cell {c.index}: {e.msg}", cell=c.index)
    except (ValueError, RecursionError, MemoryError):  # a null byte, too deep
        pass
    return None

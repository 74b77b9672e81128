"""Jupyter notebooks (``.ipynb``, nbformat 4) as Python source, and back.

``read_notebook`` takes the notebook's JSON text and gives one Python source made of its code
cells in order (``Notebook.source``) and where each cell lies in it (``Notebook.cells``). IPython
syntax is not Python: a line magic (``%matplotlib inline``), a shell line (``!pip install x``,
``files = !ls``) or a help line (``?obj``, ``obj?``) becomes ``pass`` at its indentation, a cell
magic (a cell starting with ``%%``) makes its whole cell blank lines. Every cell keeps its line
count, so a line of the source is a line of one cell: ``cell_span`` maps a span of the source to
(cell, span within the cell), as ruff reports notebooks (the cell is its 1-based index among all
the notebook's cells, markdown included).

``write_sources`` puts new cell sources back into the notebook's text: only the changed cells'
``"source"`` values are replaced (``jsonscan`` finds where they are), in the file's own style;
outputs, metadata, indentation and key order stay byte for byte.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from cnnlint.diagnostics import Span
from cnnlint.jsonscan import Node, ScanError, raw_offset, scan, string_value

SUFFIX = ".ipynb"
_NEWLINE = re.compile(r"\r\n|\r|\n")
# `files = !ls`, `t = %timeit -o f()`, `a, b = !cmd`: Python has no `= !` or `= %`
_ASSIGNED_MAGIC = re.compile(r"(?:[A-Za-z_][\w.]*\s*,\s*)*[A-Za-z_][\w.]*\s*=\s*[!%]")
# what any IPython line has somewhere: a cell without it is Python as it stands
_MAYBE_IPYTHON = re.compile(r"^[ \t]*[%!?]|\?|=[ \t]*[!%]", re.M)


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


class NotebookError(ValueError):
    """The text is not a notebook cnnlint can read. ``line``/``column``: where in the file."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class CodeCell:
    index: int  # 1-based among all the notebook's cells
    position: int  # 0-based in the notebook's "cells" list
    start: int  # the 1-based line of the source where the cell begins
    lines: int  # how many lines of the source it has (0 for an empty cell)
    text: str  # the cell's source as written
    python: str  # the cell as Python (IPython lines replaced), as it stands in the source
    magic: Tuple[int, ...] = ()  # 1-based lines of the cell that are IPython syntax

    @property
    def end(self) -> int:
        """The line after the cell's last one."""
        return self.start + self.lines


@dataclass(frozen=True)
class Notebook:
    source: str  # the code cells as one Python source
    cells: Tuple[CodeCell, ...]  # the code cells, in order
    count: int  # how many cells the notebook has, of every kind
    language: str  # the kernel's language ("python" when the notebook does not say)


# reading --------------------------------------------------------------------------------------
def read_notebook(text: str) -> Notebook:
    """The notebook's code cells as one Python source. Raises NotebookError."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise NotebookError("invalid notebook: the JSON nests too deeply")
    except ValueError as e:
        line, column = getattr(e, "lineno", 1), getattr(e, "colno", 1)
        raise NotebookError(f"invalid notebook JSON: {getattr(e, 'msg', e)} (line {line}, column {column})",
                            line, column)
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        if isinstance(doc, dict) and "worksheets" in doc:
            raise NotebookError("an nbformat 3 notebook: cnnlint reads nbformat 4 (convert it with "
                                "`jupyter nbconvert --to notebook --inplace`)")
        raise NotebookError('not a Jupyter notebook: no "cells" list at the top of the JSON')
    texts: List[Optional[str]] = []
    for position, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            texts.append(None)
            continue
        text_of = cell_text(cell.get("source", ""))
        if text_of is None:
            raise NotebookError(f'cell {position + 1}: "source" must be a string or a list of strings')
        texts.append(text_of)
    return from_cells(texts, _language(doc))


def from_cells(texts: Sequence[Optional[str]], language: str = "python") -> Notebook:
    """The notebook whose cells, in order, have these texts (None for a cell that is not code:
    markdown, raw), as read_notebook reads a notebook's JSON. An editor's notebook document
    (the language server) comes as cells, not JSON."""
    cells: List[CodeCell] = []
    parts: List[str] = []
    line = 1
    for position, text_of in enumerate(texts):
        if text_of is None:
            continue
        python, magic = python_lines(text_of)
        if python and not python.endswith(("\n", "\r")):
            python += "\n"
        count = len(split_lines(python))
        cells.append(CodeCell(position + 1, position, line, count, text_of, python, magic))
        parts.append(python)
        line += count
    return Notebook("".join(parts), tuple(cells), len(texts), language)


def cell_text(source) -> Optional[str]:
    """A cell's "source": a string, or a list of strings (nbformat writes one per line)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return None


def _language(doc: dict) -> str:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        entry = meta.get(key)
        if isinstance(entry, dict) and isinstance(entry.get(field), str) and entry[field]:
            return entry[field]
    return "python"


def split_lines(text: str) -> List[str]:
    """The lines of ``text`` with their endings, as Python counts lines (\\n, \\r\\n, \\r)."""
    out, start = [], 0
    for m in _NEWLINE.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


# IPython syntax ---------------------------------------------------------------------------------
def python_lines(text: str) -> Tuple[str, Tuple[int, ...]]:
    """A cell's source with its IPython lines made Python, line for line: (the text, the 1-based
    lines replaced). Only a line that starts a statement can be IPython syntax: a line inside a
    bracket or a triple-quoted string is left alone."""
    if not _MAYBE_IPYTHON.search(text):
        return text, ()
    lines = split_lines(text)
    first = next((ln for ln in lines if ln.strip()), "")
    if first.lstrip().startswith("%%"):  # a cell magic: the cell is not Python (%%bash, %%time)
        return "".join(_ending(ln) for ln in lines), tuple(range(1, len(lines) + 1))
    out: List[str] = []
    magic: List[int] = []
    depth, quote, continued, in_magic = 0, None, False, False
    for number, line in enumerate(lines, 1):
        body = line.rstrip("\r\n")
        if in_magic:  # a magic continued with a trailing backslash
            out.append(_ending(line))
            magic.append(number)
            in_magic = body.endswith("\\")
            continue
        at_statement = depth == 0 and quote is None and not continued
        if at_statement and _is_ipython(body):
            indent = body[:len(body) - len(body.lstrip())]
            out.append(indent + "pass" + line[len(body):] if body.strip() else line)
            magic.append(number)
            in_magic = body.endswith("\\")
            continue
        out.append(line)
        depth, quote, continued = _advance(body, depth, quote)
    return "".join(out), tuple(magic)


def _ending(line: str) -> str:
    """A blank line in place of ``line`` (a cell's last line, without an ending, gets one)."""
    return line[len(line.rstrip("\r\n")):] or "\n"


def _is_ipython(body: str) -> bool:
    code = _code_part(body).strip()
    if not code:
        return False
    if code[0] in "%!?":
        return True
    return code.endswith("?") or _ASSIGNED_MAGIC.match(code) is not None


def _code_part(body: str) -> str:
    """The line without its comment (a ``#`` outside a string)."""
    comment = _scan(body, 0, None)[2]
    return body if comment is None else body[:comment]


def _advance(body: str, depth: int, quote: Optional[str]) -> Tuple[int, Optional[str], bool]:
    """The state after a line: (bracket depth, the triple quote still open, continued with a
    backslash). A one-quote string ends with its line unless the line is continued."""
    depth, quote, comment = _scan(body, depth, quote)
    continued = comment is None and body.endswith("\\")
    if quote is not None and len(quote) == 1 and not continued:
        quote = None
    return depth, quote, continued


def _scan(body: str, depth: int, quote: Optional[str]) -> Tuple[int, Optional[str], Optional[int]]:
    """One line read as Python's tokenizer would: (bracket depth after it, the quote still open,
    where its comment starts or None), from the depth and open quote before it."""
    i = 0
    while i < len(body):
        c = body[i]
        if quote:
            if c == "\\":
                i += 1
            elif body.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif c == "#":
            return depth, quote, i
        elif c in "'\"":
            quote = c * 3 if body.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, quote, None


# positions ----------------------------------------------------------------------------------------
def cell_at(nb: Notebook, line: int) -> Optional[CodeCell]:
    """The code cell holding line ``line`` of the source (the last one for a line past the end)."""
    cells = [c for c in nb.cells if c.lines]
    if not cells:
        return None
    i = bisect.bisect_right([c.start for c in cells], line) - 1
    return cells[max(0, i)]


def cell_span(nb: Notebook, span: Span) -> Tuple[Optional[int], Span]:
    """A span of the source as (cell index, span within that cell). A span that runs past its
    cell's last line ends there; one past the source's end is put at its last cell's end."""
    cell = cell_at(nb, span.line)
    if cell is None:
        return None, span
    last = split_lines(cell.python)[-1].rstrip("\r\n")
    if span.line >= cell.end:
        line, column = cell.lines, len(last) + 1
    else:
        line, column = span.line - cell.start + 1, span.column
    if span.end_line < cell.end:
        end_line, end_column = span.end_line - cell.start + 1, span.end_column
    else:
        end_line, end_column = cell.lines, len(last) + 1
    if (end_line, end_column) < (line, column):
        end_line, end_column = line, column
    return cell.index, Span(line, column, end_line, end_column)


def source_line(nb: Notebook, cell: int, line: int) -> Optional[int]:
    """The line of the source that is line ``line`` of cell ``cell``."""
    for c in nb.cells:
        if c.index == cell:
            return c.start + line - 1
    return None


class FilePositions:
    """Where a cell's characters are in the notebook file's own text (the JSON), for tools that
    open the file as text: SARIF viewers, GitHub annotations."""

    def __init__(self, text: str, nb: Notebook):
        self.text = text
        self.nb = nb
        self._sources: Optional[Dict[int, Node]] = None
        self._starts: Optional[List[int]] = None

    def span(self, cell: int, span: Span) -> Optional[Span]:
        start = self.position(cell, span.line, span.column)
        end = self.position(cell, span.end_line, span.end_column)
        if start is None or end is None:
            return None
        return Span(start[0], start[1], end[0], end[1])

    def position(self, cell: int, line: int, column: int) -> Optional[Tuple[int, int]]:
        """(line, column) in the file of a 1-based line and column of a cell."""
        code = next((c for c in self.nb.cells if c.index == cell), None)
        node = self._source_nodes().get(cell)
        if code is None or node is None:
            return None
        lines = split_lines(code.text)
        k = sum(len(ln) for ln in lines[:line - 1]) + column - 1
        if node.kind == "string":
            offset = raw_offset(self.text, node, k)
        else:
            offset = None
            for item in node.items:
                value = string_value(self.text, item)
                if k < len(value) or item is node.items[-1]:
                    offset = raw_offset(self.text, item, min(k, len(value)))
                    break
                k -= len(value)
            if offset is None:
                return None
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        row = bisect.bisect_right(self._starts, offset) - 1
        return row + 1, offset - self._starts[row] + 1

    def _source_nodes(self) -> Dict[int, Node]:
        if self._sources is None:
            try:
                self._sources = source_nodes(self.text)
            except ScanError:
                self._sources = {}
        return self._sources


def source_nodes(text: str) -> Dict[int, Node]:
    """Cell index (1-based among all cells) -> the node of its "source" value. Raises ScanError."""
    root = scan(text)
    cells = root.get("cells") if root.kind == "object" else None
    if cells is None or cells.kind != "array":
        raise ScanError('no "cells" list')
    out: Dict[int, Node] = {}
    for i, cell in enumerate(cells.items, 1):
        source = cell.get("source") if cell.kind == "object" else None
        if source is not None and (source.kind == "string" or
                                   source.kind == "array" and all(n.kind == "string" for n in source.items)):
            out[i] = source
    return out


# writing back ------------------------------------------------------------------------------------
def cell_boundaries(nb: Notebook) -> List[int]:
    """The lines of the source an edit must not cross: each cell's first line and, around each
    IPython line, its own line and the next (a fix never changes IPython syntax)."""
    marks = set()
    for c in nb.cells:
        marks.add(c.start)
        for m in c.magic:
            marks.add(c.start + m - 1)
            marks.add(c.start + m)
    return sorted(marks)


def fixed_cells(nb: Notebook, fixed: str, marks: Sequence[int]) -> Dict[int, str]:
    """The new source of each cell the fixed Python source changes (cell index -> its text, with
    its IPython lines put back). ``marks``: where the lines of cell_boundaries(nb) moved to.
    Raises NotebookError when the fixed source cannot be split back into the cells."""
    old_marks = cell_boundaries(nb)
    if len(marks) != len(old_marks):
        raise NotebookError("the fixed source does not match the notebook's cells")
    moved = dict(zip(old_marks, marks))
    lines = split_lines(fixed)
    starts = [moved[c.start] for c in nb.cells]
    out: Dict[int, str] = {}
    for i, c in enumerate(nb.cells):
        end = starts[i + 1] if i + 1 < len(nb.cells) else len(lines) + 1
        new = lines[starts[i] - 1:end - 1]
        old = split_lines(c.python)
        for m in c.magic:  # put the IPython line back where its stand-in is now
            at = moved[c.start + m - 1] - starts[i]
            if not 0 <= at < len(new) or new[at] != old[m - 1]:
                raise NotebookError(f"a fix would change IPython syntax in cell {c.index}")
            new[at] = split_lines(c.text)[m - 1] if m <= len(split_lines(c.text)) else ""
        text = "".join(new)
        if c.python.endswith("\n") and not _ends_with_newline(c.text) and text.endswith("\n"):
            text = text[:-1]  # the newline read_notebook added after the cell's last line
        if text != c.text:
            out[c.index] = text
    return out


def _ends_with_newline(text: str) -> bool:
    return text.endswith(("\n", "\r"))


def write_sources(text: str, changes: Dict[int, str]) -> str:
    """The notebook text with the "source" of each cell in ``changes`` (cell index -> new
    source) replaced; every other character stays. Raises NotebookError."""
    if not changes:
        return text
    try:
        nodes = source_nodes(text)
    except ScanError as e:
        raise NotebookError(f"cannot find the cells in the notebook's text: {e}")
    ascii_only = _escapes_non_ascii(text)
    pieces: List[Tuple[int, int, str]] = []
    for index, new in changes.items():
        node = nodes.get(index)
        if node is None:
            raise NotebookError(f"cannot find the source of cell {index} in the notebook's text")
        pieces += _replacements(text, node, new, ascii_only)
    out, pos = [], 0
    for a, b, piece in sorted(pieces):
        out += [text[pos:a], piece]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _escapes_non_ascii(text: str) -> bool:
    """Whether the file writes non-ASCII characters as \\u escapes (json's default) rather than
    as themselves (nbformat's way). Control characters (an ANSI colour in a traceback) are
    escaped either way and say nothing."""
    return text.isascii() and re.search(r"\\u(?!00[01]|007[fF])[0-9a-fA-F]{4}", text) is not None


def _dump(value: str, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _replacements(text: str, node: Node, new: str, ascii_only: bool) -> List[Tuple[int, int, str]]:
    """The (start, end, text) pieces that make ``node`` hold ``new``. A list of the same number
    of lines keeps its layout and its unchanged lines' text: only the changed lines are written."""
    if node.kind == "string":
        return [(node.start, node.end, _dump(new, ascii_only))]
    new_lines = split_lines(new)
    old_lines = [string_value(text, n) for n in node.items]
    if len(new_lines) == len(old_lines):
        return [(n.start, n.end, _dump(v, ascii_only))
                for n, v, o in zip(node.items, new_lines, old_lines) if v != o]
    return [(node.start, node.end, _array_text(text, node, new_lines, ascii_only))]


def _array_text(text: str, node: Node, lines: List[str], ascii_only: bool) -> str:
    """A new array for a list of another length, laid out as the old one (or as nbformat does)."""
    if not lines:
        return "[]"
    items = [_dump(v, ascii_only) for v in lines]
    if node.items:
        gap = text[node.start + 1:node.items[0].start]
        close = text[node.items[-1].end:node.end - 1]
        if "\n" not in gap:
            between = text[node.items[0].end:node.items[1].start] if len(node.items) > 1 else ", "
            return "[" + gap + between.join(items) + close + "]"
        return "[" + gap + ("," + gap).join(items) + close + "]"
    line_start = text.rfind("\n", 0, node.start) + 1
    key_indent = re.compile(r"[ \t]*").match(text, line_start).group(0)
    inner = key_indent + _indent_unit(text)
    return "[\n" + ",\n".join(inner + item for item in items) + "\n" + key_indent + "]"


def _indent_unit(text: str) -> str:
    """The file's indentation step (nbformat writes one space)."""
    m = re.search(r"\{\n([ \t]+)\"", text)
    return m.group(1) if m else " "

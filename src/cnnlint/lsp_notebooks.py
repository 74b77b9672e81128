"""Notebook documents in the language server (LSP 3.17 ``notebookDocument/*``), without pygls.

An editor sends a notebook as cells, each a text document of its own (its uri, its kind, its
text). The code cells in order make one Python source, read as ``cnnlint check nb.ipynb`` reads
a notebook file (notebook.from_cells: IPython lines made ``pass``, every cell keeping its line
count), so a model built in one cell and fed in a later one is followed across them. Each
version of the notebook gets one analysis (lsp_analysis.analyse); its diagnostics are given
back per cell uri, at positions within the cell. A cell that does not parse gets its own CNN001
error and is left out of the source (its lines made blank), so the other cells are still checked.

``view`` gives hover, inlay hints and code lens what they need for any uri, a file or a cell:
the analysis, the client's lines, and where those lines lie in the analysed source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Tuple

from cnnlint.diagnostics import Diagnostic
from cnnlint.inputspec import InputSpec
from cnnlint.lsp_analysis import Analysis, Document, Session, analyse, settings_for_document
from cnnlint.lsp_positions import lines_of
from cnnlint.notebook import CodeCell, Notebook, from_cells
from cnnlint.notebook_results import cell_parse_error, in_cells

CODE, MARKUP = "code", "markup"
PYTHON = ("python", "python3", "ipython", "ipython3", "")
_NOT_NEWLINE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class Cell:
    """One cell of an open notebook, as the editor sent it."""

    uri: str
    kind: str  # CODE or MARKUP
    text: str
    language: str = "python"  # the cell document's languageId

    @property
    def is_python(self) -> bool:
        return self.kind == CODE and self.language.lower() in PYTHON


@dataclass(frozen=True)
class OpenNotebook:
    """One version of an open notebook and its analysis. ``diagnostics``: every Python cell's uri
    -> its diagnostics (positions within the cell; an empty tuple for a clean cell)."""

    uri: str
    version: Optional[int]
    cells: Tuple[Cell, ...]
    nb: Notebook
    document: Document
    diagnostics: Dict[str, Tuple[Diagnostic, ...]] = field(default_factory=dict)

    def code_cell(self, uri: str) -> Optional[CodeCell]:
        """The notebook.CodeCell of the cell with this uri (None for a markdown cell)."""
        for code in self.nb.cells:
            if self.cells[code.position].uri == uri:
                return code
        return None


@dataclass(frozen=True)
class View:
    """A document as a feature request sees it: the analysis that answers, the lines the client
    counts positions in, and where they are in the analysed source (line ``n`` of the client's
    text is line ``n + offset`` of the source; ``count`` lines of it, None: all of them)."""

    document: Document
    lines: List[str]
    offset: int = 0
    count: Optional[int] = None

    def to_source(self, line: int) -> int:
        return line + self.offset

    def from_source(self, line: int) -> Optional[int]:
        """The client's 1-based line of a line of the source, or None when it is not in this view."""
        local = line - self.offset
        if local < 1 or self.count is not None and local > self.count:
            return None
        return local


def combine(cells: Sequence[Cell]) -> Notebook:
    """The notebook's Python cells as one source (markdown and other languages left out)."""
    return from_cells([c.text if c.is_python else None for c in cells])


def checked_source(nb: Notebook) -> Tuple[str, Tuple[Diagnostic, ...]]:
    """The source to analyse, with each cell that does not parse alone made blank lines, and
    those cells' CNN001 errors (positions within the cell)."""
    parts, errors = [], []
    for code in nb.cells:
        error = cell_parse_error(code)
        if error is None:
            parts.append(code.python)
        else:
            parts.append(_NOT_NEWLINE.sub("", code.python))
            errors.append(error)
    return "".join(parts), tuple(errors)


def per_cell(diagnostics: Sequence[Diagnostic], nb: Notebook, cells: Sequence[Cell],
             errors: Sequence[Diagnostic] = ()) -> Dict[str, Tuple[Diagnostic, ...]]:
    """Diagnostics of nb.source (and parse ``errors`` placed in cells already) by cell uri, at
    positions within the cell. A fix whose edits leave the diagnostic's cell is dropped."""
    out: Dict[str, List[Diagnostic]] = {cells[c.position].uri: [] for c in nb.cells}
    for d in list(errors) + list(diagnostics):
        placed = in_cells(d, nb)
        if placed.cell is None or not 1 <= placed.cell <= len(cells):
            continue
        if placed.fix is not None and any(e.cell != placed.cell for e in placed.fix.edits):
            placed = replace(placed, fix=None)
        out.setdefault(cells[placed.cell - 1].uri, []).append(placed)
    return {uri: tuple(found) for uri, found in out.items()}


def open_notebook(uri: str, path: str, version: Optional[int], cells: Sequence[Cell],
                  extra: Sequence[InputSpec] = ()) -> OpenNotebook:
    """Analyse one version of a notebook (``path``: its file, whose configuration applies)."""
    cells = tuple(cells)
    nb = combine(cells)
    source, errors = checked_source(nb)
    if settings_for_document(path) is None:  # the configuration excludes the file
        analysis, errors = Analysis(path, source, ()), ()
    elif not nb.cells:
        analysis = Analysis(path, source, ())
    else:
        analysis = analyse(source, path, extra)
    diagnostics = per_cell(analysis.diagnostics, nb, cells, errors)
    return OpenNotebook(uri, version, cells, nb, Document(analysis, version), diagnostics)


def notebook_of_cell(session: Session, uri: str) -> Optional[OpenNotebook]:
    for notebook in session.notebooks.values():
        if any(c.uri == uri for c in notebook.cells):
            return notebook
    return None


def view(session: Session, uri: str) -> Optional[View]:
    """What answers a request about ``uri``: an open file, or a code cell of an open notebook."""
    document = session.get(uri)
    if document is not None:
        return View(document, lines_of(document.analysis.source))
    notebook = notebook_of_cell(session, uri)
    code = notebook.code_cell(uri) if notebook is not None else None
    if code is None:
        return None
    return View(notebook.document, lines_of(code.text), code.start - 1, code.lines)

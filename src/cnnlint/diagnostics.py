"""The data a check produces: diagnostics, their fixes and the shape trace of a model."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple


@dataclass(frozen=True)
class Span:
    """1-based line and column, end inclusive of the last character + 1 (as ruff prints)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text of ``span`` with ``text``."""

    span: Span
    text: str
    cell: Optional[int] = None  # in a notebook: the cell the span's lines count from

    def to_json(self) -> dict:
        out = {"line": self.span.line, "column": self.span.column,
               "end_line": self.span.end_line, "end_column": self.span.end_column,
               "text": self.text}
        if self.cell is not None:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True)
class Fix:
    """An edit that makes the code right. ``safe`` fixes are applied by ``--fix``."""

    description: str
    edits: Tuple[Edit, ...]
    safe: bool = True
    alternatives: Tuple[str, ...] = ()  # other verified repairs, ranked below this one (repair.py)
    enabled: bool = False  # an unsafe fix this run may apply too (`--unsafe-fixes`)

    @property
    def applies(self) -> bool:
        """Whether ``--fix`` applies it in this run (and the text formats mark it [*])."""
        return self.safe or self.enabled

    @property
    def applicability(self) -> str:
        """ruff's word: "safe" (``--fix`` applies it) or "unsafe" (only with ``--unsafe-fixes``)."""
        return "safe" if self.safe else "unsafe"

    def to_json(self) -> dict:
        out = {"description": self.description, "safe": self.safe, "applicability": self.applicability,
               "edits": [e.to_json() for e in self.edits]}
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        return out


@dataclass(frozen=True)
class Diagnostic:
    path: str
    span: Span
    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    model: Optional[str] = None
    declared: Any = None
    inferred: Any = None
    fix: Optional[Fix] = None
    options: Tuple[str, ...] = ()
    explain: Tuple[str, ...] = ()
    # in a notebook: the 1-based index of the cell among all its cells (``span`` counts from the
    # cell's first line), and the span in the .ipynb file's own text, for the tools that read the
    # file as text (SARIF, GitHub annotations); None where it cannot be found
    cell: Optional[int] = None
    file_span: Optional[Span] = None

    def to_json(self) -> dict:
        out = {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "model": self.model,
            "declared": self.declared,
            "inferred": self.inferred,
            "fix": self.fix.to_json() if self.fix else None,
        }
        if self.cell is not None:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True)
class LayerRow:
    """One line of the shapes table: a module (or functional) call and its output."""

    name: str
    type: str
    line: int
    output: Optional[Tuple[Any, ...]]  # dims (int | sympy | None); None = unknown rank
    params: Any  # int, sympy expression, or None when unknown
    depth: int = 0
    kernel: Any = None
    macs: Any = None
    explain: str = ""
    finding: str = ""
    input: Optional[Tuple[Any, ...]] = None
    leaf: bool = True  # the module has no submodules (torchinfo's leaf layer); functional calls too
    own_params: Any = 0  # parameters registered on this module itself, not on its submodules
    weights: Tuple[Tuple[str, Any], ...] = ()  # (name, element count) of a user module's own nn.Parameters
    sources: Tuple[int, ...] = ()  # rows whose outputs it received (index in layers; -1 the input, -2 unknown)
    op: bool = False  # a tensor operation (+, torch.cat), not a module: drawn in graphs, not in tables
    last: Any = None  # output None (rank unknown) but its last size known: shown as [..., last]
    cell: Optional[int] = None  # in a notebook: the cell ``line`` counts from


@dataclass(frozen=True)
class ModelTrace:
    """Everything `cnnlint shapes` prints for one model."""

    model: str
    path: str
    line: int
    input: Optional[Tuple[Any, ...]]
    layers: Tuple[LayerRow, ...]
    output: Optional[Tuple[Any, ...]]
    params: Any
    trainable: Any = None
    notes: Tuple[str, ...] = ()
    accepts: Tuple[str, ...] = ()  # the input sizes the model accepts, one sentence each
    smallest_input: Optional[Tuple[int, ...]] = None  # the smallest accepted input when it is symbolic
    modules: Tuple["ModuleNode", ...] = ()  # the module tree, named_modules() order, without the root
    constraints: Tuple[Tuple[Any, str], ...] = ()  # (size expression, what) the input sizes must satisfy
    cell: Optional[int] = None  # in a notebook: the cell ``line`` counts from


@dataclass(frozen=True)
class ModuleNode:
    """One submodule of a model as named_modules() lists it."""

    name: str
    type: str
    params: Any  # its whole subtree's parameter count
    own_params: Any = 0
    leaf: bool = True


@dataclass(frozen=True)
class FileResult:
    path: str
    diagnostics: Tuple[Diagnostic, ...]
    models: Tuple[ModelTrace, ...] = field(default=())
    source: Optional[str] = None  # the Python text checked (a notebook's code cells as one source)
    # a notebook's code cells: (cell index, the line of ``source`` where the cell begins)
    cell_starts: Tuple[Tuple[int, int], ...] = ()

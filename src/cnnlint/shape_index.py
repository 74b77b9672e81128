"""What is at each position of a file, after one analysis: the values its expressions and the
targets of its assignments took in the model runs (interpret/recording.py), the call rows of the
layers, and the models themselves. The language server answers hover, inlay hints and code lens
from it (lsp_shapes.py) without running anything again.

Positions are cnnlint's: 1-based lines and 1-based code-point columns (Span).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from cnnlint.abstract.values import Layer, Obj, Tensor, is_module
from cnnlint.diagnostics import LayerRow, Span
from cnnlint.layers.context import explain_texts
from cnnlint.summary import explain_lines

MAX_EXPLAIN = 6  # arithmetic lines shown for one position


@dataclass(frozen=True)
class Entry:
    """An expression or assignment target: the distinct values it took, in the order seen."""

    span: Span
    text: str  # its source text
    values: Tuple[Any, ...]
    explain: Tuple[str, ...] = ()  # the arithmetic of the layers it called (what --explain shows)
    target: bool = False  # an assignment's target: its value after the statement
    finding: str = ""  # the code of an error a layer called by its statement reported (PyTorch raises there)


@dataclass(frozen=True)
class Hint:
    """An assignment statement whose targets hold tensors: where it ends, and each target's values."""

    line: int
    column: int  # just after the statement
    targets: Tuple[Tuple[str, Tuple[Any, ...]], ...]  # (target text, distinct values)
    finding: str = ""  # see Entry.finding


@dataclass(frozen=True)
class ModelEntry:
    name: str
    span: Span  # its name where it is defined (the class name, or the variable)
    line: int
    run: Any  # analyze.ModelRun: its trace is made when first asked for


@dataclass(frozen=True)
class LayerCalls:
    """A module and what its calls received and gave."""

    module: Any
    inputs: Tuple[Any, ...]
    outputs: Tuple[Any, ...]


@dataclass(frozen=True)
class ShapeIndex:
    entries: Tuple[Entry, ...]  # sorted by start
    hints: Tuple[Hint, ...]  # sorted by line
    models: Tuple[ModelEntry, ...]
    calls: Dict[int, LayerCalls]  # id(module) -> its calls

    def at(self, line: int, column: int) -> Optional[Entry]:
        """The innermost entry whose span holds the position; else one that ends just before it
        (a cursor right after a name is on it)."""
        best = after = None
        for e in self.entries:
            s = e.span
            if (s.line, s.column) > (line, column):
                break
            end = (s.end_line, s.end_column)
            if end > (line, column):
                best = _inner(best, e)
            elif end == (line, column):
                after = _inner(after, e)
        return best or after

    def model_at(self, line: int, column: int) -> Optional[ModelEntry]:
        for m in self.models:
            s = m.span
            if s.line == line and s.column <= column <= s.end_column:
                return m
        return None

    def hints_between(self, first: int, last: int) -> List[Hint]:
        return [h for h in self.hints if first <= h.line <= last]

    def layer(self, module) -> Optional[LayerCalls]:
        return self.calls.get(id(module))


EMPTY = ShapeIndex((), (), (), {})


def _inner(best: Optional[Entry], e: Entry) -> Entry:
    if best is None or _size(e.span) < _size(best.span) or (_size(e.span) == _size(best.span) and e.target):
        return e
    return best


def _size(s: Span) -> Tuple[int, int]:
    return s.end_line - s.line, (s.end_column - s.column if s.end_line == s.line else s.end_column)


def build_index(ctx, runs: Sequence[Any], recorder) -> ShapeIndex:
    """The index of one analysis: ``ctx`` the FileContext, ``runs`` analyze's ModelRuns,
    ``recorder`` the interpret.recording.Recorder that watched them."""
    interps = [i for i in recorder.interps if not i.unbatched]
    calls, explained = _layer_calls(interps)
    spans: Dict[int, Optional[Span]] = {}
    built = ctx.layout.ranges  # the ranges of the nodes built from the ast: most of them, and no lookup

    def span_of(node) -> Optional[Span]:
        key = id(node)
        if key not in spans:
            r = built.get(key)
            if r is not None:
                spans[key] = Span(r[0], r[1] + 1, r[2], r[3] + 1)
            else:
                spans[key] = ctx.span(node) if ctx.owns(node) else None
        return spans[key]

    grouped: Dict[int, Tuple[Any, List[Any]]] = {}
    for _, node, value in recorder.values:
        _add(grouped, node, value)
    # `self.conv1(x)`: the callee is read, not evaluated as an expression; its module is the
    # receiver's child of that name
    for key, (node, values) in list(grouped.items()):
        if type(node) is cst.Call and type(node.func) is cst.Attribute and id(node.func) not in grouped:
            receiver = grouped.get(id(node.func.value))
            for owner in receiver[1] if receiver is not None else ():
                child = owner.children.get(node.func.attr.value) if isinstance(owner, (Obj, Layer)) else None
                if child is not None and is_module(child):
                    _add(grouped, node.func, child)
    entries = []
    for node, values in grouped.values():
        span = span_of(node)
        if span is not None:
            explain = _call_explain(node, grouped, explained) if type(node) is cst.Call else ()
            entries.append(Entry(span, _text(ctx, span), tuple(values), explain))
    statements: Dict[int, Tuple[Any, Dict[int, Tuple[Any, List[Any]]], List[str], List[str]]] = {}
    for a in recorder.assigned:
        found = statements.get(id(a.statement))
        if found is None:
            found = statements[id(a.statement)] = (a.statement, {}, [], [])
        _add(found[1], a.target, a.value)
        rows = a.interp.rows[a.rows[0]:a.rows[1]]
        found[2].extend(_row_explain(rows, a.rows[2]))
        found[3].extend(f.code for f in a.findings if _is_error(f))
    hints = []
    for statement, targets, explain, findings in statements.values():
        finding = findings[0] if findings else ""
        shown = []
        for target, values in targets.values():
            span = span_of(target)
            if span is None:
                continue
            text = _text(ctx, span)
            entries.append(Entry(span, text, tuple(values), _first(explain), target=True, finding=finding))
            if all(isinstance(v, Tensor) for v in values) and any(v.shape is not None for v in values):
                shown.append((span, text, tuple(values)))
        end = span_of(statement)
        if (shown or finding) and end is not None:
            shown.sort(key=lambda s: (s[0].line, s[0].column))
            hints.append(Hint(end.end_line, end.end_column, tuple((t, v) for _, t, v in shown), finding))
    hints += _top_level_hints(ctx, grouped, runs, span_of, {h.line for h in hints})
    entries.sort(key=lambda e: (e.span.line, e.span.column, -e.span.end_line, -e.span.end_column))
    hints.sort(key=lambda h: (h.line, h.column))
    return ShapeIndex(tuple(entries), tuple(hints), tuple(_models(ctx, runs)), calls)


def _top_level_hints(ctx, grouped, runs, span_of, taken) -> List[Hint]:
    """Hints for the file's top-level code, which the analysis evaluates only in part: an
    assignment whose value it evaluated (the tensor that feeds a model, ``x = torch.randn(...)``),
    and ``y = net(x)`` where ``net`` is a model variable and ``x`` its input, which gets the
    model's output."""
    outputs = {}
    for run in runs:
        binding = run.model.binding if run.model.kind == "value" else None
        trace = run.trace if binding is not None else None
        if trace is not None and trace.output is not None:
            outputs[binding.variable] = (trace.input, trace.output)
    fed: Dict[str, Any] = {}  # name -> the tensor its last top-level assignment gave
    out = []
    for stmt in ctx.statements:
        if stmt.kind != "assign" or len(stmt.targets) != 1 or not stmt.targets[0][1]:
            continue
        name = stmt.targets[0][0]
        value = getattr(stmt.tree, "value", None)
        call = value if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else None
        given = None
        if call is not None and call.func.id in outputs and len(call.args) == 1 and not call.keywords and \
                isinstance(call.args[0], ast.Name):
            wanted, output = outputs[call.func.id]
            x = fed.get(call.args[0].id)
            if isinstance(x, Tensor) and x.shape is not None and wanted is not None and tuple(x.shape) == tuple(wanted):
                given = Tensor(output)
        fed.pop(name, None)
        if given is None and not stmt.parsed:
            continue
        node = stmt.resolve()
        small = node.body[0] if type(node) is cst.SimpleStatementLine and len(node.body) == 1 else None
        if type(small) is not cst.Assign:
            continue
        if given is None:
            recorded = grouped.get(id(small.value))
            tensors = [v for v in recorded[1] if isinstance(v, Tensor)] if recorded is not None else []
            if len(tensors) != 1 or tensors[0].shape is None:
                continue
            given = tensors[0]
        fed[name] = given
        span = span_of(small)
        if span is not None and span.end_line not in taken:
            out.append(Hint(span.end_line, span.end_column, ((name, (given,)),)))
    return out


def _is_error(finding) -> bool:
    from cnnlint.rules import RULES

    rule = RULES.get(finding.code)
    return (finding.severity or (rule.severity if rule is not None else "error")) == "error"


def _add(grouped: Dict[int, Tuple[Any, List[Any]]], node, value) -> None:
    found = grouped.get(id(node))
    if found is None:
        grouped[id(node)] = (node, [value])
    elif not any(_same(value, v) for v in found[1]) and len(found[1]) < 16:
        found[1].append(value)


def _same(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape and a.last == b.last
    if isinstance(a, (int, str)) and isinstance(b, (int, str)) or isinstance(a, tuple) and isinstance(b, tuple):
        return type(a) is type(b) and a == b
    return False


def _layer_calls(interps) -> Tuple[Dict[int, LayerCalls], Dict[int, List[Any]]]:
    """id(module) -> its calls, and id(node) -> the rows with arithmetic made at that node (a
    functional's call, a module's constructor), in one pass over the runs' rows."""
    found: Dict[int, Tuple[Any, List[Any], List[Any]]] = {}
    explained: Dict[int, List[Any]] = {}
    for interp in interps:
        for row in interp.rows:
            if row.explain and row.node is not None:
                explained.setdefault(id(row.node), []).append(row)
            if row.module is None or row.op:
                continue
            entry = found.setdefault(id(row.module), (row.module, [], []))
            for shapes, shape in ((entry[1], row.input), (entry[2], row.output)):
                if shape not in shapes and len(shapes) < 16:
                    shapes.append(shape)
    return {k: LayerCalls(m, tuple(i), tuple(o)) for k, (m, i, o) in found.items()}, explained


def _row_explain(rows, depth: Optional[int] = None) -> List[str]:
    """The arithmetic of rows (with ``depth``: only the calls a statement made itself, not those
    inside the modules it called)."""
    out = []
    for row in rows:
        if row.op or not row.explain or depth is not None and row.depth != depth:
            continue
        parts = explain_texts(row)
        lines = explain_lines(LayerRow(row.name, row.type, 0, row.output, 0, explain="; ".join(parts)))
        who = row.name or row.type
        out.extend(f"{who}: {line}" for line in lines)
    return out


def _call_explain(node, grouped, explained) -> Tuple[str, ...]:
    """A call's own arithmetic: a functional (`F.max_pool2d(x, 2)`) has rows of its own node, a
    module call (`self.conv1(x)`) those of its module, made at the module's constructor."""
    rows = explained.get(id(node))
    if not rows and type(node.func) is cst.Attribute and id(node.func) in grouped:
        rows = [r for m in grouped[id(node.func)][1] if isinstance(m, Layer)
                for r in explained.get(id(m.node), ()) if r.module is m]
    return _first(_row_explain(rows or ()))


def _first(lines: List[str]) -> Tuple[str, ...]:
    unique = list(dict.fromkeys(lines))
    if len(unique) > MAX_EXPLAIN:
        return tuple(unique[:MAX_EXPLAIN - 1]) + (f"... ({len(unique) - MAX_EXPLAIN + 1} more)",)
    return tuple(unique)


def _text(ctx, span: Span) -> str:
    try:
        return ctx.layout.range_text((span.line, span.column - 1, span.end_line, span.end_column - 1))
    except (IndexError, AttributeError):
        return ""


def _models(ctx, runs) -> List[ModelEntry]:
    out = []
    for run in runs:
        name = run.model.name
        line = ctx.span(run.model.node).line
        text = ctx.layout.line_text(line) if 0 < line <= len(ctx.layout.line_starts()) else ""
        variable = run.model.binding.variable if run.model.kind == "value" and run.model.binding is not None else name
        found = re.search(rf"\b{re.escape(variable)}\b", text)
        column = found.start() + 1 if found else 1
        out.append(ModelEntry(name, Span(line, column, line, column + len(variable)), line, run))
    return out

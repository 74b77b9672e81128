"""Which findings carry an edit, and the edit's text in the author's style.

A fix is *safe* (applied by ``--fix``, marked ``[*]``) only when exactly one local edit makes
the code right and that edit touches nothing else:

- CNN102: a ``Linear`` whose ``in_features`` is written as integer literals gets the inferred
  size, keeping the author's style: ``32 * 8 * 8`` becomes ``32 * 7 * 7`` (only the literals
  that change are edited), a plain literal becomes the new literal, a keyword stays a keyword.
- CNN104/CNN201: ``x.view(-1, k)`` (or ``reshape``) whose ``k`` is not the per-sample size
  gets the right ``k`` when ``k`` is written as literals, else ``x.size(0), -1``.

Everything else is offered as an unsafe fix (shown, never applied) or not at all:

- CNN101 (channels of a conv/norm layer): either the layer's ``in_channels`` or the previous
  layer's ``out_channels`` could be wrong; the diagnostic lists both options.
- a size written with a name (``nn.Linear(hidden, 10)``) or depending on a symbol;
- a layer built in a loop or by a helper that runs more than once (several layers share one
  constructor call, so one edit changes them all);
- a finding on a path cnnlint cannot decide (an ``if`` it cannot evaluate);
- two fixes that edit the same code differently (``resolve_conflicts``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, Iterable, List, Optional, Sequence, Set

import libcst as cst

from cnnlint.diagnostics import Diagnostic, Edit, Fix, Span

VIEW_METHODS = ("view", "reshape")


def literal_value(node) -> Optional[int]:
    """The int an expression of integer literals computes, else None."""
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(node, cst.BinaryOperation):
        a, b = literal_value(node.left), literal_value(node.right)
        if a is None or b is None:
            return None
        op = type(node.operator).__name__
        if op == "Multiply":
            return a * b
        if op == "Add":
            return a + b
        if op == "Subtract":
            return a - b
        if op == "FloorDivide" and b:
            return a // b
        return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        v = literal_value(node.expression)
        return None if v is None else -v
    return None


def product_literals(node) -> Optional[List[cst.Integer]]:
    """The literals of ``32*8*8`` in order, when the expression is only a product of them."""
    if isinstance(node, cst.Integer):
        return [node]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply) and not node.lpar:
        left, right = product_literals(node.left), product_literals(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None


def _as_int(v) -> Optional[int]:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if getattr(v, "is_Integer", False):
        return int(v)
    return None


def _prod(values: Iterable[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _int_root(value: int, k: int) -> Optional[int]:
    if value < 1 or k < 1:
        return None
    r = round(value ** (1.0 / k))
    for c in (r - 1, r, r + 1):
        if c >= 1 and c ** k == value:
            return c
    return None


def styled_factors(old: Sequence[int], target: int, factors=None) -> Optional[List[int]]:
    """New values for the literals ``old`` of a product so that it computes ``target``, changing
    as few of them as the evidence allows; None when no such split is evident.

    ``factors`` are the dims a flatten merged (``(32, 7, 7)``): with as many of them as there are
    literals they are the answer (matched in the written order or reversed, whichever changes
    fewer literals). Without them, the first literal (the channels) is kept and the others,
    when they were equal (a square or cubic map), share the rest equally; else the one literal
    that can absorb the change alone is changed."""
    k = len(old)
    fs = [_as_int(f) for f in factors] if factors else []
    if fs and len(fs) == k and all(f is not None and f > 0 for f in fs) and _prod(fs) == target:
        forward = sum(a != b for a, b in zip(old, fs))
        backward = sum(a != b for a, b in zip(old, reversed(fs)))
        return list(reversed(fs)) if backward < forward else list(fs)
    if k < 2:
        return None
    first, rest = old[0], old[1:]
    if first > 0 and target % first == 0 and len(set(rest)) == 1:
        root = _int_root(target // first, len(rest))
        if root is not None:
            return [first] + [root] * len(rest)
    choices = []
    for i in range(k):
        others = _prod(old[:i] + old[i + 1:])
        if others > 0 and target % others == 0 and target // others > 0:
            choices.append([*old[:i], target // others, *old[i + 1:]])
    return choices[0] if len(choices) == 1 else None


def size_edits(ctx, node, target: int, factors=None) -> Optional[List[Edit]]:
    """Edits that make the literal expression ``node`` compute ``target`` in the author's style."""
    if literal_value(node) is None:
        return None
    literals = product_literals(node)
    if literals and len(literals) > 1:
        old = [literal_value(lit) for lit in literals]
        new = styled_factors(old, target, factors)
        if new is not None:
            return [Edit(ctx.span(lit), str(v)) for lit, o, v in zip(literals, old, new) if o != v]
    return [Edit(ctx.span(node), str(target))]


NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """The lines of ``text`` with their endings, split as Python (and libcst) count lines: at
    ``\\n``, ``\\r\\n`` and ``\\r`` only (not at form feeds or other Unicode separators)."""
    out, start = [], 0
    for m in NEWLINE.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


def _rewrite(ctx, node, edits: Sequence[Edit]) -> str:
    """The code of ``node`` (as its span covers it) with ``edits``, which lie inside it, applied."""
    span = ctx.span(node)
    lines = split_lines(ctx.source)[span.line - 1:span.end_line]
    end_column = span.end_column
    for e in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        i = e.span.line - span.line
        a, b = e.span.column - 1, e.span.end_column - 1
        lines[i] = lines[i][:a] + e.text + lines[i][b:]
        if e.span.line == span.end_line:
            end_column += len(e.text) - (b - a)
    if len(lines) == 1:
        return lines[0][span.column - 1:end_column - 1]
    return lines[0][span.column - 1:] + "".join(lines[1:-1]) + lines[-1][:end_column - 1]


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 40 else code[:37] + "..."


def make_fix(ctx, finding, shared: bool = False) -> Optional[Fix]:
    """The fix for one finding, or None. ``shared``: the finding's constructor call builds more
    than one layer (a loop, a helper called twice), so no edit there is safe."""
    if not _owned(ctx, finding.node) or not _owned(ctx, finding.arg_node):
        return None  # found in another file (an imported module): edits there are not ours to make
    if finding.code in ("CNN104", "CNN201"):
        return view_fix(ctx, finding)
    node = finding.arg_node
    inferred = _as_int(finding.inferred)
    if node is None or inferred is None or inferred < 1:
        return None
    edits = size_edits(ctx, node, inferred, finding.factors)
    if not edits:
        return None
    old = _rewrite(ctx, node, ())
    new = _rewrite(ctx, node, edits)
    safe = (finding.code == "CNN102" or (finding.code == "CNN101" and not finding.options)) \
        and not shared and finding.severity in (None, "error")
    return Fix(f"replace `{_short(old)}` with `{_short(new)}`", tuple(edits), safe=safe)


def _owned(ctx, node) -> bool:
    owns = getattr(ctx, "owns", None)
    return node is None or owns is None or owns(node)


def _is_minus_one(node) -> bool:
    return literal_value(node) == -1


def view_fix(ctx, finding) -> Optional[Fix]:
    """``x.view(-1, k)`` with the wrong ``k``: the right ``k`` when it is written as literals,
    else ``x.size(0), -1`` (or ``flatten(1)`` when the viewed tensor is not a plain name)."""
    call = finding.node
    per_sample = _as_int(finding.inferred)
    if not isinstance(call, cst.Call) or per_sample is None or per_sample < 1:
        return None
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in VIEW_METHODS:
        return None
    args = call.args
    if len(args) != 2 or any(a.keyword is not None or a.star for a in args) or not _is_minus_one(args[0].value):
        return None
    k = finding.arg_node if finding.arg_node is not None else args[1].value
    # CNN201 is a warning by design; a CNN104 demoted to a warning lies on an undecided path
    safe = finding.code == "CNN201" or finding.severity in (None, "error")
    edits = size_edits(ctx, k, per_sample, finding.factors)
    if edits:
        return Fix(f"replace `{_short(_rewrite(ctx, k, ()))}` with `{_short(_rewrite(ctx, k, edits))}`",
                   tuple(edits), safe=safe)
    first, last = ctx.span(args[0].value), ctx.span(args[1].value)
    old = f"-1, {_short(_rewrite(ctx, k, ()))}"
    if isinstance(func.value, cst.Name):
        new = f"{func.value.value}.size(0), -1"
        span = Span(first.line, first.column, last.end_line, last.end_column)
        return Fix(f"replace `{old}` with `{new}`", (Edit(span, new),), safe=safe)
    attr = ctx.span(func.attr)
    end = ctx.span(call)
    span = Span(attr.line, attr.column, end.end_line, end.end_column)
    return Fix(f"replace `{func.attr.value}({old})` with `flatten(1)`", (Edit(span, "flatten(1)"),), safe=safe)


def shared_constructors(interps) -> Set[int]:
    """ids of the constructor calls whose one edit would change more than one use: a layer built
    in a loop, or by a helper or submodule class that runs more than once, or one layer object
    called more than once (each call may want a different size)."""
    from cnnlint.abstract.values import Layer

    first: Dict[int, object] = {}
    calls: Dict[int, int] = {}
    shared: Set[int] = set()
    for interp in interps:
        for row in interp.rows:
            layer = row.module
            if not isinstance(layer, Layer) or layer.node is None or layer.is_container:
                continue
            key = id(layer.node)
            calls[id(layer)] = calls.get(id(layer), 0) + 1
            if layer.in_loop or calls[id(layer)] > 1 or first.setdefault(key, layer) is not layer:
                shared.add(key)
    return shared


def _overlap(a, b) -> bool:
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (a.end_line, a.end_column)


def resolve_conflicts(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """Make unsafe every safe fix whose edits overlap another safe fix's different edits (two
    runs or two calls of a shared layer want different values). Equal fixes stay safe: one
    edit mends both diagnostics."""
    safe = [i for i, d in enumerate(diagnostics) if d.fix is not None and d.fix.safe]
    bad: Set[int] = set()
    for x in range(len(safe)):
        for y in range(x + 1, len(safe)):
            i, j = safe[x], safe[y]
            fi, fj = diagnostics[i].fix, diagnostics[j].fix
            if set(fi.edits) == set(fj.edits):
                continue
            if any(_overlap(a.span, b.span) or a.span == b.span for a in fi.edits for b in fj.edits):
                bad.update((i, j))
    if not bad:
        return list(diagnostics)
    return [replace(d, fix=replace(d.fix, safe=False)) if i in bad else d for i, d in enumerate(diagnostics)]

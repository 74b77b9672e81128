"""The torchinfo summary of a model, computed from its shape trace without running it.

``summarize(trace)`` turns a ModelTrace into the rows torchinfo would print (the module
tree, with the containers torchinfo inserts for a ModuleList that is never called itself)
and its totals: parameters, multiply-adds and the memory estimate. The conventions are
torchinfo's (1.8), so the totals equal ``torchinfo.summary(model, input_size)``:

- multiply-adds are counted on leaf modules only, once per call, from the parameters named
  ``weight``/``bias``: ``count * N * prod(output spatial sizes)`` for a class whose name
  contains ``Conv``, else ``count * N``; RNN weights (``weight_ih_l0``...) count
  ``count * output[0] * output[1]``. Activations, pools and functional calls count 0;
- forward/backward pass size: 2 (forward and gradient) x 4 bytes x the output's elements
  of every call of a leaf module that has parameters;
- params size: 4 bytes x the parameters of each leaf module (a module called again is
  "recursive" and counted once); input size: 4 bytes x the input's elements + 64 (what
  ``sys.getsizeof`` says of the input tensor's storage);
- a container's row shows the parameters not in its children (or ``--``), except at the
  folding depth, where it shows its whole subtree and its leaves' multiply-adds.

Every figure is an int, a sympy expression when the input is symbolic, or None when a
size is unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cnnlint import dims
from cnnlint.diagnostics import LayerRow, ModelTrace

BYTES = 4  # float32
STORAGE_OVERHEAD = 64  # sys.getsizeof(tensor.untyped_storage()) - nbytes, as torchinfo measures the input
DEFAULT_DEPTH = 3  # torchinfo's default folding depth
RNN_KINDS = ("RNN", "LSTM", "GRU")
# torch.nn layers that are containers in PyTorch although cnnlint models them as one layer
NO_LEAF_MACS = ("MultiheadAttention",)  # its out_proj child is never called: torchinfo counts 0
OPAQUE = ("Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
          "TransformerDecoderLayer")  # internals (fast paths) cnnlint does not model: unknown


@dataclass(frozen=True)
class SummaryRow:
    """One line of the table."""

    name: str  # the module's dotted name (the model's class for the root row)
    type: str
    depth: int  # depth in the module tree: 0 for the model, 1 for its children
    output: Optional[Tuple[Any, ...]]
    params: Any  # what the Param # column shows (see params_text)
    params_text: str
    kernel: Any
    macs: Any  # the Mult-Adds column's number (0 when it shows "--")
    macs_text: str
    leaf: bool
    recursive: bool
    functional: bool
    folded: bool  # at the folding depth with children hidden below it
    finding: str = ""
    explain: str = ""
    row: Optional[LayerRow] = None  # None for the model row and inserted containers


@dataclass(frozen=True)
class Totals:
    params: Any
    trainable: Any
    non_trainable: Any
    macs: Any
    input_bytes: Any
    output_bytes: Any  # forward/backward pass
    param_bytes: Any
    total_bytes: Any


@dataclass(frozen=True)
class Summary:
    trace: ModelTrace
    rows: Tuple[SummaryRow, ...]  # every row, the folding applied
    all_rows: Tuple[SummaryRow, ...]  # every row, unfolded
    totals: Totals
    depth: int


# --- numbers ---------------------------------------------------------------------------------

def _add(a, b):
    return dims.add(a, b)


def _mul(*values):
    return dims.prod(values)


def _is_zero(v) -> bool:
    return dims.as_int(v) == 0


def fmt_count(v) -> str:
    """1,234,567; a symbolic value prints as its expression; unknown as ?."""
    if v is None:
        return "?"
    n = dims.as_int(v)
    if n is not None:
        return f"{n:,}"
    return dims.fmt(v)


def fmt_mb(v) -> str:
    """Bytes as torchinfo prints megabytes: 0.02."""
    if v is None:
        return "?"
    n = dims.as_int(v)
    if n is not None:
        return f"{n / 1e6:0.2f}"
    return f"({dims.fmt(v)})/1e6"


def fmt_readable(v) -> str:
    """torchinfo's unit for mult-adds: M below 1e9, then G, then T."""
    n = dims.as_int(v)
    if n is None:
        return ""
    for unit, factor in (("T", 1e12), ("G", 1e9)):
        if n >= factor:
            return f"{n / factor:0.2f} {unit}"
    return f"{n / 1e6:0.2f} M"


def fmt_shape(shape, last=None) -> str:
    """``[2, 8, 16]``; ``?`` for a tensor of unknown rank, ``[..., 16]`` when its last size is known."""
    if shape is None:
        return "?" if last is None else f"[..., {dims.fmt(last)}]"
    return "[" + ", ".join(dims.fmt(d) for d in shape) + "]"


def fmt_kernel(kernel) -> str:
    if kernel is None:
        return "--"
    if isinstance(kernel, (tuple, list)):
        return "[" + ", ".join(dims.fmt(k) for k in kernel) + "]"
    return dims.fmt(kernel)


# --- per-layer figures -------------------------------------------------------------------------

def layer_macs(row: LayerRow) -> Any:
    """torchinfo's multiply-adds of one call of a leaf module (0 for functional calls)."""
    if row.type.startswith("F.") or not row.name:
        return 0
    if row.type in NO_LEAF_MACS:
        return 0
    if row.type in OPAQUE:
        return None
    weights = row.weights if row.weights else (("weight", row.params),)
    if all(_is_zero(n) for _, n in weights):
        return 0
    out = row.output
    if out is None or not out:
        return None
    conv = "Conv" in row.type or row.kernel is not None  # a class derived from a conv layer too
    total: Any = 0
    for name, count in weights:
        if count is None:
            return None
        if row.type in RNN_KINDS and not row.weights:
            name = "weight_ih_l0"
        if name in ("weight", "bias"):
            spread = _mul(out[0], *out[2:]) if conv else out[0]
            total = _add(total, _mul(count, spread))
        elif "weight" in name or "bias" in name:
            total = _add(total, _mul(count, *out[:2]))
    return total


def _numel(shape) -> Any:
    if shape is None:
        return None
    return dims.prod(shape)


# --- the rows ---------------------------------------------------------------------------------

@dataclass
class _Item:
    name: str
    type: str
    depth: int
    output: Any
    params: Any  # torchinfo's num_params: the module's whole subtree
    leaf: bool
    recursive: bool
    functional: bool
    kernel: Any = None
    macs: Any = 0
    row: Optional[LayerRow] = None


def _items(trace: ModelTrace) -> List[_Item]:
    """The rows in torchinfo's order: the model, then each call, with the container rows torchinfo
    inserts for a parent that is not called itself (a ModuleList)."""
    tree = {m.name: m for m in trace.modules}
    items = [_Item(trace.model, trace.model, 0, trace.output, trace.params, False, False, False)]
    seen = set()
    inserted: Dict[str, int] = {}
    hierarchy: Dict[int, Optional[str]] = {}
    for row in trace.layers:
        if row.op:
            continue
        functional = row.type.startswith("F.") or not row.name
        if functional:
            depth = row.depth
        else:
            parts = row.name.split(".")
            depth = len(parts)
            for d in range(1, depth):
                ancestor = ".".join(parts[:d])
                if hierarchy.get(d) != ancestor and items[-1].name != ancestor:
                    node = tree.get(ancestor)
                    items.append(_Item(ancestor, node.type if node else "?", d, None,
                                       node.params if node else None, False, ancestor in seen, False))
                    inserted[ancestor] = inserted.get(ancestor, 0) + 1
                    seen.add(ancestor)
                    hierarchy[d] = ancestor
        items.append(_Item(row.name, row.type, depth, row.output, 0 if functional else row.params,
                           row.leaf, (not functional) and row.name in seen, functional, row.kernel,
                           layer_macs(row) if row.leaf else 0, row))
        if not functional:
            seen.add(row.name)
        hierarchy[depth] = None if functional else row.name
        d = depth + 1
        while d in hierarchy:
            hierarchy.pop(d)
            d += 1
    # torchinfo inserts the same record each time, so a container inserted twice is recursive everywhere
    for item in items:
        if inserted.get(item.name, 0) > 1 and item.row is None and item.depth > 0:
            item.recursive = True
    return items


def _children(items: List[_Item], i: int) -> List[_Item]:
    """Every row after ``i`` deeper than it, up to the next row at its depth or above (torchinfo's
    children: all descendants)."""
    out = []
    for item in items[i + 1:]:
        if item.depth <= items[i].depth:
            break
        if not item.functional:
            out.append(item)
    return out


def _leftover(items: List[_Item], i: int, memo: Dict[int, Any]) -> Any:
    if i in memo:
        return memo[i]
    total = items[i].params
    for j in range(i + 1, len(items)):
        child = items[j]
        if child.depth <= items[i].depth:
            break
        if child.functional or child.recursive:
            continue
        total = dims.sub(total, child.params if child.leaf else _leftover(items, j, memo))
    memo[i] = total
    return total


def _positive(v) -> Any:
    n = dims.as_int(v)
    if n is not None:
        return max(n, 0)
    return v


def summarize(trace: ModelTrace, depth: Optional[int] = None) -> Summary:
    """The table and totals of one model; ``depth`` folds the module tree (torchinfo's max_depth,
    3 by default)."""
    max_depth = DEFAULT_DEPTH if depth is None else depth
    items = _items(trace)
    memo: Dict[int, Any] = {}
    macs_total: Any = 0
    output_bytes: Any = 0
    param_bytes: Any = 0
    counted_params: Any = 0
    rows: List[SummaryRow] = []
    all_rows: List[SummaryRow] = []
    for i, item in enumerate(items):
        if item.functional:
            pass
        elif item.leaf:
            macs_total = _add(macs_total, item.macs)
            if not _is_zero(item.params) and item.type not in NO_LEAF_MACS:
                output_bytes = _add(output_bytes, _mul(2 * BYTES, _numel(item.output)))
            if not item.recursive:
                counted_params = _add(counted_params, _positive(item.params))
                if item.type not in NO_LEAF_MACS:
                    param_bytes = _add(param_bytes, _mul(BYTES, item.params))
        elif not item.recursive:
            counted_params = _add(counted_params, _positive(_leftover(items, i, memo)))
        for folded_depth, target in ((None, all_rows), (max_depth, rows)):
            if folded_depth is not None and item.depth > folded_depth:
                continue
            at_max = folded_depth is not None and item.depth == folded_depth
            target.append(_summary_row(items, i, item, at_max, memo))
    total_params = counted_params if counted_params is not None else trace.params
    trainable = trace.trainable if trace.trainable is not None else total_params
    input_bytes = None
    if trace.input is not None and all(d is not None for d in trace.input):
        input_bytes = _add(_mul(BYTES, *trace.input), STORAGE_OVERHEAD)
    total_bytes = _add(_add(input_bytes, output_bytes), param_bytes)
    totals = Totals(total_params, trainable, dims.sub(total_params, trainable), macs_total,
                    input_bytes, output_bytes, param_bytes, total_bytes)
    return Summary(trace, tuple(rows), tuple(all_rows), totals, max_depth)


def _summary_row(items: List[_Item], i: int, item: _Item, at_max: bool, memo) -> SummaryRow:
    folded = at_max and not item.leaf and bool(_children(items, i))
    if item.functional:
        params, params_text = 0, "--"
    elif item.recursive:
        params, params_text = item.params, "--" if _is_zero(item.params) else "(recursive)"
    elif item.leaf or at_max:
        params = item.params
        params_text = "--" if _is_zero(params) else fmt_count(params)
    else:
        params = _leftover(items, i, memo)
        n = dims.as_int(params)
        params_text = "--" if n is not None and n <= 0 else fmt_count(params)
    if item.leaf and not item.functional:
        macs = item.macs
    elif at_max and not item.leaf:
        macs = 0
        for child in _children(items, i):
            if child.leaf:
                macs = _add(macs, child.macs)
    else:
        macs = 0
    n = dims.as_int(macs)
    macs_text = "--" if n is not None and n <= 0 else fmt_count(macs)
    row = item.row
    return SummaryRow(item.name, item.type, item.depth, item.output, params, params_text, item.kernel, macs,
                      macs_text, item.leaf, item.recursive, item.functional, folded,
                      finding=row.finding if row else "", explain=row.explain if row else "", row=row)


def explain_lines(row: LayerRow) -> List[str]:
    """A row's arithmetic, one line per axis; identical axes are shown once."""
    parts = [p.strip() for p in row.explain.split(";") if p.strip()] if row.explain else []
    if not parts:
        return []
    unique = list(dict.fromkeys(parts))
    if len(unique) == 1:
        return unique
    axes = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(len(parts))
    if axes and row.output is not None and len(row.output) >= len(parts):
        return [f"{a}: {p}" for a, p in zip(axes, parts)]
    return parts


def reshape_line(before: LayerRow, after: LayerRow) -> str:
    """``32*7*7 = 1568`` when ``after`` received ``before``'s output flattened (a view/flatten
    between two layers, which has no row of its own); else ""."""
    a, b = before.output, after.input
    if a is None or b is None or tuple(a) == tuple(b) or len(b) >= len(a) or len(b) < 2:
        return ""
    if not dims.same(a[0], b[0]):
        return ""
    keep = len(b) - 1  # dims kept before the merged last one
    if any(not dims.same(x, y) for x, y in zip(a[:keep], b[:keep])):
        return ""
    merged = a[keep:]
    if not dims.same(dims.prod(merged), b[-1]):
        return ""
    product = "*".join(_factor(d) for d in merged)
    result = dims.fmt(b[-1])
    return product if product == result else f"{product} = {result}"


def _factor(d) -> str:
    text = dims.fmt(d)
    if dims.is_symbolic(d) and d.is_Add:
        return f"({text})"
    return text


def arithmetic(trace: ModelTrace) -> List[Tuple[str, str, LayerRow]]:
    """(label, line, row) for every step with arithmetic, in call order: each layer's own lines and
    a ``flatten`` line where a layer received the previous layer's output flattened."""
    out: List[Tuple[str, str, LayerRow]] = []
    previous: Optional[LayerRow] = None
    for row in trace.layers:
        if not row.leaf or row.op:
            continue
        if previous is not None:
            line = reshape_line(previous, row)
            if line:
                out.append(("flatten", line, row))
        for line in explain_lines(row):
            if line.startswith("flatten "):  # an nn.Flatten: written from its shapes, factors in parentheses
                line = reshape_line(replace(row, output=row.input), replace(row, input=row.output)) or line[8:]
                out.append((row.name, line, row))
            else:
                out.append((row.name, line, row))
        if row.output is not None:
            previous = row
    return out


def summaries(traces: Sequence[ModelTrace], depth: Optional[int] = None) -> List[Summary]:
    return [summarize(t, depth) for t in traces]


def op_summary_row(row: LayerRow) -> SummaryRow:
    """A tensor operation (``+``, ``torch.cat``) as a graph node: no params, no table line."""
    return SummaryRow(row.type, row.type, row.depth, row.output, 0, "--", None, 0, "--", True, False, True, False,
                      row=row)

"""torch.* functions beyond tensor_basics.TORCH_FUNCTIONS: each one function
``(it, args, kwargs, node) -> value`` in ``OPS``, fitted to PyTorch 2.13."""
from __future__ import annotations

from typing import Callable, Dict

from cnnlint import dims
from cnnlint.abstract.tensors import _axis_in, binop
from cnnlint.abstract.values import SizeTuple, Tensor
from cnnlint.overlays.calls import arg, desc, dim_of, dims_of, fmt, report, shape_of, unknown, registry
from cnnlint.overlays.functional import broadcast_dims
from cnnlint.overlays.tensor_basics import METHODS as TENSOR_METHODS, TORCH_FUNCTIONS, _tensor_literal
from cnnlint.overlays.tensor_methods import METHODS, TORCH

OPS: Dict[str, Callable] = {}
op = registry(OPS)


@op("meshgrid", "functional.meshgrid")
def meshgrid(it, args, kwargs, node):
    """meshgrid(a, b, ..., indexing="ij"|"xy") or meshgrid([a, b, ...]): a tuple of one tensor per
    input, each of shape (len(a), len(b), ...); "xy" swaps the first two sizes. A 0-D input
    counts as size 1."""
    tensors = list(args)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = list(tensors[0])
    elif len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        return unknown(it, "torch.meshgrid", args, node)
    indexing = kwargs.get("indexing", "ij")
    if indexing is None:
        indexing = "ij"
    if not isinstance(indexing, str) or not all(isinstance(t, Tensor) for t in tensors):
        return unknown(it, "torch.meshgrid", tensors, node)
    if indexing not in ("ij", "xy"):
        report(it, "CNN108", f"{desc(node)}: indexing must be 'ij' or 'xy', got {indexing!r}", node)
        return tuple(Tensor(None) for _ in tensors)
    if not tensors:
        report(it, "CNN108", f"{desc(node)}: meshgrid needs at least one tensor", node)
        return ()
    sizes = []
    for t in tensors:
        s = shape_of(t)
        if s is None:
            sizes.append(None)
        elif len(s) > 1:
            report(it, "CNN107", f"{desc(node)}: meshgrid takes 0D or 1D tensors, got {fmt(s)}", node)
            return tuple(Tensor(None) for _ in tensors)
        else:
            sizes.append(s[0] if s else 1)
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return tuple(Tensor(tuple(sizes)) for _ in tensors)


@op("Size")
def size(it, args, kwargs, node):
    """torch.Size((2, 3)): the sizes as a tuple, like x.size()."""
    if len(args) == 1 and not kwargs:
        found = dims_of(it, args[0])
        if found is not None and all(d is not None for d in found):
            return SizeTuple(found)
    if not args and not kwargs:
        return SizeTuple(())
    return unknown(it, "torch.Size", args, node)


@op("logspace")
def logspace(it, args, kwargs, node):
    """logspace(start, end, steps): [steps]. (linspace and eye keep their values: value_methods.py)"""
    steps = dim_of(it, arg(args, kwargs, 2, "steps"))
    return Tensor((steps,)) if steps is not None else Tensor(None)


@op("randperm")
def randperm(it, args, kwargs, node):
    n = dim_of(it, arg(args, kwargs, 0, "n"))
    return Tensor((n,)) if n is not None else Tensor(None)


@op("as_tensor", "asarray")
def as_tensor(it, args, kwargs, node):
    data = arg(args, kwargs, 0, "data")
    if isinstance(data, Tensor):
        return data

    return _tensor_literal(it, [data], {}, node) if isinstance(data, (list, tuple)) else Tensor(None)


def _matrices(it, args, names):
    ts = [arg(args, {}, i, n) for i, n in enumerate(names)]
    return ts, [shape_of(t) for t in ts]


@op("outer", "ger")
def outer(it, args, kwargs, node):
    a, b = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "vec2")
    sa, sb = shape_of(a), shape_of(b)
    if sa is None or sb is None or len(sa) != 1 or len(sb) != 1:
        return Tensor(None)
    return Tensor((sa[0], sb[0]))


@op("addmm", "baddbmm", "addbmm")
def addmm(it, args, kwargs, node):
    """addmm(bias, a, b): a @ b (the bias broadcasts onto it); addbmm sums over the batch."""
    a, b = arg(args, kwargs, 1, "mat1", kwargs.get("batch1")), arg(args, kwargs, 2, "mat2", kwargs.get("batch2"))
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return unknown(it, "torch.addmm", args, node)
    out = binop(it, "MatrixMultiply", a, b, node)
    if desc(node).startswith("torch.addbmm") and isinstance(out, Tensor) and out.shape is not None:
        return Tensor(out.shape[1:])
    return out


@op("mv", "dot", "inner", "vdot")
def mv(it, args, kwargs, node):
    a, b = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "vec", kwargs.get("other"))
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return unknown(it, "torch.mv", args, node)
    return binop(it, "MatrixMultiply", a, b, node)


@op("cdist")
def cdist(it, args, kwargs, node):
    """cdist(x1 [..., P, M], x2 [..., R, M]) -> [..., P, R]."""
    a, b = arg(args, kwargs, 0, "x1"), arg(args, kwargs, 1, "x2")
    sa, sb = shape_of(a), shape_of(b)
    if sa is None or sb is None or len(sa) < 2 or len(sb) < 2:
        return Tensor(None)
    if len(sa) != len(sb):
        return Tensor(None)
    return Tensor(sa[:-1] + (sb[-2],))


def _stack_like(kind):
    def run(it, args, kwargs, node):
        """hstack / vstack / dstack / column_stack: torch.cat after making each at least 1-D / 2-D
        / 3-D."""
        seq = arg(args, kwargs, 0, "tensors")
        items = it.iterate(seq) if seq is not None else None
        if items is None or not isinstance(items, list) or not all(isinstance(t, Tensor) for t in items):
            return Tensor(None)
        shapes = [shape_of(t) for t in items]
        if any(s is None for s in shapes) or not shapes:
            return Tensor(None)
        if kind == "h":
            d = 0 if len(shapes[0]) == 1 else 1
            made = [Tensor(s if s else (1,)) for s in shapes]
        elif kind == "v":
            d = 0
            made = [Tensor(s if len(s) >= 2 else (1,) + s if s else (1, 1)) for s in shapes]
        elif kind == "d":
            d = 2
            made = [Tensor(s if len(s) >= 3 else ((1,) + s + (1,) if len(s) == 1 else s + (1,) if len(s) == 2
                                                   else (1, 1, 1))) for s in shapes]
        else:  # column_stack
            d = 1
            made = [Tensor(s if len(s) >= 2 else (s + (1,) if s else (1, 1))) for s in shapes]
        return TORCH_FUNCTIONS["cat"](it, [made, d], {}, node)

    return run


for _k, _name in (("h", "hstack"), ("v", "vstack"), ("v", "row_stack"), ("d", "dstack"), ("c", "column_stack")):
    OPS[_name] = _stack_like(_k)


@op("broadcast_tensors")
def broadcast_tensors(it, args, kwargs, node):
    shapes = [shape_of(t) for t in args]
    if not args or any(s is None for s in shapes):
        return tuple(Tensor(None) for _ in args) if args else unknown(it, "torch.broadcast_tensors", args, node)
    out = broadcast_dims(it, node, shapes, "tensors")
    return tuple(Tensor(out) if out is not None else Tensor(None) for _ in args)


@op("broadcast_shapes")
def broadcast_shapes(it, args, kwargs, node):
    shapes = [dims_of(it, s) if isinstance(s, (list, tuple)) else ((dim_of(it, s),) if dim_of(it, s) is not None
                                                                    else None) for s in args]
    if not shapes or any(s is None for s in shapes):
        return unknown(it, "torch.broadcast_shapes", args, node)
    out = broadcast_dims(it, node, shapes, "shapes")
    return SizeTuple(out) if out is not None and None not in out else unknown(it, "torch.broadcast_shapes", args, node)


@op("tensor_split")
def tensor_split(it, args, kwargs, node):
    """tensor_split(x, n, dim): n parts, the first size % n of them one larger; or split at
    the given indices."""
    x, sections, d = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "indices_or_sections",
                                                        kwargs.get("sections", kwargs.get("indices"))), \
        arg(args, kwargs, 2, "dim", 0)
    s = shape_of(x)
    if s is None or not s:
        return unknown(it, "torch.tensor_split", args, node)
    a = _axis_in(it, node, d, len(s))
    size = dims.as_int(s[a]) if a is not None else None
    if size is None:
        return unknown(it, "torch.tensor_split", args, node)
    if isinstance(sections, int) and not isinstance(sections, bool) and sections > 0:
        q, r = divmod(size, sections)
        parts = [q + 1 if i < r else q for i in range(sections)]
    elif isinstance(sections, (list, tuple)) and all(isinstance(v, int) for v in sections):
        bounds = [0] + [min(max(v if v >= 0 else v + size, 0), size) for v in sections] + [size]
        parts = [max(0, b - a2) for a2, b in zip(bounds, bounds[1:])]
    else:
        return unknown(it, "torch.tensor_split", args, node)
    return tuple(Tensor(s[:a] + (p,) + s[a + 1:]) for p in parts)


@op("where")
def where(it, args, kwargs, node):
    """where(cond, x, y): cond, x and y broadcast (a Python number counts as a 0-D tensor);
    where(cond) alone depends on the values."""
    if len(args) != 3:
        return unknown(it, "torch.where", args, node)
    shapes = []
    for t in args:
        if isinstance(t, (int, float)) and not isinstance(t, bool):
            shapes.append(())
        elif isinstance(t, Tensor) and shape_of(t) is not None:
            shapes.append(shape_of(t))
        else:
            return Tensor(None)
    out = broadcast_dims(it, node, shapes, "condition and values")
    return Tensor(out) if out is not None else Tensor(None)


def _tensor_first(name: str):
    """torch.NAME(x, ...) as x.NAME(...)."""
    def run(it, args, kwargs, node):
        x = args[0] if args else kwargs.get("input")
        if not isinstance(x, Tensor):
            return unknown(it, f"torch.{name}", args, node)
        rest = {k: v for k, v in kwargs.items() if k != "input"}
        return METHODS[name](it, x, list(args[1:]), rest, node)

    return run


def _register_tensor_first():
    for name, meth in TORCH.items():
        OPS.setdefault(name, _tensor_first(meth))


_register_tensor_first()


@op("einsum")
def einsum(it, args, kwargs, node):
    """torch.einsum: each letter's size from the operands (a size 1 broadcasts); "..." stands for
    the dims no letter names, which broadcast across operands (right-aligned) and come first in
    an implicit output (without "->": "..." then the letters used once, in alphabetical order)."""
    if not args or not isinstance(args[0], str):
        return Tensor(None)  # the sublist form, einsum(a, [0, 1], b, [1, 2]), is not modelled
    equation = args[0].replace(" ", "")
    operands = list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    shapes = [shape_of(t) for t in operands]
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if any(s is None for s in shapes) or len(terms) != len(shapes):
        return Tensor(None)
    sizes: dict = {}
    ellipses = []
    for term, shape in zip(terms, shapes):
        if term.count("...") > 1 or not term.replace("...", "").isalpha():
            return Tensor(None)
        head, dots, tail = term.partition("...")
        if not dots:
            head, tail = term, ""
        n = len(shape) - len(head) - len(tail)
        if n < 0 or (not dots and n):
            report(it, "CNN107", f"{desc(node)}: subscripts {term!r} do not fit operand {fmt(shape)}", node)
            return Tensor(None)
        ellipses.append(tuple(shape[len(head):len(head) + n]))
        for letter, size in zip(head + tail, shape[:len(head)] + shape[len(shape) - len(tail):]):
            known = sizes.get(letter)
            if known is None or dims.as_int(known) == 1:
                sizes[letter] = size
            elif size is not None and dims.as_int(size) != 1 and not dims.same(known, size):
                if dims.definitely_differ(known, size):
                    report(it, "CNN106", f"{desc(node)}: subscript {letter} has sizes {dims.fmt(known)} and "
                                         f"{dims.fmt(size)}", node, declared=dims.as_int(known),
                           inferred=dims.as_int(size))
                return Tensor(None)
    batch = broadcast_dims(it, node, [e for e in ellipses], "the dims of '...' in")
    if batch is None:
        return Tensor(None)
    letters = inputs.replace("...", "").replace(",", "")
    if not arrow:
        output = "..." + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    head, dots, tail = output.partition("...")
    if not dots:
        head, tail = output, ""
    if not (head + tail).isalpha() and head + tail:
        return Tensor(None)
    if any(c not in sizes for c in head + tail):
        return Tensor(None)
    return Tensor(tuple(sizes[c] for c in head) + (batch if dots else ()) + tuple(sizes[c] for c in tail))


@op("numel")
def numel(it, args, kwargs, node):
    """torch.numel(x): x.numel(), the product of its sizes."""
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        return unknown(it, "torch.numel", args, node)
    return TENSOR_METHODS["numel"](it, x, [], {}, node)

"""Tensor methods beyond tensor_basics.METHODS, and the torch.* functions that are the same operation
with the tensor first (``torch.gather(x, 1, i)`` is ``x.gather(1, i)``). Each method is one
function ``(it, x, args, kwargs, node) -> value`` in ``METHODS``, fitted to PyTorch 2.13. A
dim out of range is PyTorch's IndexError (reported); anything cnnlint cannot read gives an
unknown shape."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.tensors import _axis_in, _call_desc, _report, binop, broadcast
from cnnlint.abstract.values import Record, SizeTuple, Tensor, Unknown
from cnnlint.overlays.calls import arg, dim_of, dims_of, shape_of
from cnnlint.overlays.tensor_basics import METHODS as BASE, _diff, _expand, _reduce, _tensor_literal, _transpose
from cnnlint.overlays.value_methods import element_tensors

METHODS: Dict[str, Callable] = {}
TORCH: Dict[str, Callable] = {}  # torch.NAME(x, ...) -> METHODS[NAME](x, ...)


def method(*names: str, torch: bool = True):
    def register(fn):
        for n in names:
            METHODS[n] = fn
            if torch:
                TORCH[n] = n
        return fn

    return register


def axis(it, node, d, rank, what="dim") -> Optional[int]:
    return _axis_in(it, node, d, rank, what)


def named(fields: Tuple[str, ...], values) -> Record:
    """torch.return_types: a tuple whose items also have names (``.values``, ``.indices``)."""
    rec = Record(values)
    rec.fields = fields
    return rec


def _shape(x) -> Optional[Tuple[Any, ...]]:
    return shape_of(x)


# --- values and indices along a dim -------------------------------------------------------------

def _pair_along(fields):
    """sort / max(dim) / cummax ...: two tensors of the input's shape, or of it without ``dim``."""
    def run(it, x, args, kwargs, node):
        s = _shape(x)
        if s is None:
            return named(fields, (Tensor(None), Tensor(None)))
        out = Tensor(s)
        return named(fields, (out, out))

    return run


METHODS["sort"] = _pair_along(("values", "indices"))
METHODS["cummax"] = METHODS["cummin"] = _pair_along(("values", "indices"))
TORCH.update({"sort": "sort", "cummax": "cummax", "cummin": "cummin"})


@method("atan2", "lerp", "addcmul", "addcdiv", "fmod", "remainder", "clip")
def broadcast_all(it, x, args, kwargs, node):
    """Elementwise ops of several tensors: the result is their broadcast (`torch.addcmul(beta,
    alpha, x)` of a [1, 1, C] bias and an [N, L, C] input is [N, L, C])."""
    tensors = [v for v in [x] + list(args) + list(kwargs.values()) if isinstance(v, Tensor)]
    if any(t.free or t.shape is None for t in tensors):
        return Tensor(None)
    out = tensors[0]
    for other in tensors[1:]:
        out = broadcast(it, out, other, node)
    return Tensor(out.shape)


@method("argsort", "bucketize", "erfinv", "logical_not", "bitwise_not",
        "isnan", "isinf", "isfinite", "sigmoid_", "frac", "trunc", "expm1", "log1p", "log10", "sinh", "cosh", "asin",
        "acos", "atan", "tan", "digamma", "lgamma", "sgn", "positive", "negative", "index_fill", "index_add",
        "index_copy", "masked_scatter", "scatter", "scatter_add", "scatter_reduce", "conj")
def keep_shape(it, x, args, kwargs, node):
    """Elementwise or in-place-style results of the input's shape (ops with a second tensor
    operand broadcast it onto the first: only its shape is kept when it is the larger one)."""
    s = _shape(x)
    if s is None:
        return Tensor(None)
    for other in list(args) + list(kwargs.values()):
        o = _shape(other)
        if o is not None and len(o) > len(s):
            return Tensor(None)
    return Tensor(s)


def _comparison(op):
    def run(it, x, args, kwargs, node):
        other = arg(args, kwargs, 0, "other")
        return binop(it, op, x, other if isinstance(other, Tensor) else 0, node)

    return run


for _name in ("eq", "ne", "gt", "ge", "lt", "le", "greater", "less", "greater_equal", "less_equal", "not_equal",
              "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "fmax", "fmin",
              "hypot", "copysign", "xlogy"):
    METHODS[_name] = _comparison("Add")
    TORCH[_name] = _name


@method("topk")
def topk(it, x, args, kwargs, node):
    k = dim_of(it, arg(args, kwargs, 0, "k"))
    d = arg(args, kwargs, 1, "dim", -1)
    s = _shape(x)
    if s is None:
        return named(("values", "indices"), (Tensor(None), Tensor(None)))
    if not s:
        return named(("values", "indices"), (Tensor(()), Tensor(())))
    a = axis(it, node, d, len(s))
    if a is None:
        return named(("values", "indices"), (Tensor(None), Tensor(None)))
    out = Tensor(s[:a] + (k,) + s[a + 1:])
    return named(("values", "indices"), (out, out))


def _value_at(skip: int, whole: bool):
    """kthvalue(k, dim=-1) / median(dim) / mode(dim=-1): ``dim`` removed (kept with keepdim);
    ``whole``: without a dim, one value of the whole tensor (median)."""
    def run(it, x, args, kwargs, node):
        rest = list(args[skip:])
        if not rest and "dim" not in kwargs:
            if whole:
                return Tensor(()) if _shape(x) is not None else Tensor(None)
            rest = [-1]
        out = _reduce(it, x, rest, kwargs, node)
        return named(("values", "indices"), (out, out))

    return run


METHODS["kthvalue"] = _value_at(1, False)
METHODS["mode"] = _value_at(0, False)
METHODS["median"] = METHODS["nanmedian"] = _value_at(0, True)
TORCH.update({"kthvalue": "kthvalue", "mode": "mode", "median": "median", "nanmedian": "nanmedian"})


def _with_names(fn):
    """max(dim) / min(dim) as torch.return_types (``.values``, ``.indices``)."""
    def run(it, x, args, kwargs, node):
        out = fn(it, x, args, kwargs, node)
        if isinstance(out, tuple) and not isinstance(out, (Record, SizeTuple)) and len(out) == 2:
            return named(("values", "indices"), out)
        return out

    return run


def _max_min(name):
    def run(it, x, args, kwargs, node):
        return _with_names(BASE[name])(it, x, args, kwargs, node)

    return run


METHODS["max"] = _max_min("max")
METHODS["min"] = _max_min("min")
TORCH.update({"max": "max", "min": "min"})


@method("var_mean", "std_mean", "aminmax", torch=True)
def two_reductions(it, x, args, kwargs, node):
    out = _reduce(it, x, list(args), kwargs, node)
    if isinstance(out, Tensor) and not args and "dim" not in kwargs:
        out = Tensor(())
    return (out, out)


@method("any", "all", "count_nonzero", "nansum", "nanmean")
def reduction(it, x, args, kwargs, node):
    return _reduce(it, x, list(args), kwargs, node)


# --- picking and moving dims -------------------------------------------------------------------

@method("gather", "take_along_dim")
def gather(it, x, args, kwargs, node):
    """gather(dim, index): the index's shape; the index has the input's rank."""
    d, index = arg(args, kwargs, 0, "dim"), arg(args, kwargs, 1, "index")
    s, i = _shape(x), _shape(index)
    if s is not None and s and axis(it, node, d, len(s)) is None:
        return Tensor(None)
    if s is not None and i is not None and s and i and len(s) != len(i):
        _report(it, "CNN107", f"{_call_desc(node)}: the index must have the input's rank: {len(i)}D index for a "
                              f"{len(s)}D tensor", node)
        return Tensor(None)
    return Tensor(i) if i is not None else Tensor(None)


@method("index_select")
def index_select(it, x, args, kwargs, node):
    d, index = arg(args, kwargs, 0, "dim"), arg(args, kwargs, 1, "index")
    s, i = _shape(x), _shape(index)
    if s is None or not s:
        return Tensor(None)
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    n = i[0] if i is not None and len(i) == 1 else (1 if i == () else None)
    return Tensor(s[:a] + (n,) + s[a + 1:])


@method("narrow")
def narrow(it, x, args, kwargs, node):
    d, length = arg(args, kwargs, 0, "dim"), arg(args, kwargs, 2, "length")
    s = _shape(x)
    if s is None or not s:
        return Tensor(None)
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    return Tensor(s[:a] + (dim_of(it, length),) + s[a + 1:])


@method("unbind")
def unbind(it, x, args, kwargs, node):
    d = arg(args, kwargs, 0, "dim", 0)
    s = _shape(x)
    if s is None or not s:
        return Unknown("unbind")
    a = axis(it, node, d, len(s))
    n = dims.as_int(s[a]) if a is not None else None
    if n is None or n > 1024:
        return Unknown("unbind into an unknown number of tensors")
    if a == 0:
        parts = element_tensors(x)  # the values of a small 1-D value tensor go with it
        if parts is not None:
            return tuple(parts)
    return tuple(Tensor(s[:a] + s[a + 1:]) for _ in range(n))


@method("movedim", "moveaxis")
def movedim(it, x, args, kwargs, node):
    src = arg(args, kwargs, 0, "source")
    dst = arg(args, kwargs, 1, "destination")
    s = _shape(x)
    if s is None:
        return Tensor(None)
    srcs = list(src) if isinstance(src, (list, tuple)) else [src]
    dsts = list(dst) if isinstance(dst, (list, tuple)) else [dst]
    if len(srcs) != len(dsts):
        return Tensor(None)
    a = [axis(it, node, v, len(s)) for v in srcs]
    b = [axis(it, node, v, len(s)) for v in dsts]
    if any(v is None for v in a + b) or len(set(a)) != len(a) or len(set(b)) != len(b):
        return Tensor(None)
    order: list = [None] * len(s)
    for i, j in zip(a, b):
        order[j] = i
    rest = iter(i for i in range(len(s)) if i not in a)
    order = [next(rest) if o is None else o for o in order]
    return Tensor(tuple(s[i] for i in order))


@method("swapaxes", "swapdims")
def swapaxes(it, x, args, kwargs, node):
    return _transpose(it, x, [arg(args, kwargs, 0, "axis0", kwargs.get("dim0")),
                              arg(args, kwargs, 1, "axis1", kwargs.get("dim1"))], {}, node)


@method("unflatten")
def unflatten(it, x, args, kwargs, node):
    d, sizes = arg(args, kwargs, 0, "dim"), arg(args, kwargs, 1, "sizes")
    s = _shape(x)
    parts = dims_of(it, sizes)
    if s is None or parts is None or not s:
        return Tensor(None)
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    parts = list(parts)
    if sum(1 for p in parts if dims.as_int(p) == -1) == 1:
        rest = dims.prod(p for p in parts if dims.as_int(p) != -1) if None not in parts else None
        q = dims.exact_div(s[a], rest) if rest is not None and s[a] is not None else None
        parts = [q if dims.as_int(p) == -1 else p for p in parts]
    return Tensor(s[:a] + tuple(parts) + s[a + 1:])


@method("diagonal")
def diagonal(it, x, args, kwargs, node):
    offset = arg(args, kwargs, 0, "offset", 0)
    d1, d2 = arg(args, kwargs, 1, "dim1", 0), arg(args, kwargs, 2, "dim2", 1)
    s = _shape(x)
    if s is None or len(s) < 2 or dims.as_int(offset) is None:
        return Tensor(None)
    a, b = axis(it, node, d1, len(s)), axis(it, node, d2, len(s))
    if a is None or b is None or a == b:
        return Tensor(None)
    off = dims.as_int(offset)
    la, lb = dims.as_int(s[a]), dims.as_int(s[b])
    n = max(0, min(la + min(off, 0), lb - max(off, 0))) if la is not None and lb is not None else None
    if n is None and off == 0 and dims.same(s[a], s[b]):
        n = s[a]
    return Tensor(tuple(v for i, v in enumerate(s) if i not in (a, b)) + (n,))


# --- repeating -----------------------------------------------------------------------------------

@method("repeat_interleave")
def repeat_interleave(it, x, args, kwargs, node):
    reps = arg(args, kwargs, 0, "repeats")
    d = arg(args, kwargs, 1, "dim")
    s = _shape(x)
    if isinstance(reps, Tensor) and reps.values is not None and len(reps.values) > 1:
        # one count per element along dim: their sum (PyTorch requires the counts to match the size)
        a = axis(it, node, d, len(s)) if s is not None and d is not None else None
        if a is None or not all(isinstance(v, int) for v in reps.values) or \
                dims.as_int(s[a]) != len(reps.values):
            return Tensor(None)
        return Tensor(s[:a] + (sum(reps.values),) + s[a + 1:])
    if isinstance(reps, Tensor) and reps.values is not None and len(reps.values) == 1:
        reps = reps.values[0]
    r = dim_of(it, reps)
    if s is None or r is None:
        return Tensor(None)
    if d is None:
        n = dims.prod(s)
        return Tensor((dims.mul(n, r) if n is not None else None,))
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    return Tensor(s[:a] + (dims.mul(s[a], r) if s[a] is not None else None,) + s[a + 1:])


@method("tile")
def tile(it, x, args, kwargs, node):
    reps = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else (list(args) or kwargs.get("dims"))
    s = _shape(x)
    r = dims_of(it, reps)
    if s is None or r is None:
        return Tensor(None)
    n = max(len(s), len(r))
    s2 = (1,) * (n - len(s)) + s
    r2 = (1,) * (n - len(r)) + r
    return Tensor(tuple(dims.mul(a, b) if a is not None and b is not None else None for a, b in zip(s2, r2)))


@method("broadcast_to")
def broadcast_to(it, x, args, kwargs, node):
    return _expand(it, x, list(args), {"size": kwargs["size"]} if "size" in kwargs else {}, node)


# --- windows --------------------------------------------------------------------------------------

@method("unfold", torch=False)
def unfold(it, x, args, kwargs, node):
    """x.unfold(dim, size, step): dim becomes (L - size) // step + 1 and a last dim of size."""
    d = arg(args, kwargs, 0, "dimension")
    size, step = dim_of(it, arg(args, kwargs, 1, "size")), dim_of(it, arg(args, kwargs, 2, "step"))
    s = _shape(x)
    if s is None or size is None or step is None:
        return Tensor(None)
    if not s:
        return Tensor((size,))
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    n = None
    if s[a] is not None and dims.as_int(step) not in (None, 0):
        n = dims.floordiv(dims.sub(s[a], size), step) + 1
        if dims.as_int(n) is not None and dims.as_int(n) < 1:
            _report(it, "CNN103", f"{_call_desc(node)}: a window of {dims.fmt(size)} does not fit dim {a} of "
                                  f"size {dims.fmt(s[a])}", node, declared=dims.as_int(size),
                    inferred=dims.as_int(s[a]))
            return Tensor(None)
    return Tensor(s[:a] + (n,) + s[a + 1:] + (size,))


@method("diff")
def diff(it, x, args, kwargs, node):
    n = arg(args, kwargs, 0, "n", 1)
    d = arg(args, kwargs, 1, "dim", -1)
    s = _shape(x)
    if x.values is not None:
        return _diff(it, [x] + list(args), kwargs, node)
    if s is None or not s or dims.as_int(n) is None or kwargs.get("prepend") is not None \
            or kwargs.get("append") is not None:
        return Tensor(None)
    a = axis(it, node, d, len(s))
    if a is None:
        return Tensor(None)
    size = s[a]
    out = dims.sub(size, dims.as_int(n)) if size is not None else None
    if dims.as_int(out) is not None and dims.as_int(out) < 0:
        out = 0
    return Tensor(s[:a] + (out,) + s[a + 1:])


@method("new_tensor", torch=False)
def new_tensor(it, x, args, kwargs, node):
    return _tensor_literal(it, list(args[:1]), {}, node)


def tensor_attribute(it, x: Tensor, name: str):
    """Attributes that are not methods: ``x.mT`` (the last two dims swapped) and ``x.T`` (all
    dims reversed); None when the attribute is not one of these."""
    s = _shape(x)
    if name in ("mT", "mH"):
        if s is None or len(s) < 2:
            return Tensor(None)
        return Tensor(s[:-2] + (s[-1], s[-2]))
    if name == "T":
        return Tensor(tuple(reversed(s))) if s is not None else Tensor(None)
    if name in ("real", "imag"):
        return Tensor(s) if s is not None else Tensor(None)
    return None


_ELEMENTWISE_COMPARISONS = ("LessThan", "GreaterThan", "LessThanEqual", "GreaterThanEqual", "Equal", "NotEqual")


def compare_tensors(it, op: str, left, right, node):
    """``x > 0``, ``a == b``: an elementwise comparison, the operands broadcast. None for what is
    not one (``x is None``, ``x in xs``)."""
    if op not in _ELEMENTWISE_COMPARISONS:
        return None
    sides = []
    for v in (left, right):
        if isinstance(v, Tensor):
            if v.free or v.shape is None:
                return Tensor(None)
            sides.append(Tensor(v.shape))
        elif isinstance(v, (int, float)) or dims.is_dim(v):
            sides.append(Tensor(()))
        else:
            return Tensor(None)
    return broadcast(it, sides[0], sides[1], node, what="compare")

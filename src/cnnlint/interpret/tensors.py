"""Tensor operations: methods (`x.view`, `x.size()`), torch functions (`torch.cat`), indexing,
broadcasting arithmetic, and the checks they carry (invalid views, mismatched adds)."""
from __future__ import annotations

from typing import Any, List, Optional

from cnnlint import dims
from cnnlint.interpret import numeric
from cnnlint.interpret.values import Builtin, Record, SizeTuple, SymbolicObj, Tensor, Unknown
from cnnlint.layers.basic import flatten as flatten_shape


def _report(it, code, message, node, declared=None, inferred=None, severity=None, factors=None):
    from cnnlint.interpret.core import Finding

    it.report(Finding(code, message, node, declared=dims.to_json(declared), inferred=dims.to_json(inferred),
                      severity=severity, factors=factors))


def _fmt(shape):
    from cnnlint.interpret.modules import fmt_shape

    return fmt_shape(shape)


def _dim(it, v):
    if isinstance(v, SymbolicObj):
        return it.symbol(v.name)
    if dims.is_dim(v):
        return v
    return None


def _axis_in(it, node, d, rank, what="dim"):
    """The axis ``d`` names in a tensor of ``rank`` dims; out of range is PyTorch's IndexError."""
    a = _axis(d, rank)
    if a is None and rank is not None and dims.as_int(d) is not None:
        _report(it, "CNN107", f"{_call_desc(node)}: {what} {dims.as_int(d)} is out of range for a {rank}D tensor "
                              f"(valid: {-rank}..{rank - 1})", node)
    return a


def _axis(d, rank):
    d = dims.as_int(d)
    if d is None or rank is None or not (-rank <= d < rank):
        return None
    return d % rank


def _sizes(it, args, kwargs, key="size"):
    """The sizes of `x.view(2, 3)`, `x.view((2, 3))`, `torch.zeros(size=(2, 3))`."""
    if not args and key in kwargs:
        args = [kwargs[key]]
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = list(args[0])
    elif len(args) == 1 and isinstance(args[0], Unknown):
        return None  # one size or a whole shape: the rank is not known
    out = []
    for a in args:
        if isinstance(a, (tuple, list)):
            return None
        out.append(_dim(it, a) if not (isinstance(a, int) and a == -1) else -1)
    return out


def _call_desc(node) -> str:
    from cnnlint.interpret.core import code_of

    text = code_of(node)
    return text if len(text) <= 60 else text[:57] + "..."


# --- view and reshape ------------------------------------------------------------------------

def view(it, x: Tensor, sizes: Optional[List[Any]], node):
    if sizes is None:
        return Tensor(None)
    if sizes.count(-1) > 1:
        _report(it, "CNN104", f"{_call_desc(node)} has more than one -1; only one size can be inferred", node)
        return Tensor(None)
    if x.free:
        if all(s == -1 or dims.as_int(s) is not None for s in sizes) and -1 in sizes:
            batch = it.symbol("N")
            return Tensor(tuple(batch if s == -1 else s for s in sizes))
        if all(s != -1 and s is not None for s in sizes):
            return Tensor(tuple(sizes))
        return Tensor(tuple(None if s == -1 else s for s in sizes))
    if x.shape is None or any(s is None for s in sizes):
        return Tensor(tuple(None if s == -1 else s for s in sizes))
    numel = dims.prod(x.shape)
    call = _call_desc(node)
    if -1 not in sizes:
        total = dims.prod(sizes)
        if dims.definitely_differ(total, numel):
            _report(it, "CNN104", f"{call} asks for {_fmt(sizes)} = {total} elements but the tensor "
                                  f"{_fmt(x.shape)} holds {numel}", node, declared=total, inferred=numel)
            return Tensor(None)
        return _flat_result(Tensor(tuple(sizes)), x)
    pos = sizes.index(-1)
    rest = dims.prod(s for s in sizes if s != -1)
    if numel is None or rest is None:
        return Tensor(tuple(None if s == -1 else s for s in sizes))
    per_sample = dims.prod(x.shape[1:]) if len(x.shape) >= 1 else None
    # view(-1, k) that keeps the last dim and merges the leading ones ([T, N, V] -> [T*N, V], as
    # sequence models do) is deliberate: only a view that changes the per-sample size is suspect
    merges_leading = len(sizes) == 2 and len(x.shape) >= 3 and dims.same(sizes[1], x.shape[-1])
    batch_view = pos == 0 and len(sizes) >= 2 and len(x.shape) >= 1 and not merges_leading
    if dims.known(numel, rest):
        n, r = dims.as_int(numel), dims.as_int(rest)
        if r == 0 or n % r:
            extra = ""
            inferred = None
            if batch_view and dims.as_int(per_sample) is not None:
                factors = "*".join(dims.fmt(v) for v in x.shape[1:])
                extra = f"; each sample holds {factors} = {per_sample} values, not {r}"
                inferred = per_sample
            _report(it, "CNN104", f"{call} cannot view {_fmt(x.shape)} ({n} elements) as {_fmt(sizes)}: "
                                  f"{n} is not a multiple of {r}{extra}", node, declared=r, inferred=inferred,
                    factors=tuple(x.shape[1:]) if inferred is not None else None)
            return Tensor(None)
        q = n // r
        out = tuple(q if s == -1 else s for s in sizes)
        if batch_view and dims.as_int(x.shape[0]) is not None and q != dims.as_int(x.shape[0]):
            _report(it, "CNN201", f"{call} turns a batch of {x.shape[0]} into {q}: each sample holds "
                                  f"{'*'.join(dims.fmt(v) for v in x.shape[1:])} = {per_sample} values, not {r}; "
                                  f"use x.view(x.size(0), -1) or fix the size", node, declared=r,
                    inferred=per_sample, severity="warning")
        return _flat_result(Tensor(out), x)
    # symbolic sizes
    q = dims.exact_div(numel, rest)
    if batch_view and per_sample is not None and dims.as_int(rest) is not None:
        r = dims.as_int(rest)
        ps = dims.as_int(per_sample)
        if ps is not None and ps != r:
            _report(it, "CNN201", f"{call} expects {r} values per sample but each sample of {_fmt(x.shape)} holds "
                                  f"{'*'.join(dims.fmt(v) for v in x.shape[1:])} = {ps}; it mixes samples or "
                                  f"fails, depending on the batch size", node, declared=r, inferred=ps,
                    severity="warning")
            return Tensor(tuple(None if s == -1 else s for s in sizes))
        if ps is None and dims.is_symbolic(per_sample):
            from cnnlint.interpret.modules import INPUT_SYMBOLS
            from cnnlint.solve import solve_equal

            if {str(s) for s in per_sample.free_symbols} <= INPUT_SYMBOLS:
                sol = solve_equal(per_sample, r, it.constraints)
                if sol.possible:
                    _report(it, "CNN301", f"{call} keeps the batch only for {sol.description} "
                                          f"(each sample holds {dims.fmt(per_sample)} values)", node,
                            declared=r, inferred=per_sample, severity="info")
                    out = (x.shape[0],) + tuple(s for s in sizes[1:])
                    return _flat_result(Tensor(out), x)
                if sol.possible is False:
                    _report(it, "CNN201", f"{call} expects {r} values per sample, but no input size gives that: "
                                          f"each sample holds {dims.fmt(per_sample)}", node, declared=r,
                            inferred=per_sample, severity="warning")
                    return Tensor(tuple(None if s == -1 else s for s in sizes))
    if q is not None and dims.is_symbolic(q):
        sp = dims.sympy()
        num, den = sp.fraction(sp.together(q))
        if den != 1:
            q = None
    out = tuple(q if s == -1 else s for s in sizes)
    return _flat_result(Tensor(out), x)


def _flat_result(out: Tensor, x: Tensor) -> Tensor:
    """Remember which dims a view merged into its last dim, for messages and fixes."""
    if out.shape and x.shape and len(out.shape) < len(x.shape) and out.shape[-1] is not None:
        k = len(out.shape) - 1
        tail = x.shape[k:]
        if dims.same(dims.prod(tail), out.shape[-1]) and len(tail) > 1:
            return Tensor(out.shape, flat=(tuple(tail), x.shape, x.src))
    return out


# --- tensor methods ------------------------------------------------------------------------

def _keep(it, x, args, kwargs, node):
    return x


def _size(it, x, args, kwargs, node):
    d = args[0] if args else kwargs.get("dim")
    if x.free:
        if d is None:
            return Unknown("size of the model input")
        return it.symbol("N") if dims.as_int(d) == 0 else Unknown("size of the model input")
    if x.shape is None:
        return Unknown("size of a tensor of unknown rank")
    if d is None:
        return SizeTuple(x.shape)
    a = _axis_in(it, node, d, len(x.shape))
    if a is None:
        return Unknown("size index")
    v = x.shape[a]
    return v if v is not None else Unknown("unknown size")


def _view_method(it, x, args, kwargs, node):
    return view(it, x, _sizes(it, args, kwargs, "shape" if "shape" in kwargs else "size"), node)


def _view_as(it, x, args, kwargs, node):
    other = args[0] if args else None
    if isinstance(other, Tensor) and other.shape is not None:
        return view(it, x, list(other.shape), node)
    return Tensor(None)


def _as_other(it, x, args, kwargs, node):
    other = args[0] if args else None
    return other if isinstance(other, Tensor) else Tensor(None)


def _dim_m(it, x, args, kwargs, node):
    return len(x.shape) if x.shape is not None and not x.free else Unknown("rank")


def _numel(it, x, args, kwargs, node):
    n = dims.prod(x.shape) if x.shape is not None else None
    return n if n is not None else Unknown("numel")


def _flatten_m(it, x, args, kwargs, node, default_start=0):
    start = args[0] if args else kwargs.get("start_dim", default_start)
    end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
    from cnnlint.interpret.modules import LayerCtx
    from cnnlint.interpret.values import Layer

    ctx = LayerCtx(it, Layer("flatten", {}, node), node, x)
    ctx.layer.functional = "flatten"  # type: ignore[attr-defined]
    return flatten_shape(x, start, end, ctx)


def _unsqueeze(it, x, args, kwargs, node):
    d = args[0] if args else kwargs.get("dim")
    if x.shape is None:
        return Tensor(None)
    a = _axis_in(it, node, d, len(x.shape) + 1)
    if a is None:
        return Tensor(None)
    return Tensor(x.shape[:a] + (1,) + x.shape[a:])


def _squeeze(it, x, args, kwargs, node):
    if x.shape is None:
        return Tensor(None)
    d = args[0] if args else kwargs.get("dim")
    if d is None:
        if any(s is None or dims.as_int(s) is None for s in x.shape):
            return Tensor(None)
        return Tensor(tuple(s for s in x.shape if dims.as_int(s) != 1))
    ds = d if isinstance(d, (tuple, list)) else (d,)
    axes = [_axis_in(it, node, v, len(x.shape)) for v in ds]
    if any(a is None for a in axes):
        return Tensor(None)
    out = []
    for i, s in enumerate(x.shape):
        if i in axes:
            if dims.as_int(s) == 1:
                continue
            if dims.as_int(s) is None:
                return Tensor(None)
        out.append(s)
    return Tensor(tuple(out))


def _permute(it, x, args, kwargs, node):
    order = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
    if not order:
        order = list(kwargs.get("dims", ()))
    if x.shape is None or len(order) != len(x.shape):
        return Tensor(None)
    axes = [_axis(d, len(x.shape)) for d in order]
    if any(a is None for a in axes) or len(set(axes)) != len(axes):
        return Tensor(None)
    return Tensor(tuple(x.shape[a] for a in axes))


def _transpose(it, x, args, kwargs, node):
    if x.shape is None:
        return Tensor(None)
    if not args and not kwargs:
        return Tensor(tuple(reversed(x.shape))) if len(x.shape) <= 2 else Tensor(None)
    a0 = args[0] if args else kwargs.get("dim0")
    a1 = args[1] if len(args) > 1 else kwargs.get("dim1")
    a, b = _axis_in(it, node, a0, len(x.shape)), _axis_in(it, node, a1, len(x.shape))
    if a is None or b is None:
        return Tensor(None)
    s = list(x.shape)
    s[a], s[b] = s[b], s[a]
    return Tensor(tuple(s))


def _reduce(it, x, args, kwargs, node, tuple_result=False):
    d = args[0] if args else kwargs.get("dim", kwargs.get("axis"))
    keep = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
    if d is None:  # a reduction over every element is 0-D, whatever the input's rank
        return Tensor(())
    if x.shape is None:
        return Tensor(None)
    ds = d if isinstance(d, (tuple, list)) else (d,)
    axes = [_axis_in(it, node, v, len(x.shape)) for v in ds]
    if any(a is None for a in axes) or not isinstance(keep, bool):
        return Tensor(None)
    if keep:
        shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    else:
        shape = tuple(s for i, s in enumerate(x.shape) if i not in axes)
    out = Tensor(shape)
    return (out, out) if tuple_result and not isinstance(d, (tuple, list)) else out


def _max_like(it, x, args, kwargs, node):
    if args and isinstance(args[0], Tensor):
        return binop(it, "Max", x, args[0], node)
    return _reduce(it, x, args, kwargs, node, tuple_result=True)


def _chunk(it, x, args, kwargs, node):
    n = args[0] if args else kwargs.get("chunks")
    d = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    if x.shape is None or dims.as_int(n) is None:
        return Unknown("chunks")
    a = _axis_in(it, node, d, len(x.shape))
    if a is None:
        return Unknown("chunks")
    size = x.shape[a]
    n = dims.as_int(n)
    if dims.as_int(size) is not None:
        step = -(-dims.as_int(size) // n)
        parts = []
        left = dims.as_int(size)
        while left > 0:
            parts.append(min(step, left))
            left -= step
    else:
        each = dims.exact_div(size, n)
        parts = [each] * n
    return [Tensor(x.shape[:a] + (p,) + x.shape[a + 1:]) for p in parts]


def _split(it, x, args, kwargs, node):
    s = args[0] if args else kwargs.get("split_size_or_sections", kwargs.get("split_size"))
    d = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    if x.shape is None:
        return Unknown("split")
    a = _axis_in(it, node, d, len(x.shape))
    if a is None:
        return Unknown("split")
    if isinstance(s, (list, tuple)):
        return [Tensor(x.shape[:a] + (p if dims.is_dim(p) else None,) + x.shape[a + 1:]) for p in s]
    size, step = dims.as_int(x.shape[a]), dims.as_int(s)
    if size is None or step is None or step <= 0:
        return Unknown("split")
    parts = [min(step, size - i) for i in range(0, size, step)]
    return [Tensor(x.shape[:a] + (p,) + x.shape[a + 1:]) for p in parts]


def split_half(x, d):
    if x.shape is None:
        return Tensor(None)
    a = _axis(d, len(x.shape))
    if a is None:
        return Tensor(None)
    return Tensor(x.shape[:a] + (dims.exact_div(x.shape[a], 2),) + x.shape[a + 1:])


def _expand(it, x, args, kwargs, node):
    sizes = _sizes(it, args, kwargs)
    if sizes is None or x.shape is None:
        return Tensor(None)
    lead = len(sizes) - len(x.shape)
    if lead < 0:
        return Tensor(None)
    out = []
    for i, s in enumerate(sizes):
        if s == -1:
            out.append(x.shape[i - lead] if i >= lead else None)
        else:
            out.append(s)
    return Tensor(tuple(out))


def _repeat(it, x, args, kwargs, node):
    sizes = _sizes(it, args, kwargs)
    if sizes is None or x.shape is None or len(sizes) < len(x.shape):
        return Tensor(None)
    shape = (1,) * (len(sizes) - len(x.shape)) + tuple(x.shape)
    return Tensor(tuple(dims.mul(a, b) if b is not None else None for a, b in zip(shape, sizes)))


def _new(it, x, args, kwargs, node):
    sizes = _sizes(it, args, kwargs)
    if sizes is None or -1 in sizes:
        return Tensor(None)
    return Tensor(tuple(sizes))


def _matmul(it, x, args, kwargs, node):
    other = args[0] if args else None
    return binop(it, "MatrixMultiply", x, other, node)


def _arith(op):
    def run(it, x, args, kwargs, node):
        return binop(it, op, x, args[0] if args else kwargs.get("other"), node)

    return run


def _t(it, x, args, kwargs, node):
    return _transpose(it, x, [], {}, node)


METHODS = {
    "view": _view_method, "reshape": _view_method, "view_as": _view_as, "reshape_as": _view_as,
    "expand_as": _as_other, "size": _size, "dim": _dim_m, "ndimension": _dim_m, "numel": _numel,
    "flatten": _flatten_m, "unsqueeze": _unsqueeze, "squeeze": _squeeze, "permute": _permute,
    "transpose": _transpose, "t": _t, "mean": _reduce, "sum": _reduce, "prod": _reduce, "std": _reduce,
    "var": _reduce, "amax": _reduce, "amin": _reduce, "norm": _reduce, "logsumexp": _reduce,
    "argmax": _reduce, "argmin": _reduce, "max": _max_like, "min": _max_like, "chunk": _chunk, "split": _split,
    "expand": _expand, "repeat": _repeat, "new_zeros": _new, "new_ones": _new, "new_empty": _new,
    "new_full": _new, "matmul": _matmul, "mm": _matmul, "bmm": _matmul, "add": _arith("Add"),
    "sub": _arith("Subtract"), "mul": _arith("Multiply"), "div": _arith("Divide"), "add_": _arith("Add"),
    "mul_": _arith("Multiply"), "sub_": _arith("Subtract"), "div_": _arith("Divide"),
}
for _name in ("contiguous", "clone", "detach", "float", "double", "half", "int", "long", "bool", "to", "type",
              "cpu", "cuda", "relu", "relu_", "sigmoid", "sigmoid_", "tanh", "tanh_", "exp", "log", "abs", "sqrt",
              "neg", "clamp", "clamp_", "clamp_min", "clamp_max", "pow", "softmax", "log_softmax", "masked_fill",
              "masked_fill_", "requires_grad_", "type_as", "fill_", "zero_", "normal_", "uniform_", "sign", "round",
              "floor", "ceil", "rsqrt", "reciprocal", "square", "sin", "cos", "exp_", "sqrt_", "div_", "pin_memory",
              "detach_", "cumsum", "cumprod", "flip", "roll", "tril", "triu", "nan_to_num", "sigmoid", "erf"):
    METHODS.setdefault(_name, _keep)


def keep_row(x: Tensor, result):
    """A tensor derived from ``x`` by a method keeps ``x``'s provenance for the graph."""
    if isinstance(result, Tensor):
        if result.row is None and x.row is not None:
            return Tensor(result.shape, result.free, result.src, result.flat, result.param, x.row, result.values,
                          result.last)
        return result
    if isinstance(result, list):
        return [keep_row(x, r) for r in result]
    if isinstance(result, tuple) and not isinstance(result, SizeTuple):
        out = tuple(keep_row(x, r) for r in result)
        if isinstance(result, Record):  # torch.return_types keep their field names
            out = Record(out)
            out.fields = result.fields
        return out
    return result


def _with_row(fn):
    def run(it, x, args, kwargs, node):
        return keep_row(x, fn(it, x, args, kwargs, node))

    return run


def _value_method(name, fallback):
    """Elementwise maths on a value tensor computes the values; otherwise the usual shape rule."""
    def run(it, x, args, kwargs, node):
        if x.values is not None:
            known = numeric.unary(name, x)
            if known is not None:
                return known
        return fallback(it, x, args, kwargs, node)

    return run


def _tolist(it, x, args, kwargs, node):
    if x.values is not None:
        return list(x.values)
    return Unknown("tolist of a tensor of unknown values")


def _item(it, x, args, kwargs, node):
    if x.values is not None and len(x.values) == 1:
        return x.values[0]
    return Unknown("item")


def _torch_unary(name):
    def run(it, args, kwargs, node):
        x = args[0] if args else kwargs.get("input")
        if isinstance(x, Tensor) and x.values is not None:
            known = numeric.unary(name, x)
            if known is not None:
                return known
        if isinstance(x, Tensor):
            return x if x.values is None else Tensor(x.shape)
        return it.unknown_call(Unknown("torch function"), list(args), node, "torch function on a non-tensor")

    return run


def _diff(it, args, kwargs, node):
    x = args[0] if args else None
    if isinstance(x, Tensor) and x.values is not None and not kwargs and len(args) == 1:
        return numeric.diff(x)
    return Tensor(None)


def tensor_attribute(it, x: Tensor, name: str):
    found = _overlay.tensor_attribute(it, x, name)
    if found is not None:
        return found
    fn = _overlay.METHODS.get(name)
    if fn is not None:
        return Builtin(name, _with_row(fn), bound=x)
    if name in ("shape",):
        return _size(it, x, [], {}, None)
    if name == "ndim":
        return _dim_m(it, x, [], {}, None)
    if name in ("T", "mT"):
        return _t(it, x, [], {}, None)
    if name in ("data", "real"):
        return x
    fn = METHODS.get(name)
    if fn is None and name.endswith("_") and not name.startswith("_"):
        # an in-place method on a value without a name (``self.conv(x).unsqueeze_(1)``): its result
        # is what the out-of-place method gives; elementwise ones keep the shape
        fn = METHODS.get(name[:-1]) if name[:-1] in _SHAPE_CHANGING_INPLACE else _keep
    if fn is not None:
        return Builtin(name, _with_row(fn), bound=x)
    return Unknown(f"tensor attribute '{name}'")


_SHAPE_CHANGING_INPLACE = {"unsqueeze", "squeeze", "transpose", "t", "swapaxes", "swapdims", "resize", "resize_as",
                           "as_strided", "set"}


# --- indexing ----------------------------------------------------------------------------------

def index(it, x: Tensor, key, node):
    if x.shape is None:
        return Tensor(None)
    keys = list(key) if isinstance(key, tuple) else [key]
    if any(isinstance(k, (Unknown, Tensor, list)) for k in keys):
        return Tensor(None)
    if keys.count(Ellipsis) > 1:
        return Tensor(None)
    used = sum(1 for k in keys if k is not None and k is not Ellipsis)
    if Ellipsis in keys:
        i = keys.index(Ellipsis)
        keys = keys[:i] + [slice(None)] * (len(x.shape) - used) + keys[i + 1:]
    out = []
    dim = 0
    for k in keys:
        if k is None:
            out.append(1)
            continue
        if dim >= len(x.shape):
            return Tensor(None)
        size = x.shape[dim]
        if isinstance(k, int) and not isinstance(k, bool):
            dim += 1
            continue
        if isinstance(k, slice):
            if k == slice(None):
                out.append(size)
            elif dims.as_int(size) is not None and all(v is None or isinstance(v, int) for v in (k.start, k.stop, k.step)):
                out.append(len(range(*k.indices(dims.as_int(size)))))
            else:
                out.append(None)
            dim += 1
            continue
        return Tensor(None)
    out.extend(x.shape[dim:])
    return Tensor(tuple(out))


# --- arithmetic -------------------------------------------------------------------------------

def binop(it, op, left, right, node):
    lt, rt = isinstance(left, Tensor), isinstance(right, Tensor)
    if (lt and left.values is not None) or (rt and right.values is not None):
        known = numeric.binop(op, left, right)
        if known is not None:
            return known
    if op == "MatrixMultiply":
        return _matmul_shape(it, left, right, node)
    if not lt and not rt:
        return Tensor(None)
    if lt and rt:
        return it.op_row(_OP_NAMES.get(op, op.lower()), node, [left, right], broadcast(it, left, right, node))
    t = left if lt else right
    other = right if lt else left
    if isinstance(other, (Unknown,)) or other is None:
        # the unknown operand may be a tensor that broadcasts this one up (`gamma * mlp(x)`, a
        # parameter [C]); only a tensor of rank 2 or more without size-1 dims keeps its shape
        if t.shape is None or t.param or len(t.shape) < 2 or any(dims.as_int(d) == 1 for d in t.shape):
            return Tensor(None)
        return Tensor(t.shape)
    if t.free:
        return Tensor(None)
    return Tensor(t.shape, src=t.src, flat=t.flat, row=t.row)


_OP_NAMES = {"Add": "add", "Subtract": "sub", "Multiply": "mul", "Divide": "div", "Max": "maximum",
             "Min": "minimum"}


def broadcast(it, a: Tensor, b: Tensor, node, what="combine"):
    if a.free or b.free or a.shape is None or b.shape is None:
        if a.shape is not None and not a.free and b.free:
            return Tensor(a.shape)
        if b.shape is not None and not b.free and a.free:
            return Tensor(b.shape)
        return Tensor(None)
    n = max(len(a.shape), len(b.shape))
    sa = (1,) * (n - len(a.shape)) + tuple(a.shape)
    sb = (1,) * (n - len(b.shape)) + tuple(b.shape)
    out = []
    checked = False  # one symbolic mismatch reported per operation
    for i, (x, y) in enumerate(zip(sa, sb)):
        ix, iy = dims.as_int(x), dims.as_int(y)
        if ix == 1:
            out.append(y)
        elif iy == 1:
            out.append(x)
        elif ix is not None and iy is not None:
            if ix != iy:
                from cnnlint.interpret.core import code_of

                text = code_of(node)
                text = text if len(text) <= 50 else text[:47] + "..."
                _report(it, "CNN106", f"`{text}` cannot {what} {_fmt(a.shape)} and {_fmt(b.shape)}: "
                                      f"sizes {ix} and {iy} differ at dim {i}", node, declared=iy, inferred=ix)
                return Tensor(None)
            out.append(x)
        elif dims.same(x, y):
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y if x is None else None)
        else:
            if not checked:
                fit = _symbolic_sizes_fit(it, x, y, i, a, b, node, what, broadcast=True)
                if fit is False:
                    return Tensor(None)
                checked = fit is None
            out.append(x if ix is None and iy is None else (x if ix is None else y))
    return Tensor(tuple(out))


def _symbolic_sizes_fit(it, x, y, i, a, b, node, what, broadcast):
    """Sizes ``x`` and ``y`` of dim ``i``, at least one depending on the input size: False (and
    reported) when no input size makes them fit, None when reported as a warning (they fit only
    where one is 1), else True (with the sizes that fit recorded as a constraint on the input,
    for the accepted input sizes)."""
    from cnnlint.interpret.core import code_of
    from cnnlint.interpret.modules import INPUT_SYMBOLS
    from cnnlint.solve import sizes_meet

    meeting = sizes_meet(x, y, it.constraints, broadcast=broadcast, input_symbols=INPUT_SYMBOLS - {"N"})
    if meeting.fits is None:
        return True
    text = code_of(node)
    text = text if len(text) <= 50 else text[:47] + "..."
    if meeting.fits == "some":
        it.constraints.append((dims.sub(x, y), f"`{text}` dim {i}"))
        return True
    sample = ""
    if meeting.example is not None:
        v, p, q = meeting.example
        sample = f" (with an input size of {v}: {p} and {q})"
    never = (f"`{text}` cannot {what} {_fmt(a.shape)} and {_fmt(b.shape)} for any input size: sizes "
             f"{dims.fmt(x)} and {dims.fmt(y)} differ at dim {i}{sample}")
    if meeting.fits == "ones":
        uncertain = it.uncertain
        _report(it, "CNN106", f"`{text}` can {what} {_fmt(a.shape)} and {_fmt(b.shape)} only where one "
                              f"of them is 1 at dim {i} ({meeting.description}){sample}", node,
                declared=y, inferred=x, severity="warning")
        if not uncertain:
            it.degenerate.append((it.findings[-1], meeting.symbol, meeting.ones,
                                  f"{never}; they would fit only for {meeting.description}, which the "
                                  f"model's other layers do not accept"))
        return None
    _report(it, "CNN106", never, node, declared=y, inferred=x)
    return False


def _matmul_shape(it, a, b, node):
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)) or a.shape is None or b.shape is None:
        return Tensor(None)
    if len(a.shape) >= 2 and len(b.shape) >= 2:
        if dims.definitely_differ(a.shape[-1], b.shape[-2]):
            _report(it, "CNN106", f"matrix product of {_fmt(a.shape)} and {_fmt(b.shape)}: inner sizes "
                                  f"{a.shape[-1]} and {b.shape[-2]} differ", node,
                    declared=dims.as_int(b.shape[-2]), inferred=dims.as_int(a.shape[-1]))
            return Tensor(None)
        batch = broadcast(it, Tensor(a.shape[:-2]), Tensor(b.shape[:-2]), node)
        if batch.shape is None:
            return Tensor(None)
        return Tensor(batch.shape + (a.shape[-2], b.shape[-1]))
    if len(a.shape) == 1 and len(b.shape) >= 2:
        return Tensor(b.shape[:-2] + (b.shape[-1],))
    if len(b.shape) == 1 and len(a.shape) >= 1:
        return Tensor(a.shape[:-1])
    return Tensor(None)


# --- torch.* functions --------------------------------------------------------------------------

def _first(fn):
    from cnnlint.overlays.calls import method_as_function

    return method_as_function(fn)


def _cat(stack: bool):
    def run(it, args, kwargs, node):
        seq = args[0] if args else kwargs.get("tensors")
        d = args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("axis", 0))
        items = it.iterate(seq) if seq is not None else Unknown("cat")
        if isinstance(items, Unknown) or not items:
            return Tensor(None)
        if not all(isinstance(t, Tensor) for t in items):
            return Tensor(None)
        if any(t.shape is None or t.free for t in items):
            return Tensor(None)
        rank = len(items[0].shape)
        if any(len(t.shape) != rank for t in items):
            if not stack and any(len(t.shape) == 1 and dims.as_int(t.shape[0]) in (0, None) for t in items):
                return Tensor(None)  # torch.cat skips an empty 1-D tensor: maybe one of these
            _report(it, "CNN106", f"{_call_desc(node)} joins tensors of different ranks: "
                                  f"{', '.join(_fmt(t.shape) for t in items)}", node)
            return Tensor(None)
        a = _axis_in(it, node, d, rank + 1 if stack else rank)
        if a is None:
            return Tensor(None)
        base = list(items[0].shape)
        for t in items[1:]:
            for i, (x, y) in enumerate(zip(base, t.shape)):
                if (i == a and not stack):
                    continue
                if dims.definitely_differ(x, y):
                    _report(it, "CNN106", f"{_call_desc(node)} needs equal sizes off dim {a}, but "
                                          f"{', '.join(_fmt(t2.shape) for t2 in items)} differ at dim {i}",
                            node, declared=dims.as_int(x), inferred=dims.as_int(y))
                    return Tensor(None)
                if (x is not None and y is not None and not dims.same(x, y)
                        and (dims.is_symbolic(x) or dims.is_symbolic(y))
                        and _symbolic_sizes_fit(it, x, y, i, items[0], t, node, "join", broadcast=False) is False):
                    return Tensor(None)
                if x is None:
                    base[i] = y
        if stack:
            return it.op_row("stack", node, items, Tensor(tuple(base[:a]) + (len(items),) + tuple(base[a:])))
        total = 0
        for t in items:
            total = dims.add(total, t.shape[a])
        base[a] = total
        return it.op_row("cat", node, items, Tensor(tuple(base)))

    return run


def _creator(it, args, kwargs, node):
    sizes = _sizes(it, args, kwargs)
    if sizes is None or -1 in sizes:
        return Tensor(None)
    return Tensor(tuple(sizes))


def _like(it, args, kwargs, node):
    x = args[0] if args else kwargs.get("input")
    return Tensor(x.shape) if isinstance(x, Tensor) and not x.free else Tensor(None)


def _arange(it, args, kwargs, node):
    known = numeric.arange(list(args))
    if known is not None:
        return known
    vals = [dims.as_int(a) for a in args if not isinstance(a, float)]
    if len(vals) == len(args) and all(v is not None for v in vals) and vals:
        return Tensor((len(range(*vals)),))
    return Tensor(None)


def _randint(it, args, kwargs, node):
    size = kwargs.get("size")
    if size is None:
        size = next((a for a in args if isinstance(a, (tuple, list))), None)
    if isinstance(size, (tuple, list)):
        return _creator(it, [size], {}, node)
    return Tensor(None)


def _full(it, args, kwargs, node):
    return _creator(it, [args[0]] if args else [], kwargs, node)


def _binary(op):
    def run(it, args, kwargs, node):
        if len(args) >= 2:
            return binop(it, op, args[0], args[1], node)
        return Tensor(None)

    return run


def _torch_flatten(it, args, kwargs, node):
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        return Tensor(None)
    return _flatten_m(it, x, list(args[1:]), kwargs, node)


def _tensor_literal(it, args, kwargs, node):
    data = args[0] if args else None
    known = numeric.from_data(data)
    if known is not None:
        return known
    shape = []
    while isinstance(data, (list, tuple)):
        shape.append(len(data))
        if not data:
            return Tensor(tuple(shape))
        data = data[0]
    if isinstance(data, Tensor):  # a copy of a tensor, or a list of one-element tensors
        if not shape or data.shape == ():
            return Tensor(tuple(shape) + data.shape) if data.shape is not None else Tensor(None)
        return Tensor(None)
    if isinstance(data, (bool, int, float, SymbolicObj)) or dims.is_dim(data):
        return Tensor(tuple(shape))
    return Tensor(None)  # data cnnlint cannot follow: neither its rank nor its sizes are known


TORCH_FUNCTIONS = {
    "flatten": _torch_flatten, "cat": _cat(False), "concat": _cat(False), "concatenate": _cat(False),
    "stack": _cat(True), "zeros": _creator, "ones": _creator, "randn": _creator, "rand": _creator,
    "empty": _creator, "full": _full, "zeros_like": _like, "ones_like": _like, "randn_like": _like,
    "rand_like": _like, "empty_like": _like, "full_like": _like, "arange": _arange, "randint": _randint,
    "add": _binary("Add"), "sub": _binary("Subtract"), "mul": _binary("Multiply"), "div": _binary("Divide"),
    "maximum": _binary("Max"), "minimum": _binary("Min"), "matmul": _binary("MatrixMultiply"),
    "mm": _binary("MatrixMultiply"), "bmm": _binary("MatrixMultiply"),
    "tensor": _tensor_literal, "diff": _diff,
    "divide": _binary("Divide"), "true_divide": _binary("Divide"), "floor_divide": _binary("FloorDivide"),
}
for _name in ("reshape", "squeeze", "unsqueeze", "transpose", "permute", "mean", "sum", "amax", "amin", "max",
              "min", "prod", "std", "var", "logsumexp", "argmax", "argmin", "chunk", "split", "norm"):
    TORCH_FUNCTIONS[_name] = _first(METHODS[_name])
for _name in ("relu", "sigmoid", "tanh", "clamp", "softmax", "log_softmax",
              "dropout", "clone", "detach", "sign", "square", "erf", "sin", "cos", "relu_", "rsqrt",
              "cumsum", "flip", "roll", "nan_to_num", "tril", "triu"):
    TORCH_FUNCTIONS[_name] = _first(_keep)
for _name in ("round", "log", "exp", "sqrt", "abs", "neg", "floor", "ceil", "log2"):
    TORCH_FUNCTIONS[_name] = _torch_unary(_name)
TORCH_FUNCTIONS["pow"] = _binary("Power")
for _name in ("round", "log", "exp", "sqrt", "abs", "neg", "floor", "ceil", "int", "long", "float", "double"):
    METHODS[_name] = _value_method(_name, METHODS.get(_name, _keep))
METHODS["tolist"] = _tolist
METHODS["item"] = _item
METHODS["pow"] = _value_method("pow", _arith("Power"))

from cnnlint.overlays import tensor_methods as _overlay  # noqa: E402  (it reads this module's helpers)
from cnnlint.overlays.value_methods import install as _install_values  # noqa: E402

_install_values(METHODS, TORCH_FUNCTIONS)

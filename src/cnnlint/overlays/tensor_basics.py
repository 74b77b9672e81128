"""The common tensor methods and ``torch.*`` functions: view/reshape, size, flatten, squeeze,
permute, reductions, chunk/split, expand/repeat, matmul, cat/stack, creation (zeros, randn, arange, ...).

``METHODS``: name -> ``(it, x, args, kwargs, node)``; ``TORCH_FUNCTIONS``: name -> ``(it, args, kwargs, node)``.
More methods live in tensor_methods.py, value-level ones in value_methods.py (installed below).
"""
from __future__ import annotations

from dataclasses import replace

from cnnlint import dims
from cnnlint.abstract import numeric
from cnnlint.abstract.tensors import (_axis, _axis_in, _call_desc, _fmt, _report, _sizes, _symbolic_sizes_fit,
                                      binop, keep_row, view)
from cnnlint.abstract.values import Layer, SizeTuple, SymbolicObj, Tensor, Unknown
from cnnlint.layers.basic import flatten as flatten_shape
from cnnlint.layers.context import LayerCtx
from cnnlint.overlays.calls import method_as_function

# --- tensor methods ------------------------------------------------------------------------

# methods that return the tensor's own values (a copy, a view, another device): the rest of the
# shape-keeping methods compute other values, which stay unknown unless value_methods.py knows them
_SAME_VALUES = frozenset(("contiguous", "clone", "detach", "detach_", "to", "cpu", "cuda", "requires_grad_",
                          "pin_memory"))


def _keep(it, x, args, kwargs, node):
    return x


def _keep_shape(it, x, args, kwargs, node):
    """The same shape with other values (``flip``, ``cumsum``, ``clamp``): the values are dropped."""
    return replace(x, values=None) if x.values is not None else x


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
        size = dims.as_int(x.shape[a])
        sections = [dims.as_int(p) if dims.is_dim(p) else None for p in s]
        if size is not None and None not in sections and sum(sections) != size:  # type: ignore[arg-type]
            _report(it, "CNN106", f"{_call_desc(node)}: the sections {list(sections)} add up to "
                                  f"{sum(sections)}, but dim {a} of {_fmt(x.shape)} holds {size}",  # type: ignore[arg-type]
                    node, declared=sum(sections), inferred=size)  # type: ignore[arg-type]
            return Unknown("split into sections that do not add up")
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
    METHODS.setdefault(_name, _keep if _name in _SAME_VALUES else _keep_shape)

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


def _first(fn):
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
                    # the size most of them have is the one expected, the odd one the one at fault
                    sizes = [t2.shape[i] for t2 in items]
                    odd = sorted(items, key=lambda t2: sum(dims.same(t2.shape[i], z) for z in sizes))
                    if len(items) > 2 and not dims.same(odd[0].shape[i], odd[-1].shape[i]):
                        x, y = odd[-1].shape[i], odd[0].shape[i]
                    _report(it, "CNN106", f"{_call_desc(node)} needs equal sizes off dim {a}, but "
                                          f"{', '.join(_fmt(t2.shape) for t2 in items)} differ at dim {i}",
                            node, declared=dims.as_int(x), inferred=dims.as_int(y), sources=[t2.row for t2 in odd])
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
    TORCH_FUNCTIONS[_name] = _first(_keep if _name in _SAME_VALUES else _keep_shape)
for _name in ("round", "log", "exp", "sqrt", "abs", "neg", "floor", "ceil", "log2"):
    TORCH_FUNCTIONS[_name] = _torch_unary(_name)
TORCH_FUNCTIONS["pow"] = _binary("Power")
for _name in ("round", "log", "exp", "sqrt", "abs", "neg", "floor", "ceil", "int", "long", "float", "double"):
    METHODS[_name] = _value_method(_name, METHODS.get(_name, _keep))
METHODS["tolist"] = _tolist
METHODS["item"] = _item
METHODS["pow"] = _value_method("pow", _arith("Power"))

from cnnlint.overlays.value_methods import install as _install_values  # noqa: E402  (it wraps the entries above)

_install_values(METHODS, TORCH_FUNCTIONS)

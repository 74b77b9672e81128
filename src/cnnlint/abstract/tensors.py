"""The tensor operations the evaluator and the knowledge modules share: view/reshape, indexing,
broadcasting arithmetic and matmul, with the checks they carry (invalid views, mismatched adds),
and how a finding about a call is reported. The tables of methods and torch functions are in
overlays/ (tensor_basics.py, tensor_methods.py, torch_functions.py)."""
from __future__ import annotations

from typing import Any, List, Optional

from cnnlint import dims
from cnnlint.abstract import numeric
from cnnlint.abstract.findings import Finding, INPUT_SYMBOLS, code_of, fmt_shape
from cnnlint.abstract.values import Record, SizeTuple, SymbolicObj, Tensor, Unknown
from cnnlint.solve import sizes_meet, solve_equal


def _report(it, code, message, node, declared=None, inferred=None, severity=None, factors=None, sources=()):
    finding = Finding(code, message, node, declared=dims.to_json(declared), inferred=dims.to_json(inferred),
                      severity=severity, factors=factors)
    finding.sources = tuple(r for r in sources if r is not None and r >= 0)
    it.report(finding)


def _fmt(shape):
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
                text = code_of(node)
                text = text if len(text) <= 50 else text[:47] + "..."
                _report(it, "CNN106", f"`{text}` cannot {what} {_fmt(a.shape)} and {_fmt(b.shape)}: "
                                      f"sizes {ix} and {iy} differ at dim {i}", node, declared=iy, inferred=ix,
                        sources=(a.row, b.row))
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

"""The values of small value tensors, fitted to PyTorch 2.13: ``torch.eye``, ``torch.linspace``
(its float32 values), ``torch.arange`` with a symbolic end, and values kept through ``split``,
``chunk``, ``unbind`` and iteration (timm's ``[x.item() for x in torch.linspace(0, rate, depth)]``).
Shape-only tensor methods live in overlays/tensor_methods.py.

``install`` adds them to tensor_basics.METHODS / tensor_basics.TORCH_FUNCTIONS (a method is
``(it, x, args, kwargs, node)``, a function ``(it, args, kwargs, node)``)."""
from __future__ import annotations

import struct
from typing import Any, Dict, List, Optional

from cnnlint import dims
from cnnlint.abstract import numeric
from cnnlint.abstract.values import SymbolicObj, Tensor
from cnnlint.overlays.calls import arg as _arg, method_as_function, registry

MAX_PARTS = 1024  # unbind of a larger known size: too many values to list

FUNCTIONS: Dict[str, Any] = {}
function = registry(FUNCTIONS)


def scalar(value) -> Tensor:
    """A 0-d tensor holding one known number."""
    return Tensor((), values=(value,))


def element_tensors(x: Tensor) -> Optional[List[Tensor]]:
    """What iterating over ``x`` gives: its slices along dim 0 (values kept for a 1-D value
    tensor), or None when the length is not a small known number."""
    if not x.shape or x.free:
        return None
    n = dims.as_int(x.shape[0])
    if n is None or n > MAX_PARTS:
        return None
    if x.values is not None and len(x.shape) == 1 and len(x.values) == n:
        return [scalar(v) for v in x.values]
    return [Tensor(x.shape[1:]) for _ in range(n)]


@function("eye")
def eye(it, args, kwargs, node):
    """torch.eye(n, m=None): an n x m matrix (m = n when left out)."""
    n = _arg(args, kwargs, 0, "n")
    m = _arg(args, kwargs, 1, "m")
    if m is None:
        m = n
    if not (dims.is_dim(n) and dims.is_dim(m)) or isinstance(n, bool) or isinstance(m, bool):
        return Tensor(None)
    return Tensor((n, m))


def _float32(v: float) -> float:
    return struct.unpack("f", struct.pack("f", v))[0]


@function("linspace")
def linspace(it, args, kwargs, node):
    """torch.linspace(start, end, steps): ``steps`` evenly spaced values. Their values are kept
    (as float32, the default dtype) when start, end and steps are known numbers."""
    start = _arg(args, kwargs, 0, "start")
    end = _arg(args, kwargs, 1, "end")
    steps = _arg(args, kwargs, 2, "steps")
    if not dims.is_dim(steps) or isinstance(steps, bool):
        return Tensor(None)
    n = dims.as_int(steps)
    if n is not None and n < 0:
        return Tensor(None)  # PyTorch: "number of steps must be non-negative"
    if n is None or n > numeric.MAX_VALUES or kwargs.get("dtype") is not None or \
            not (numeric.is_number(start) and numeric.is_number(end)):
        return Tensor((steps,))
    if n == 1:
        return numeric.make([_float32(float(start))])
    # PyTorch's CPU kernel, in float32: step = (end - start) / (steps - 1); the first half counts
    # up from start and the second half back from end, each one fused multiply-add (one rounding)
    start, end = _float32(float(start)), _float32(float(end))
    step = _float32(_float32(end - start) / (n - 1)) if n > 1 else 0.0
    half = n // 2
    values = [start + step * i if i < half else end - step * (n - 1 - i) for i in range(n)]
    return numeric.make([_float32(v) for v in values])


def _split_values(original):
    """``split``/``chunk`` of a 1-D value tensor keep the values of each part."""
    def run(it, x, args, kwargs, node):
        out = original(it, x, args, kwargs, node)
        if x.values is None or not isinstance(out, (list, tuple)) or len(x.shape or ()) != 1:
            return out
        parts, at = [], 0
        for t in out:
            n = dims.as_int(t.shape[0]) if isinstance(t, Tensor) and t.shape else None
            if n is None:
                return out
            parts.append(numeric.make(x.values[at:at + n]))
            at += n
        return type(out)(parts) if at == len(x.values) else out

    return run


def _tolist(original):
    def run(it, x, args, kwargs, node):
        if x.shape == () and x.values is not None and len(x.values) == 1:
            return x.values[0]  # a 0-d tensor's tolist() is its number
        return original(it, x, args, kwargs, node)

    return run


def _arange(original):
    """torch.arange with a symbolic bound: ``max(0, ceil((end - start) / step))`` elements (known
    integer start and step, an integer-valued end); the rest as tensor_basics.py has it."""
    def run(it, args, kwargs, node):
        out = original(it, args, kwargs, node)
        if isinstance(out, Tensor) and out.shape is not None:
            return out
        bounds = list(args) if args else [kwargs.get("start", 0), kwargs.get("end"), kwargs.get("step", 1)]
        if len(args) == 1:
            bounds = [0, args[0], 1]
        while len(bounds) < 3:
            bounds.append(kwargs.get("step", 1) if len(bounds) == 2 else kwargs.get("end"))
        start, end, step = bounds[:3]
        if isinstance(end, SymbolicObj):
            end = it.symbol(end.name)
        if not (isinstance(start, int) and isinstance(step, int) and step > 0 and dims.is_symbolic(end)
                and end.is_integer):
            return out
        n = dims.ceildiv(dims.sub(end, start), step)
        if n is None:
            return out
        sp = dims.sympy()
        return Tensor((dims.norm(sp.Max(0, n)),))

    return run


def _flip(original):
    """flip of a 1-D tensor of known values: the values reversed (nest's ``(4 ** arange(n)).flip(0)``)."""
    def run(it, x, args, kwargs, node):
        dims_arg = args[0] if args else kwargs.get("dims")
        if isinstance(dims_arg, (list, tuple)) and len(dims_arg) == 1:
            dims_arg = dims_arg[0]
        if x.values is not None and x.shape is not None and len(x.shape) == 1 and dims_arg in (0, -1) and \
                len(args) <= 1:
            return numeric.make(list(reversed(x.values)))
        return original(it, x, args, kwargs, node)

    return run


def install(methods: Dict[str, Any], functions: Dict[str, Any]) -> None:
    if "arange" in functions:
        functions["arange"] = _arange(functions["arange"])
    for name in ("split", "chunk"):
        if name in methods:
            methods[name] = _split_values(methods[name])
            functions[name] = method_as_function(methods[name])
    if "tolist" in methods:
        methods["tolist"] = _tolist(methods["tolist"])
    if "flip" in methods:
        methods["flip"] = _flip(methods["flip"])
        functions["flip"] = method_as_function(methods["flip"])
    for name, fn in FUNCTIONS.items():
        functions.setdefault(name, fn)

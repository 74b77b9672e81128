"""Small 1-D tensors of known numbers: configuration code that uses torch as a calculator
(``torch.arange(depth) * w_a + w_0``, ``torch.round``, ``.int().tolist()``), as RegNet does to
work out its widths. Only the values are tracked; anything else stays a shape."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from cnnlint.abstract.values import Tensor

MAX_VALUES = 4096


def make(values: Sequence[Any]) -> Tensor:
    values = tuple(values)
    return Tensor((len(values),), values=values if len(values) <= MAX_VALUES else None)


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def values_of(v: Any) -> Optional[Sequence[Any]]:
    """The elements of a value tensor, a number as one broadcast element, else None."""
    if isinstance(v, Tensor):
        return v.values
    if is_number(v):
        return None
    return None


_BINARY = {
    "Add": lambda a, b: a + b, "Subtract": lambda a, b: a - b, "Multiply": lambda a, b: a * b,
    "Divide": lambda a, b: a / b, "FloorDivide": lambda a, b: a // b, "Power": lambda a, b: a ** b,
    "Max": max, "Min": min,
}


def binop(op: str, left: Any, right: Any) -> Optional[Tensor]:
    fn = _BINARY.get(op)
    if fn is None:
        return None
    lv = left.values if isinstance(left, Tensor) else ([left] if is_number(left) else None)
    rv = right.values if isinstance(right, Tensor) else ([right] if is_number(right) else None)
    if lv is None or rv is None:
        return None
    if len(lv) != len(rv) and 1 not in (len(lv), len(rv)):
        return None
    n = max(len(lv), len(rv))
    try:
        out = [fn(lv[i if len(lv) > 1 else 0], rv[i if len(rv) > 1 else 0]) for i in range(n)]
    except (ArithmeticError, ValueError, TypeError):
        return None
    if op == "Divide":
        out = [float(v) for v in out]
    if all(t.shape == () for t in (left, right) if isinstance(t, Tensor)):
        return Tensor((), values=tuple(out))  # 0-d with 0-d or a number stays 0-d
    return make(out)


def _round(v):
    return float(round(v))  # torch.round rounds half to even, as Python does


UNARY = {
    "round": _round, "log": math.log, "exp": math.exp, "sqrt": math.sqrt, "abs": abs, "neg": lambda v: -v,
    "floor": lambda v: float(math.floor(v)), "ceil": lambda v: float(math.ceil(v)), "log2": math.log2,
    "int": lambda v: int(v), "long": lambda v: int(v), "float": float, "double": float,
}


def unary(name: str, x: Tensor) -> Optional[Tensor]:
    fn = UNARY.get(name)
    if fn is None or x.values is None:
        return None
    try:
        out = [fn(v) for v in x.values]
    except (ArithmeticError, ValueError, TypeError):
        return None
    return Tensor((), values=tuple(out)) if x.shape == () else make(out)


def arange(args) -> Optional[Tensor]:
    if not args or not all(is_number(a) for a in args):
        return None
    if all(isinstance(a, int) for a in args):
        r = range(*args)
        return make(list(r)) if len(r) <= MAX_VALUES else Tensor((len(r),))
    start, end, step = (0.0, args[0], 1.0) if len(args) == 1 else (args[0], args[1], args[2] if len(args) > 2 else 1)
    if step == 0:
        return None
    n = max(0, math.ceil((end - start) / step))
    return make([start + i * step for i in range(n)]) if n <= MAX_VALUES else Tensor((n,))


def from_data(data) -> Optional[Tensor]:
    if isinstance(data, (list, tuple)) and all(is_number(v) for v in data):
        return make(list(data))
    return None


def diff(x: Tensor) -> Optional[Tensor]:
    if x.values is None:
        return None
    v = x.values
    return make([v[i + 1] - v[i] for i in range(len(v) - 1)])

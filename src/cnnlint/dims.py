"""Dimension arithmetic: plain ints on the fast path, sympy only once a symbol appears.

A dimension is an ``int``, a sympy expression (a size that depends on an unknown
input size or constructor argument), or ``None`` when nothing is known about it.
sympy is imported the first time a symbol is made, so a run whose sizes are all
concrete never pays for it.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional

_sympy = None


def sympy():
    """The sympy module, imported on first use."""
    global _sympy
    if _sympy is None:
        import sympy as _s

        _sympy = _s
    return _sympy


def is_symbolic(value: Any) -> bool:
    return _sympy is not None and isinstance(value, _sympy.Basic)


def symbol(name: str):
    """A positive integer symbol such as ``N``, ``H`` or ``out_dim``."""
    sp = sympy()
    return sp.Symbol(name, positive=True, integer=True)


def norm(value: Any) -> Any:
    """Turn a sympy integer into an ``int``; leave anything else as it is."""
    if _sympy is not None and isinstance(value, _sympy.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_Rational or value.is_Float:
            return None if not value.is_Integer else int(value)
    return value


def is_dim(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or is_symbolic(value)


def as_int(value: Any) -> Optional[int]:
    """The concrete int a dimension holds, else None."""
    value = norm(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def known(*values: Any) -> bool:
    return all(as_int(v) is not None for v in values)


# Arithmetic on something that is not a dimension (a value cnnlint could not follow that found
# its way into a shape) gives None, an unknown size, never an exception.

def add(a, b):
    if a is None or b is None:
        return None
    try:
        return norm(a + b)
    except TypeError:
        return None


def sub(a, b):
    if a is None or b is None:
        return None
    try:
        return norm(a - b)
    except TypeError:
        return None


def mul(a, b):
    if a is None or b is None:
        return None
    try:
        return norm(a * b)
    except TypeError:
        return None


def prod(values: Iterable[Any]):
    out: Any = 1
    for v in values:
        if v is None:
            return None
        try:
            out = out * v
        except TypeError:
            return None
    return norm(out)


def _rounded_div(a, b, up: bool):
    """a / b rounded down (floor) or up (ceiling): ints stay ints, a symbol gives floor()/ceiling()."""
    if a is None or b is None:
        return None
    ia, ib = as_int(a), as_int(b)
    if ia is not None and ib is not None:
        if ib == 0:
            return None
        return -((-ia) // ib) if up else ia // ib
    if ib == 1 and (not is_symbolic(a) or a.is_integer):
        return a  # a whole number: a / 1 needs no rounding
    if not (is_symbolic(a) or isinstance(a, int)) or not (is_symbolic(b) or isinstance(b, int)):
        return None  # not sizes: unknown
    key = (up, a, b)
    out = _divided.get(key, _divided)
    if out is _divided:  # the same division recurs (every 3x3 stride-1 conv of a net): remember it
        sp = sympy()
        rounding = sp.ceiling if up else sp.floor
        try:
            out = norm(_round(_unnested(sp.sympify(a), rounding, ib) / b, rounding))
        except (TypeError, ValueError, AttributeError, sp.SympifyError):
            return None  # not a size (a value cnnlint could not follow): unknown
        if len(_divided) > 50_000:
            _divided.clear()
        _divided[key] = out
    return out


_divided: dict = {}  # (up, a, b) -> a / b rounded, for symbolic a or b


def _unnested(a, rounding, b):
    """``a`` with an inner rounding taken off when dividing by a whole number ``b`` >= 1 rounds
    the same way: floor(floor(y) + k) / b) = floor((y + k) / b) for whole k (likewise ceiling).
    Sizes after a stack of strided layers stay one floor deep, `floor((H - 15)/8) + 1` rather
    than `floor(floor(H/4 - 7/4)/2)`, and sympy handles them far faster."""
    if b is None or b < 1:
        return a
    inner = None
    rest = []
    for term in (a.args if a.is_Add else (a,)):
        if inner is None and isinstance(term, rounding):
            inner = term.args[0]
        elif _whole(term):
            rest.append(term)
        else:
            return a
    if inner is None:
        return a
    return inner + sum(rest)


def _round(x, rounding):
    """floor(x) (or ceiling): the whole terms of ``x`` go outside, the rest stays inside
    unevaluated. sympy's own evaluation asks its assumption system about every nested term
    (1.5 ms a call); for sizes the whole-terms rule is all it would find."""
    whole, rest = [], []
    for term in (x.args if x.is_Add else (x,)):
        (whole if _whole(term) else rest).append(term)
    if not rest:
        return x
    inside = rest[0] if len(rest) == 1 else x.func(*rest)
    if inside.is_Number:
        return rounding(inside) + sum(whole)
    return rounding(inside, evaluate=False) + sum(whole)


def _whole(term) -> bool:
    """A whole number for certain: an integer, an integer symbol, a floor or ceiling, or a
    product of them."""
    if _whole_factor(term):
        return True
    return bool(term.is_Mul and all(_whole_factor(f) for f in term.args))


def _whole_factor(term) -> bool:
    sp = _sympy
    return bool(term.is_Integer or (term.is_Symbol and term.is_integer) or isinstance(term, (sp.floor, sp.ceiling)))


def exact(value: Any) -> Any:
    """A float as the fraction it stands for (0.1 is 1/10), floats inside a sympy expression too:
    rounding such values down or up then gives what Python gets for the usual sizes (Python's
    own float rounding can differ by one where a product lands on a whole number: int(0.58 * 100)
    is 57)."""
    sp = sympy()
    if isinstance(value, float):
        return _rational(value) if math.isfinite(value) else None
    if is_symbolic(value) and value.has(sp.Float):
        return value.xreplace({f: _rational(float(f)) for f in value.atoms(sp.Float)})
    return value


_RATIONALS: dict = {}


def _rational(f: float):
    """The simplest fraction a float stands for: 0.1 is 1/10, 1/3 (0.333...) is 1/3."""
    out = _RATIONALS.get(f)
    if out is None:
        sp = sympy()
        out = sp.nsimplify(f, tolerance=abs(f) * 1e-12, rational=True) if f else sp.Integer(0)
        if len(_RATIONALS) > 10_000:
            _RATIONALS.clear()
        _RATIONALS[f] = out
    return out


def to_int(value: Any, how: str = "trunc") -> Any:
    """``int()`` (how="trunc", toward zero), ``math.floor`` ("floor") or ``math.ceil`` ("ceil") of
    a symbolic value: a size expression; None when it cannot be told (int() of a value whose
    sign is unknown)."""
    value = exact(value)
    if value is None:
        return None
    if not is_symbolic(value):
        return math.floor(value) if how == "floor" else math.ceil(value) if how == "ceil" else int(value)
    if value.is_integer:
        return norm(value)
    if how == "trunc":
        if value.is_nonnegative:
            how = "floor"
        elif value.is_nonpositive:
            how = "ceil"
        else:
            return None
    return _rounded_div(value, 1, up=(how == "ceil"))


def floordiv(a, b):
    return _rounded_div(a, b, up=False)


def ceildiv(a, b):
    return _rounded_div(a, b, up=True)


def exact_div(a, b):
    """a / b when it divides exactly (or symbolically), else None."""
    if a is None or b is None:
        return None
    ia, ib = as_int(a), as_int(b)
    if ia is not None and ib is not None:
        if ib == 0 or ia % ib:
            return None
        return ia // ib
    sp = sympy()
    q = sp.cancel(sp.sympify(a) / b)
    return norm(q)


def definitely_differ(a, b) -> bool:
    """True only when both are concrete and unequal."""
    ia, ib = as_int(a), as_int(b)
    return ia is not None and ib is not None and ia != ib


def same(a, b) -> bool:
    """True when the two are known to be equal (identical expressions count)."""
    if a is None or b is None:
        return False
    ia, ib = as_int(a), as_int(b)
    if ia is not None and ib is not None:
        return ia == ib
    if ia is None and ib is None:
        try:
            return bool(a == b) or sympy().expand(a - b) == 0
        except Exception:
            return False
    return False


_FMT_CACHE: dict = {}


def fmt(value: Any) -> str:
    if value is None:
        return "?"
    value = norm(value)
    if isinstance(value, int):
        return str(value)
    # printing a sympy expression is slow and the same sizes are printed again and again (a
    # layer's output is the next one's input): remember the text (sympy equality is structural)
    key = (type(value), value)
    try:
        text = _FMT_CACHE.get(key)
    except TypeError:  # unhashable
        return str(value).replace("**", "^")
    if text is None:
        if len(_FMT_CACHE) > 20000:
            _FMT_CACHE.clear()
        text = _FMT_CACHE[key] = str(_readable(value)).replace("**", "^")
    return text


def _readable(value):
    """``(16*floor(H/2) - 32)*(floor(W/2) - 2)`` reads better as ``16*(floor(H/2) - 2)*(...)``."""
    try:
        sp = sympy()
        if value.has(sp.floor, sp.ceiling) and value.count_ops() <= 30:
            return sp.factor(value)
    except Exception:
        pass
    return value


def to_json(value: Any):
    if value is None:
        return None
    value = norm(value)
    if isinstance(value, int):
        return value
    return str(_readable(value))


def free_symbols(value: Any) -> set:
    if is_symbolic(value):
        return set(value.free_symbols)
    return set()


def evaluator(expr, symbols):
    """A fast Python function of the given symbols computing ``expr`` (None if it fails)."""
    sp = sympy()
    try:
        fn = sp.lambdify(list(symbols), expr, modules=[{"floor": math.floor, "ceiling": math.ceil}, "math"])
    except Exception:  # pragma: no cover - lambdify failures are exotic
        return None

    def run(*args):
        try:
            v = fn(*args)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if isinstance(v, float):
            if not v.is_integer():
                return None
            v = int(v)
        return v

    return run

"""Python's ``round(x)`` of a symbolic size (``round(in_chs * 0.25)`` in a building block
checked with a symbolic ``in_chs``): a sympy function that stays unevaluated until its argument
is a number, then rounds as Python does (half to even), and prints as ``round(...)``. lambdify
turns it into Python's own ``round``, so the input-size solver computes it exactly."""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Optional

_ROUND = None


def _round_class():
    global _ROUND
    if _ROUND is None:
        from cnnlint import dims

        sp = dims.sympy()

        class round(sp.Function):  # noqa: A001 - the name it prints and lambdify calls
            nargs = 1
            is_integer = True

            @classmethod
            def eval(cls, arg):
                if arg.is_Integer or arg.is_integer:
                    return arg
                if arg.is_Rational:
                    return sp.Integer(builtins_round(Fraction(int(arg.p), int(arg.q))))
                if arg.is_Float:
                    return sp.Integer(builtins_round(float(arg)))
                return None

        round.__module__ = __name__
        round.__qualname__ = "round"
        _ROUND = round
    return _ROUND


def __getattr__(name: str):
    """``pynumbers.round``: the sympy function class, made on first use (pickle finds it here when
    a result holding it crosses processes)."""
    if name == "round":
        return _round_class()
    raise AttributeError(name)


builtins_round = round


def symbolic_round(x: Any) -> Optional[Any]:
    """round(x) for a sympy expression x (None: not a size-like expression)."""
    from cnnlint import dims

    if not dims.is_symbolic(x):
        return None
    if x.is_integer:
        return dims.norm(x)
    if x.is_real is False or x.free_symbols == set():
        return None
    try:
        return dims.norm(_round_class()(x))
    except (TypeError, ValueError):
        return None

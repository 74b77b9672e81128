"""The ``itertools`` functions model code uses to build sizes and layer lists
(``tuple(repeat(x, n))`` in timm's ``to_2tuple``, ``product(range(3), range(3))``,
``accumulate(depths)``): each returns a list of the items Python would produce, when its
arguments can be listed; else None (the caller's "cannot follow")."""
from __future__ import annotations

import itertools
import operator
from typing import Any, Callable, Dict, Optional

from cnnlint.abstract.values import Unknown

MAX_ITEMS = 100_000

FUNCTIONS: Dict[str, Callable] = {}


def function(name):
    def register(fn):
        FUNCTIONS[name] = fn
        return fn

    return register


def _listed(it, value) -> Optional[list]:
    items = it.iterate(value)
    return None if isinstance(items, Unknown) else list(items)


def _count(n) -> Optional[int]:
    return n if isinstance(n, int) and not isinstance(n, bool) else None


@function("repeat")
def repeat(it, args, kwargs):
    """repeat(x, n): n copies of x (without n it never ends: not listed)."""
    times = args[1] if len(args) > 1 else kwargs.get("times")
    times = _count(times)
    if not args or times is None or times > MAX_ITEMS:
        return None
    return [args[0]] * max(0, times)


@function("product")
def product(it, args, kwargs):
    pools = [_listed(it, a) for a in args]
    repeat_n = _count(kwargs.get("repeat", 1))
    if any(p is None for p in pools) or repeat_n is None or set(kwargs) - {"repeat"}:
        return None
    total = 1
    for p in pools:
        total *= len(p)
    if total ** repeat_n > MAX_ITEMS:
        return None
    return [tuple(t) for t in itertools.product(*pools, repeat=repeat_n)]


@function("chain")
def chain(it, args, kwargs):
    parts = [_listed(it, a) for a in args]
    if any(p is None for p in parts) or kwargs:
        return None
    return [x for p in parts for x in p]


@function("accumulate")
def accumulate(it, args, kwargs):
    """accumulate(numbers) / accumulate(numbers, initial=k): running sums of plain numbers."""
    items = _listed(it, args[0]) if args else None
    if items is None or len(args) > 1 or set(kwargs) - {"initial"}:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
        return None
    return list(itertools.accumulate(items, operator.add, initial=kwargs.get("initial")))


def call(it, name: str, args, kwargs) -> Any:
    """The value of ``itertools.<name>(...)``, or None when cnnlint cannot list it."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        return None
    return fn(it, list(args), dict(kwargs))

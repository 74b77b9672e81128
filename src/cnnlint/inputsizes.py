"""Which input sizes a model with a symbolic input accepts, and the smallest one.

The interpreter records two kinds of size constraints while it follows ``forward``: an
output size that must stay >= 1 (a conv or pool window on a small input) and a size that
must equal a declared number (a Linear after a flatten). Both are evaluated — never
simplified — over a range of sizes per input symbol: first each one-symbol constraint
over 1..RANGE_ONE, then the constraints that tie symbols together over the grid of sizes
that passed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product as cartesian
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cnnlint import dims

RANGE_ONE = 1024  # sizes tried per symbol
RANGE_GRID = 256  # per symbol, for a constraint of two symbols
RANGE_GRID3 = 48  # per symbol, for a constraint of three symbols

_POSITIVE = re.compile(r" output (height|width|depth|length|size)$")


@dataclass(frozen=True)
class InputSizes:
    lines: Tuple[str, ...]  # sentences: the sizes accepted, then why
    smallest: Optional[Tuple[int, ...]]  # the smallest accepted input shape, when found


@dataclass
class _Constraint:
    expr: Any  # must be >= 1 (positive) or == 0 (equal)
    what: str
    positive: bool
    symbols: Tuple[Any, ...]
    fn: Any = None

    def holds(self, *values) -> bool:
        v = self.fn(*values)
        if v is None:
            return False
        return v >= 1 if self.positive else v == 0


def _constraints(raw: Sequence[Tuple[Any, str]]) -> List[_Constraint]:
    out: List[_Constraint] = []
    seen = set()
    for expr, what in raw:
        if not dims.is_symbolic(expr):
            continue
        positive = bool(_POSITIVE.search(what))
        key = (str(expr), positive)
        if key in seen:
            continue
        seen.add(key)
        symbols = tuple(sorted(expr.free_symbols, key=str))
        c = _Constraint(expr, what, positive, symbols)
        c.fn = dims.evaluator(expr, symbols)
        if c.fn is not None:
            out.append(c)
    return out


def _describe_values(values: List[int], limit: int) -> str:
    """``= 32``, ``>= 16``, ``16..31``, ``16, 18, 20, ...`` for sorted sizes tried up to ``limit``."""
    if len(values) == 1 and values[0] < limit:
        return f"= {values[0]}"
    lo, hi = values[0], values[-1]
    contiguous = values == list(range(lo, hi + 1))
    if contiguous:
        return f">= {lo}" if hi >= limit else f"from {lo} to {hi}"
    step = values[1] - values[0]
    if all(b - a == step for a, b in zip(values, values[1:])):
        tail = ", ..." if hi >= limit - step else f", ..., {hi}"
        return f"in {lo}, {lo + step}, {lo + 2 * step}{tail}"
    parts, start, prev = [], lo, lo
    for v in values[1:]:
        if v != prev + 1:
            parts.append((start, prev))
            start = v
        prev = v
    parts.append((start, prev))
    shown = ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in parts[:4])
    more = ", ..." if len(parts) > 4 else ""
    return f"in {shown}{more}"


def accepted_inputs(shape: Optional[Sequence[Any]], raw: Sequence[Tuple[Any, str]]) -> InputSizes:
    """What input sizes satisfy every recorded constraint; ``shape`` is the (symbolic) input."""
    if shape is None or not any(dims.is_symbolic(d) for d in shape):
        return InputSizes((), None)
    constraints = _constraints(raw)
    symbols: List[Any] = []
    for c in constraints:
        for s in c.symbols:
            if s not in symbols:
                symbols.append(s)
    order = {str(d): i for i, d in enumerate(shape)}
    symbols.sort(key=lambda s: (order.get(str(s), len(order)), str(s)))
    lines: List[str] = []
    # one-symbol constraints, each symbol over 1..RANGE_ONE
    feasible: Dict[Any, List[int]] = {}
    bound_by: Dict[Any, Tuple[int, str]] = {}
    for s in symbols:
        ok = list(range(1, RANGE_ONE + 1))
        for c in constraints:
            if c.symbols == (s,):
                before = ok
                ok = [v for v in ok if c.holds(v)]
                if c.positive and ok and ok != before and ok[0] > bound_by.get(s, (1, ""))[0]:
                    bound_by[s] = (ok[0], c.what)
        feasible[s] = ok
    if any(not v for v in feasible.values()):
        bad = [str(s) for s, v in feasible.items() if not v]
        return InputSizes((f"no size of {', '.join(bad)} up to {RANGE_ONE} satisfies every layer",), None)
    # constraints that tie several symbols together, over the grid of sizes that passed
    joint = [c for c in constraints if len(c.symbols) > 1]
    combos: Optional[List[Tuple[int, ...]]] = None
    grid_syms: Tuple[Any, ...] = ()
    if joint:
        grid_syms = tuple(s for s in symbols if any(s in c.symbols for c in joint))
        if len(grid_syms) > 3:
            lines.append("the input sizes depend on each other in a way cnnlint does not search")
        else:
            index = {s: i for i, s in enumerate(grid_syms)}
            candidates = None
            for c in joint:
                if set(c.symbols) == set(grid_syms):
                    candidates = _product_solutions(c, grid_syms, feasible)
                    if candidates is not None:
                        break
            if candidates is not None:  # a product of one-symbol factors: solved by value tables
                cap = RANGE_ONE
            else:
                cap = RANGE_GRID if len(grid_syms) <= 2 else RANGE_GRID3
                candidates = cartesian(*[feasible[s][:cap] for s in grid_syms])
            combos = []
            for combo in candidates:
                if all(c.holds(*(combo[index[s]] for s in c.symbols)) for c in joint):
                    combos.append(combo)
            if not combos:
                return InputSizes((f"no {'x'.join(str(s) for s in grid_syms)} input up to {cap} in each "
                                   f"size satisfies every layer",), None)
            for s in grid_syms:
                feasible[s] = sorted({combo[index[s]] for combo in combos})
    # the sentences
    for s in symbols:
        limit = RANGE_ONE if s not in grid_syms or combos is None else cap
        lines.append(f"{s} {_describe_values(feasible[s], limit)}")
    names = [str(s) for s in grid_syms]
    smallest_pick: Dict[str, int] = {str(s): v[0] for s, v in feasible.items()}
    if combos:
        if {"H", "W"} <= set(names):
            ih, iw = names.index("H"), names.index("W")
            squares = sorted({c[ih] for c in combos if c[ih] == c[iw]})
            if squares:
                lines.append(f"square inputs: {_square_text(squares)}")
        if len(combos) < len(list(cartesian(*[feasible[s] for s in grid_syms]))) and len(grid_syms) > 1:
            lines.append(f"not every combination of {', '.join(names)} works: "
                         f"{' * '.join(names)} is tied by a later layer")

        def area(c):
            p = 1
            for v in c:
                p *= v
            square = 0 if ("H" in names and "W" in names and c[names.index("H")] == c[names.index("W")]) else 1
            return (p, square, c)

        best = min(combos, key=area)
        smallest_pick.update({n: v for n, v in zip(names, best)})
    for s, (v, what) in sorted(bound_by.items(), key=lambda kv: str(kv[0])):
        lines.append(f"why: {what} must be >= 1, which needs {s} >= {v}")
    for c in joint + [c for c in constraints if len(c.symbols) == 1 and not c.positive]:
        lines.append(f"why: {_why(c)}")
    smallest = _substitute(shape, smallest_pick)
    return InputSizes(tuple(lines), smallest)


MAX_COMBOS = 200_000


def _product_solutions(c: _Constraint, syms: Tuple[Any, ...], feasible: Dict[Any, List[int]]):
    """The size combinations (in ``syms`` order) for which ``received == declared`` when the received
    size factors into one-symbol factors (a flatten of independent axes): each factor is tabled
    over its symbol's sizes and the declared number is split among them. None when it does not
    factor that way."""
    from cnnlint.solve import _splits

    m = re.search(r"=(\d+)$", c.what)
    if c.positive or not m:
        return None
    declared = int(m.group(1))
    sp = dims.sympy()
    received = c.expr + declared
    try:
        product = received if received.is_Mul else sp.factor(received)
    except Exception:  # pragma: no cover - sympy cannot factor it: fall back to the grid
        return None
    const = 1
    per: Dict[Any, List[Any]] = {s: [] for s in syms}
    for arg in sp.Mul.make_args(product):
        free = arg.free_symbols
        if not free:
            if not arg.is_Integer:
                return None
            const *= int(arg)
        elif len(free) == 1 and next(iter(free)) in per:
            per[next(iter(free))].append(arg)
        else:
            return None
    if any(not per[s] for s in syms) or const == 0:
        return None
    if declared % const:
        return []
    tables = []
    for s in syms:
        fn = dims.evaluator(sp.Mul(*per[s]), [s])
        if fn is None:
            return None
        table: Dict[int, List[int]] = {}
        for v in feasible[s]:
            value = fn(v)
            if value is not None and value >= 1:
                table.setdefault(value, []).append(v)
        tables.append(table)
    out: List[Tuple[int, ...]] = []
    for choice in _splits(declared // const, tables):
        for pick in cartesian(*(table[value] for table, value in zip(tables, choice))):
            out.append(pick)
            if len(out) >= MAX_COMBOS:
                return out
    return out


def _why(c: _Constraint) -> str:
    if c.positive:
        return f"{c.what} = {dims.fmt(c.expr)} must be >= 1"
    m = re.search(r"^(.*) (\w+)=(\d+)$", c.what)
    if m:  # "fc (nn.Linear) in_features=2048": the constraint is received - 2048 == 0
        d = int(m.group(3))
        return f"{m.group(1)} receives {dims.fmt(dims.add(c.expr, d))}, which must equal {m.group(2)}={d}"
    return f"{c.what}: {dims.fmt(c.expr)} must be 0"


def _square_text(squares: List[int]) -> str:
    lo, hi = squares[0], squares[-1]
    if lo == hi:
        return f"{lo}x{lo}"
    if squares == list(range(lo, hi + 1)):
        return f"{lo}x{lo} to {hi}x{hi}"
    return ", ".join(f"{v}x{v}" for v in squares[:6]) + (", ..." if len(squares) > 6 else "")


def _substitute(shape: Sequence[Any], values: Dict[str, int]) -> Optional[Tuple[int, ...]]:
    out = []
    for d in shape:
        if d is None:
            return None
        v = dims.as_int(d)
        if v is None:
            syms = dims.free_symbols(d)
            fn = dims.evaluator(d, sorted(syms, key=str))
            if fn is None:
                return None
            v = fn(*(values.get(str(s), 1) for s in sorted(syms, key=str)))
            if v is None:
                return None
        out.append(int(v))
    return tuple(out)

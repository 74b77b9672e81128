"""Which input sizes satisfy a size constraint: evaluation over a sane range, never simplify().

A constraint says a symbolic size must equal a declared number (a Linear after a
flatten). The size is a product of factors; factors that share symbols are grouped and
each group is evaluated over a range of input sizes, which is cheap and exact with floors.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product as cartesian
from typing import Dict, List, Optional, Tuple

from cnnlint import dims

RANGE_ONE = 2048  # sizes tried for a factor of one symbol
RANGE_MANY = 160  # per symbol, for a factor of two or more symbols


@dataclass(frozen=True)
class Solution:
    possible: Optional[bool]  # None: could not decide
    description: str = ""  # "32x32 to 33x33", names the sizes that work
    smallest: Optional[Dict[str, int]] = None


def _groups(expr) -> Tuple[int, List[Tuple[tuple, object]]]:
    sp = dims.sympy()
    const = 1
    groups: Dict[frozenset, object] = {}
    for f in sp.Mul.make_args(expr):
        syms = frozenset(f.free_symbols)
        if not syms:
            if not f.is_Integer:
                return 0, []
            const *= int(f)
            continue
        # merge groups that share symbols
        merged = syms
        acc = f
        for key in list(groups):
            if key & merged:
                acc = acc * groups.pop(key)
                merged = merged | key
        groups[merged] = acc
    return const, [(tuple(sorted(k, key=str)), v) for k, v in groups.items()]


def allowed_sizes(constraints, symbols) -> Dict[str, set]:
    """Per input symbol, the sizes for which every recorded output size of one symbol is >= 1
    (a window larger than its input makes PyTorch fail, so those sizes are not accepted)."""
    out: Dict[str, set] = {}
    for expr, what in constraints:
        if not dims.is_symbolic(expr) or "output" not in what:
            continue
        free = expr.free_symbols
        if len(free) != 1:
            continue
        sym = next(iter(free))
        if sym not in symbols:
            continue
        fn = dims.evaluator(expr, (sym,))
        if fn is None:
            continue
        ok = {v for v in range(1, RANGE_ONE + 1) if (fn(v) or 0) >= 1}
        key = str(sym)
        out[key] = ok if key not in out else out[key] & ok
    return out


def _values(symbols: tuple, factor, allowed: Optional[Dict[str, set]] = None) -> Optional[Dict[int, list]]:
    fn = dims.evaluator(factor, symbols)
    if fn is None:
        return None
    table: Dict[int, list] = {}
    rng = range(1, RANGE_ONE + 1) if len(symbols) == 1 else range(1, RANGE_MANY + 1)
    if len(symbols) > 3:
        return None
    keep = [allowed.get(str(s)) if allowed else None for s in symbols]
    for combo in cartesian(rng, repeat=len(symbols)):
        if any(k is not None and c not in k for k, c in zip(keep, combo)):
            continue
        v = fn(*combo)
        if v is not None and v >= 1:
            table.setdefault(v, []).append(combo)
    return table


def solve_equal(expr, target: int, constraints=()) -> Solution:
    """Can ``expr`` (a sympy expression of positive integer symbols) equal ``target``?
    ``constraints``: (expression, what) pairs of output sizes that must stay >= 1."""
    allowed = allowed_sizes(constraints, expr.free_symbols) if constraints else None
    const, groups = _groups(expr)
    if const == 0 or not groups or len(groups) > 3:
        return Solution(None)
    if target % const:
        return Solution(False)
    rest = target // const
    tables = []
    for symbols, factor in groups:
        t = _values(symbols, factor, allowed)
        if t is None:
            return Solution(None)
        tables.append((symbols, t))
    found = []
    for choice in _splits(rest, [t for _, t in tables]):
        found.append(choice)
    if not found:
        # the tables cover sizes up to a bound: when a factor never reached the value it would
        # need, a larger input might still give it, so nothing is proven
        if any(max(t, default=0) < rest for _, t in tables):
            return Solution(None)
        return Solution(False)
    # square inputs first: the usual case, and the one a reader wants named
    names = [str(s) for symbols, _ in tables for s in symbols]
    if "H" in names and "W" in names:
        squares = set()
        for choice in found:
            combos = [table[value] for (_, table), value in zip(tables, choice)]
            for pick in cartesian(*combos):
                assignment = {}
                for (symbols, _), combo in zip(tables, pick):
                    assignment.update({str(s): v for s, v in zip(symbols, combo)})
                if assignment.get("H") == assignment.get("W"):
                    squares.add(assignment["H"])
                if len(squares) > 64:
                    break
        if squares:
            lo, hi = min(squares), max(squares)
            desc = f"{_ranges(squares)} square inputs" if len(squares) != hi - lo + 1 else (
                f"{lo}x{lo} inputs" if lo == hi else f"{lo}x{lo} to {hi}x{hi} inputs")
            return Solution(True, desc, {"H": lo, "W": lo})
    # describe the sizes that work per symbol
    per_symbol: Dict[str, set] = {}
    for choice in found:
        for (symbols, table), value in zip(tables, choice):
            for combo in table[value]:
                for s, v in zip(symbols, combo):
                    per_symbol.setdefault(str(s), set()).add(v)
    return Solution(True, describe(per_symbol), {k: min(v) for k, v in per_symbol.items()})


def _splits(rest: int, tables: list):
    """Value choices, one per table, whose product is ``rest``."""
    if len(tables) == 1:
        if rest in tables[0]:
            yield (rest,)
        return
    head, tail = tables[0], tables[1:]
    for v in head:
        if rest % v == 0:
            for more in _splits(rest // v, tail):
                yield (v,) + more


def _ranges(values) -> str:
    values = sorted(values)
    parts, start, prev = [], values[0], values[0]
    for v in values[1:]:
        if v != prev + 1:
            parts.append((start, prev))
            start = v
        prev = v
    parts.append((start, prev))
    if len(parts) > 4:
        return f"{values[0]}..{values[-1]} ({len(values)} sizes)"
    return ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in parts)


def describe(per_symbol: Dict[str, set]) -> str:
    keys = sorted(per_symbol)
    hw = [k for k in ("H", "W") if k in per_symbol]
    if hw == ["H", "W"] and sorted(per_symbol["H"]) == sorted(per_symbol["W"]):
        vals = sorted(per_symbol["H"])
        if vals == list(range(vals[0], vals[-1] + 1)) and len(vals) <= 8:
            lo, hi = vals[0], vals[-1]
            return f"{lo}x{lo} inputs" if lo == hi else f"{lo}x{lo} to {hi}x{hi} inputs"
    return ", ".join(f"{k} in {_ranges(per_symbol[k])}" for k in keys)


@dataclass(frozen=True)
class Meeting:
    """Whether two sizes of one tensor dimension can fit together for some input size.

    ``fits``: "some" (equal for some sizes, named in ``description``), "ones" (they never
    agree, but broadcasting works where one of them is 1: ``description`` names those sizes),
    "never" (proven for every input size), or None (cannot tell)."""

    fits: Optional[str]
    description: str = ""
    example: Optional[Tuple[int, int, int]] = None  # (input size, one size, the other) that fails
    symbol: str = ""  # the input size they depend on
    ones: Tuple[int, ...] = ()  # for "ones": the input sizes where one of them is 1


def sizes_meet(x, y, constraints=(), broadcast: bool = True, input_symbols=frozenset()) -> Meeting:
    """Can sizes ``x`` and ``y`` (ints or expressions of one input size, at least one symbolic)
    agree for some input size? Evaluated over the sizes the other constraints allow. "never" is
    claimed only with a proof that holds beyond the sizes tried: the difference is a constant, or
    it keeps its sign and never shrinks over the upper half of the range (sizes made by convs,
    pools and resizes do not decrease as the input grows)."""
    sp = dims.sympy()
    ex, ey = sp.sympify(x), sp.sympify(y)
    symbols = ex.free_symbols | ey.free_symbols
    if len(symbols) != 1:
        return Meeting(None)
    sym = next(iter(symbols))
    if str(sym) not in input_symbols:
        return Meeting(None)
    fx, fy = dims.evaluator(ex, (sym,)), dims.evaluator(ey, (sym,))
    if fx is None or fy is None:
        return Meeting(None)
    allowed = allowed_sizes(constraints, {sym}).get(str(sym)) if constraints else None
    equal, ones, gaps = [], [], []
    example = None
    for v in range(1, RANGE_ONE + 1):
        if allowed is not None and v not in allowed:
            continue
        a, b = fx(v), fy(v)
        if a is None or b is None or a < 1 or b < 1:
            continue
        if a == b:
            equal.append(v)
        elif broadcast and (a == 1 or b == 1):
            ones.append(v)
        else:
            gaps.append((v, a - b))
            if example is None or example[0] < 32 <= v:
                example = (v, a, b)
    name = str(sym)

    def sizes(values):
        return f"{name} = {values[0]}" if len(values) == 1 else f"{name} in {_ranges(values)}"

    if equal:
        return Meeting("some", sizes(equal))
    if not gaps:
        return Meeting(None)
    diff = sp.expand(ex - ey)
    proven = diff.is_Integer and diff != 0
    if not proven and len(gaps) >= 16:
        upper = gaps[len(gaps) // 2:]
        same_sign = all(g > 0 for _, g in upper) or all(g < 0 for _, g in upper)
        growing = all(abs(g2) >= abs(g1) for (_, g1), (_, g2) in zip(upper, upper[1:]))
        proven = same_sign and growing and upper[-1][0] >= RANGE_ONE // 2
    if not proven:
        return Meeting(None)
    if ones:
        return Meeting("ones", sizes(ones), example, name, tuple(ones))
    return Meeting("never", "", example)

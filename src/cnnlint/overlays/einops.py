"""einops, a third-party library attention code uses to reshape tensors: what ``rearrange``,
``reduce``, ``repeat``, ``einsum``, ``parse_shape`` and the ``Rearrange``/``Reduce`` layers make
of a shape, read from the pattern string. einops itself is never imported: this is cnnlint's own
reading of the library's documented behaviour, checked against einops in the tests.

A pattern such as ``'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'`` has a left side (the input's
axes) and a right side (the output's). An axis is a name, a number (an anonymous axis of that
length; ``1`` is a unit axis) or the ellipsis ``...`` (any number of axes). Parentheses compose
axes into one dimension: on the left they split a dimension (``(h p1)`` with ``p1=16`` makes
``h`` the dimension divided by 16), on the right they merge. einops fails on a bad pattern, a
tensor of another rank than the left side has, and a dimension that the given axis lengths do
not fit; cnnlint reports those only when they are certain, and an axis whose length it cannot
tell leaves the dimensions it enters unknown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.tensors import _call_desc, _report as report, keep_row
from cnnlint.abstract.values import Arg, Layer, SymbolicObj, Tensor, Unknown

ELLIPSIS = "\u2026"  # the ellipsis, one character once parsed
REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")
FREE_NAMES = {1: ("N",), 2: ("N", "C"), 3: ("N", "C", "L"), 4: ("N", "C", "H", "W"), 5: ("N", "C", "D", "H", "W")}


class PatternError(Exception):
    """einops rejects the pattern (or the axis lengths given with it) whatever the tensor."""


@dataclass(frozen=True)
class Group:
    """One dimension of a side: its axes (names, ELLIPSIS, anonymous lengths >= 2); ``paren``:
    written in parentheses. A unit axis (``1``, ``()``) is a group without axes."""

    axes: Tuple[Any, ...]
    paren: bool


@dataclass(frozen=True)
class Side:
    groups: Tuple[Group, ...]

    @property
    def names(self) -> FrozenSet[str]:
        """The named axes, the ellipsis included (anonymous axes are each their own axis)."""
        return frozenset(a for g in self.groups for a in g.axes if isinstance(a, str))

    @property
    def anonymous(self) -> bool:
        return any(isinstance(a, int) for g in self.groups for a in g.axes)

    @property
    def has_ellipsis(self) -> bool:
        return ELLIPSIS in self.names

    @property
    def ellipsis_in_paren(self) -> bool:
        return any(g.paren and ELLIPSIS in g.axes for g in self.groups)

    @property
    def fixed(self) -> int:
        """How many dimensions the side names besides the ellipsis."""
        return len(self.groups) - (1 if self.has_ellipsis else 0)


def valid_name(name: str, allow_underscore: bool = False) -> bool:
    if not name.isidentifier():
        return False
    if name.startswith("_") or name.endswith("_"):
        return allow_underscore and name == "_"
    return True


def parse_side(text: str, allow_underscore: bool = False, allow_parens: bool = True) -> Side:
    if "." in text:
        if text.count("...") != 1 or text.count(".") != 3:
            raise PatternError("dots may only appear as one ellipsis '...'")
        text = text.replace("...", ELLIPSIS)
    groups = []
    seen = set()
    open_axes: Optional[list] = None

    def finish(word: str) -> None:
        if not word:
            return
        if word == ELLIPSIS:
            axis: Any = ELLIPSIS
        elif word.isdecimal():
            n = int(word)
            if n == 0:
                raise PatternError("an anonymous axis needs a positive length")
            axis = None if n == 1 else n
        else:
            if not valid_name(word, allow_underscore):
                raise PatternError(f"'{word}' is not a valid axis name")
            if word in seen and word != "_":
                raise PatternError(f"axis '{word}' appears twice on one side")
            seen.add(word)
            axis = word
        if open_axes is None:
            groups.append(Group(() if axis is None else (axis,), False))
        elif axis is not None:
            open_axes.append(axis)

    word = ""
    for ch in text:
        if ch not in " ()":
            word += ch
            continue
        finish(word)
        word = ""
        if ch == "(":
            if not allow_parens:
                raise PatternError("parentheses are not allowed here")
            if open_axes is not None:
                raise PatternError("parentheses cannot nest")
            open_axes = []
        elif ch == ")":
            if open_axes is None:
                raise PatternError("a ')' without its '('")
            groups.append(Group(tuple(open_axes), True))
            open_axes = None
    finish(word)
    if open_axes is not None:
        raise PatternError("a '(' is never closed")
    return Side(tuple(groups))


@dataclass(frozen=True)
class Recipe:
    op: str  # "rearrange", "reduce" or "repeat"
    left: Side
    right: Side
    axes: Tuple[str, ...]  # the axis lengths given as keywords


def prepare(op: str, pattern: str, axes: Tuple[str, ...]) -> Recipe:
    """The pattern read and checked as einops checks it before it looks at the tensor."""
    parts = pattern.split("->")
    if len(parts) != 2:
        raise PatternError("a pattern needs exactly one '->'")
    left, right = parse_side(parts[0]), parse_side(parts[1])
    if right.has_ellipsis and not left.has_ellipsis:
        raise PatternError("'...' on the right side but not on the left")
    if left.ellipsis_in_paren:
        raise PatternError("'...' cannot be in parentheses on the left side")
    lnames, rnames = left.names, right.names
    if op == "rearrange":
        if left.anonymous or right.anonymous:
            raise PatternError("rearrange takes no anonymous axes other than 1")
        if lnames != rnames:
            only = sorted(n.replace(ELLIPSIS, "...") for n in lnames ^ rnames)
            raise PatternError(f"axes on one side only: {', '.join(only)}")
    elif op == "repeat":
        if left.anonymous or lnames - rnames:
            raise PatternError("repeat cannot drop axes of the left side")
        new = rnames - lnames - set(axes)
        if new:
            raise PatternError(f"repeat needs the length of the new axes {', '.join(sorted(new))}")
    else:
        if right.anonymous or rnames - lnames:
            raise PatternError("reduce cannot make new axes")
    for name in axes:
        if not valid_name(name):
            raise PatternError(f"'{name}' is not a valid axis name")
        if name not in lnames | rnames:
            raise PatternError(f"axis '{name}' is given a length but not used in the pattern")
    for g in left.groups:
        unknown = [a for a in g.axes if isinstance(a, str) and a != ELLIPSIS and a not in axes]
        if len(unknown) > 1:
            raise PatternError(f"cannot infer the lengths of both {unknown[0]} and {unknown[1]} in ({' '.join(map(str, g.axes))})")
    return Recipe(op, left, right, tuple(axes))


@dataclass(frozen=True)
class Outcome:
    shape: Optional[Tuple[Any, ...]]  # None: the rank is unknown
    error: Optional[Tuple[str, str, Any, Any]] = None  # (code, what is wrong, declared, inferred)
    splits: Tuple[Any, ...] = ()  # symbolic axis lengths a split inferred: each a whole number >= 1


def group_text(g: Group) -> str:
    text = " ".join(("..." if a == ELLIPSIS else str(a)) for a in g.axes) or "1"
    return f"({text})" if g.paren else text


def apply(recipe: Recipe, shape: Optional[Tuple[Any, ...]], axes: Dict[str, Any]) -> Outcome:
    """The output shape for an input of ``shape`` (None: rank unknown; a None dim: its size
    unknown). ``axes``: the keyword axis lengths (None where the value is unknown)."""
    left, right = recipe.left, recipe.right
    if shape is not None:
        rank = len(shape)
        if (left.has_ellipsis and rank < left.fixed) or (not left.has_ellipsis and rank != left.fixed):
            want = f"at least {left.fixed}" if left.has_ellipsis else f"{left.fixed}"
            return Outcome(None, ("CNN107", f"the pattern expects {want} dims but the tensor has {rank}",
                                  left.fixed, rank))
    lengths: Dict[str, Any] = dict(axes)
    ell: Optional[Tuple[Any, ...]] = None
    splits = []
    i = 0
    for g in left.groups:
        if ELLIPSIS in g.axes:
            if shape is not None:
                k = len(shape) - left.fixed
                ell = tuple(shape[i:i + k])
                i += k
            continue
        size = shape[i] if shape is not None else None
        i += 1
        known = [a if isinstance(a, int) else axes[a] for a in g.axes if isinstance(a, int) or a in axes]
        rest = [a for a in g.axes if isinstance(a, str) and a not in axes]
        kp = dims.prod(known)
        n, k = dims.as_int(size), dims.as_int(kp)
        if not rest:
            if n is not None and k is not None and n != k:
                return Outcome(None, ("CNN104", f"dimension {i - 1} has size {n}, but {group_text(g)} "
                                                f"is {k}", k, n))
            continue
        if n is not None and k is not None:
            if k == 0 or n % k:
                return Outcome(None, ("CNN104", f"dimension {i - 1} of size {n} cannot be split as "
                                                f"{group_text(g)}: {n} is not a multiple of {k}", k, n))
            lengths[rest[0]] = n // k
        elif size is not None and kp is not None and k != 0:
            lengths[rest[0]] = dims.exact_div(size, kp)
            if k != 1 and dims.is_symbolic(lengths[rest[0]]):
                splits.append(lengths[rest[0]])
        else:
            lengths[rest[0]] = None
    out = []
    for g in right.groups:
        if g.axes == (ELLIPSIS,) and not g.paren:
            if ell is None:
                return Outcome(None)
            out.extend(ell)
            continue
        parts = []
        for a in g.axes:
            if a == ELLIPSIS:
                parts.append(dims.prod(ell) if ell is not None else None)
            elif isinstance(a, int):
                parts.append(a)
            else:
                parts.append(lengths.get(a))
        out.append(dims.prod(parts))
    return Outcome(tuple(out), splits=tuple(splits))


def einsum_shape(spec: str, shapes) -> Optional[Tuple[Any, ...]]:
    """einops.einsum's output shape, or None when unsure (its errors are left to torch.einsum)."""
    left, arrow, right = spec.partition("->")
    if not arrow:
        return None
    try:
        terms = [parse_side(t, allow_parens=False) for t in left.split(",")]
        out = parse_side(right, allow_parens=False)
    except PatternError:
        return None
    if len(terms) != len(shapes) or any(s is None for s in shapes):
        return None
    sizes: Dict[str, Any] = {}
    ell: Optional[Tuple[Any, ...]] = None
    for side, shape in zip(terms, shapes):
        if side.anonymous or (not side.has_ellipsis and len(shape) != side.fixed) or len(shape) < side.fixed:
            return None
        i = 0
        for g in side.groups:
            if g.axes == (ELLIPSIS,):
                k = len(shape) - side.fixed
                part = tuple(shape[i:i + k])
                if ell is not None and (len(ell) != len(part) or not all(dims.same(a, b) for a, b in zip(ell, part))):
                    return None
                ell = part
                i += k
                continue
            if not g.axes:
                return None
            name, size = g.axes[0], shape[i]
            i += 1
            if name in sizes and not dims.same(sizes[name], size):
                return None
            sizes[name] = size
    result = []
    for g in out.groups:
        if out.anonymous or not g.axes:
            return None
        if g.axes[0] == ELLIPSIS:
            if ell is None:
                return None
            result.extend(ell)
        elif g.axes[0] in sizes:
            result.append(sizes[g.axes[0]])
        else:
            return None
    return tuple(result)


# --- the interpreter's side -----------------------------------------------------------------

def free_shape(it, rank: int) -> Optional[Tuple[Any, ...]]:
    """The model's symbolic input seen through a pattern that fixes its rank."""
    names = FREE_NAMES.get(rank)
    return None if names is None else tuple(it.symbol(n) for n in names)


def input_shape(it, x, side: Optional[Side]) -> Optional[Tuple[Any, ...]]:
    """What einops sees of ``x``: a tensor's shape, a list of tensors stacked on a new first
    dimension. None when the rank is unknown."""
    if isinstance(x, Tensor):
        if x.free:
            return free_shape(it, side.fixed) if side is not None and not side.has_ellipsis else None
        return None if x.shape is None else tuple(x.shape)
    if isinstance(x, (list, tuple)) and x and all(isinstance(t, Tensor) and t.shape is not None and not t.free
                                                    for t in x):
        ranks = {len(t.shape) for t in x}
        if len(ranks) != 1:
            return None
        cols = zip(*(t.shape for t in x))
        return (len(x),) + tuple(c[0] if all(dims.same(c[0], v) for v in c) else None for c in cols)
    return None


def axis_value(it, v) -> Any:
    if isinstance(v, SymbolicObj):
        return it.symbol(v.name)
    if isinstance(v, bool) or not dims.is_dim(v):
        return None
    n = dims.as_int(v)
    return None if n is not None and n < 1 else v


def transform(it, op: str, pattern: Any, x: Any, axes: Dict[str, Any], reduction: Any = None, title: str = ""):
    """(output shape, error) of einops' ``op``; output None: unknown rank. Pattern errors are
    not returned here (see ``pattern_error``): the shape is then unknown. A split of a symbolic
    size becomes a constraint on the input sizes (the part must be a whole number >= 1)."""
    if not isinstance(pattern, str) or pattern_error(op, pattern, tuple(axes), reduction) is not None:
        return None, None
    recipe = prepare(op, pattern, tuple(axes))
    shape = input_shape(it, x, recipe.left)
    outcome = apply(recipe, shape, {k: axis_value(it, v) for k, v in axes.items()})
    for part in outcome.splits:
        it.constraints.append((part, f"{title or 'einops.' + op} output size"))
    return outcome.shape, outcome.error


def pattern_error(op: str, pattern: Any, axes: Tuple[str, ...], reduction: Any = None) -> Optional[str]:
    if not isinstance(pattern, str):
        return None
    try:
        prepare(op, pattern, axes)
    except PatternError as e:
        return str(e)
    if op == "reduce" and isinstance(reduction, str) and reduction not in REDUCTIONS:
        return f"unknown reduction '{reduction}' (einops knows {', '.join(REDUCTIONS)})"
    return None


OPS = {"rearrange": ("pattern",), "repeat": ("pattern",), "reduce": ("pattern", "reduction")}


def call(it, name: str, args, kwargs, node, arg_nodes) -> Any:
    """A call of an ``einops`` name; None when cnnlint does not know it (the caller goes on)."""
    short = name[len("einops."):]
    if short.startswith("einops."):  # einops.einops.rearrange
        short = short[len("einops."):]
    if short in OPS:
        return _functional(it, short, args, kwargs, node)
    if short in ("layers.torch.Rearrange", "layers.torch.Reduce"):
        return _build_layer(it, short.rsplit(".", 1)[1], args, kwargs, node, arg_nodes)
    if short == "parse_shape":
        return _parse_shape(it, args, kwargs, node)
    if short == "einsum":
        return _einsum(it, args, kwargs)
    if short == "pack":
        return _pack(it, args, kwargs)
    if short == "unpack":
        return _unpack(it, args, kwargs)
    return None


def _report(it, code, message, node, declared=None, inferred=None):
    report(it, code, message, node, declared=declared, inferred=inferred)


def _desc(node) -> str:
    return _call_desc(node)


def _functional(it, op, args, kwargs, node):
    names = ("tensor",) + OPS[op]
    bound: Dict[str, Any] = {}
    for i, v in enumerate(args):
        if i >= len(names):
            return it.unknown_call(None, args, node, f"einops.{op} with unexpected arguments")
        bound[names[i]] = v
    axes = {}
    for k, v in kwargs.items():
        if k in names:
            bound[k] = v
        else:
            axes[k] = v
    x, pattern = bound.get("tensor"), bound.get("pattern")
    why = pattern_error(op, pattern, tuple(axes), bound.get("reduction"))
    if why is not None:
        _report(it, "CNN108", f"{_desc(node)}: einops rejects the pattern '{pattern}': {why}", node)
        return Tensor(None)
    shape, error = transform(it, op, pattern, x, axes, bound.get("reduction"), f"einops.{op}")
    if error is not None:
        code, what, declared, inferred = error
        _report(it, code, f"{_desc(node)}: {what} (pattern '{pattern}')", node, declared, inferred)
        return Tensor(None)
    out = Tensor(shape)
    return keep_row(x, out) if isinstance(x, Tensor) else out


def _build_layer(it, kind, args, kwargs, node, arg_nodes):
    names = ("pattern",) if kind == "Rearrange" else ("pattern", "reduction")
    bound: Dict[str, Any] = {}
    axes: Dict[str, Any] = {}
    if len(args) > len(names):
        return Unknown(f"einops {kind} with unexpected arguments")
    for i, v in enumerate(args):
        bound[names[i]] = Arg(v, arg_nodes.get(i))
    for k, v in kwargs.items():
        if k in names:
            if k in bound:
                return Unknown(f"einops {kind} with unexpected arguments")
            bound[k] = Arg(v, arg_nodes.get(k), keyword=True)
        else:
            axes[k] = v
    if any(n not in bound for n in names):
        return Unknown(f"einops {kind} with unexpected arguments")
    bound["axes_lengths"] = Arg(axes)
    layer = Layer(kind, bound, node, in_loop=it.loop_depth > 0)
    pattern = bound["pattern"].value
    why = pattern_error(kind.lower(), pattern, tuple(axes), bound.get("reduction", Arg(None)).value)
    if why is not None:
        _report(it, "CNN108", f"{kind}('{pattern}'): einops rejects the pattern: {why}", node)
    return layer


def layer_forward(layer, x, ctx):
    """The forward of the Rearrange and Reduce layers (registered in cnnlint.layers.einops)."""
    op = layer.kind.lower()
    pattern = layer.value("pattern")
    axes = layer.value("axes_lengths") or {}
    shape, error = transform(ctx.interp, op, pattern, x, axes, layer.value("reduction"), ctx.layer_title())
    if x.free and ctx.row is not None and isinstance(pattern, str) and error is None:
        seen = input_shape(ctx.interp, x, _left(op, pattern, axes))
        if seen is not None:  # the model's input as this layer fixed it (analyze._free_input)
            ctx.interp.__dict__.setdefault("pattern_inputs", {})[id(ctx.row)] = seen
    if error is not None:
        code, what, declared, inferred = error
        ctx.fail(code, f"{ctx.layer_title()} receives {ctx.fmt_shape(x.shape)}: {what} (pattern '{pattern}')",
                 declared=declared, inferred=inferred)
        return Tensor(None)
    return Tensor(shape)


def _left(op, pattern, axes) -> Optional[Side]:
    try:
        return prepare(op, pattern, tuple(axes)).left
    except PatternError:
        return None


def _parse_shape(it, args, kwargs, node):
    x = args[0] if args else kwargs.get("x")
    pattern = args[1] if len(args) > 1 else kwargs.get("pattern")
    if not isinstance(pattern, str) or not isinstance(x, Tensor):
        return Unknown("einops.parse_shape")
    try:
        side = parse_side(pattern, allow_underscore=True)
    except PatternError:
        return Unknown("einops.parse_shape")
    if any(g.paren for g in side.groups):
        _report(it, "CNN108", f"{_desc(node)}: einops.parse_shape takes no parenthesised axes", node)
        return Unknown("einops.parse_shape")
    shape = input_shape(it, x, side)
    if shape is None:
        return Unknown("einops.parse_shape of a tensor of unknown rank")
    rank = len(shape)
    if (side.has_ellipsis and rank < side.fixed) or (not side.has_ellipsis and rank != side.fixed):
        _report(it, "CNN107", f"{_desc(node)}: the pattern names {side.fixed} dims but the tensor has {rank}",
                node, side.fixed, rank)
        return Unknown("einops.parse_shape")
    out: Dict[str, Any] = {}
    i = 0
    for g in side.groups:
        if g.axes == (ELLIPSIS,):
            i += rank - side.fixed
            continue
        size = shape[i]
        i += 1
        axis = g.axes[0] if g.axes else 1
        if isinstance(axis, int):
            if dims.as_int(size) is not None and dims.as_int(size) != axis:
                _report(it, "CNN104", f"{_desc(node)}: dimension {i - 1} has size {dims.as_int(size)}, not {axis}",
                        node, axis, dims.as_int(size))
                return Unknown("einops.parse_shape")
        elif axis != "_":
            out[axis] = size if size is not None else Unknown("size")
    return out


def _einsum(it, args, kwargs):
    if len(args) < 2 or not isinstance(args[-1], str) or kwargs:
        return Tensor(None)
    tensors = args[:-1]
    shapes = [t.shape if isinstance(t, Tensor) and not t.free else None for t in tensors]
    return Tensor(einsum_shape(args[-1], shapes))


def pack_side(pattern: str) -> Optional[Tuple[int, int]]:
    """(axes before '*', axes after) of a pack/unpack pattern such as 'b * c'; None when
    cnnlint does not read it (einops' own checks are left to einops)."""
    words = pattern.split()
    if words.count("*") != 1 or not all(w == "*" or valid_name(w) for w in words) or len(set(words)) != len(words):
        return None
    i = words.index("*")
    return i, len(words) - i - 1


def pack_shapes(pattern: str, shapes):
    """einops.pack: (packed shape, the '*' part of each input), or None when unsure."""
    sides = pack_side(pattern)
    if sides is None or not shapes or any(s is None for s in shapes):
        return None
    before, after = sides
    parts, first = [], None
    for shape in shapes:
        if len(shape) < before + after:
            return None
        named = tuple(shape[:before]) + (tuple(shape[len(shape) - after:]) if after else ())
        if first is None:
            first = named
        elif not all(dims.same(a, b) for a, b in zip(first, named)):
            return None
        parts.append(tuple(shape[before:len(shape) - after]))
    sizes = [dims.prod(p) for p in parts]
    total = None if any(v is None for v in sizes) else sum(sizes[1:], sizes[0])
    return first[:before] + (dims.norm(total) if total is not None else None,) + first[before:], parts


def _pack(it, args, kwargs):
    tensors = args[0] if args else kwargs.get("tensors")
    pattern = args[1] if len(args) > 1 else kwargs.get("pattern")
    if not isinstance(pattern, str) or not isinstance(tensors, (list, tuple)):
        return Unknown("einops.pack")
    shapes = [t.shape if isinstance(t, Tensor) and not t.free else None for t in tensors]
    got = pack_shapes(pattern, shapes)
    if got is None:
        return Unknown("einops.pack")
    shape, parts = got
    return (Tensor(shape), [tuple(p) for p in parts])


def _unpack(it, args, kwargs):
    packed = args[0] if args else kwargs.get("tensor")
    ps = args[1] if len(args) > 1 else kwargs.get("packed_shapes")
    pattern = args[2] if len(args) > 2 else kwargs.get("pattern")
    sides = pack_side(pattern) if isinstance(pattern, str) else None
    if (sides is None or not isinstance(packed, Tensor) or packed.shape is None or packed.free
            or not isinstance(ps, (list, tuple)) or len(packed.shape) != sides[0] + sides[1] + 1):
        return Unknown("einops.unpack")
    before, after = sides
    head, tail = tuple(packed.shape[:before]), tuple(packed.shape[before + 1:])
    out = []
    for part in ps:
        if not isinstance(part, (list, tuple)) or not all(dims.is_dim(v) for v in part):
            out.append(Tensor(None))
        else:
            out.append(Tensor(head + tuple(part) + tail))
    return out

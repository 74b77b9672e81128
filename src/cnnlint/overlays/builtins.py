"""Python's builtins over abstract values: range, len, isinstance, getattr, min/max, sorted, zip, ...

Each builtin is a function ``(it, args, kwargs, node) -> value`` registered in ``BUILTINS`` with
``@_b(name)``; what it cannot answer exactly is ``Unknown``.
"""
from __future__ import annotations

from typing import Any, Dict

from cnnlint import dims
from cnnlint.abstract.classes import lookup_class, mro
from cnnlint.abstract.mutation import _STAR_UNKNOWN
from cnnlint.abstract.values import (UnknownPlain, Builtin, EnumMember, Function, INCOMPLETE, INCOMPLETE_KEY, Layer,
                                     NameListing, Obj, Qual, SizeTuple, SymFloat, SymbolicObj, Tensor,
                                     Unknown, UserClass)
from cnnlint.abstract.values import _MISSING
from cnnlint.layers.hierarchy import layer_is
from cnnlint.overlays import pytypes
from cnnlint.overlays.pynumbers import symbolic_round
from cnnlint.overlays.torch_names import has_name

# --- Python builtins ------------------------------------------------------------------------

def _b(name):
    def register(fn):
        BUILTINS[name] = Builtin(name, fn)
        return fn

    return register


BUILTINS: Dict[str, Builtin] = {}


def _plain(args):
    return all(not isinstance(a, (Unknown, Tensor, SymbolicObj)) for a in args)


@_b("range")
def _range(it, args, kwargs, node):
    vals = [dims.as_int(a) for a in args]
    if not args or any(v is None for v in vals):
        return Unknown("range of unknown bounds")
    try:
        r = range(*vals)
    except (TypeError, ValueError):
        return Unknown("range")
    return list(r) if len(r) <= 100_000 else Unknown("huge range")


@_b("len")
def _len(it, args, kwargs, node):
    v = args[0] if args else None
    if isinstance(v, (set, frozenset)):
        return len(v)
    if isinstance(v, (list, tuple, dict, str)):
        if isinstance(v, (list, tuple)) and any(x is it_star() for x in v):
            return Unknown("length")
        return len(v)
    if isinstance(v, dict) and INCOMPLETE_KEY in v:
        return Unknown("length")
    if isinstance(v, (Layer, Obj)) and INCOMPLETE in v.children:
        return Unknown("length")
    if isinstance(v, Layer):
        return len(v.children)
    if isinstance(v, Obj) and v.cls.is_module and not v.attrs and v.children:
        return len(v.children)
    if isinstance(v, Tensor) and v.shape and not v.free:
        return v.shape[0] if dims.is_dim(v.shape[0]) else Unknown("len")
    return Unknown("len")


def it_star():
    return _STAR_UNKNOWN


def _convert(kind):
    def run(it, args, kwargs, node):
        if not args:
            return kind()
        v = args[0]
        if isinstance(v, SymbolicObj):
            v = it.symbol(v.name)
        if kind in (int, float) and (dims.is_symbolic(v) or type(v) is SymFloat):
            expr = v.expr if type(v) is SymFloat else v
            if kind is float:
                return SymFloat(expr) if not expr.is_Number else float(expr)
            out = dims.to_int(expr) if len(args) == 1 else None  # int() truncates toward zero
            return out if out is not None else Unknown("int() of a size whose sign is unknown")
        if kind is bool and type(v) is SymFloat:
            return it.truth(v)
        if type(v) is SymFloat:
            return Unknown("conversion")
        if kind in (list, tuple):
            items = it.iterate(v)
            return Unknown("conversion") if isinstance(items, Unknown) else kind(items)
        if isinstance(v, (Unknown, Tensor)):
            return UnknownPlain("conversion") if kind in (int, float, bool, str) else Unknown("conversion")
        try:
            return kind(*args)
        except Exception:
            return Unknown("conversion")

    return run


for _k in (int, float, bool, str, list, tuple):
    BUILTINS[_k.__name__] = Builtin(_k.__name__, _convert(_k))


@_b("dict")
def _dict(it, args, kwargs, node):
    out = {}
    if args:
        src = args[0]
        if isinstance(src, dict):
            out.update(src)
        else:
            items = it.iterate(src)
            if isinstance(items, Unknown):
                return items
            for pair in items:
                if isinstance(pair, (tuple, list)) and len(pair) == 2 and not isinstance(pair[0], Unknown):
                    out[pair[0]] = pair[1]
                else:
                    return Unknown("dict")
    out.update(kwargs)
    return out


def _hashable(v) -> bool:
    if isinstance(v, tuple) and not isinstance(v, SizeTuple):
        return all(_hashable(e) for e in v)
    return isinstance(v, (int, float, str, bool, type(None), UserClass, Qual, Function))


@_b("set")
def _set(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else []
    # elements that hash as Python would: numbers, strings, tuples, None, and classes and functions
    # (by identity; a torch class by its name)
    if isinstance(items, Unknown) or not all(_hashable(v) for v in items):
        return Unknown("set")
    try:
        return set(items)
    except TypeError:
        return Unknown("set")


@_b("frozenset")
def _frozenset(it, args, kwargs, node):
    out = _set(it, args, kwargs, node)
    return frozenset(out) if isinstance(out, set) else out


@_b("zip")
def _zip(it, args, kwargs, node):
    lists = [it.iterate(a) for a in args]
    if any(isinstance(l, Unknown) for l in lists):
        return Unknown("zip")
    return [tuple(t) for t in zip(*lists)]


@_b("enumerate")
def _enumerate(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("enumerate")
    if isinstance(items, Unknown):
        return items
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return [(i + start, v) for i, v in enumerate(items)]


@_b("reversed")
def _reversed(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("reversed")
    return items if isinstance(items, Unknown) else list(reversed(items))


@_b("sorted")
def _sorted(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("sorted")
    if isinstance(items, Unknown) or not _plain(items) or kwargs:
        return Unknown("sorted")
    try:
        return sorted(items)
    except TypeError:
        return Unknown("sorted")


def _reduce(fn):
    def run(it, args, kwargs, node):
        items = args if len(args) > 1 else (it.iterate(args[0]) if args else [])
        if isinstance(items, Unknown) or not _plain(items) or "key" in kwargs:
            return Unknown("min/max")
        items = [it.symbol(v.name) if isinstance(v, SymbolicObj) else v for v in items]
        if any(dims.is_symbolic(v) for v in items):
            return pytypes.symbolic_extreme(fn, items)
        try:
            return fn(items)
        except Exception:
            return Unknown("min/max")

    return run


BUILTINS["min"] = Builtin("min", _reduce(min))
BUILTINS["max"] = Builtin("max", _reduce(max))


@_b("sum")
def _sum(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("sum")
    if not isinstance(items, Unknown) and items and all(isinstance(v, Tensor) for v in items):
        total = args[1] if len(args) > 1 else 0  # sum(h(x) for h in heads): 0 + t1 + t2 + ...
        for v in items:
            total = it.binop("Add", total, v, node)
        return total
    if isinstance(items, Unknown) or any(isinstance(v, (Unknown, Tensor)) for v in items):
        return Unknown("sum")
    total: Any = args[1] if len(args) > 1 else 0
    for v in items:
        total = dims.norm(total + v)
    return total


@_b("abs")
def _abs(it, args, kwargs, node):
    v = args[0] if args else None
    if isinstance(v, (int, float)):
        return abs(v)
    return v if isinstance(v, Tensor) else Unknown("abs")


@_b("round")
def _round(it, args, kwargs, node):
    if args and isinstance(args[0], (int, float)) and all(isinstance(a, int) for a in args[1:]):
        return round(*args)
    if len(args) == 1 and not kwargs and (type(args[0]) is SymFloat or dims.is_symbolic(args[0])):
        known = symbolic_round(args[0].expr if type(args[0]) is SymFloat else args[0])
        if known is not None:
            return known
    return Unknown("round")


def _any_all(decisive: bool):
    """any() (decisive True) and all() (decisive False) over values that may be unknown."""
    def run(it, args, kwargs, node):
        items = it.iterate(args[0]) if args else Unknown("any/all")
        if isinstance(items, Unknown):
            return items
        truths = [it.truth(v) for v in items]
        if any(t is decisive for t in truths):
            return decisive
        return (not decisive) if all(t is (not decisive) for t in truths) else Unknown("any/all")

    return run


BUILTINS["any"] = Builtin("any", _any_all(True))
BUILTINS["all"] = Builtin("all", _any_all(False))


@_b("isinstance")
def _isinstance(it, args, kwargs, node):
    if len(args) != 2:
        return Unknown("isinstance")
    v, kinds = args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    result = False
    for k in kinds:
        if isinstance(k, Builtin) and k.name in ("int", "float", "bool", "str", "list", "tuple", "dict"):
            if isinstance(v, (Unknown, SymbolicObj)):
                return Unknown("isinstance")
            py = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "tuple": tuple,
                  "dict": dict}[k.name]
            if isinstance(v, py) or (k.name == "int" and dims.is_symbolic(v)):
                result = True
        elif isinstance(k, Qual) and k.name.startswith("torch.nn."):
            kind = k.name.rsplit(".", 1)[1]
            if isinstance(v, Layer):
                known = layer_is(v.kind, kind)
                if known is None:
                    return Unknown("isinstance")
                result = result or known
            elif isinstance(v, Obj):
                if kind == "Module" and v.cls.is_module:
                    result = True
                else:
                    known = pytypes.instance_of(it, v, k)
                    if known is None:
                        return Unknown("isinstance")
                    result = result or known
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif isinstance(k, Qual) and k.name == "torch.Tensor":
            if isinstance(v, Tensor):
                result = True
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif isinstance(k, UserClass):
            if isinstance(v, (Obj, EnumMember)):
                result = result or k in mro(it, v.cls)
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif pytypes.is_type_object(k):
            known = pytypes.instance_of(it, v, k)
            if known is None:
                return Unknown("isinstance")
            result = result or known
        else:
            return Unknown("isinstance")
    return result


@_b("issubclass")
def _issubclass(it, args, kwargs, node):
    known = pytypes.subclass_of(it, args[0], args[1]) if len(args) == 2 else None
    return Unknown("issubclass") if known is None else known


@_b("getattr")
def _getattr(it, args, kwargs, node):
    if len(args) >= 2 and isinstance(args[1], str):
        v = it.getattr(args[0], args[1], node)
        if isinstance(v, Unknown) and len(args) == 3:
            return args[2] if not isinstance(args[0], (Unknown, SymbolicObj)) else Unknown("getattr")
        return v
    return Unknown("getattr")


@_b("hasattr")
def _hasattr(it, args, kwargs, node):
    if len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], Obj):
        o = args[0]
        if args[1] in o.attrs or args[1] in o.children:
            return True

        value, _ = lookup_class(it, o.cls, args[1])
        return value is not _MISSING
    if len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], Qual):
        if has_name(args[0].name, args[1]):
            return True
    return Unknown("hasattr")


@_b("dir")
def _dir(it, args, kwargs, node):
    if len(args) == 1 and isinstance(args[0], Qual):
        return NameListing(args[0].name)
    return Unknown("dir()")


@_b("setattr")
def _setattr(it, args, kwargs, node):
    if len(args) == 3 and isinstance(args[1], str):
        it.setattr(args[0], args[1], args[2])
    return None


@_b("print")
def _print(it, args, kwargs, node):
    return None


@_b("type")
def _type(it, args, kwargs, node):
    if len(args) == 1 and isinstance(args[0], (Obj, EnumMember)):
        return args[0].cls
    if len(args) == 1 and isinstance(args[0], Layer):
        return Qual(f"torch.nn.{args[0].kind}")  # a Layer is an instance of torch.nn's own class
    known = pytypes.type_of(args[0]) if len(args) == 1 else None
    if known is not None:
        return BUILTINS[known] if known in BUILTINS else pytypes.NONE_TYPE
    return Unknown("type()")


@_b("iter")
def _iter(it, args, kwargs, node):
    return args[0] if args else Unknown("iter")


@_b("map")
def _map(it, args, kwargs, node):
    if len(args) < 2:
        return Unknown("map")
    lists = [it.iterate(a) for a in args[1:]]
    if any(isinstance(l, Unknown) for l in lists):
        return Unknown("map")
    return [it.call(args[0], list(vals), {}, node) for vals in zip(*lists)]


@_b("divmod")
def _divmod(it, args, kwargs, node):
    if len(args) == 2 and all(isinstance(a, int) for a in args) and args[1]:
        return divmod(*args)
    return Unknown("divmod")


@_b("NotImplementedError")
def _nie(it, args, kwargs, node):
    return Unknown("exception")

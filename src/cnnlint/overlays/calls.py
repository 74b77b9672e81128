"""What the overlay functions share: reading a call's arguments, the dims they hold, and
reporting a failure PyTorch certainly raises."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.findings import fmt_shape
from cnnlint.abstract.tensors import _call_desc, _report
from cnnlint.abstract.values import SizeTuple, SymbolicObj, Tensor, Unknown

MISSING = object()


def arg(args, kwargs, i: int, name: str, default: Any = None) -> Any:
    """The argument at position ``i`` or keyword ``name``."""
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


def dim_of(it, v) -> Any:
    """A size as a dim (int or sympy expression), else None."""
    if isinstance(v, SymbolicObj):
        return it.symbol(v.name)
    if isinstance(v, bool):
        return None
    return v if dims.is_dim(v) else None


def dims_of(it, v) -> Optional[Tuple[Any, ...]]:
    """A list/tuple/torch.Size of sizes as dims (None for a size cnnlint cannot tell), or None
    when the length itself is unknown."""
    if isinstance(v, Tensor) and v.values is not None:
        v = v.values
    if not isinstance(v, (list, tuple, SizeTuple)):
        return None
    return tuple(dim_of(it, s) for s in v)


def shape_of(t) -> Optional[Tuple[Any, ...]]:
    """A tensor's shape when its rank is known (not the model's free input)."""
    if isinstance(t, Tensor) and not t.free and t.shape is not None:
        return tuple(t.shape)
    return None


def fmt(shape) -> str:
    return fmt_shape(shape)


def report(it, code: str, message: str, node, declared=None, inferred=None):
    _report(it, code, message, node, declared=declared, inferred=inferred)


def desc(node) -> str:
    return _call_desc(node)


def differ(a, b) -> bool:
    """Two sizes that certainly differ."""
    return a is not None and b is not None and dims.definitely_differ(a, b)


def unknown(it, name: str, args, node) -> Unknown:
    return it.unknown_call(Unknown(name), list(args), node, f"{name} on values cnnlint cannot follow")


def registry(table: Dict[str, Callable]) -> Callable:
    """The decorator ``@op("name", ...)`` that files a function under those names in ``table``."""
    def op(*names: str):
        def register(fn):
            for n in names:
                table[n] = fn
            return fn

        return register

    return op


def method_as_function(fn):
    """torch.f(x, ...) for the tensor method x.f(...): the tensor is the first argument or ``input``."""
    def run(it, args, kwargs, node):
        x = args[0] if args else kwargs.get("input")
        if not isinstance(x, Tensor):
            return it.unknown_call(Unknown("torch function"), list(args), node, "torch function on a non-tensor")
        return fn(it, x, list(args[1:]), {k: v for k, v in kwargs.items() if k != "input"}, node)

    return run

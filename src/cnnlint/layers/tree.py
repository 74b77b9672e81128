"""The tree of an nn.Module: its children and named submodules, and its parameter count."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from cnnlint import dims
from cnnlint.abstract.values import INCOMPLETE, Layer, Obj, is_module
from cnnlint.layers.base import LAYERS


def named_modules(root, prefix: str = "") -> Iterator[Tuple[str, Any]]:
    """(name, module) pairs in torch's order, each module once."""
    seen = set()
    stack: List[Tuple[str, Any]] = [(prefix, root)]

    def walk(name, module):
        if id(module) in seen:
            return
        seen.add(id(module))
        yield name, module
        for child_name, child in children_of(module).items():
            if child is None or not is_module(child):
                continue
            yield from walk(f"{name}.{child_name}" if name else child_name, child)

    del stack
    yield from walk(prefix, root)


def children_of(module) -> Dict[str, Any]:
    if isinstance(module, (Layer, Obj)):
        return module.children
    return {}


def count_params(root) -> Any:
    total: Any = 0
    for _, module in named_modules(root):
        if any(c is not None and not is_module(c) for c in children_of(module).values()):
            return None  # a child cnnlint could not build: the count would be a wrong number
        n = own_params(module)
        if n is None:
            return None
        total = dims.add(total, n)
    return total


def own_params(module) -> Any:
    if isinstance(module, Layer):
        if module.is_container:
            return None if INCOMPLETE in module.children else 0
        fn = LAYERS[module.kind].params
        n = 0 if fn is None else fn(module)
        for extra in getattr(module, "extra_params", {}).values():  # weight_norm's weight_g
            n = None if n is None or extra is None else dims.add(n, extra)
        return n
    if isinstance(module, Obj):
        if INCOMPLETE in module.children:
            return None
        total: Any = 0 if module.base_layer is None else own_params(module.base_layer)
        for _, t in module.params:
            n = dims.prod(t.shape) if t is not None and t.shape is not None else None
            if n is None:
                return None
            total = dims.add(total, n)
        return total
    return 0


def subtree_params(module) -> Any:
    return count_params(module)

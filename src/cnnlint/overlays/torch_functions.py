"""torch.* functions beyond tensors.TORCH_FUNCTIONS: each one function
``(it, args, kwargs, node) -> value`` in ``OPS``, fitted to PyTorch 2.13."""
from __future__ import annotations

from typing import Callable, Dict

from cnnlint.interpret.values import SizeTuple, Tensor
from cnnlint.overlays.calls import desc, dims_of, fmt, report, shape_of, unknown

OPS: Dict[str, Callable] = {}


def op(*names: str):
    def register(fn):
        for n in names:
            OPS[n] = fn
        return fn

    return register


@op("meshgrid", "functional.meshgrid")
def meshgrid(it, args, kwargs, node):
    """meshgrid(a, b, ..., indexing="ij"|"xy") or meshgrid([a, b, ...]): a tuple of one tensor per
    input, each of shape (len(a), len(b), ...); "xy" swaps the first two sizes. A 0-D input
    counts as size 1."""
    tensors = list(args)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = list(tensors[0])
    elif len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        return unknown(it, "torch.meshgrid", args, node)
    indexing = kwargs.get("indexing", "ij")
    if indexing is None:
        indexing = "ij"
    if not isinstance(indexing, str) or not all(isinstance(t, Tensor) for t in tensors):
        return unknown(it, "torch.meshgrid", tensors, node)
    if indexing not in ("ij", "xy"):
        report(it, "CNN108", f"{desc(node)}: indexing must be 'ij' or 'xy', got {indexing!r}", node)
        return tuple(Tensor(None) for _ in tensors)
    if not tensors:
        report(it, "CNN108", f"{desc(node)}: meshgrid needs at least one tensor", node)
        return ()
    sizes = []
    for t in tensors:
        s = shape_of(t)
        if s is None:
            sizes.append(None)
        elif len(s) > 1:
            report(it, "CNN107", f"{desc(node)}: meshgrid takes 0D or 1D tensors, got {fmt(s)}", node)
            return tuple(Tensor(None) for _ in tensors)
        else:
            sizes.append(s[0] if s else 1)
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return tuple(Tensor(tuple(sizes)) for _ in tensors)


@op("Size")
def size(it, args, kwargs, node):
    """torch.Size((2, 3)): the sizes as a tuple, like x.size()."""
    if len(args) == 1 and not kwargs:
        found = dims_of(it, args[0])
        if found is not None and all(d is not None for d in found):
            return SizeTuple(found)
    if not args and not kwargs:
        return SizeTuple(())
    return unknown(it, "torch.Size", args, node)

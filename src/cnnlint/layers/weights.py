"""The shape of a layer's ``weight`` (and the size arguments read as sizes): what
``layer.weight.shape`` gives, for Linear, Conv*, norms and Embedding.
"""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import Layer, SymbolicObj, Tensor
from cnnlint.layers.base import ntuple


def as_dim(value):
    """A layer argument as a size: a parameter without a value is its symbol; anything that is
    not a size is None (unknown), so no shape ever holds something else."""
    if isinstance(value, SymbolicObj):
        return dims.symbol(value.name)
    return value if dims.is_dim(value) else None


def weight_tensor(layer: Layer):
    k = layer.kind
    if k in ("Linear", "LazyLinear"):
        return Tensor((as_dim(layer.value("out_features")), as_dim(layer.value("in_features"))), param=True)
    if k.startswith(("Conv", "LazyConv")) and k[-2:] in ("1d", "2d", "3d"):
        n = int(k[-2])
        kern = ntuple(layer.value("kernel_size"), n)
        if kern is None:
            return Tensor(None, param=True)
        g = as_dim(layer.value("groups", 1))
        cin, cout = as_dim(layer.value("in_channels")), as_dim(layer.value("out_channels"))
        if "Transpose" in k:  # [in, out / groups, *kernel]
            shape = (cin, dims.exact_div(cout, g) if cout is not None and g is not None else None)
        else:  # [out, in / groups, *kernel]
            shape = (cout, dims.exact_div(cin, g) if cin is not None and g is not None else None)
        return Tensor(shape + tuple(as_dim(v) for v in kern), param=True)
    if k == "LayerNorm":
        shape = layer.value("normalized_shape")
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        return Tensor(tuple(as_dim(v) for v in shape), param=True)
    if k == "Embedding":
        return Tensor((as_dim(layer.value("num_embeddings")), as_dim(layer.value("embedding_dim"))), param=True)
    if "Norm" in k:
        c = layer.value("num_features", layer.value("num_channels"))
        return Tensor((as_dim(c),), param=True)
    return Tensor(None, param=True)

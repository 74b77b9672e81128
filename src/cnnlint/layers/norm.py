"""Normalization: BatchNorm, InstanceNorm, GroupNorm, LayerNorm, LocalResponseNorm."""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import Tensor
from cnnlint.layers.base import KEYWORD_ONLY, keep, layer, sig

BN_SIG = sig("num_features", ("eps", 1e-5), ("momentum", 0.1), ("affine", True),
             ("track_running_stats", True), ("device", None), ("dtype", None), KEYWORD_ONLY, ("bias", True))
SYNC_BN_SIG = sig("num_features", ("eps", 1e-5), ("momentum", 0.1), ("affine", True),
                  ("track_running_stats", True), ("process_group", None), ("device", None), ("dtype", None),
                  KEYWORD_ONLY, ("bias", True))
IN_SIG = sig("num_features", ("eps", 1e-5), ("momentum", 0.1), ("affine", False),
             ("track_running_stats", False), ("device", None), ("dtype", None), KEYWORD_ONLY, ("bias", True))


def affine_params(arg: str, flag: str, default: bool = True):
    """weight and bias of ``arg`` elements each when ``flag`` is on; `bias=False` (a keyword-only
    argument of the batch, instance and group norms in torch 2.13) drops the bias."""
    def count(layer):
        c = layer.value(arg)
        if layer.value(flag, default) is False:
            return 0
        if not dims.is_dim(c):
            return None
        return c if layer.value("bias", True) is False else dims.mul(2, c)

    return count


def _batchnorm(ranks, n_spatial: int):
    def run(layer, x, ctx):
        c = layer.value("num_features")
        if x.free and len(ranks) > 1:
            return x  # 2D or 3D (BatchNorm1d): its rank would be a guess; the shape stays as it is
        if x.free:
            x = Tensor((ctx.batch(), c if dims.is_dim(c) else ctx.symbol("C"))
                       + tuple(ctx.symbol(s) for s in ("D", "H", "W")[3 - n_spatial:]) if n_spatial else
                       (ctx.batch(), c if dims.is_dim(c) else ctx.symbol("C")))
        if x.shape is None:
            return x
        if len(x.shape) not in ranks:
            want = " or ".join(f"{r}D" for r in ranks)
            ctx.fail("CNN107", f"{ctx.layer_title()} expects a {want} input but receives "
                               f"{len(x.shape)}D {ctx.fmt_shape(x.shape)}")
            return Tensor(None)
        ctx.expect("num_features", c, x.shape[1], "CNN101", "channels")
        return x

    return run


def _instancenorm(n: int):
    def run(layer, x, ctx):
        c = layer.value("num_features")
        if x.free:
            ctx.interp.rank_assumed = True
            lead = () if ctx.interp.unbatched else (ctx.batch(),)
            return Tensor(lead + (c if dims.is_dim(c) else ctx.symbol("C"),)
                          + tuple(ctx.symbol(s) for s in ("D", "H", "W")[3 - n:]))
        if x.shape is None:
            return x
        if len(x.shape) not in (n + 1, n + 2):
            ctx.fail("CNN107", f"{ctx.layer_title()} expects a {n + 1}D or {n + 2}D input but receives "
                               f"{len(x.shape)}D {ctx.fmt_shape(x.shape)}")
            return Tensor(None)
        ca = 0 if len(x.shape) == n + 1 else 1
        if layer.value("affine", False) is True:
            ctx.expect("num_features", c, x.shape[ca], "CNN101", "channels")
        return x

    return run


def _group_check(layer, ctx):
    g, c = dims.as_int(layer.value("num_groups")), dims.as_int(layer.value("num_channels"))
    if g and c is not None and c % g:
        ctx.fail("CNN105", f"{ctx.layer_title()} num_channels={c} is not divisible by num_groups={g}",
                 arg="num_channels", declared=c)


@layer("GroupNorm", sig("num_groups", "num_channels", ("eps", 1e-5), ("affine", True), ("device", None),
                        ("dtype", None), KEYWORD_ONLY, ("bias", True)),
       params=affine_params("num_channels", "affine"), build_check=_group_check)
def group_norm(layer, x, ctx):
    if x.free:
        return x  # any rank from 2 up passes, unchanged: the rank stays open
    c = layer.value("num_channels")
    if x.shape is None:
        return x
    if len(x.shape) < 2:
        ctx.fail("CNN107", f"{ctx.layer_title()} expects at least a 2D input, got {ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    ctx.expect("num_channels", c, x.shape[1], "CNN101", "channels")
    return x


@layer("LayerNorm", sig("normalized_shape", ("eps", 1e-5), ("elementwise_affine", True), ("bias", True),
                        ("device", None), ("dtype", None)),
       params=lambda l: _layernorm_params(l))
def layer_norm(layer, x, ctx):
    shape = layer.value("normalized_shape")
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if x.shape is None:
        # rank unknown: the last dimension, when known, must be the last normalized size
        if x.last is not None and shape:
            ctx.expect("normalized_shape", shape[-1], x.last, "CNN101", "trailing size",
                       index=len(shape) - 1 if len(shape) > 1 else None)
        last = x.last if x.last is not None else shape[-1] if shape and dims.is_dim(shape[-1]) else None
        return Tensor(None, last=last)
    if len(x.shape) < len(shape):
        ctx.fail("CNN107", f"{ctx.layer_title()} normalizes the last {len(shape)} dimensions but its input "
                           f"{ctx.fmt_shape(x.shape)} has fewer")
        return Tensor(None)
    tail = x.shape[len(x.shape) - len(shape):]
    for i, (want, have) in enumerate(zip(shape, tail)):
        if not ctx.expect("normalized_shape", want, have, "CNN101", "trailing size",
                          index=i if len(shape) > 1 else None):
            break
    return x


def _layernorm_params(layer):
    shape = layer.value("normalized_shape")
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if layer.value("elementwise_affine", True) is False:
        return 0
    n = dims.prod(s if dims.is_dim(s) else None for s in shape)
    if n is None:
        return None
    return dims.mul(2, n) if layer.value("bias", True) is not False else n


layer("BatchNorm1d", BN_SIG, params=affine_params("num_features", "affine"))(_batchnorm((2, 3), 0))
layer("BatchNorm2d", BN_SIG, params=affine_params("num_features", "affine"))(_batchnorm((4,), 2))
layer("BatchNorm3d", BN_SIG, params=affine_params("num_features", "affine"))(_batchnorm((5,), 3))
layer("SyncBatchNorm", SYNC_BN_SIG, params=affine_params("num_features", "affine"))(_batchnorm((2, 3, 4, 5), 2))
for _n in (1, 2, 3):
    layer(f"InstanceNorm{_n}d", IN_SIG, params=affine_params("num_features", "affine", False))(_instancenorm(_n))
layer("LocalResponseNorm", sig("size", ("alpha", 1e-4), ("beta", 0.75), ("k", 1.0)))(keep)

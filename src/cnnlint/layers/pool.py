"""Pooling: MaxPool/AvgPool/LPPool 1d/2d/3d, adaptive pooling, and their functional forms."""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import Tensor
from cnnlint.layers.base import channel_axis, functional, layer, ntuple, sig, spatial_input

MAX_SIG = sig("kernel_size", ("stride", None), ("padding", 0), ("dilation", 1),
              ("return_indices", False), ("ceil_mode", False))
AVG_SIG = sig("kernel_size", ("stride", None), ("padding", 0), ("ceil_mode", False),
              ("count_include_pad", True), ("divisor_override", None))
AVG1_SIG = sig("kernel_size", ("stride", None), ("padding", 0), ("ceil_mode", False),
               ("count_include_pad", True))
LP_SIG = sig("norm_type", "kernel_size", ("stride", None), ("ceil_mode", False))
ADAPTIVE_SIG = sig("output_size", ("return_indices", False))


def pool_kernel(layer):
    return ntuple(layer.value("kernel_size"), int(layer.kind[-2]))


def _pool(n: int, kind: str):
    def run(layer, x, ctx):
        x = spatial_input(x, ctx, n)
        if x is None:
            return Tensor(None)
        ca = channel_axis(x, n)
        k = ntuple(layer.value("kernel_size"), n)
        stride = layer.value("stride")
        s = k if stride is None or stride == () or stride == [] else ntuple(stride, n)
        d = ntuple(layer.value("dilation", 1), n) if kind == "max" else (1,) * n
        p = ntuple(layer.value("padding", 0), n) if kind != "lp" else (0,) * n
        ceil = layer.value("ceil_mode", False)
        if k is None or s is None or d is None or p is None or not isinstance(ceil, bool):
            ctx.note(f"{ctx.layer_title()}: cannot read its kernel, stride or padding")
            return Tensor(x.shape[:ca + 1] + (None,) * n)
        out = []
        for i, size in enumerate(x.shape[ca + 1:]):
            out.append(_out_size(ctx, size, k[i], s[i], p[i], d[i], ceil, i, n, kind))
        result = Tensor(x.shape[:ca + 1] + tuple(out))
        if layer.value("return_indices", False) is True:
            return (result, result)
        return result

    return run


def _out_size(ctx, size, k, s, p, d, ceil, i, n, kind):
    if size is None or not all(dims.is_dim(v) for v in (k, s, p, d)):
        return None
    ik, is_, ip, id_ = (dims.as_int(v) for v in (k, s, p, d))
    if ik is not None and ik <= 0:
        ctx.fail("CNN108", f"{ctx.layer_title()} has kernel size {ik}; it must be positive", arg="kernel_size")
        return None
    if is_ is not None and is_ <= 0:
        ctx.fail("CNN108", f"{ctx.layer_title()} has stride {is_}; it must be positive", arg="stride")
        return None
    if ik is not None and ip is not None:
        limit = ((ik - 1) * (id_ or 1) + 1) / 2 if kind == "max" else ik / 2
        if ip > limit:
            ctx.fail("CNN108", f"{ctx.layer_title()} has padding {ip}, more than half its kernel size {ik}",
                     arg="padding", declared=ip)
            return None
    eff = dims.add(dims.mul(d, dims.sub(k, 1)), 1)
    padded = dims.add(size, dims.mul(2, p))
    num = dims.sub(padded, eff)
    axis = ctx.axis_name(i, n)
    if ceil:
        out = dims.add(dims.ceildiv(num, s), 1)
        # the last window must start inside the input or the left padding
        o, sz = dims.as_int(out), dims.as_int(size)
        if o is not None and sz is not None and is_ is not None and ip is not None:
            if (o - 1) * is_ >= sz + ip:
                out = o - 1
        elif o is None:
            ctx.note_symbolic_ceil()
        ctx.explain(lambda: f"ceil(({dims.fmt(size)} + 2*{p} - {dims.fmt(eff)}) / {s}) + 1 = {dims.fmt(out)}")
    else:
        out = dims.add(dims.floordiv(num, s), 1)
        ctx.explain(lambda: f"({dims.fmt(size)} + 2*{p} - {dims.fmt(eff)}) // {s} + 1 = {dims.fmt(out)}")
    return ctx.positive(out, axis, lambda: f"{ctx.layer_title()} window {dims.fmt(eff)} is larger than its padded input "
                                   f"{axis} {dims.fmt(padded)}", kernel=eff, room=padded)


def _adaptive(n: int):
    def run(layer, x, ctx):
        x = spatial_input(x, ctx, n)
        if x is None:
            return Tensor(None)
        ca = channel_axis(x, n)
        size = layer.value("output_size")
        if isinstance(size, (tuple, list)) and len(size) == n:
            want = tuple(size)
        else:
            want = ntuple(size, n)
        if want is None:
            ctx.note(f"{ctx.layer_title()}: cannot read its output_size")
            return Tensor(x.shape[:ca + 1] + (None,) * n)
        out = tuple(x.shape[ca + 1 + i] if v is None else (v if dims.is_dim(v) else None)
                    for i, v in enumerate(want))
        result = Tensor(x.shape[:ca + 1] + out)
        if layer.value("return_indices", False) is True:
            return (result, result)
        return result

    return run


for _n in (1, 2, 3):
    layer(f"MaxPool{_n}d", MAX_SIG, kernel=pool_kernel)(_pool(_n, "max"))
    layer(f"AvgPool{_n}d", AVG1_SIG if _n == 1 else AVG_SIG, kernel=pool_kernel)(_pool(_n, "avg"))
    layer(f"AdaptiveAvgPool{_n}d", sig("output_size"))(_adaptive(_n))
    layer(f"AdaptiveMaxPool{_n}d", ADAPTIVE_SIG)(_adaptive(_n))
    functional(f"max_pool{_n}d", f"MaxPool{_n}d",
               sig("kernel_size", ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False),
                   ("return_indices", False)))
    functional(f"avg_pool{_n}d", f"AvgPool{_n}d",
               sig("kernel_size", ("stride", None), ("padding", 0), ("ceil_mode", False),
                   ("count_include_pad", True), ("divisor_override", None)))
    functional(f"adaptive_avg_pool{_n}d", f"AdaptiveAvgPool{_n}d", sig("output_size"))
    functional(f"adaptive_max_pool{_n}d", f"AdaptiveMaxPool{_n}d", sig("output_size", ("return_indices", False)))
    functional(f"max_pool{_n}d_with_indices", f"MaxPool{_n}d",
               sig("kernel_size", ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False),
                   ("return_indices", True)))
def _unpool(n: int):
    """MaxUnpool: (input, indices, output_size=None). Each size becomes (in - 1) * stride -
    2 * padding + kernel, or the last n entries of output_size when it is given."""
    def run(layer, x, ctx):
        x = spatial_input(x, ctx, n)
        if x is None:
            return Tensor(None)
        ca = channel_axis(x, n)
        indices = ctx.more[0] if ctx.more else ctx.kwargs.get("indices", layer.value("indices"))
        if isinstance(indices, Tensor) and indices.shape is not None and (
                len(indices.shape) != len(x.shape) or
                any(dims.definitely_differ(a, b) for a, b in zip(indices.shape, x.shape))):
            ctx.fail("CNN106", f"{ctx.layer_title()} gets indices of shape {ctx.fmt_shape(indices.shape)} for an "
                               f"input of shape {ctx.fmt_shape(x.shape)}; they must be the same (the pool that "
                               "made the indices saw another input)")
            return Tensor(None)
        given = ctx.more[1] if len(ctx.more) > 1 else ctx.kwargs.get("output_size", layer.value("output_size"))
        if given is not None:
            sizes = given.shape if isinstance(given, Tensor) else given
            if isinstance(sizes, (list, tuple)) and len(sizes) >= n and \
                    all(dims.is_dim(v) or v is None for v in sizes[-n:]):
                return Tensor(x.shape[:ca + 1] + tuple(sizes[-n:]))
            return Tensor(x.shape[:ca + 1] + (None,) * n)
        k = ntuple(layer.value("kernel_size"), n)
        stride = layer.value("stride")
        s = k if stride is None else ntuple(stride, n)
        p = ntuple(layer.value("padding", 0), n)
        if k is None or s is None or p is None:
            return Tensor(x.shape[:ca + 1] + (None,) * n)
        out = []
        for i, size in enumerate(x.shape[ca + 1:]):
            if size is None or not all(dims.is_dim(v) for v in (k[i], s[i], p[i])):
                out.append(None)
                continue
            out.append(dims.add(dims.sub(dims.mul(dims.sub(size, 1), s[i]), dims.mul(2, p[i])), k[i]))
        return Tensor(x.shape[:ca + 1] + tuple(out))

    return run


for _n in (1, 2, 3):
    layer(f"MaxUnpool{_n}d", sig("kernel_size", ("stride", None), ("padding", 0)), kernel=pool_kernel)(_unpool(_n))
    functional(f"max_unpool{_n}d", f"MaxUnpool{_n}d",
               sig("indices", "kernel_size", ("stride", None), ("padding", 0), ("output_size", None)))
    layer(f"LPPool{_n}d", LP_SIG, kernel=pool_kernel)(_pool(_n, "lp"))
    functional(f"lp_pool{_n}d", f"LPPool{_n}d", sig("norm_type", "kernel_size", ("stride", None), ("ceil_mode", False)))

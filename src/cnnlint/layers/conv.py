"""Convolutions: Conv1d/2d/3d, ConvTranspose1d/2d/3d and their lazy forms."""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import Arg, Tensor
from cnnlint.layers.base import (channel_axis, dim_or_none, layer, ntuple, sig, spatial_input)

CONV_SIG = sig("in_channels", "out_channels", "kernel_size", ("stride", 1), ("padding", 0),
               ("dilation", 1), ("groups", 1), ("bias", True), ("padding_mode", "zeros"),
               ("device", None), ("dtype", None))
TRANSPOSE_SIG = sig("in_channels", "out_channels", "kernel_size", ("stride", 1), ("padding", 0),
                    ("output_padding", 0), ("groups", 1), ("bias", True), ("dilation", 1),
                    ("padding_mode", "zeros"), ("device", None), ("dtype", None))
LAZY_SIG = sig("out_channels", "kernel_size", ("stride", 1), ("padding", 0), ("dilation", 1),
               ("groups", 1), ("bias", True), ("padding_mode", "zeros"), ("device", None), ("dtype", None))


def _geometry(layer, n):
    k = ntuple(layer.value("kernel_size"), n)
    s = ntuple(layer.value("stride", 1), n)
    d = ntuple(layer.value("dilation", 1), n)
    p = layer.value("padding", 0)
    if not (isinstance(p, str) and p in ("same", "valid")):  # (a sympy size compared to a str parses it)
        p = ntuple(p, n)
    return k, s, d, p


def check_positive(layer, ctx):
    """Non-positive kernel, stride or dilation, negative padding: PyTorch refuses them."""
    n = int(layer.kind[-2])
    for arg, low in (("kernel_size", 1), ("stride", 1), ("dilation", 1), ("padding", 0)):
        values = layer.value(arg, 1 if arg != "padding" else 0)
        if isinstance(values, str) and values in ("same", "valid"):
            continue
        for v in ntuple(values, n) or ():
            iv = dims.as_int(v)
            if iv is not None and iv < low:
                ctx.fail("CNN108", f"{ctx.layer_title()} has {arg}={iv}; PyTorch needs "
                                   f"{'a positive' if low else 'a non-negative'} {arg}", arg=arg, declared=iv)
                return


def check_groups(layer, ctx):
    """At construction, as PyTorch: groups must divide both channel counts."""
    groups = layer.value("groups", 1)
    for arg in ("in_channels", "out_channels"):
        c = layer.value(arg)
        g, ci = dims.as_int(groups), dims.as_int(c)
        if g is not None and g <= 0:
            ctx.fail("CNN108", f"{ctx.layer_title()} has groups={g}; groups must be a positive integer",
                     arg="groups", declared=g)
            return
        if g and ci is not None and ci % g:
            ctx.fail("CNN105", f"{ctx.layer_title()} {arg}={ci} is not divisible by groups={g}",
                     arg=arg, declared=ci)
    p = layer.value("padding", 0)
    if isinstance(p, str) and p == "same":
        if any(dims.as_int(v) not in (1, None) for v in (ntuple(layer.value("stride", 1), 3) or ())):
            ctx.fail("CNN108", f"{ctx.layer_title()} uses padding='same' with a stride other than 1, "
                               "which PyTorch does not support", arg="padding")


def check_output_padding(layer, ctx):
    n = int(layer.kind[-2])
    op = ntuple(layer.value("output_padding", 0), n)
    s = ntuple(layer.value("stride", 1), n)
    d = ntuple(layer.value("dilation", 1), n)
    if op is None or s is None or d is None:
        return
    for o, si, di in zip(op, s, d):
        o, si, di = dims.as_int(o), dims.as_int(si), dims.as_int(di)
        if o is not None and si is not None and di is not None and o >= max(si, di):
            ctx.fail("CNN108", f"{ctx.layer_title()} has output_padding={o}, which must be smaller than its "
                               f"stride ({si}) or dilation ({di})", arg="output_padding", declared=o)
            return


def conv_params(layer):
    cin, cout = layer.value("in_channels"), layer.value("out_channels")
    k = ntuple(layer.value("kernel_size"), _rank(layer))
    g = layer.value("groups", 1)
    if not all(dims.is_dim(v) for v in (cin, cout, g)) or k is None or not all(dims.is_dim(v) for v in k):
        return None
    per = dims.exact_div(cin, g) if "Transpose" not in layer.kind else dims.exact_div(cout, g)
    if per is None:
        return None
    other = cout if "Transpose" not in layer.kind else cin
    weight = dims.mul(dims.mul(other, per), dims.prod(k))
    bias = layer.value("bias", True)
    return dims.add(weight, cout) if bias is not False else weight


def conv_kernel(layer):
    return ntuple(layer.value("kernel_size"), _rank(layer))


def _rank(layer) -> int:
    return int(layer.kind[-2])


def _conv(n: int, transpose: bool):
    def run(layer, x, ctx):
        # PyTorch checks these when the layer runs, not when it is built
        check_positive(layer, ctx)
        if transpose:
            check_output_padding(layer, ctx)
        cin = layer.value("in_channels")
        cout = layer.value("out_channels")
        x = spatial_input(x, ctx, n, cin)
        if x is None:
            return Tensor(None)
        ca = channel_axis(x, n)
        if cin is not None:
            ctx.expect("in_channels", cin, x.shape[ca], "CNN101", "input channels")
        elif layer.kind.startswith("Lazy"):
            layer.args["in_channels"] = Arg(x.shape[ca])
        k, s, d, p = _geometry(layer, n)
        if k is None or s is None or d is None or p is None:
            ctx.note(f"{ctx.layer_title()}: cannot read its kernel, stride, padding or dilation")
            return Tensor(x.shape[:ca] + (dim_or_none(cout),) + (None,) * n)
        out = []
        for i, size in enumerate(x.shape[ca + 1:]):
            out.append(_out_size(layer, ctx, size, k[i], s[i], d[i], p, i, n, transpose))
        return Tensor(x.shape[:ca] + (dim_or_none(cout),) + tuple(out))

    return run


def _out_size(layer, ctx, size, k, s, d, p, i, n, transpose):
    if size is None or not all(dims.is_dim(v) for v in (k, s, d)):
        return None
    axis = ctx.axis_name(i, n)
    if transpose:
        op = ntuple(layer.value("output_padding", 0), n)
        pi = p[i] if isinstance(p, tuple) else 0
        if op is None or not dims.is_dim(pi):
            return None
        out = dims.add(dims.add(dims.sub(dims.mul(dims.sub(size, 1), s), dims.mul(2, pi)),
                                dims.mul(d, k - 1)), op[i] + 1)
        ctx.explain(lambda: f"({dims.fmt(size)} - 1)*{s} - 2*{pi} + {d}*({k} - 1) + {op[i]} + 1 = {dims.fmt(out)}")
        return ctx.positive(out, axis, lambda: f"{ctx.layer_title()} output {axis}")
    if p == "same":
        ctx.explain(lambda: f"padding='same': {dims.fmt(size)}")
        return size
    pi = 0 if p == "valid" else p[i]
    if not dims.is_dim(pi):
        return None
    eff = dims.add(dims.mul(d, dims.sub(k, 1)), 1)
    padded = dims.add(size, dims.mul(2, pi))
    out = dims.add(dims.floordiv(dims.sub(padded, eff), s), 1)
    kdesc = f"{k}" if dims.as_int(d) == 1 else f"{d}*({k} - 1) + 1"
    ctx.explain(lambda: f"({dims.fmt(size)} + 2*{pi} - {kdesc}) // {s} + 1 = {dims.fmt(out)}")
    return ctx.positive(out, axis, lambda: f"{ctx.layer_title()} kernel {dims.fmt(eff)} is larger than its padded input "
                                   f"{axis} {dims.fmt(padded)}", kernel=eff, room=padded)


for _n in (1, 2, 3):
    layer(f"Conv{_n}d", CONV_SIG, params=conv_params, build_check=check_groups, kernel=conv_kernel)(_conv(_n, False))
    layer(f"ConvTranspose{_n}d", TRANSPOSE_SIG, params=conv_params, build_check=check_groups,
          kernel=conv_kernel)(_conv(_n, True))
    layer(f"LazyConv{_n}d", LAZY_SIG, params=conv_params, kernel=conv_kernel)(_conv(_n, False))
    layer(f"LazyConvTranspose{_n}d", sig("out_channels", "kernel_size", ("stride", 1), ("padding", 0),
                                         ("output_padding", 0), ("groups", 1), ("bias", True),
                                         ("dilation", 1), ("padding_mode", "zeros"), ("device", None),
                                         ("dtype", None)), params=conv_params, kernel=conv_kernel)(_conv(_n, True))

"""Sliding blocks: nn.Unfold (im2col) and nn.Fold (col2im), and F.unfold / F.fold.

Unfold: [N, C, H, W] -> [N, C*kh*kw, L], L the number of block positions,
prod((size + 2*padding - dilation*(kernel-1) - 1) // stride + 1). Fold takes
[N, C*kh*kw, L] back to [N, C, *output_size]; L must be the number of positions in
output_size. Both take the unbatched form too (one dim fewer)."""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import Tensor
from cnnlint.layers.base import functional, layer, ntuple, sig

SLIDE = (("dilation", 1), ("padding", 0), ("stride", 1))


def _blocks(layer, spatial):
    """Positions per spatial dim, or None where unknown; each known one >= 1 or it is an error."""
    k, d, p, s = (ntuple(layer.value(n), 2) for n in ("kernel_size", "dilation", "padding", "stride"))
    if None in (k, d, p, s):
        return None
    out = []
    for size, kk, dd, pp, ss in zip(spatial, k, d, p, s):
        if not all(dims.is_dim(v) for v in (size, kk, dd, pp, ss)) or dims.as_int(ss) in (None, 0):
            out.append(None)
            continue
        out.append(dims.floordiv(dims.sub(dims.add(size, dims.mul(2, pp)), dims.add(dims.mul(dd, dims.sub(kk, 1)), 1)),
                                 ss) + 1)
    return out


@layer("Unfold", sig("kernel_size", *SLIDE))
def unfold(layer, x, ctx):
    if x.free or x.shape is None:
        return Tensor(None)
    if len(x.shape) not in (3, 4):
        ctx.fail("CNN107", f"{ctx.layer_title()} expects a 3D or 4D input but receives {len(x.shape)}D "
                           f"{ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    k = ntuple(layer.value("kernel_size"), 2)
    blocks = _blocks(layer, x.shape[-2:])
    if k is None or blocks is None:
        return Tensor(x.shape[:-3] + (None, None))
    for b in blocks:
        if dims.as_int(b) is not None and dims.as_int(b) < 1:
            ctx.fail("CNN103", f"{ctx.layer_title()}: the kernel does not fit the padded input "
                               f"{ctx.fmt_shape(x.shape)}: no block positions")
            return Tensor(None)
    c = x.shape[-3]
    cols = dims.mul(c, dims.mul(k[0], k[1])) if c is not None and all(dims.is_dim(v) for v in k) else None
    n = dims.mul(blocks[0], blocks[1]) if None not in blocks else None
    return Tensor(x.shape[:-3] + (cols, n))


@layer("Fold", sig("output_size", "kernel_size", *SLIDE))
def fold(layer, x, ctx):
    if x.free or x.shape is None:
        return Tensor(None)
    if len(x.shape) not in (2, 3):
        ctx.fail("CNN107", f"{ctx.layer_title()} expects a 2D or 3D input but receives {len(x.shape)}D "
                           f"{ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    k = ntuple(layer.value("kernel_size"), 2)
    size = ntuple(layer.value("output_size"), 2)
    cols, n = x.shape[-2], x.shape[-1]
    c = None
    if k is not None and all(dims.is_dim(v) for v in k) and cols is not None:
        area = dims.mul(k[0], k[1])
        ci, ai = dims.as_int(cols), dims.as_int(area)
        if ci is not None and ai and ci % ai:
            ctx.fail("CNN101", f"{ctx.layer_title()} needs input channels divisible by the kernel area {ai}, "
                               f"but receives {ci}", declared=ai, inferred=ci)
            return Tensor(None)
        c = dims.exact_div(cols, area)
    if size is None:
        return Tensor(x.shape[:-2] + (c, None, None))
    blocks = _blocks(layer, size)
    if blocks is not None and None not in blocks:
        want = dims.mul(blocks[0], blocks[1])
        if dims.definitely_differ(want, n):
            ctx.fail("CNN101", f"{ctx.layer_title()}: output_size {ctx.fmt_shape(size)} holds {dims.fmt(want)} "
                               f"block positions but its input has {dims.fmt(n)}", declared=dims.as_int(want),
                     inferred=dims.as_int(n))
            return Tensor(None)
    return Tensor(x.shape[:-2] + (c,) + tuple(v if dims.is_dim(v) else None for v in size))


functional("unfold", "Unfold", sig("kernel_size", *SLIDE))
functional("fold", "Fold", sig("output_size", "kernel_size", *SLIDE))
functional("pixel_unshuffle", "PixelUnshuffle", sig("downscale_factor"))

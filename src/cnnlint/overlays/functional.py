"""torch.nn.functional operations that no layer shares: each one function
``(it, args, kwargs, node) -> value`` in ``OPS``, fitted to PyTorch 2.13 (shapes, and the
errors it raises for certain). An argument cnnlint cannot read gives an unknown size, never
an error."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.tensors import _axis_in
from cnnlint.abstract.values import Tensor
from cnnlint.layers import LAYERS
from cnnlint.layers.basic import pad_shape
from cnnlint.layers.context import LayerCtx, _tmp_layer
from cnnlint.overlays.calls import arg, desc, differ, dims_of, fmt, report, shape_of, unknown, registry

OPS: Dict[str, Callable] = {}
op = registry(OPS)


def broadcast_dims(it, node, shapes, what: str) -> Optional[Tuple[Any, ...]]:
    """The broadcast of several batch shapes; a certain mismatch is PyTorch's RuntimeError
    (reported, None returned); a size cnnlint cannot tell stays None inside the result."""
    n = max(len(s) for s in shapes)
    padded = [(1,) * (n - len(s)) + tuple(s) for s in shapes]
    out = []
    for i in range(n):
        col = [p[i] for p in padded]
        big = [d for d in col if dims.as_int(d) != 1]
        known = [d for d in big if d is not None]
        for d in known[1:]:
            if differ(known[0], d):
                report(it, "CNN106", f"{desc(node)}: {what} {', '.join(fmt(s) for s in shapes)} do not broadcast: "
                                     f"sizes {dims.fmt(known[0])} and {dims.fmt(d)} differ at dim {i - n}", node,
                       declared=dims.as_int(known[0]), inferred=dims.as_int(d))
                return None
        if not big:
            out.append(1)
        elif known and all(dims.same(known[0], d) for d in known):
            out.append(known[0])
        else:
            out.append(None)
    return tuple(out)


# --- spatial transformers --------------------------------------------------------------------

@op("affine_grid")
def affine_grid(it, args, kwargs, node):
    """theta [N, 2, 3] and size (N, C, H, W) -> [N, H, W, 2]; theta [N, 3, 4] and
    (N, C, D, H, W) -> [N, D, H, W, 3]."""
    theta = arg(args, kwargs, 0, "theta")
    size = dims_of(it, arg(args, kwargs, 1, "size"))
    ts = shape_of(theta)
    if not isinstance(theta, Tensor):
        return unknown(it, "F.affine_grid", args, node)
    if size is not None and len(size) not in (4, 5):
        report(it, "CNN107", f"{desc(node)}: affine_grid takes a 4D or 5D size, got {len(size)} sizes "
                             f"{fmt(size)}", node)
        return Tensor(None)
    n_spatial = len(size) - 2 if size is not None else None
    if ts is not None:
        want = {2: (2, 3), 3: (3, 4)}
        if n_spatial is not None:
            rows, cols = want[n_spatial]
            if len(ts) != 3 or differ(ts[1], rows) or differ(ts[2], cols):
                report(it, "CNN107", f"{desc(node)}: a {len(size)}D size needs theta of shape "
                                     f"[N, {rows}, {cols}], got {fmt(ts)}", node)
                return Tensor(None)
        elif len(ts) == 3 and dims.as_int(ts[1]) in (2, 3):
            n_spatial = dims.as_int(ts[1])
    if size is not None:
        if any(dims.as_int(s) is not None and dims.as_int(s) <= 0 for s in size):
            # PyTorch lets a zero pass only with align_corners=True and a spatial size of 1
            if arg(args, kwargs, 2, "align_corners") is not True:
                report(it, "CNN108", f"{desc(node)}: affine_grid needs positive sizes, got {fmt(size)}", node)
                return Tensor(None)
        if ts is not None and len(ts) == 3 and differ(ts[0], size[0]):
            report(it, "CNN106", f"{desc(node)}: theta {fmt(ts)} holds {dims.fmt(ts[0])} matrices but the size "
                                 f"{fmt(size)} asks for a batch of {dims.fmt(size[0])}", node,
                   declared=dims.as_int(size[0]), inferred=dims.as_int(ts[0]))
            return Tensor(None)
    if n_spatial is None:
        return Tensor(None)
    batch = size[0] if size is not None and size[0] is not None else (ts[0] if ts is not None else None)
    spatial = size[2:] if size is not None else (None,) * n_spatial
    return Tensor((batch,) + tuple(spatial) + (n_spatial,))


_GRID_MODES = ("bilinear", "nearest", "bicubic")
_GRID_PADDING = ("zeros", "border", "reflection")


@op("grid_sample")
def grid_sample(it, args, kwargs, node):
    """input [N, C, H_in, W_in] and grid [N, H, W, 2] -> [N, C, H, W]; 5-D with a grid
    [N, D, H, W, 3]."""
    x = arg(args, kwargs, 0, "input")
    grid = arg(args, kwargs, 1, "grid")
    mode = arg(args, kwargs, 2, "mode", "bilinear")
    padding_mode = arg(args, kwargs, 3, "padding_mode", "zeros")
    if not isinstance(x, Tensor) or not isinstance(grid, Tensor):
        return unknown(it, "F.grid_sample", args, node)
    if isinstance(mode, str) and mode not in _GRID_MODES:
        report(it, "CNN108", f"{desc(node)}: grid_sample mode must be one of {', '.join(_GRID_MODES)}, "
                             f"got {mode!r}", node)
        return Tensor(None)
    if isinstance(padding_mode, str) and padding_mode not in _GRID_PADDING:
        report(it, "CNN108", f"{desc(node)}: grid_sample padding_mode must be one of {', '.join(_GRID_PADDING)}, "
                             f"got {padding_mode!r}", node)
        return Tensor(None)
    xs, gs = shape_of(x), shape_of(grid)
    if gs is not None and len(gs) not in (4, 5) and xs is not None:
        report(it, "CNN107", f"{desc(node)}: grid_sample takes a 4D or 5D input and a grid of the same rank, "
                             f"got {fmt(xs)} and {fmt(gs)}", node)
        return Tensor(None)
    if xs is not None:
        if len(xs) not in (4, 5) or (gs is not None and len(gs) != len(xs)):
            report(it, "CNN107", f"{desc(node)}: grid_sample takes a 4D or 5D input and a grid of the same "
                                 f"rank, got {fmt(xs)} and {fmt(gs) if gs is not None else 'a grid'}", node)
            return Tensor(None)
        if mode == "bicubic" and len(xs) == 5:
            report(it, "CNN107", f"{desc(node)}: bicubic grid_sample takes only a 4D input, got {fmt(xs)}", node)
            return Tensor(None)
    if gs is None:
        if xs is not None:
            return Tensor((xs[0], xs[1]) + (None,) * (len(xs) - 2))
        return Tensor(None)
    n_spatial = len(gs) - 2
    if differ(gs[-1], n_spatial):
        report(it, "CNN106", f"{desc(node)}: a {len(gs)}D grid holds {n_spatial} coordinates in its last "
                             f"dimension, got {fmt(gs)}", node, declared=n_spatial, inferred=dims.as_int(gs[-1]))
        return Tensor(None)
    if xs is None:
        return Tensor((gs[0], None) + tuple(gs[1:-1]))
    if differ(xs[0], gs[0]):
        report(it, "CNN106", f"{desc(node)}: input {fmt(xs)} and grid {fmt(gs)} need the same batch size", node,
               declared=dims.as_int(gs[0]), inferred=dims.as_int(xs[0]))
        return Tensor(None)
    batch = xs[0] if xs[0] is not None else gs[0]
    return Tensor((batch, xs[1]) + tuple(gs[1:-1]))


# --- attention -----------------------------------------------------------------------------------

@op("scaled_dot_product_attention")
def scaled_dot_product_attention(it, args, kwargs, node):
    """q [..., L, E], k [..., S, E], v [..., S, Ev] -> [..., L, Ev], the leading dims broadcast;
    with enable_gqa=True the key/value heads (dim -3) need only divide the query heads."""
    q, k, v = (arg(args, kwargs, i, n) for i, n in enumerate(("query", "key", "value")))
    mask = arg(args, kwargs, 3, "attn_mask")
    is_causal = arg(args, kwargs, 5, "is_causal", False)
    gqa = kwargs.get("enable_gqa", False)
    if not all(isinstance(t, Tensor) for t in (q, k, v)):
        return unknown(it, "F.scaled_dot_product_attention", args, node)
    qs, ks, vs = shape_of(q), shape_of(k), shape_of(v)
    if is_causal is True and isinstance(mask, Tensor):
        report(it, "CNN108", f"{desc(node)}: attn_mask and is_causal=True cannot be given together", node)
        return Tensor(None)
    if qs is None or ks is None or vs is None:
        return Tensor(None)
    if min(len(qs), len(ks), len(vs)) < 2:
        report(it, "CNN107", f"{desc(node)}: query, key and value must be at least 2D, got {fmt(qs)}, {fmt(ks)}, "
                             f"{fmt(vs)}", node)
        return Tensor(None)
    if differ(qs[-1], ks[-1]):
        report(it, "CNN106", f"{desc(node)}: query {fmt(qs)} and key {fmt(ks)} need the same embedding size "
                             f"(last dim)", node, declared=dims.as_int(qs[-1]), inferred=dims.as_int(ks[-1]))
        return Tensor(None)
    qb, kb, vb = qs[:-2], ks[:-2], vs[:-2]
    if gqa is True and min(len(qs), len(ks), len(vs)) >= 3:
        hq = dims.as_int(qs[-3])
        for name, shape in (("key", ks), ("value", vs)):
            h = dims.as_int(shape[-3])
            if hq is not None and h is not None and (h == 0 or hq % h):
                report(it, "CNN106", f"{desc(node)}: with enable_gqa the {name} heads ({h}) must divide the "
                                     f"query heads ({hq})", node, declared=h, inferred=hq)
                return Tensor(None)
        # key and value heads are repeated up to the query's: they broadcast as the query's count
        kb, vb = kb[:-1] + (qs[-3],), vb[:-1] + (qs[-3],)
    elif gqa is not False and gqa is not True:
        return Tensor(None)
    batch = broadcast_dims(it, node, [qb, kb, vb], "query, key and value batch shapes")
    if batch is None:
        return Tensor(None)
    out = batch + (qs[-2], vs[-1])
    ms = shape_of(mask)
    if ms is not None:
        if len(ms) > len(out):  # the meta device lets it through; the CPU kernel adds it in place
            report(it, "CNN107", f"{desc(node)}: attn_mask {fmt(ms)} has more dims than the attention scores "
                                 f"{fmt(batch + (qs[-2], ks[-2]))}", node)
            return Tensor(None)
        scores = batch + (qs[-2], ks[-2])
        if broadcast_dims(it, node, [scores, ms], "attention scores and attn_mask") is None:
            return Tensor(None)
    return Tensor(out)


# --- lookups and encodings ----------------------------------------------------------------------

@op("embedding")
def embedding(it, args, kwargs, node):
    """F.embedding(input, weight): the indices' shape plus the weight's row size."""
    idx, weight = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "weight")
    if not isinstance(idx, Tensor) or not isinstance(weight, Tensor):
        return unknown(it, "F.embedding", args, node)
    s, w = shape_of(idx), shape_of(weight)
    if w is not None and len(w) != 2:
        report(it, "CNN107", f"{desc(node)}: the embedding weight must be 2D, got {fmt(w)}", node)
        return Tensor(None)
    if s is None:
        return Tensor(None)
    return Tensor(s + ((w[1],) if w is not None else (None,)))


@op("one_hot")
def one_hot(it, args, kwargs, node):
    """F.one_hot(t, num_classes): t's shape plus num_classes (-1, the default, reads the values)."""
    t = arg(args, kwargs, 0, "input", kwargs.get("tensor"))
    n = arg(args, kwargs, 1, "num_classes", -1)
    if not isinstance(t, Tensor):
        return unknown(it, "F.one_hot", args, node)
    s = shape_of(t)
    size = None if dims.as_int(n) == -1 else (n if dims.is_dim(n) else None)
    return Tensor(s + (size,)) if s is not None else Tensor(None)


def _without_dim(it, node, shape, d):
    a = _axis_in(it, node, d, len(shape))
    return None if a is None else shape[:a] + shape[a + 1:]


@op("cosine_similarity")
def cosine_similarity(it, args, kwargs, node):
    """x1 and x2 broadcast, then ``dim`` (1 by default) is reduced away."""
    a, b = arg(args, kwargs, 0, "x1"), arg(args, kwargs, 1, "x2")
    d = arg(args, kwargs, 2, "dim", 1)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return unknown(it, "F.cosine_similarity", args, node)
    sa, sb = shape_of(a), shape_of(b)
    if sa is None or sb is None:
        return Tensor(None)
    both = broadcast_dims(it, node, [sa, sb], "inputs")
    if both is None:
        return Tensor(None)
    out = _without_dim(it, node, both, d)
    return Tensor(out) if out is not None else Tensor(None)


@op("pairwise_distance")
def pairwise_distance(it, args, kwargs, node):
    """x1 and x2 broadcast, the last dim reduced away (kept with keepdim=True)."""
    a, b = arg(args, kwargs, 0, "x1"), arg(args, kwargs, 1, "x2")
    keep = arg(args, kwargs, 4, "keepdim", False)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return unknown(it, "F.pairwise_distance", args, node)
    sa, sb = shape_of(a), shape_of(b)
    if sa is None or sb is None or not isinstance(keep, bool):
        return Tensor(None)
    both = broadcast_dims(it, node, [sa, sb], "inputs")
    if both is None or not both:
        return Tensor(None)
    return Tensor(both[:-1] + ((1,) if keep else ()))


# --- losses ------------------------------------------------------------------------------------------

_ELEMENTWISE_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                       "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss", "poisson_nll_loss")


def _loss(elementwise: bool):
    def run(it, args, kwargs, node):
        """A scalar with reduction 'mean' or 'sum' (the default); with 'none', the loss per
        element: input and target broadcast (elementwise losses), or the target's shape (class
        indices for cross_entropy / nll_loss)."""
        x, target = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "target")
        reduction = kwargs.get("reduction", "mean")
        if len(args) > 2 or "size_average" in kwargs or "reduce" in kwargs:
            return Tensor(None)  # the old size_average / reduce arguments, or weights
        if reduction in ("mean", "sum"):
            return Tensor(())
        if reduction != "none" or not isinstance(x, Tensor) or not isinstance(target, Tensor):
            return Tensor(None)
        sx, st = shape_of(x), shape_of(target)
        if sx is None or st is None:
            return Tensor(None)
        if elementwise:
            return Tensor(broadcast_dims(it, node, [sx, st], "input and target") or None)
        if len(st) == len(sx) - 1:
            return Tensor(st)
        return Tensor(None)

    return run


for _name in _ELEMENTWISE_LOSSES:
    OPS[_name] = _loss(True)
for _name in ("cross_entropy", "nll_loss"):
    OPS[_name] = _loss(False)


# --- layers given their weights ---------------------------------------------------------------------

def _conv_transpose(n: int):
    def run(it, args, kwargs, node):
        """F.conv_transposeNd(x, weight [C_in, C_out/groups, *k], bias, stride, padding,
        output_padding, groups, dilation): nn.ConvTransposeNd's shape rule."""
        x, w = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "weight")
        if not isinstance(x, Tensor) or not isinstance(w, Tensor):
            return unknown(it, f"F.conv_transpose{n}d", args, node)
        ws = shape_of(w)
        if ws is None or len(ws) != n + 2:
            return Tensor(None)
        groups = arg(args, kwargs, 6, "groups", 1)
        if not dims.is_dim(groups):
            return Tensor(None)
        cout = dims.mul(ws[1], groups) if ws[1] is not None else None
        layer = _tmp_layer(f"ConvTranspose{n}d", {
            "in_channels": ws[0], "out_channels": cout, "kernel_size": tuple(ws[2:]),
            "stride": arg(args, kwargs, 3, "stride", 1), "padding": arg(args, kwargs, 4, "padding", 0),
            "output_padding": arg(args, kwargs, 5, "output_padding", 0), "groups": groups,
            "dilation": arg(args, kwargs, 7, "dilation", 1), "bias": True, "padding_mode": "zeros"}, node)
        layer.functional = f"F.conv_transpose{n}d"  # type: ignore[attr-defined]
        return LAYERS[f"ConvTranspose{n}d"].forward(layer, x, LayerCtx(it, layer, node, x))

    return run


for _n in (1, 2, 3):
    OPS[f"conv_transpose{_n}d"] = _conv_transpose(_n)


@op("bilinear")
def bilinear(it, args, kwargs, node):
    """F.bilinear(x1 [..., in1], x2 [..., in2], weight [out, in1, in2]) -> [..., out]."""
    a, b, w = (arg(args, kwargs, i, n) for i, n in enumerate(("input1", "input2", "weight")))
    if not all(isinstance(t, Tensor) for t in (a, b, w)):
        return unknown(it, "F.bilinear", args, node)
    sa, sw = shape_of(a), shape_of(w)
    if sa is None or sw is None or len(sw) != 3:
        return Tensor(None)
    return Tensor(sa[:-1] + (sw[0],))


# --- padding ----------------------------------------------------------------------------------------

@op("pad")
def pad(it, args, kwargs, node):
    """F.pad(x, pad, mode="constant", value): pairs (before, after) from the last dim backwards.
    PyTorch rejects an odd count, more pairs than dims, and for reflect / replicate / circular
    any input but one or two dims more than the pairs (a reflect pad must be smaller than its
    dim, a circular one at most its size)."""
    x, pads = arg(args, kwargs, 0, "input"), arg(args, kwargs, 1, "pad")
    mode = arg(args, kwargs, 2, "mode", "constant")
    if not isinstance(x, Tensor):
        return unknown(it, "F.pad", args, node)
    s = shape_of(x)
    if isinstance(pads, (list, tuple)) and s is not None and isinstance(mode, str):
        k = len(pads) // 2
        if len(pads) % 2:
            report(it, "CNN108", f"{desc(node)}: pad needs (before, after) pairs, got {len(pads)} numbers", node)
            return Tensor(None)
        if mode == "constant" and k > len(s):
            report(it, "CNN107", f"{desc(node)}: {k} pairs of padding for a {len(s)}D tensor", node)
            return Tensor(None)
        if mode in ("reflect", "replicate", "circular"):
            if len(s) not in (k + 1, k + 2):
                report(it, "CNN107", f"{desc(node)}: {mode} padding of {k} dims takes a {k + 1}D or {k + 2}D "
                                     f"input, got {fmt(s)}", node)
                return Tensor(None)
            for i in range(k):
                size = dims.as_int(s[len(s) - 1 - i])
                for p in (pads[2 * i], pads[2 * i + 1]):
                    p = dims.as_int(p)
                    if size is None or p is None:
                        continue
                    if (mode == "reflect" and p >= size) or (mode == "circular" and p > size):
                        report(it, "CNN108", f"{desc(node)}: {mode} padding {p} does not fit a dim of size "
                                             f"{size}", node, declared=p, inferred=size)
                        return Tensor(None)
    ctx = LayerCtx(it, _tmp_layer("Functional", {}, node), node, x)
    ctx.layer.functional = "F.pad"  # type: ignore[attr-defined]
    return pad_shape(x, pads, ctx)

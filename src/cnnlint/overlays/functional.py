"""torch.nn.functional operations that no layer shares: each one function
``(it, args, kwargs, node) -> value`` in ``OPS``, fitted to PyTorch 2.13 (shapes, and the
errors it raises for certain). An argument cnnlint cannot read gives an unknown size, never
an error."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint import dims
from cnnlint.interpret.values import Tensor, Unknown
from cnnlint.overlays.calls import arg, desc, differ, dims_of, fmt, report, shape_of, unknown

OPS: Dict[str, Callable] = {}


def op(*names: str):
    def register(fn):
        for n in names:
            OPS[n] = fn
        return fn

    return register


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
        if len(ms) > len(out):
            return Tensor(None)  # the meta device broadcasts it, the CPU does not
        scores = batch + (qs[-2], ks[-2])
        if broadcast_dims(it, node, [scores, ms], "attention scores and attn_mask") is None:
            return Tensor(None)
    return Tensor(out)

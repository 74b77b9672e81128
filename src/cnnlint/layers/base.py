"""The layer table's machinery: how a layer's semantics are declared and looked up.

Each torch.nn layer is one function ``(layer, x, ctx) -> Tensor`` registered with
``@layer(NAME, signature)``; ``signature`` lists the constructor's parameters in
order with their defaults (``REQUIRED`` for none). A layer's parameter count is a
second function given as ``params=``. Functional forms (``F.max_pool2d``) name the
layer whose semantics they share and their own signature, the input first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.values import Tensor, Unknown

REQUIRED = object()
KEYWORD_ONLY = "*"  # in a signature, the parameters after it are keyword-only, as after `*` in Python

Signature = Tuple[Tuple[str, Any], ...]


@dataclass(frozen=True)
class LayerDef:
    name: str
    signature: Signature
    forward: Callable
    params: Optional[Callable] = None
    build_check: Optional[Callable] = None
    kernel: Optional[Callable] = None
    library: str = "nn"  # where the class lives: torch.nn, or a third-party library ("einops")


@dataclass(frozen=True)
class FunctionalDef:
    name: str  # "max_pool2d"
    layer: str  # the layer whose semantics it shares: "MaxPool2d"
    signature: Signature  # without the input tensor


LAYERS: Dict[str, LayerDef] = {}
FUNCTIONALS: Dict[str, FunctionalDef] = {}


def sig(*params: Any) -> Signature:
    """``sig("in_channels", "out_channels", ("stride", 1))``: bare names are required."""
    return tuple(p if isinstance(p, tuple) else (p, REQUIRED) for p in params)


def layer(name: str, signature: Signature, params: Optional[Callable] = None,
          build_check: Optional[Callable] = None, kernel: Optional[Callable] = None, library: str = "nn"):
    def register(fn: Callable) -> Callable:
        LAYERS[name] = LayerDef(name, signature, fn, params, build_check, kernel, library)
        return fn

    return register


def same_as(name: str, *others: str) -> None:
    """Register ``others`` with the semantics, signature and parameter count of ``name``."""
    base = LAYERS[name]
    for other in others:
        LAYERS[other] = LayerDef(other, base.signature, base.forward, base.params, base.build_check, base.kernel)


def functional(name: str, layer_name: str, signature: Signature) -> None:
    FUNCTIONALS[name] = FunctionalDef(name, layer_name, signature)


# --- helpers the layer functions share -------------------------------------------------

SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def ntuple(value: Any, n: int) -> Optional[Tuple[Any, ...]]:
    """``3`` -> ``(3, 3)``; a tuple/list of length n stays; anything else is None."""
    if isinstance(value, (tuple, list)):
        if len(value) == n:
            return tuple(value)
        if len(value) == 1:
            return tuple(value) * n
        return None
    if dims.is_dim(value):
        return (value,) * n
    return None


def dim_or_none(value: Any) -> Any:
    return value if dims.is_dim(value) else None


def spatial_input(x: Tensor, ctx, n: int, channels: Any = None, unbatched: bool = True,
                  what: str = "") -> Optional[Tensor]:
    """The input of an n-d spatial layer: a free input becomes [N, C, *spatial]; a tensor of
    the wrong rank is reported. Returns None when the rank is unknown."""
    if x.free:
        # the convention: a batched input [N, C, *spatial]; an error found this way stands only
        # if the unbatched input [C, *spatial] meets it too (analyze.run_model checks)
        lead = (ctx.batch(),)
        if unbatched:  # both ranks are accepted: the one chosen is an assumption
            ctx.interp.rank_assumed = True
            if ctx.interp.unbatched:
                lead = ()
        return Tensor(lead + (channels if dims.is_dim(channels) else ctx.symbol("C"),)
                      + tuple(ctx.symbol(s) for s in SPATIAL_NAMES[n]))
    if x.shape is None:
        return None
    ok = (n + 2, n + 1) if unbatched else (n + 2,)
    if len(x.shape) not in ok:
        want = " or ".join(f"{r}D" for r in sorted(ok))
        ctx.fail("CNN107", f"{what or ctx.layer_title()} expects a {want} input but receives a "
                           f"{len(x.shape)}D tensor {ctx.fmt_shape(x.shape)}")
        return None
    return x


def channel_axis(x: Tensor, n: int) -> int:
    """Index of the channel dimension: 0 for an unbatched input, else 1."""
    return 0 if len(x.shape) == n + 1 else 1


def keep(layer, x, ctx):
    """Shape-preserving layers: activations, dropout, identity."""
    return x


def unknown_output(reason: str):
    def run(layer, x, ctx):
        ctx.note(reason)
        return Tensor(None)

    return run


def as_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)

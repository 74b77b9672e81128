"""Which repairs to try first: what one changed number does to its own layer's output, worked out
from the layer's formula and set against the sizes the error names.

Only the order of the search (repair.py) depends on this: every repair is still checked by
running the whole analysis on the edited file, so a wrong guess here costs time, never a wrong fix.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from cnnlint import dims

GOOD, UNSURE, POOR = 0, 1, 2  # the promise of an edit: makes the named sizes meet / cannot tell / does not

CHANNEL_ERRORS = ("CNN101", "CNN105")
OWN_COUNTS = ("in_channels", "num_features", "num_channels", "in_features")
OUT_COUNTS = ("out_channels", "out_features")
WINDOWS = ("kernel_size", "stride", "padding", "dilation", "output_padding", "scale_factor")


def _ints(shape) -> Optional[list]:
    if shape is None:
        return None
    out = [dims.as_int(s) for s in shape]
    return None if any(v is None for v in out) else out


def _each(value, n: int) -> Optional[list]:
    """A layer's int-or-tuple argument as n ints; None when it is not plain numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return [value] * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(type(v) is int for v in value):
        return list(value)
    return None


def _spatial_out(layer, size_in: Sequence[int], parameter: str, old: int, new: int) -> Optional[list]:
    """The spatial output sizes of a convolution, pooling or upsampling layer whose ``parameter`` is
    ``new`` where it was ``old`` (every element that was ``old``, for a tuple argument); None when
    the layer or its arguments are not plain enough to say."""
    kind = layer.kind
    n = len(size_in)
    if kind.startswith("Upsample") or kind == "Upsample":
        sf = layer.value("scale_factor")
        if parameter != "scale_factor" or not isinstance(sf, (int, float)) or isinstance(sf, bool):
            return None
        return [int(i * (new if sf == old else sf)) for i in size_in]
    conv = kind.startswith(("Conv", "ConvTranspose"))
    if not (conv or "Pool" in kind) or "Adaptive" in kind or "Unpool" in kind or "LP" in kind:
        return None
    args = {}
    for name, default in (("kernel_size", None), ("stride", None), ("padding", 0), ("dilation", 1),
                          ("output_padding", 0)):
        value = layer.value(name, default)
        if name == "stride" and value is None:
            value = 1 if conv else layer.value("kernel_size")
        args[name] = _each(value, n)
        if args[name] is None:
            return None
        if name == parameter:
            args[name] = [new if v == old else v for v in args[name]]
    ceil = bool(layer.value("ceil_mode", False)) if not conv else False
    out = []
    for j, i in enumerate(size_in):
        k, s, p, d = args["kernel_size"][j], args["stride"][j], args["padding"][j], args["dilation"][j]
        if s <= 0 or k <= 0:
            return None
        if kind.startswith("ConvTranspose"):
            out.append((i - 1) * s - 2 * p + d * (k - 1) + args["output_padding"][j] + 1)
            continue
        span = i + 2 * p - d * (k - 1) - 1
        o = -(-span // s) + 1 if ceil else span // s + 1
        out.append(o)
    return out


def promise(code: str, declared: Any, inferred: Any, layer, size_in, size_out, parameter: str, old: int, new: int,
            own: bool, whole: bool = True, odd_one: bool = False) -> int:
    """GOOD when changing ``parameter`` of ``layer`` from ``old`` to ``new`` makes the sizes the
    error names meet, as far as the layer's own formula tells; POOR when it cannot; else UNSURE.
    ``size_in``/``size_out``: the layer's input and output shapes in the erring run; ``whole``: the
    number is the whole argument (not a factor of `512 * block.expansion`); ``odd_one``: of the
    sizes that differ, ``declared`` is the one most tensors have (a `cat` of several)."""
    d, n = dims.as_int(declared), dims.as_int(inferred)
    if d is None or n is None or (own and not whole and code != "CNN103"):
        return UNSURE
    if code in CHANNEL_ERRORS:
        if own:
            return GOOD if parameter in OWN_COUNTS and new == n else UNSURE if parameter == "" else POOR
        if parameter in OUT_COUNTS or parameter == "":
            return GOOD if new - old == d - n else (POOR if parameter else UNSURE)
        return POOR
    if code == "CNN102":
        if own:
            return GOOD if new == n else POOR
        out = _ints(size_out)
        if parameter in OUT_COUNTS and out and len(out) >= 2:
            rest = 1
            for v in out[2:]:
                rest *= v
            return GOOD if out[1] == old and new * rest == d else UNSURE
        if parameter in WINDOWS and layer is not None and out and len(out) > 2:
            grown = _spatial_out(layer, (_ints(size_in) or [])[2:], parameter, old, new) \
                if _ints(size_in) and len(_ints(size_in)) == len(out) else None
            if grown is None:
                return UNSURE
            total = out[1]
            for v in grown:
                total *= v
            flat = 1
            for v in out[1:]:
                flat *= v
            if flat != n:
                return UNSURE  # not the layer whose output is flattened
            return GOOD if total == d else POOR
        return UNSURE
    # sizes: a residual add or `cat` of tensors whose sizes differ, a window larger than its input
    if parameter not in WINDOWS or layer is None:
        return UNSURE
    before, after_in = _ints(size_out), _ints(size_in)
    if not before or not after_in or len(before) != len(after_in) or len(before) < 3:
        return UNSURE
    now = _spatial_out(layer, after_in[2:], parameter, old, new)
    if now is None:
        return UNSURE
    was = before[2:]
    if now == was:
        return POOR
    if code == "CNN103":
        if own:
            return GOOD if all(o >= 1 for o in now) else POOR
        return GOOD if all(a >= b for a, b in zip(now, was)) else POOR
    for a, b in zip(now, was):
        if a == b:
            continue
        if (b == n and a == d) or (not odd_one and ((b == d and a == n) or a - b in (d - n, n - d))) or \
                (odd_one and a - b == d - n):
            return GOOD
    return UNSURE

"""``x.name`` on a tensor: a bound method from tensor_methods.py or tensor_basics.py, or one of the
attributes (``shape``, ``ndim``, ``T``, ``data``); an in-place method nobody names gives its out-of-place result.
"""
from __future__ import annotations

from cnnlint.abstract.tensors import _SHAPE_CHANGING_INPLACE
from cnnlint.abstract.values import Builtin, Tensor, Unknown
from cnnlint.overlays import tensor_methods as _overlay
from cnnlint.overlays.tensor_basics import METHODS, _dim_m, _keep, _size, _t, _with_row


def tensor_attribute(it, x: Tensor, name: str):
    found = _overlay.tensor_attribute(it, x, name)
    if found is not None:
        return found
    fn = _overlay.METHODS.get(name)
    if fn is not None:
        return Builtin(name, _with_row(fn), bound=x)
    if name in ("shape",):
        return _size(it, x, [], {}, None)
    if name == "ndim":
        return _dim_m(it, x, [], {}, None)
    if name in ("T", "mT"):
        return _t(it, x, [], {}, None)
    if name in ("data", "real"):
        return x
    fn = METHODS.get(name)
    if fn is None and name.endswith("_") and not name.startswith("_"):
        # an in-place method on a value without a name (``self.conv(x).unsqueeze_(1)``): its result
        # is what the out-of-place method gives; elementwise ones keep the shape
        fn = METHODS.get(name[:-1]) if name[:-1] in _SHAPE_CHANGING_INPLACE else _keep
    if fn is not None:
        return Builtin(name, _with_row(fn), bound=x)
    return Unknown(f"tensor attribute '{name}'")

"""The numpy functions model code calls to compute a list of rates or sizes in ``__init__``
(torchvision's MaxVit: ``np.linspace(0, p, n).tolist()``): their values, as numpy computes them
in float64, held as a small value tensor (its ``tolist()``, indexing and iteration are known).
Any other numpy call stays unknown."""
from __future__ import annotations

from typing import Any, Optional

from cnnlint import dims
from cnnlint.abstract import numeric
from cnnlint.overlays.calls import arg


def _linspace(args, kwargs) -> Optional[Any]:
    start, stop = arg(args, kwargs, 0, "start"), arg(args, kwargs, 1, "stop")
    num, endpoint = arg(args, kwargs, 2, "num", 50), arg(args, kwargs, 3, "endpoint", True)
    n = dims.as_int(num) if dims.is_dim(num) and not isinstance(num, bool) else None
    if n is None or n < 0 or n > numeric.MAX_VALUES or not isinstance(endpoint, bool) or \
            kwargs.get("dtype") is not None or kwargs.get("retstep") or \
            not (numeric.is_number(start) and numeric.is_number(stop)):
        return None
    start, stop = float(start), float(stop)
    div = (n - 1) if endpoint else n
    step = (stop - start) / div if div > 0 else 0.0
    values = [start + i * step for i in range(n)]
    if endpoint and n > 1:
        values[-1] = stop
    return numeric.make(values)


def call(it, name: str, args, kwargs, node, arg_nodes) -> Optional[Any]:
    """``numpy.<name>(...)`` with known values, or None."""
    if name == "numpy.linspace":
        return _linspace(args, kwargs)
    if name == "numpy.arange" and not kwargs:
        return numeric.arange(list(args))
    return None

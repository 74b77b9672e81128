"""The methods of ``FloatFunctional`` (torch.ao.nn.quantized), as torchvision's quantizable
models call them before conversion: ``add``/``mul``/``add_relu`` are the tensor operators,
``add_scalar``/``mul_scalar`` keep the shape, ``cat`` is ``torch.cat``, ``matmul`` is ``@``."""
from __future__ import annotations

from typing import Any, Optional

from cnnlint.abstract.tensors import binop
from cnnlint.abstract.values import Builtin, Layer, Tensor
from cnnlint.overlays.tensor_basics import TORCH_FUNCTIONS


def _binary(op: str):
    def run(it, layer, args, kwargs, node):
        x = args[0] if args else kwargs.get("x")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        return binop(it, op, x, y, node)

    return run


def _keep(it, layer, args, kwargs, node):
    x = args[0] if args else kwargs.get("x")
    return x if isinstance(x, Tensor) else Tensor(None)


def _cat(it, layer, args, kwargs, node):
    tensors = args[0] if args else kwargs.get("x")
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    return TORCH_FUNCTIONS["cat"](it, [tensors, dim], {}, node)


_METHODS = {"add": _binary("Add"), "add_relu": _binary("Add"), "mul": _binary("Multiply"),
            "matmul": _binary("MatrixMultiply"), "add_scalar": _keep, "mul_scalar": _keep, "cat": _cat}


def method(layer: Layer, name: str) -> Optional[Any]:
    """``ff.add`` of a FloatFunctional layer, bound; None for other layers or names."""
    if layer.kind != "FloatFunctional" or name not in _METHODS:
        return None
    return Builtin(name, _METHODS[name], bound=layer)

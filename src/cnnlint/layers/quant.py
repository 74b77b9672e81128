"""Quantization helpers that torchvision's quantizable models hold (torch.ao.quantization):
``QuantStub`` and ``DeQuantStub`` (identity until the model is converted) and
``FloatFunctional`` (its methods ``add``, ``cat``, ``mul``, ... stand in for the operators;
calling it is PyTorch's RuntimeError, left unknown here)."""
from __future__ import annotations

from cnnlint.abstract.values import Tensor
from cnnlint.layers.base import layer, sig


@layer("QuantStub", sig(("qconfig", None)))
def quant_stub(layer, x, ctx):
    return x


@layer("DeQuantStub", sig(("qconfig", None)))
def dequant_stub(layer, x, ctx):
    return x


@layer("FloatFunctional", sig())
def float_functional(layer, x, ctx):
    return Tensor(None)  # "FloatFunctional is not intended to use the 'forward'"


# the qualified names these classes are reached by
QUALIFIED = {}
for _kind, _paths in {
    "QuantStub": ("torch.ao.quantization", "torch.quantization", "torch.ao.quantization.stubs",
                  "torch.quantization.stubs"),
    "DeQuantStub": ("torch.ao.quantization", "torch.quantization", "torch.ao.quantization.stubs",
                    "torch.quantization.stubs"),
    "FloatFunctional": ("torch.nn.quantized", "torch.ao.nn.quantized", "torch.nn.quantized.modules",
                        "torch.ao.nn.quantized.modules", "torch.ao.nn.quantized.modules.functional_modules",
                        "torch.nn.quantized.modules.functional_modules"),
}.items():
    for _path in _paths:
        QUALIFIED[f"{_path}.{_kind}"] = _kind

"""Which names torch's own modules have: what `hasattr(nn, "SiLU")` answers.

cnnlint models torch 2.x, whose torch.nn has every layer of the layer table; a name cnnlint
does not know may still be there, so the answer for it is unknown (None), never False.
"""
from __future__ import annotations

from typing import Optional

from cnnlint.layers import FUNCTIONALS, LAYERS
from cnnlint.layers.hierarchy import _DERIVED
from cnnlint.layers.quant import QUALIFIED
from cnnlint.overlays.functional import OPS as FUNCTIONAL_OPS
from cnnlint.overlays.tensor_basics import TORCH_FUNCTIONS
from cnnlint.overlays.torch_functions import OPS as TORCH_OPS
from cnnlint.overlays.torch_calls import CONSTANT_CALLS, KEEP_FUNCTIONALS, PASS_THROUGH

NN_NAMES = {"Module", "Parameter", "functional", "init", "utils", "modules", "parameter", "Sequential",
            "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


# torch's submodules that model code asks about (`hasattr(torch, "compiler")`)
TORCH_SUBMODULES = {"nn", "jit", "compiler", "fx", "onnx", "cuda", "backends", "autograd", "utils", "hub", "ao",
                    "quantization", "distributed", "amp", "linalg", "fft", "special"}


def has_name(module: str, name: str) -> Optional[bool]:
    """True when torch's ``module`` (`torch`, `torch.nn`, `torch.nn.functional`) has ``name``; None when
    cnnlint cannot tell."""
    if "." in name:
        return None
    if f"{module}.{name}" in CONSTANT_CALLS or f"{module}.{name}" in PASS_THROUGH or \
            (module == "torch" and name in TORCH_SUBMODULES):
        return True
    if module in ("torch.nn", "torch.nn.modules"):
        # the layer table also holds modules of other namespaces: torch.ao.quantization's stubs,
        # torch.nn.parallel's DistributedDataParallel, einops' layers
        elsewhere = set(QUALIFIED.values()) | {"DistributedDataParallel"}
        if (name in LAYERS and LAYERS[name].library == "nn" and name not in elsewhere) or name in NN_NAMES or \
                (name in _DERIVED and not name.startswith("_")):
            return True
    elif module == "torch.nn.functional":
        if name in FUNCTIONALS or name in KEEP_FUNCTIONALS or name in FUNCTIONAL_OPS:
            return True
    elif module == "torch":
        if name in TORCH_OPS or name in TORCH_FUNCTIONS:
            return True
    return None

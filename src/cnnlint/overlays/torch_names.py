"""Which names torch's own modules have: what `hasattr(nn, "SiLU")` answers.

cnnlint models torch 2.x, whose torch.nn has every layer of the layer table; a name cnnlint
does not know may still be there, so the answer for it is unknown (None), never False.
"""
from __future__ import annotations

from typing import Optional

NN_NAMES = {"Module", "Parameter", "functional", "init", "utils", "modules", "parameter", "Sequential",
            "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


# torch's submodules that model code asks about (`hasattr(torch, "compiler")`)
TORCH_SUBMODULES = {"nn", "jit", "compiler", "fx", "onnx", "cuda", "backends", "autograd", "utils", "hub", "ao",
                    "quantization", "distributed", "amp", "linalg", "fft", "special"}


def has_name(module: str, name: str) -> Optional[bool]:
    """True when torch's ``module`` (`torch`, `torch.nn`, `torch.nn.functional`) has ``name``; None when
    cnnlint cannot tell."""
    from cnnlint.layers import FUNCTIONALS, LAYERS

    if "." in name:
        return None
    from cnnlint.overlays.torch_calls import CONSTANT_CALLS
    from cnnlint.overlays.torch_calls import PASS_THROUGH

    if f"{module}.{name}" in CONSTANT_CALLS or f"{module}.{name}" in PASS_THROUGH or \
            (module == "torch" and name in TORCH_SUBMODULES):
        return True
    if module in ("torch.nn", "torch.nn.modules"):
        from cnnlint.layers.hierarchy import _DERIVED
        from cnnlint.layers.quant import QUALIFIED

        # the layer table also holds modules of other namespaces: torch.ao.quantization's stubs,
        # torch.nn.parallel's DistributedDataParallel, einops' layers
        elsewhere = set(QUALIFIED.values()) | {"DistributedDataParallel"}
        if (name in LAYERS and LAYERS[name].library == "nn" and name not in elsewhere) or name in NN_NAMES or \
                (name in _DERIVED and not name.startswith("_")):
            return True
    elif module == "torch.nn.functional":
        from cnnlint.overlays.torch_calls import KEEP_FUNCTIONALS
        from cnnlint.overlays.functional import OPS

        if name in FUNCTIONALS or name in KEEP_FUNCTIONALS or name in OPS:
            return True
    elif module == "torch":
        from cnnlint.overlays.tensor_basics import TORCH_FUNCTIONS
        from cnnlint.overlays.torch_functions import OPS

        if name in OPS or name in TORCH_FUNCTIONS:
            return True
    return None

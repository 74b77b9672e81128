"""Which names torch's own modules have: what `hasattr(nn, "SiLU")` answers.

cnnlint models torch 2.x, whose torch.nn has every layer of the layer table; a name cnnlint
does not know may still be there, so the answer for it is unknown (None), never False.
"""
from __future__ import annotations

from typing import Optional

NN_NAMES = {"Module", "Parameter", "functional", "init", "utils", "modules", "parameter", "Sequential",
            "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


def has_name(module: str, name: str) -> Optional[bool]:
    """True when torch's ``module`` (`torch.nn`, `torch.nn.functional`) has ``name``; None when
    cnnlint cannot tell."""
    from cnnlint.layers import FUNCTIONALS, LAYERS

    if module in ("torch.nn", "torch.nn.modules"):
        from cnnlint.layers.hierarchy import _DERIVED

        if name in LAYERS or name in NN_NAMES or (name in _DERIVED and not name.startswith("_")):
            return True
    elif module == "torch.nn.functional":
        from cnnlint.interpret.library import KEEP_FUNCTIONALS

        if name in FUNCTIONALS or name in KEEP_FUNCTIONALS:
            return True
    return None

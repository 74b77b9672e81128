"""The table of layer semantics, keyed by the torch.nn class name.

To teach cnnlint a layer, add one function decorated with ``@layer(...)`` to the family
module it belongs to (conv, pool, norm, basic) and a fixture that uses it.
"""
from cnnlint.layers import basic, conv, norm, pool  # noqa: F401  (they fill the table)
from cnnlint.layers import einops  # noqa: F401,E402  (einops' layers)
from cnnlint.layers.base import FUNCTIONALS, LAYERS, REQUIRED, LayerDef

__all__ = ["FUNCTIONALS", "LAYERS", "REQUIRED", "LayerDef"]

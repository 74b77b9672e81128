"""The table of layer semantics, keyed by the torch.nn class name.

To teach cnnlint a layer, add one function decorated with ``@layer(...)`` to the family
module it belongs to (conv, pool, norm, basic) and a fixture that uses it.
"""
from cnnlint.layers import basic, conv, einops, fold, norm, pool, quant, wrappers  # noqa: F401  (they fill the table)
from cnnlint.layers.base import FUNCTIONALS, KEYWORD_ONLY, LAYERS, REQUIRED, LayerDef

__all__ = ["FUNCTIONALS", "KEYWORD_ONLY", "LAYERS", "REQUIRED", "LayerDef"]

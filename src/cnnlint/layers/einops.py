"""The layers of the third-party library einops (``einops.layers.torch``): ``Rearrange`` and
``Reduce`` hold no parameters; their semantics live in cnnlint.overlays.einops. They are built
from ``einops.layers.torch`` names only, never from ``torch.nn`` ones (see ``library``)."""
from __future__ import annotations

from cnnlint.layers.base import layer, sig
from cnnlint.overlays.einops import layer_forward

layer("Rearrange", sig("pattern", ("axes_lengths", None)), library="einops")(layer_forward)
layer("Reduce", sig("pattern", "reduction", ("axes_lengths", None)), library="einops")(layer_forward)

"""Layer constructors take the arguments torch 2.13's constructors take (device=, dtype=,
keyword-only bias=), and normalization layers built in every argument form agree with
PyTorch on shapes and parameter counts."""
import inspect

import pytest

from overlay_oracle import compare

torch = pytest.importorskip("torch")


def _torch_names(cls):
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    pos = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    kw = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    return pos, kw


def test_layer_signatures_follow_torch():
    from cnnlint.layers import KEYWORD_ONLY, LAYERS

    wrong = []
    for name, spec in sorted(LAYERS.items()):
        cls = getattr(torch.nn, name, None)
        ours = [n for n, _ in spec.signature]
        if cls is None or "args" in ours or name in ("RNN", "LSTM", "GRU"):
            continue  # not torch's, a catch-all, or torch's own *args (RNN below)
        pos, kw = _torch_names(cls)
        want = pos + ([KEYWORD_ONLY] + kw if kw else [])
        if name.startswith("Upsampling"):
            want = ours[:2] if pos == ["size", "scale_factor"] else want
        if ours[:len(want)] != want:
            wrong.append(f"{name}: cnnlint {ours}, torch {want}")
    assert not wrong, "\n".join(wrong)


NORMS = {
    "layernorm_device_dtype": ("self.n = nn.LayerNorm(8, device=None, dtype=None)", "return self.n(torch.zeros(2, 8))"),
    "layernorm_positional": ("self.n = nn.LayerNorm((4, 8), 1e-5, True, False)", "return self.n(torch.zeros(2, 4, 8))"),
    "layernorm_list": ("self.n = nn.LayerNorm([8], eps=1e-6)", "return self.n(torch.zeros(2, 3, 8))"),
    "layernorm_size": ("self.n = nn.LayerNorm(torch.Size([3, 8]))", "return self.n(torch.zeros(2, 3, 8))"),
    "layernorm_keyword": ("self.n = nn.LayerNorm(normalized_shape=8, elementwise_affine=False)",
                          "return self.n(torch.zeros(2, 8))"),
    "layernorm_bias_false": ("self.n = nn.LayerNorm(8, bias=False)", "return self.n(torch.zeros(2, 8))"),
    "layernorm_partial": ("from functools import partial\nself.n = partial(nn.LayerNorm, eps=1e-6)(8)",
                          "return self.n(torch.zeros(2, 8))"),
    "layernorm_wrong": ("self.n = nn.LayerNorm(8, dtype=None)", "return self.n(torch.zeros(2, 7))"),
    "groupnorm_keywords": ("self.n = nn.GroupNorm(num_channels=8, num_groups=4, affine=False)",
                           "return self.n(torch.zeros(2, 8, 3))"),
    "groupnorm_bias_false": ("self.n = nn.GroupNorm(2, 8, 1e-5, True, None, None, bias=False)",
                             "return self.n(torch.zeros(2, 8, 3, 3))"),
    "groupnorm_not_dividing": ("self.n = nn.GroupNorm(3, 8, device=None)", "return self.n(torch.zeros(2, 8, 3))"),
    "groupnorm_channels": ("self.n = nn.GroupNorm(2, 8, dtype=None)", "return self.n(torch.zeros(2, 6, 3))"),
    "batchnorm_bias_false": ("self.n = nn.BatchNorm2d(8, bias=False)", "return self.n(torch.zeros(2, 8, 3, 3))"),
    "batchnorm_no_affine": ("self.n = nn.BatchNorm1d(8, affine=False, bias=True)", "return self.n(torch.zeros(2, 8))"),
    "instancenorm_bias_false": ("self.n = nn.InstanceNorm2d(8, affine=True, bias=False)",
                                "return self.n(torch.zeros(2, 8, 3, 3))"),
    "rnn_nonlinearity": ("self.n = nn.RNN(8, 16, 2, 'relu', True, True, device=None)",
                         "return self.n(torch.zeros(2, 5, 8))[0]"),
    "embedding_kwargs": ("self.n = nn.Embedding(10, 4, max_norm=1.0, sparse=False, device=None)",
                         "return self.n(torch.zeros(2, 5).long())"),
    "prelu_dtype": ("self.n = nn.PReLU(8, dtype=None)", "return self.n(torch.zeros(2, 8, 3))"),
}


@pytest.mark.parametrize("init,body", list(NORMS.values()), ids=list(NORMS))
def test_layer_argument_forms(init, body):
    compare(body, init, check_params=True)


BIAS = {
    "linear": ("self.n = nn.Linear(8, 4)", "return self.n.bias.expand(2, 4)"),
    "conv_bias_false": ("self.n = nn.Conv2d(3, 4, 3, bias=False)", "return torch.zeros(2) if self.n.bias is None else x"),
    "batchnorm": ("self.n = nn.BatchNorm2d(6)", "return self.n.bias.data.view(2, 3)"),
    "batchnorm_no_bias": ("self.n = nn.BatchNorm2d(6, bias=False)", "return torch.zeros(3) if self.n.bias is None else x"),
    "batchnorm_no_affine": ("self.n = nn.BatchNorm2d(6, affine=False)", "return torch.zeros(3) if self.n.bias is None else x"),
    "groupnorm": ("self.n = nn.GroupNorm(2, 6)", "return self.n.bias.unsqueeze(0)"),
    "layernorm": ("self.n = nn.LayerNorm((3, 4))", "return self.n.bias.flatten()"),
    "layernorm_no_affine": ("self.n = nn.LayerNorm(4, elementwise_affine=False)",
                            "return torch.zeros(1) if self.n.bias is None else x"),
}


@pytest.mark.parametrize("init,body", list(BIAS.values()), ids=list(BIAS))
def test_bias_attribute_is_the_parameter(init, body):
    """`layer.bias` is the parameter (or None), whatever the `bias=` flag says."""
    compare(body, init)


def test_names_cnnlint_says_torch_has_are_there():
    """`hasattr(torch.nn.functional, "scaled_dot_product_attention")` is True for cnnlint only
    where torch 2.13 really has the name (a wrong True would pick a branch PyTorch does not)."""
    import torch.nn.functional
    from cnnlint.overlays.torch_calls import KEEP_FUNCTIONALS
    from cnnlint.overlays.tensor_basics import TORCH_FUNCTIONS
    from cnnlint.layers import FUNCTIONALS, LAYERS
    from cnnlint.overlays import functional, torch_functions
    from cnnlint.layers.hierarchy import _DERIVED
    from cnnlint.overlays.torch_names import NN_NAMES, has_name

    claims = [("torch.nn", n, torch.nn) for n in set(LAYERS) | NN_NAMES | set(_DERIVED)] + \
        [("torch.nn.functional", n, torch.nn.functional)
         for n in set(FUNCTIONALS) | set(KEEP_FUNCTIONALS) | set(functional.OPS)] + \
        [("torch", n, torch) for n in set(torch_functions.OPS) | set(TORCH_FUNCTIONS)]
    from cnnlint.overlays.torch_calls import CONSTANT_CALLS, PASS_THROUGH
    from cnnlint.overlays.torch_names import TORCH_SUBMODULES

    for qualified in list(CONSTANT_CALLS) + list(PASS_THROUGH):
        where, name = qualified.rsplit(".", 1)
        if where.startswith("torch"):
            claims.append((where, name, eval(where, {"torch": torch})))
    claims += [("torch", n, torch) for n in TORCH_SUBMODULES]
    missing = sorted(f"{where}.{name}" for where, name, mod in claims
                     if has_name(where, name) and not hasattr(mod, name))
    assert not missing, missing

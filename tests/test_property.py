"""Property test: random stacks of conv/pool/norm/linear/flatten layers, written out as model
source. cnnlint's output shape equals PyTorch's on the meta device, and cnnlint reports an error
exactly when PyTorch raises."""
import pytest

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from cnnlint.api import Settings, check_source  # noqa: E402
from cnnlint.inputspec import parse_spec  # noqa: E402


@st.composite
def stacks(draw):
    """(layer source lines, input shape): mostly valid, sometimes a wrong channel count, a kernel
    larger than its input or a Linear with the wrong in_features."""
    channels = draw(st.integers(1, 4))
    size = draw(st.integers(4, 20))
    batch = draw(st.integers(1, 3))
    shape = (batch, channels, size, size)
    layers = []
    c, flat = channels, False
    for _ in range(draw(st.integers(1, 6))):
        if flat:
            kind = "linear"
        else:
            kind = draw(st.sampled_from(["conv", "conv", "pool", "avgpool", "bn", "relu", "flatten", "linear"]))
        if kind == "conv":
            out = draw(st.integers(1, 6))
            cin = c if draw(st.integers(0, 9)) else c + 1  # 1 in 10: a channel mismatch
            k = draw(st.integers(1, 5))
            stride = draw(st.integers(1, 2))
            pad = draw(st.integers(0, k // 2))
            layers.append(f"nn.Conv2d({cin}, {out}, kernel_size={k}, stride={stride}, padding={pad})")
            c = out
        elif kind == "pool":
            layers.append(f"nn.MaxPool2d({draw(st.integers(1, 3))})")
        elif kind == "avgpool":
            k = draw(st.integers(1, 3))
            layers.append(f"nn.AvgPool2d({k}, stride={draw(st.integers(1, 2))})")
        elif kind == "bn":
            layers.append(f"nn.BatchNorm2d({c if draw(st.integers(0, 9)) else c + 1})")
        elif kind == "relu":
            layers.append("nn.ReLU()")
        elif kind == "flatten":
            layers.append("nn.Flatten()")
            flat = True
        else:  # linear: in_features from a guess of the flat size, right or not
            guess = draw(st.integers(1, 64))
            if not flat:
                layers.append("nn.Flatten()")
                flat = True
            layers.append(f"nn.Linear({guess}, {draw(st.integers(1, 8))})")
    return layers, shape


def torch_output(layers, shape):
    nn = torch.nn
    try:
        with torch.device("meta"):
            model = nn.Sequential(*[eval(src, {"nn": nn}) for src in layers])
            model.eval()
            return tuple(model(torch.empty(*shape, device="meta")).shape)
    except Exception:
        return None


def cnnlint_output(layers, shape):
    body = ",\n            ".join(layers)
    src = (f"import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           f"        self.body = nn.Sequential(\n            {body},\n        )\n\n"
           f"    def forward(self, x):\n        return self.body(x)\n")
    spec = parse_spec(",".join(map(str, shape)))
    result = check_source(src, "net.py", Settings(input_specs=(spec,), shapes=True))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not any(d.code == "CNN999" for d in result.diagnostics), result.diagnostics
    out = result.models[0].output if result.models else None
    return errors, (tuple(out) if out is not None else None), src


# Linear guesses are almost always wrong: bias the stacks so that about half run.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks())
def test_shapes_and_errors_match_pytorch(stack):
    layers, shape = stack
    expected = torch_output(layers, shape)
    errors, got, src = cnnlint_output(layers, shape)
    if expected is None:
        assert errors, f"PyTorch raises, cnnlint reports no error:\n{src}\ninput {shape}"
    else:
        assert not errors, f"PyTorch runs ({expected}), cnnlint reports {errors}:\n{src}\ninput {shape}"
        assert got == expected, f"{src}\ninput {shape}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks().filter(lambda s: not any(l.startswith("nn.Linear") for l in s[0])))
def test_conv_stacks_without_linear(stack):
    layers, shape = stack
    expected = torch_output(layers, shape)
    errors, got, src = cnnlint_output(layers, shape)
    assert bool(errors) == (expected is None), f"{src}\ninput {shape}: torch {expected}, cnnlint {errors}"
    if expected is not None:
        assert got == expected, f"{src}\ninput {shape}"

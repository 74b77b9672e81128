"""Kinds of false error seen on model code cnnlint had never met (issue 12). Each test states
the construct in a few lines and checks that cnnlint follows it, or leaves it unknown, and
never reports an error PyTorch would not raise; PyTorch checks the same code where it can."""
import textwrap

import pytest

from cnnlint import dims
from cnnlint.api import Settings, check_source
from cnnlint.inputspec import parse_spec


def check(source, spec=None, shapes=False):
    specs = (parse_spec(spec),) if spec else ()
    return check_source(textwrap.dedent(source), "t.py", Settings(input_specs=specs, shapes=shapes))


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


def internal(result):
    return [d for d in result.diagnostics if d.code == "CNN999"]


def run_torch(source, ctor, shape):
    torch = pytest.importorskip("torch")
    scope = {}
    exec(compile(textwrap.dedent(source), "t.py", "exec"), scope)
    model = eval(ctor, scope)
    with torch.no_grad():
        return model(torch.zeros(shape))


# --- kind 6: arithmetic on a value cnnlint could not follow never crashes ----------------------

def test_dims_arithmetic_on_non_sizes_is_unknown():
    from cnnlint.interpret.values import SymbolicObj

    odd = SymbolicObj("c")
    assert dims.prod((2, odd, 3)) is None
    assert dims.mul(2, odd) is None and dims.add(odd, 1) is None and dims.sub(1, odd) is None


CONV_SUBCLASS = """
import torch.nn as nn
import torch.nn.functional as F

class StdConv(nn.Conv2d):
    def __init__(self, cin, cout, k, stride=1):
        super().__init__(cin, cout, k, stride=stride, padding=k // 2, bias=False)

    def forward(self, x):
        w = self.weight
        w = (w - w.mean(dim=[1, 2, 3], keepdim=True)) / (w.std(dim=[1, 2, 3], keepdim=True) + 1e-5)
        w = F.batch_norm(w.reshape(1, self.out_channels, -1), None, None, training=True).reshape_as(w)
        return F.conv2d(x, w, self.bias, self.stride, self.padding, self.dilation, self.groups)
"""


def test_conv_subclass_with_symbolic_channels_does_not_crash():
    result = check(CONV_SUBCLASS)
    assert not internal(result) and not errors(result)


def test_conv_subclass_attributes_are_torchs():
    source = CONV_SUBCLASS + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = StdConv(3, 8, 5, stride=2)
        k = self.conv.kernel_size[0] * self.conv.stride[1] + self.conv.padding[0]
        self.fc = nn.Linear(8 * k, 4)

    def forward(self, x):
        return self.fc(self.conv(x).mean(dim=(2, 3)).repeat(1, 12))
"""
    result = check(source, "Net=2,3,16,16", shapes=True)
    assert not errors(result) and not internal(result)
    (model,) = [m for m in result.models if m.model == "Net"]
    assert model.output == (2, 4)
    assert [r.output for r in model.layers if r.name == "conv"] == [(2, 8, 8, 8)]
    out = run_torch(source, "Net()", (2, 3, 16, 16))
    assert tuple(out.shape) == model.output

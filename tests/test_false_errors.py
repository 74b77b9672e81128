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


# --- kind 2: a list changed in a way cnnlint cannot model is unknown, never stale --------------

LIST_MODEL = """
import torch.nn as nn

{helpers}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        widths = [8]
        {change}
        self.c1 = nn.Conv2d(3, widths[0], 3)
        self.c2 = nn.Conv2d(widths[0], widths[{index}], 3)

    def forward(self, x):
        return self.c2(self.c1(x))
"""


def list_model(change, index, helpers=""):
    return LIST_MODEL.format(change=change, index=index, helpers=helpers)


@pytest.mark.parametrize("change", [
    "widths[0:0] = [8, 8]",              # slice assignment, modelled exactly
    "widths[len(widths):] = [8] * 2",
    "widths += [8, 8]",
    "alias = widths; alias += [8, 8]",   # through another name
    "widths *= 3",
    "widths.extend((8, 8))",
    "widths.insert(0, 8); widths.insert(-1, 8)",
])
def test_modelled_list_changes_are_exact(change):
    source = list_model(change, 2)
    assert not errors(check(source))
    run_torch(source, "Net()", (1, 3, 16, 16))
    assert [d.code for d in errors(check(list_model(change, 3)))] == ["CNN109"]  # really out of range


@pytest.mark.parametrize("change", [
    "widths[k:k] = [8, 8]",                           # bounds cnnlint cannot compute
    "grow(widths)",                                   # a helper it cannot see
    "widths.__iadd__([8, 8])",                        # a method it does not model
    "for _ in unknown_things(): widths.append(8)",    # a loop it cannot run
    "alias = widths\n        for _ in unknown_things(): alias += [8, 8]",
])
def test_unmodelled_list_changes_make_it_unknown(change):
    source = list_model(change, 2, helpers="from elsewhere import grow, unknown_things, k")
    assert not errors(check(source))


def test_deleting_and_popping_are_exact():
    source = list_model("widths = [4, 8, 16, 32]; del widths[1:3]; widths.pop(0); widths.append(8)", 1)
    assert not errors(check(source))
    run_torch(source, "Net()", (1, 3, 16, 16))
    source = list_model("widths = [8, 8, 8]; del widths[0]; widths.remove(8)", 1)
    assert [d.code for d in errors(check(source))] == ["CNN109"]


def test_dict_changed_by_unknown_code_is_unknown():
    source = """
import torch.nn as nn
from elsewhere import fill

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        cfg = {"w": 4}
        fill(cfg)
        self.c1 = nn.Conv2d(3, 8, 3)
        self.c2 = nn.Conv2d(cfg["w"], 8, 3)

    def forward(self, x):
        return self.c2(self.c1(x))
"""
    assert not errors(check(source))

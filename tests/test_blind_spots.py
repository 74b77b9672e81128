"""Constructs from model code cnnlint had not met (issue 12, "Blind spots seen"): compatibility
shims at the top level, factories that build through helpers, side-effect statements in
__init__, and training mode. Each checked against PyTorch where it runs."""
import textwrap

import pytest

from cnnlint.api import Settings, check_source
from cnnlint.inputspec import parse_spec


def check(source, spec=None, model=None):
    source = textwrap.dedent(source)
    specs = (parse_spec(spec),) if spec else ()
    return check_source(source, "m.py", Settings(input_specs=specs, model=model, shapes=True))


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


def run_torch(source, ctor, shape, train=False):
    """The model's output shape in PyTorch (CPU), or the exception it raises."""
    torch = pytest.importorskip("torch")
    namespace = {"__name__": "shim_test"}
    exec(compile(textwrap.dedent(source), "m.py", "exec"), namespace)
    model = eval(ctor, namespace)
    model.train(train)
    try:
        with torch.no_grad():
            out = model(torch.zeros(shape))
    except Exception as e:  # noqa: BLE001 - the oracle's verdict
        return e
    return tuple((out[0] if isinstance(out, (tuple, list)) else out).shape)


# --- 1. compatibility shims ---------------------------------------------------------------

UNDECIDED = """
import torch
import torch.nn as nn

if torch.__version__ >= "1.7":
    Act = nn.SiLU
else:
    class Act(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(x)


def stem():
    return nn.Sequential(nn.Conv2d(3, 8, 3), Act(), nn.Conv2d(8, 4, 3))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.act = Act()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))
"""


def test_a_shim_cnnlint_cannot_decide_still_gives_a_module():
    result = check(UNDECIDED, "2,3,16,16")
    names = {m.model for m in result.models}
    assert names == {"stem", "Net"}  # the Sequential holding Act() is a model
    assert not errors(result)
    net = next(m for m in result.models if m.model == "Net")
    rows = {r.name: r for r in net.layers}
    assert rows["conv"].output == (2, 8, 14, 14)
    assert rows["act"].type == "Act" and rows["act"].output is None  # its shapes stay unknown
    assert net.params is None  # and so do its parameters
    assert any("Act is defined in two ways" in d.message for d in result.diagnostics)
    assert run_torch(UNDECIDED, "Net()", (2, 3, 16, 16)) == (2, 2)


DECIDED = """
import torch.nn as nn

if hasattr(nn, "GELU"):
    Act = nn.GELU
elif hasattr(nn, "ReLU"):
    Act = nn.ReLU
else:
    raise ImportError("no activation")

if hasattr(nn, "SomethingNew"):
    Extra = nn.SomethingNew
else:
    Extra = nn.Identity


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), Act(), nn.Conv2d(6, 4, 3))

    def forward(self, x):
        return self.body(x)
"""


def test_hasattr_of_torch_nn_is_decided_for_known_layers():
    result = check(DECIDED, "2,3,16,16")
    (err,) = errors(result)
    assert err.code == "CNN101" and "expects 6 input channels" in err.message
    assert isinstance(run_torch(DECIDED, "Net()", (2, 3, 16, 16)), RuntimeError)
    # an unknown name of torch.nn is not decided: the two classes differ, so `Extra` is a module of
    # unknown shapes, never a guess
    from cnnlint.source import FileContext
    from cnnlint.interpret.values import Builtin, Qual

    ctx = FileContext("m.py", textwrap.dedent(DECIDED))
    assert ctx.scope.get_local("Act") == Qual("torch.nn.GELU", "m.py")
    assert isinstance(ctx.scope.get_local("Extra"), Builtin)

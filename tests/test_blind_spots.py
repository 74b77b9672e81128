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
    from cnnlint.abstract.values import Builtin, Qual

    ctx = FileContext("m.py", textwrap.dedent(DECIDED))
    assert ctx.scope.get_local("Act") == Qual("torch.nn.GELU", "m.py")
    assert isinstance(ctx.scope.get_local("Extra"), Builtin)


# --- 3. statements in __init__ whose value is not used ----------------------------------------

SIDE_EFFECTS = """
import torch
import torch.nn as nn
from elsewhere import init_weights


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        init_weights(self, torch.zeros(1))
        self.fc = nn.Linear(8, 4)
        self.fc.bias.data.copy_(torch.ones(4))
        self.has_bias = self.fc.bias is not None
        for key in {"a", "b"}:
            self.register_buffer(key, torch.zeros(3))

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)))
"""


def test_unused_values_do_not_make_later_shapes_unknown():
    result = check(SIDE_EFFECTS, "2,3,8,8")
    (net,) = result.models
    assert net.output == (2, 4)
    assert net.params == (3 * 8 * 9 + 8) + (8 * 4 + 4)  # buffers are not parameters
    notes = [d.message for d in result.diagnostics if d.code == "CNN401"]
    assert any("init_weights(...)" in m and "its value is not used" in m for m in notes), notes
    assert not any("copy_" in m for m in notes), notes  # `layer.bias` is the tensor, not `bias=True`


# --- 4. training mode ------------------------------------------------------------------------

TRAINING_ONLY = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.aux = nn.Linear(9, 4)
        self.head = nn.Linear(8, 4)
        self.tail = nn.Linear(5, 4)

    def forward(self, x):
        x = self.conv(x).mean((2, 3))
        if self.training:
            return self.head(x), self.aux(x)
        return self.tail(self.head(x))
"""


def test_training_and_eval_mode_are_both_checked():
    result = check(TRAINING_ONLY, "2,3,8,8")
    found = sorted((d.code, d.severity, d.message.rsplit("(", 1)[-1]) for d in result.diagnostics
                   if d.code.startswith("CNN1"))
    assert found == [("CNN102", "error", "in eval mode)"), ("CNN102", "error", "in training mode)")]
    (net,) = result.models
    assert [r.name for r in net.layers if r.name] == ["conv", "head", "tail"]  # the eval trace, as torchinfo
    assert isinstance(run_torch(TRAINING_ONLY, "Net()", (2, 3, 8, 8), train=True), RuntimeError)
    assert isinstance(run_torch(TRAINING_ONLY, "Net()", (2, 3, 8, 8), train=False), RuntimeError)


BOTH_MODES = TRAINING_ONLY.replace("self.aux = nn.Linear(9, 4)", "self.aux = nn.Linear(7, 4)").replace(
    "if self.training:", "if self.training or True:")


def test_a_finding_of_both_modes_is_reported_once_without_a_mode():
    result = check(BOTH_MODES, "2,3,8,8")
    found = [d for d in result.diagnostics if d.code.startswith("CNN1")]
    assert len(found) == 1 and "mode)" not in found[0].message


def test_a_model_that_never_reads_training_is_run_once():
    from cnnlint.analyze import run_in_mode, run_model
    from cnnlint.source import FileContext
    from cnnlint.interpret.core import Interp

    ctx = FileContext("m.py", textwrap.dedent(SIDE_EFFECTS))
    (model,) = ctx.models(Interp(ctx))
    assert not run_in_mode(ctx, model, None, True).interp.read_training
    assert run_model(ctx, model, None).interp.training is True


TORCHVISION = "/work/benchvenv/lib/python3.11/site-packages/torchvision/models"


@pytest.mark.parametrize("name,spec,fails_in_training", [
    ("googlenet.py", "GoogLeNet=2,3,224,224", False), ("googlenet.py", "GoogLeNet=2,3,96,96", False),
    ("inception.py", "Inception3=2,3,299,299", False), ("inception.py", "Inception3=2,3,75,75", True)])
def test_torchvision_aux_logits_in_training_mode(name, spec, fails_in_training):
    """What PyTorch 2.14 / torchvision 0.29 does (tvtrain in the notes): GoogLeNet runs in both modes;
    Inception3 on 75x75 inputs fails only in training mode, in its aux head's 5x5 average pool."""
    import os

    path = os.path.join(TORCHVISION, name)
    if not os.path.exists(path):
        pytest.skip("torchvision's sources are not installed here")
    from cnnlint.api import check_file

    result = check_file(path, Settings(input_specs=(parse_spec(spec),), model=spec.split("=")[0]))
    found = errors(result)
    if fails_in_training:
        assert found and all(d.message.endswith("(in training mode)") for d in found)
    else:
        assert not found


# --- 2. factories that build through helpers -------------------------------------------------

FACTORIES = """
from functools import partial
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width, depth, classes=10):
        super().__init__()
        layers = [nn.Conv2d(3, width, 3)]
        for _ in range(depth):
            layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


def _build(width, depth, pretrained, **kwargs):
    model = Net(width, depth, **kwargs)
    if pretrained:
        model.load_state_dict({})
    return model


def net_small(pretrained=False, **kwargs):
    return _build(8, 1, pretrained, **kwargs)


def net_conditional(big=False):
    return _build(16, 3, False) if big else net_small()


def net_partial():
    make = partial(Net, 4)
    return make(2, classes=3)


_TABLE = {"small": Net}


def from_table(name="small"):
    return _TABLE[name](6, 1)


def describe(width):
    return partial(str, width)()


def pairs():
    return _pair(Net)


def _pair(cls):
    return (cls, cls)
"""


def test_factories_through_helpers_are_models():
    result = check(FACTORIES)
    # the roots (net_small is part of net_conditional); `describe` and `pairs` build no module:
    # no model, and no note about them
    assert {m.model for m in result.models} == {"net_conditional", "net_partial", "from_table"}
    assert not any("pairs" in d.message or "describe" in d.message for d in result.diagnostics)
    torch = pytest.importorskip("torch")
    namespace = {}
    exec(compile(textwrap.dedent(FACTORIES), "m.py", "exec"), namespace)
    for name in ("net_small", "net_conditional", "net_partial", "from_table"):
        built = namespace[name]()
        (model,) = check(FACTORIES, f"{name}=2,3,12,12", model=name).models
        assert model.params == sum(p.numel() for p in built.parameters()), name
        assert model.output == tuple(built(torch.zeros(2, 3, 12, 12)).shape), name


def test_a_factory_can_be_named_with_model():
    result = check(FACTORIES, "net_small=1,3,16,16", model="net_small")
    (model,) = result.models
    assert model.output == (1, 10)


def test_a_candidate_that_builds_no_module_leaves_its_classes_as_roots():
    source = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)


    def registry():
        return describe(Net)


    def describe(cls):
        return cls.__name__
    """
    result = check(source)
    assert [m.model for m in result.models] == ["Net"]


INTERMEDIATE = """
from collections import OrderedDict
import torch.nn as nn


class Getter(nn.ModuleDict):
    def __init__(self, model, return_layers):
        layers = OrderedDict()
        wanted = dict(return_layers)
        for name, module in model.named_children():
            layers[name] = module
            if name in wanted:
                del wanted[name]
            if not wanted:
                break
        super().__init__(layers)
        self.return_layers = return_layers

    def forward(self, x):
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out["feat"]


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)
        self.extra = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 2))
        del self.extra[1]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = Getter(Backbone(), {"conv": "feat"})
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        return self.head(self.body(x))
"""


def test_del_removes_what_it_names():
    """`del wanted[name]` ends the loop after `conv` (as in torchvision's IntermediateLayerGetter):
    the pool and the Linear are left out; `del seq[1]` numbers the rest again, as torch does."""
    result = check(INTERMEDIATE, "2,3,10,10", model="Net")
    assert not errors(result)
    (net,) = result.models
    assert net.output == (2, 2, 8, 8)
    torch = pytest.importorskip("torch")
    namespace = {}
    exec(compile(textwrap.dedent(INTERMEDIATE), "m.py", "exec"), namespace)
    built = namespace["Net"]()
    assert tuple(built(torch.zeros(2, 3, 10, 10)).shape) == net.output
    assert net.params == sum(p.numel() for p in built.parameters())
    backbone = namespace["Backbone"]()
    assert [n for n, _ in backbone.extra.named_children()] == ["0", "1"]
    (bb,) = check(INTERMEDIATE, "2,3,10,10", model="Backbone").models
    assert [m.name for m in bb.modules if m.name.startswith("extra.")] == ["extra.0", "extra.1"]


def test_an_error_of_building_the_model_has_no_mode():
    source = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, groups=2)
            self.drop = nn.Dropout()

        def forward(self, x):
            x = self.conv(x)
            return self.drop(x) if self.training else x
    """
    result = check(source, "2,3,8,8")
    (err,) = errors(result)
    assert err.code == "CNN105" and not err.message.endswith("mode)")
    with pytest.raises(ValueError):
        run_torch(source, "Net()", (2, 3, 8, 8))


REBOUND = """
import torch
import torch.nn as nn


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


if hasattr(nn, "SiLU"):
    Swish = nn.SiLU

if torch.__version__ < "1.0":
    Mish = None


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), Swish(), nn.Conv2d(4, 4, 3))

    def forward(self, x):
        return self.body(x)
"""


def test_an_if_that_rebinds_a_class_defined_above():
    from cnnlint.source import FileContext
    from cnnlint.abstract.values import Qual, Unknown

    ctx = FileContext("m.py", textwrap.dedent(REBOUND))
    assert ctx.scope.get_local("Swish") == Qual("torch.nn.SiLU", "m.py")
    assert isinstance(ctx.scope.get_local("Mish"), Unknown)  # bound on one path only
    (err,) = errors(check(REBOUND, "2,3,16,16"))
    assert err.code == "CNN101"
    assert isinstance(run_torch(REBOUND, "Net()", (2, 3, 16, 16)), RuntimeError)

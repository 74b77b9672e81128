"""Constructs the interpreter follows, checked against numbers worked out by hand (and by
PyTorch on the CPU where torch is installed: the meta device cannot run `.tolist()`)."""
import os

import pytest

from cnnlint.api import Settings, check_source
from cnnlint.inputspec import parse_spec

DATA = os.path.join(os.path.dirname(__file__), "data")


def trace(path, spec):
    with open(path) as fh:
        source = fh.read()
    result = check_source(source, path, Settings(input_specs=(parse_spec(spec),), shapes=True))
    (model,) = result.models
    return result, model


def test_value_tensors_compute_widths_like_regnet():
    result, model = trace(os.path.join(DATA, "computed_widths.py"), "Net=2,3,32,32")
    convs = [row for row in model.layers if row.type == "Conv2d"]
    # widths: round((arange(3) * 8 + 8) / 8) * 8 = [8, 16, 24]
    assert [row.output[1] for row in convs] == [8, 16, 24]
    assert model.output == (2, 10)
    assert model.params == (3 * 8 * 9 + 8) + (8 * 16 * 9 + 16) + (16 * 24 * 9 + 24) + (24 * 16 * 10 + 10)
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_value_tensors_agree_with_torch_on_cpu():
    torch = pytest.importorskip("torch")
    import importlib.util

    spec = importlib.util.spec_from_file_location("computed_widths", os.path.join(DATA, "computed_widths.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    net = mod.Net()
    out = net(torch.zeros(2, 3, 32, 32))
    _, model = trace(os.path.join(DATA, "computed_widths.py"), "Net=2,3,32,32")
    assert tuple(out.shape) == model.output
    assert sum(p.numel() for p in net.parameters()) == model.params


def _module_file(init_args: str, method: str, tail: str) -> str:
    """A file with one model class (a conv, then a Linear one in_feature too many) and ``tail``."""
    return (
        "import torch.nn as nn\n\n\n"
        "class Small(nn.Module):\n"
        f"    def __init__(self, {init_args}):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 8, 3)\n"
        "        self.fc = nn.Linear(8 * 30 * 30 + 1, n)\n\n"
        f"{method}"
        "    def forward(self, x):\n"
        "        return self.fc(self.conv(x).flatten(1))\n\n\n" + tail)


def test_function_annotated_to_return_a_module_is_a_model():
    """`def build_model(name) -> nn.Module:` picks a class from a table: the annotation makes it a
    model, and its default builds the model checked."""
    source = _module_file("n=10", "", "MODELS = {'small': Small}\n\n\n"
                          "def build_model(name: str = 'small', n: int = 10) -> nn.Module:\n"
                          "    return MODELS[name](n)\n")
    settings = Settings(input_specs=(parse_spec("build_model=2,3,32,32"),), model="build_model")
    result = check_source(source, "models.py", settings)
    assert [(d.code, d.model, d.declared, d.inferred) for d in result.diagnostics] == \
        [("CNN102", "build_model", 7201, 7200)]


def test_function_returning_a_classmethod_build_is_a_model():
    source = _module_file("n", "    @classmethod\n    def from_config(cls, cfg):\n        return cls(cfg['n'])\n\n",
                          "def build():\n    return Small.from_config({'n': 2})\n")
    settings = Settings(input_specs=(parse_spec("build=2,3,32,32"),), model="build")
    result = check_source(source, "models.py", settings)
    assert [(d.code, d.model, d.declared, d.inferred) for d in result.diagnostics] == \
        [("CNN102", "build", 7201, 7200)]


TYPE_IS = '''\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 16, 3), nn.ReLU6())
        width = 0
        for m in self.body:
            if type(m) is nn.Conv2d:
                width = m.out_channels
            if type(m) == nn.modules.activation.ReLU6 or type(m) is not nn.ReLU:
                width = width + 0
        self.fc = nn.Linear(width * 28 * 28, 10)

    def forward(self, x):
        return self.fc(self.body(x).flatten(1))
'''


def test_type_of_a_layer_is_its_torch_class(tmp_path):
    """`type(m) is nn.Conv2d` is decided for torch's own layers, so `width` is known: 16."""
    path = tmp_path / "net.py"
    path.write_text(TYPE_IS)
    result, model = trace(str(path), "Net=2,3,32,32")
    assert not result.diagnostics
    assert model.output == (2, 10)
    fc = [row for row in model.layers if row.type == "Linear"]
    assert fc and fc[0].params == 16 * 28 * 28 * 10 + 10
    torch = pytest.importorskip("torch")
    scope = {}
    exec(compile(TYPE_IS, str(path), "exec"), scope)  # the test runs the model, cnnlint never does
    with torch.device("meta"):
        net = scope["Net"]()
        out = net(torch.empty(2, 3, 32, 32))
    assert tuple(out.shape) == model.output
    assert sum(p.numel() for p in net.parameters()) == model.params


ISINSTANCE_BASES = '''\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU6(), nn.ZeroPad2d(1))
        width = 0
        for m in self.body:
            if isinstance(m, nn.modules.conv._ConvNd):
                width += m.out_channels
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                width += 1
            if isinstance(m, nn.Hardtanh):
                width += 1
            if isinstance(m, nn.ConstantPad2d):
                width += 2
        self.fc = nn.Linear(8 * 32 * 32, width)

    def forward(self, x):
        return self.fc(self.body(x).flatten(1))
'''


def test_isinstance_knows_torch_base_classes(tmp_path):
    """A conv is a `_ConvNd`, a BatchNorm2d a `_BatchNorm`, ReLU6 a Hardtanh, ZeroPad2d a
    ConstantPad2d: width = 8 + 1 + 1 + 2, as PyTorch counts it."""
    path = tmp_path / "net.py"
    path.write_text(ISINSTANCE_BASES)
    result, model = trace(str(path), "Net=2,3,32,32")
    assert not result.diagnostics
    assert model.output == (2, 12)
    torch = pytest.importorskip("torch")
    scope = {}
    exec(compile(ISINSTANCE_BASES, str(path), "exec"), scope)  # the test runs the model, cnnlint never does
    with torch.device("meta"):
        out = scope["Net"]()(torch.empty(2, 3, 32, 32))
    assert tuple(out.shape) == model.output


def test_isinstance_of_an_unknown_torch_base_class_is_unknown():
    from cnnlint.layers.hierarchy import layer_is

    assert layer_is("Conv2d", "_SomePrivateBase") is None
    assert layer_is("LazyConv2d", "Conv2d") is True and layer_is("Conv2d", "LazyConv2d") is False
    assert layer_is("Conv2d", "Linear") is False

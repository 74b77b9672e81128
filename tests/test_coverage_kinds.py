"""Constructs found by bench/coverage.py among the calls cnnlint could not follow in torchvision
and timm, each checked against PyTorch: the model is built on the meta device and its output
shape and parameter count compared with cnnlint's."""
import importlib
import os
import sys
import textwrap

import pytest

from cnnlint.api import Settings, check_file
from cnnlint.inputspec import parse_spec


def _write(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(textwrap.dedent(text))


def _cnnlint(path, spec):
    result = check_file(str(path), Settings(input_specs=(parse_spec(spec),), shapes=True))
    (model,) = result.models
    return result, model


def _torch(root, module, ctor, shape):
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(root))
    try:
        mod = importlib.import_module(module)
        with torch.device("meta"):
            net = eval(ctor, vars(mod))
            out = net(torch.zeros(shape))
        return tuple(out.shape), sum(p.numel() for p in net.parameters())
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == module.split(".")[0] or m.startswith(module.split(".")[0] + ".")]:
            del sys.modules[name]


def _agree(root, rel, ctor, shape):
    """cnnlint and PyTorch agree on the output shape and parameter count; no note that cnnlint
    could not follow something."""
    spec = f"{ctor}={','.join(map(str, shape))}"
    result, model = _cnnlint(os.path.join(root, rel), spec)
    module = rel[:-3].replace("/", ".")
    out, params = _torch(root, module, ctor, shape)
    assert model.output == out
    assert model.params == params
    assert not [d for d in result.diagnostics if d.severity == "error"]
    assert not [d.message for d in result.diagnostics if "cannot follow" in d.message]
    return model


def test_absolute_import_of_a_name_its_package_re_exports(tmp_path):
    """`from pkg.layers import make_conv` where pkg/layers/make_conv.py exists: Python gives the
    package's attribute, the function its __init__ re-exports, not the submodule."""
    _write(tmp_path, {
        "cvpkg/__init__.py": "",
        "cvpkg/layers/__init__.py": "from .make_conv import make_conv\n",
        "cvpkg/layers/make_conv.py": """
            import torch.nn as nn

            def make_conv(cin, cout, k=3):
                return nn.Conv2d(cin, cout, k, padding=k // 2)
            """,
        "cvpkg/models/__init__.py": "",
        "cvpkg/models/net.py": """
            import torch.nn as nn
            from cvpkg.layers import make_conv


            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = make_conv(3, 8, 5)
                    self.head = nn.Linear(8, 4)

                def forward(self, x):
                    return self.head(self.conv(x).mean((2, 3)))
            """,
    })
    _agree(tmp_path, "cvpkg/models/net.py", "Net()", (2, 3, 16, 16))


# --- Python's type objects: isinstance / issubclass / sets of classes / __name__ -------------------

_TYPES_MODULE = """
import functools
import types
from typing import Callable

import torch.nn as nn


class Plain:
    pass


class Block(nn.Module):
    def forward(self, x):
        return x


class MyConv(nn.Conv2d):
    pass


def helper(c):
    return nn.BatchNorm2d(c)


half = functools.partial(nn.Conv2d, kernel_size=1)
lam = lambda c: nn.ReLU()
KINDS = {Block, MyConv, nn.ReLU}
NAMES = {k.__name__.lower() for k in (Block, nn.BatchNorm2d)}
"""

_TYPE_EXPRESSIONS = [
    "isinstance(nn.Conv2d, type)", "isinstance(Block, type)", "isinstance(helper, type)", "isinstance(half, type)",
    "isinstance('relu', type)", "isinstance(3, type)", "isinstance(int, type)", "isinstance(len, type)",
    "isinstance(helper, types.FunctionType)", "isinstance(lam, types.FunctionType)",
    "isinstance(nn.ReLU, types.FunctionType)", "isinstance(half, types.FunctionType)",
    "isinstance(Block, types.FunctionType)", "isinstance(None, types.FunctionType)",
    "isinstance(half, functools.partial)", "isinstance(helper, functools.partial)",
    "isinstance(nn.ReLU, functools.partial)", "isinstance('bn', functools.partial)",
    "isinstance(helper, Callable)", "isinstance(nn.ReLU, Callable)", "isinstance(half, Callable)",
    "isinstance(Block(), Callable)", "isinstance(nn.ReLU(), Callable)", "isinstance(Plain(), Callable)",
    "isinstance('relu', Callable)", "isinstance(None, Callable)", "isinstance(2.0, Callable)",
    "isinstance(nn.ReLU, (type, str, types.FunctionType, functools.partial))",
    "isinstance('x', (type, str, types.FunctionType, functools.partial))",
    "isinstance(3, (type, str, types.FunctionType, functools.partial))",
    "issubclass(Block, nn.Module)", "issubclass(MyConv, nn.Conv2d)", "issubclass(MyConv, nn.Module)",
    "issubclass(Block, nn.Conv2d)", "issubclass(Plain, nn.Module)", "issubclass(nn.Conv2d, nn.Module)",
    "issubclass(nn.ReLU, nn.Conv2d)", "issubclass(nn.ReLU, Block)", "issubclass(MyConv, (Block, nn.Conv2d))",
    "issubclass(Block, Block)", "issubclass(MyConv, Block)",
    "Block in KINDS", "nn.ReLU in KINDS", "nn.GELU in KINDS", "MyConv not in KINDS", "len(KINDS)",
    "sorted(NAMES)", "nn.Conv2d.__name__", "Block.__name__", "helper.__name__",
    "{1, 2, 2, 3} == {3, 2, 1}", "'a' in {'a', 'b'}",
]


def test_type_objects_answer_as_python_does(tmp_path):
    pytest.importorskip("torch")
    import libcst as cst

    from cnnlint.interpret.core import Interp
    from cnnlint.source import FileContext

    path = tmp_path / "kinds.py"
    path.write_text(_TYPES_MODULE)
    ctx = FileContext(str(path), _TYPES_MODULE)
    namespace = {}
    exec(compile(_TYPES_MODULE, str(path), "exec"), namespace)
    for expr in _TYPE_EXPRESSIONS:
        expected = eval(expr, namespace)
        got = Interp(ctx).eval(cst.parse_expression(expr), ctx.scope)
        assert got == expected, expr


def test_a_norm_layer_factory_that_tells_classes_from_names(tmp_path):
    """A factory in timm's style: a class, a name or a partial; a set of classes that take an
    activation; a table keyed by the class's __name__."""
    _write(tmp_path, {"normfactory.py": """
        import functools
        import types

        import torch.nn as nn


        class BNAct(nn.BatchNorm2d):
            def __init__(self, c, act_layer=nn.ReLU):
                super().__init__(c)
                self.act = act_layer()

            def forward(self, x):
                return self.act(super().forward(x))


        class GNAct(nn.GroupNorm):
            def __init__(self, c, act_layer=None):
                super().__init__(4, c)
                self.act = act_layer() if act_layer is not None else nn.Identity()

            def forward(self, x):
                return self.act(super().forward(x))


        _BY_NAME = {"batchnorm2d": BNAct, "groupnorm": GNAct}
        _TYPES = {m for m in _BY_NAME.values()}
        _NEEDS_ACT = {GNAct}


        def get_norm_act(norm_layer, act_layer=None):
            assert isinstance(norm_layer, (type, str, types.FunctionType, functools.partial))
            kwargs = {}
            if isinstance(norm_layer, functools.partial):
                kwargs.update(norm_layer.keywords)
                norm_layer = norm_layer.func
            if isinstance(norm_layer, str):
                layer = _BY_NAME[norm_layer]
            elif norm_layer in _TYPES:
                layer = norm_layer
            elif isinstance(norm_layer, types.FunctionType):
                layer = norm_layer
            else:
                layer = _BY_NAME[norm_layer.__name__.lower()]
            if layer in _NEEDS_ACT:
                kwargs.setdefault("act_layer", act_layer)
            return functools.partial(layer, **kwargs) if kwargs else layer


        class Net(nn.Module):
            def __init__(self, norm=nn.BatchNorm2d, act=nn.GELU):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.norm = get_norm_act(norm, act)(8)
                self.conv2 = nn.Conv2d(8, 16, 3)
                self.norm2 = get_norm_act("groupnorm", act)(16)
                self.fc = nn.Linear(16 * 12 * 12, 10)

            def forward(self, x):
                x = self.norm2(self.conv2(self.norm(self.conv(x))))
                return self.fc(x.flatten(1))
        """})
    _agree(tmp_path, "normfactory.py", "Net()", (2, 3, 16, 16))


def test_super_forward_of_a_torch_layer_subclass_checks_its_input(tmp_path):
    """`super().forward(x)` in a subclass of nn.BatchNorm2d runs BatchNorm2d's forward: PyTorch
    rejects 8 channels for BatchNorm2d(6), and cnnlint reports it."""
    torch = pytest.importorskip("torch")
    source = """
        import torch.nn as nn


        class BNAct(nn.BatchNorm2d):
            def forward(self, x):
                return super().forward(x).relu()


        class Net(nn.Module):
            def __init__(self, c=8):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.bn = BNAct(c)

            def forward(self, x):
                return self.bn(self.conv(x))
        """
    _write(tmp_path, {"bnact.py": source})
    _agree(tmp_path, "bnact.py", "Net()", (2, 3, 10, 10))
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.import_module("bnact")
        with pytest.raises(RuntimeError):
            mod.Net(6)(torch.zeros(2, 3, 10, 10))
    finally:
        sys.path.remove(str(tmp_path))
        del sys.modules["bnact"]
    result, _ = _cnnlint(tmp_path / "bnact.py", "Net(6)=2,3,10,10")
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["CNN101"]

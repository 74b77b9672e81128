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


def _torch(root, module, ctor, shape, device="meta"):
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(root))
    try:
        mod = importlib.import_module(module)
        with torch.device(device):
            net = eval(ctor, vars(mod))
            out = net(torch.zeros(shape))
        return tuple(out.shape), sum(p.numel() for p in net.parameters())
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == module.split(".")[0] or m.startswith(module.split(".")[0] + ".")]:
            del sys.modules[name]


def _agree(root, rel, ctor, shape, device="meta"):
    """cnnlint and PyTorch agree on the output shape and parameter count; no note that cnnlint
    could not follow something."""
    spec = f"{ctor}={','.join(map(str, shape))}"
    result, model = _cnnlint(os.path.join(root, rel), spec)
    module = rel[:-3].replace("/", ".")
    out, params = _torch(root, module, ctor, shape, device)
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
import collections.abc
import functools
import numbers
import types
from typing import Callable, Sequence

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
    "isinstance(Block(), nn.Conv2d)", "isinstance(MyConv(1, 2, 3), nn.Conv2d)", "isinstance(MyConv(1, 2, 3), nn.Linear)",
    "isinstance(Block(), (nn.Linear, nn.BatchNorm2d))", "isinstance(MyConv(1, 2, 3), (nn.Linear, nn.Module))",
    "isinstance(3, numbers.Integral)", "isinstance(True, numbers.Integral)", "isinstance(3.5, numbers.Integral)",
    "isinstance(3.5, numbers.Real)", "isinstance((3, 3), numbers.Integral)", "isinstance(None, numbers.Number)",
    "isinstance('ab', numbers.Number)", "isinstance((1, 2), collections.abc.Iterable)",
    "isinstance(3, collections.abc.Iterable)", "isinstance('ab', collections.abc.Iterable)",
    "isinstance(nn.Sequential(), collections.abc.Iterable)", "isinstance(nn.ReLU(), collections.abc.Iterable)",
    "isinstance([1], collections.abc.Sequence)", "isinstance((1,), Sequence)", "isinstance(1, Sequence)",
    "isinstance({1: 2}, Sequence)", "isinstance(None, collections.abc.Sequence)", "isinstance('x', Sequence)",
    "isinstance(None, (Block, type(None)))", "isinstance(Block(), (Plain, type(None)))", "isinstance(3, type(None))",
    "type(3) is int", "type('a') == str", "type(None) is type(None)", "type((1, 2)) is tuple", "type(2.0) is int",
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


# --- tensor methods and torch functions (overlays/tensor_methods.py, value_methods.py) -----------------------------

_TENSOR_EXPRESSIONS = [
    "x.unbind(0)", "x.unbind(1)", "x.unbind(-1)", "torch.unbind(x, 2)", "x.unbind(dim=3)",
    "x.tile(2)", "x.tile((2, 1, 1, 3))", "x.tile(2, 2, 2, 2, 2)", "torch.tile(x, (3,))",
    "x.repeat_interleave(2)", "x.repeat_interleave(3, dim=1)", "x.repeat_interleave(2, -1)",
    "torch.repeat_interleave(x, 2, dim=0)",
    "x.unfold(3, 2, 1)", "x.unfold(2, 3, 2)", "x.unfold(-1, 5, 5)", "x.unfold(1, 3, 3)",
    "x.swapaxes(1, 3)", "torch.swapaxes(x, 0, -1)", "x.swapdims(0, 2)", "torch.swapdims(x, 2, 3)",
    "x.argsort(dim=1)", "torch.argsort(x, -1)", "torch.eye(4)", "torch.eye(3, 5)",
    "torch.linspace(0, 1, 7)", "torch.linspace(0.0, 0.3, 1)", "torch.linspace(2, 3, 0)",
    "torch.linspace(0, 1, 6).split([2, 4])", "torch.linspace(0, 1, 6).chunk(3)",
    "[t for t in torch.linspace(0, 1, 3)]", "[t * 2 for t in torch.linspace(0, 0.5, 4)]",
]


def _structure(value):
    """Shapes of a tensor / tuple / list of tensors, as tuples."""
    if isinstance(value, (list, tuple)) and not hasattr(value, "shape"):
        return tuple(_structure(v) for v in value)
    shape = getattr(value, "shape", None)
    return tuple(int(d) for d in shape) if shape is not None else value


def test_tensor_methods_give_torchs_shapes(tmp_path):
    torch = pytest.importorskip("torch")
    import libcst as cst

    from cnnlint.interpret.core import Interp
    from cnnlint.abstract.values import Tensor
    from cnnlint.source import FileContext

    source = "import torch\n\nx = torch.zeros(2, 3, 5, 6)\n"
    ctx = FileContext(str(tmp_path / "t.py"), source)
    x = torch.zeros(2, 3, 5, 6, device="meta")
    for expr in _TENSOR_EXPRESSIONS:
        with torch.device("meta"):
            expected = _structure(eval(expr, {"torch": torch, "x": x}))
        got = Interp(ctx).eval(cst.parse_expression(expr), ctx.scope)
        got = _structure(tuple(got) if isinstance(got, (list, tuple)) else got)
        if isinstance(got, Tensor):
            got = got.shape
        got = tuple(g.shape if isinstance(g, Tensor) else g for g in got) if isinstance(got, tuple) and got and \
            isinstance(got[0], Tensor) else got
        assert got == expected, expr


def test_linspace_values_are_torchs_float32_values():
    """timm's drop-path rates: [x.item() for x in torch.linspace(0, rate, depth)], and the
    stage-wise form through split and tolist, exactly as PyTorch computes them (CPU)."""
    torch = pytest.importorskip("torch")
    import libcst as cst

    from cnnlint.interpret.core import Interp
    from cnnlint.source import FileContext

    source = "import torch\n\nx = torch.zeros(2, 3)\n"
    ctx = FileContext("t.py", source)
    for expr in ["[x.item() for x in torch.linspace(0, 0.1, 12)]", "[x.item() for x in torch.linspace(0, 0.3, 7)]",
                 "[x.tolist() for x in torch.linspace(0, 0.2, 10).split([2, 2, 6])]",
                 "torch.linspace(1, 5, 9).tolist()", "[x.item() for x in torch.linspace(0., 0., 3)]",
                 "torch.linspace(-1, 2.5, 13).tolist()",
                 "torch.linspace(0.1, 0.7, 101).tolist()", "torch.linspace(0, 0.4, 24).tolist()",
                 "x.repeat_interleave(torch.tensor([1, 2]), dim=0).shape",  # the meta device cannot
                 "torch.tensor([[1, 2], [3, 4]]).repeat_interleave(torch.tensor([1, 3]), dim=1).shape"]:
        expected = eval(expr, {"torch": torch, "x": torch.zeros(2, 3)})
        got = Interp(ctx).eval(cst.parse_expression(expr), ctx.scope)
        assert got == (tuple(expected) if isinstance(expected, torch.Size) else expected), expr


def test_drop_path_rates_decide_the_branch(tmp_path):
    """With drop_path_rate=0 every block's rate is 0, so `DropPath(p) if p > 0 else nn.Identity()`
    is decided: the model's shapes and parameters are known, as PyTorch builds them."""
    _write(tmp_path, {"dpr.py": """
        import torch
        import torch.nn as nn


        class DropPath(nn.Module):
            def __init__(self, p):
                super().__init__()
                self.p = p

            def forward(self, x):
                return x


        class Block(nn.Module):
            def __init__(self, dim, drop_path=0.0):
                super().__init__()
                self.fc = nn.Linear(dim, dim)
                self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()

            def forward(self, x):
                return x + self.drop_path(self.fc(x))


        class Net(nn.Module):
            def __init__(self, depth=3, dim=16, drop_path_rate=0.):
                super().__init__()
                dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
                self.blocks = nn.Sequential(*[Block(dim, dpr[i]) for i in range(depth)])
                q, k, v = torch.zeros(3, 4, dim).unbind(0)
                self.head = nn.Linear(k.shape[-1], 5)

            def forward(self, x):
                return self.head(self.blocks(x))
        """})
    # .item() needs real values: the CPU, not the meta device
    _agree(tmp_path, "dpr.py", "Net()", (2, 7, 16), "cpu")
    _agree(tmp_path, "dpr.py", "Net(drop_path_rate=0.2)", (2, 7, 16), "cpu")


def test_max_and_min_of_symbolic_sizes_are_exact(tmp_path):
    """max(1, c // 4) and min(c, 64) with a symbolic c: the sizes cnnlint gives, with c filled
    in, are the ones PyTorch builds for every c tried."""
    torch = pytest.importorskip("torch")
    import sympy

    source = """
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, c):
                super().__init__()
                s = max(1, c // 4)
                self.a = nn.Conv2d(c, s, 1)
                self.b = nn.Conv2d(s, max(s, 3, c - 60), 1)
                self.fc = nn.Linear(min(c, 64), 3)

            def forward(self, x):
                return self.b(self.a(x))
        """
    _write(tmp_path, {"mm.py": source})
    result = check_file(str(tmp_path / "mm.py"), Settings(shapes=True))
    (model,) = result.models
    assert not [d for d in result.diagnostics if d.severity == "error"]
    rows = {row.name: row for row in model.layers}
    a_out, b_out = rows["a"].output[1], rows["b"].output[1]
    namespace = {}
    exec(textwrap.dedent(source), namespace)
    c = sympy.Symbol("c", positive=True, integer=True)
    for value in (1, 3, 4, 7, 8, 12, 63, 64, 65, 70, 100):
        with torch.device("meta"):
            net = namespace["Net"](value)
        assert int(sympy.sympify(a_out).subs(c, value)) == net.a.out_channels
        assert int(sympy.sympify(b_out).subs(c, value)) == net.b.out_channels


def test_itertools_lists_what_python_lists(tmp_path):
    import libcst as cst

    from cnnlint.interpret.core import Interp
    from cnnlint.source import FileContext

    source = "import itertools\nfrom itertools import repeat, product\nimport collections.abc\n\n" \
             "def to_ntuple(n):\n" \
             "    def parse(x):\n" \
             "        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):\n" \
             "            return tuple(x)\n" \
             "        return tuple(repeat(x, n))\n" \
             "    return parse\n\n" \
             "to_2tuple = to_ntuple(2)\n"
    ctx = FileContext(str(tmp_path / "it.py"), source)
    namespace = {}
    exec(source, namespace)
    for expr in ["tuple(repeat(3, 2))", "list(repeat('a', 0))", "to_2tuple(7)", "to_2tuple((3, 5))", "to_2tuple([1, 2])",
                 "list(product(range(2), range(3)))", "list(itertools.product([1, 2], repeat=2))",
                 "list(itertools.chain([1, 2], (3,), range(2)))", "list(itertools.accumulate([2, 2, 6, 2]))",
                 "list(itertools.accumulate([1, 2], initial=0))", "[a * b for a, b in product(range(1, 3), range(2))]"]:
        got = Interp(ctx).eval(cst.parse_expression(expr), ctx.scope)
        assert got == eval(expr, namespace), expr


def test_quantizable_model_before_conversion(tmp_path):
    """QuantStub / DeQuantStub are identities and FloatFunctional's add, add_relu, mul, cat the
    operators, until the model is converted: shapes, parameters and modules as PyTorch has them."""
    torch = pytest.importorskip("torch")
    source = """
        import torch
        import torch.nn as nn
        from torch.ao.quantization import DeQuantStub, QuantStub


        class Block(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3, padding=1)
                self.skip_add = nn.quantized.FloatFunctional()
                self.cat = torch.ao.nn.quantized.FloatFunctional()

            def forward(self, x):
                y = self.skip_add.add_relu(self.conv(x), x)
                y = self.skip_add.mul(y, self.skip_add.add_scalar(y, 1.0))
                return self.cat.cat([x, y], 1)


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.quant = QuantStub()
                self.block = Block(4)
                self.pool = nn.AdaptiveAvgPool2d(1)
                self.fc = nn.Linear(8, 3)
                self.dequant = torch.ao.quantization.DeQuantStub()

            def forward(self, x):
                x = self.block(self.quant(x))
                return self.dequant(self.fc(self.pool(x).flatten(1)))
        """
    _write(tmp_path, {"qnet.py": source})
    model = _agree(tmp_path, "qnet.py", "Net()", (2, 4, 9, 9))
    namespace = {}
    exec(textwrap.dedent(source), namespace)
    expected = [name for name, _ in namespace["Net"]().named_modules() if name]
    assert [node.name for node in model.modules] == expected


def test_round_of_a_symbolic_size_rounds_as_python(tmp_path):
    """round(c * 0.25) with a symbolic c: with c filled in (by sympy, and by the input-size
    solver's compiled form) it is Python's round, half to even, as the layer PyTorch builds."""
    torch = pytest.importorskip("torch")
    import sympy

    from cnnlint import dims

    source = """
        import torch.nn as nn


        class SE(nn.Module):
            def __init__(self, c, ratio=0.25):
                super().__init__()
                r = round(c * ratio)
                self.a = nn.Conv2d(c, r, 1)
                self.b = nn.Conv2d(r, round(c / 3), 1)

            def forward(self, x):
                return self.b(self.a(x))
        """
    _write(tmp_path, {"se.py": source})
    result = check_file(str(tmp_path / "se.py"), Settings(shapes=True))
    (model,) = result.models
    assert not [d for d in result.diagnostics if d.severity == "error"]
    rows = {row.name: row for row in model.layers}
    a_out, b_out = rows["a"].output[1], rows["b"].output[1]
    assert dims.is_symbolic(a_out) and dims.is_symbolic(b_out)
    namespace = {}
    exec(textwrap.dedent(source), namespace)
    c = sympy.Symbol("c", positive=True, integer=True)
    fa, fb = dims.evaluator(a_out, [c]), dims.evaluator(b_out, [c])
    for value in (6, 7, 9, 10, 14, 18, 22, 30, 33, 100):  # c * 0.25 = 1.5, 2.5, 3.5, 4.5 ... ties
        with torch.device("meta"):
            net = namespace["SE"](value)
        assert int(a_out.subs(c, value)) == fa(value) == net.a.out_channels, value
        assert int(b_out.subs(c, value)) == fb(value) == net.b.out_channels, value


def test_arange_with_a_symbolic_end_has_torchs_length(tmp_path):
    torch = pytest.importorskip("torch")
    import sympy

    source = """
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.a = nn.Linear(torch.arange(0, c, 2).shape[0], 2)
                self.b = nn.Linear(torch.arange(c).shape[0], 2)
                self.c = nn.Linear(torch.arange(3, c + 5, 3).shape[0], 2)

            def forward(self, x):
                return x
        """
    _write(tmp_path, {"ar.py": source})
    result = check_file(str(tmp_path / "ar.py"), Settings(shapes=True))
    (model,) = result.models
    sizes = {m.name: m.params for m in model.modules}
    namespace = {}
    exec(textwrap.dedent(source), namespace)
    c = sympy.Symbol("c", positive=True, integer=True)
    for value in (1, 2, 3, 7, 8, 20):
        with torch.device("meta"):
            net = namespace["Net"](value)
        for name in "abc":
            expected = sum(p.numel() for p in getattr(net, name).parameters())
            assert int(sympy.sympify(sizes[name]).subs(c, value)) == expected, (name, value)


DIR_OF_FUNCTIONAL = """
import torch
import torch.nn as nn
import torch.nn.functional as F

_has_silu = 'silu' in dir(torch.nn.functional)
_has_sdpa = hasattr(F, 'scaled_dot_product_attention') and hasattr(torch, 'compiler')
ACT = dict(silu=nn.SiLU if _has_silu else None)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)
        self.act = ACT['silu']()

    def forward(self, x):
        y = self.act(self.fc(x))
        if _has_sdpa:
            return y
        return x
"""


def test_names_of_torch_modules_decide_the_branch():
    """timm's `'silu' in dir(F)` and `hasattr(torch, 'compiler')`: names cnnlint knows torch has
    decide the branch as PyTorch does (a name it does not know stays unknown, never False)."""
    import textwrap
    from cnnlint.api import Settings, check_source
    from cnnlint.inputspec import parse_spec

    torch = pytest.importorskip("torch")
    scope = {}
    exec(textwrap.dedent(DIR_OF_FUNCTIONAL), scope)
    expected = tuple(scope["Net"]()(torch.zeros(2, 8)).shape)
    result = check_source(DIR_OF_FUNCTIONAL, "t.py", Settings(input_specs=(parse_spec("Net=2,8"),), shapes=True))
    (model,) = result.models
    assert tuple(model.output) == expected == (2, 4)

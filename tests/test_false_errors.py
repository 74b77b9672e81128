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
    from cnnlint.abstract.values import SymbolicObj

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


# --- kind 1: without an input shape the input's rank is unknown; nothing is derived from a guess --



def test_linear_on_input_of_unknown_rank_keeps_only_the_last_dim():
    source = """
import torch
import torch.nn as nn

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.drop = nn.Dropout()
        self.norm = nn.LayerNorm(128)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        return self.fc2(self.drop(self.norm(torch.relu(self.fc1(x)))))
"""
    # proven whatever the rank: the last dimension is 128 after fc1
    assert [d.code for d in errors(check(source))] == ["CNN102"]
    assert not errors(check(source.replace("LayerNorm(128)", "LayerNorm(128)").replace("256, 10", "128, 10")))
    assert [d.code for d in errors(check(source.replace("LayerNorm(128)", "LayerNorm(64)")
                                         .replace("256, 10", "128, 10")))] == ["CNN101"]


def test_rank_dependent_reshape_after_linear_is_not_an_error():
    source = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(20, 8)
        self.head = nn.Linear(7 * 8, 3)

    def forward(self, x):
        x = self.a(x)
        return self.head(x.reshape(x.size(0), -1))
"""
    assert not errors(check(source))
    run_torch(source, "Net()", (2, 7, 20))
    assert not errors(check(source, "Net=2,7,20"))
    assert [d.code for d in errors(check(source, "Net=2,20"))] == ["CNN102"]


CONV_HEAD = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.pool = nn.AdaptiveAvgPool2d({size})
        self.fc = nn.Linear({features}, 5)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))
"""


def test_conv_batched_convention_stands_only_when_unbatched_fails_too():
    # batched [N, 16, 1, 1] -> [N, 16] fails; unbatched [16, 1, 1] -> [16, 1] runs: a warning
    result = check(CONV_HEAD.format(size=1, features=1))
    assert not errors(result)
    assert [d.code for d in result.diagnostics if d.severity == "warning"] == ["CNN102"]
    run_torch(CONV_HEAD.format(size=1, features=1), "Net()", (3, 12, 12))
    # batched [N, 64] and unbatched [16, 4] both fail: an error
    assert [d.code for d in errors(check(CONV_HEAD.format(size=2, features=32)))] == ["CNN102"]
    with pytest.raises(RuntimeError):
        run_torch(CONV_HEAD.format(size=2, features=32), "Net()", (3, 12, 12))


# --- kind 3: int()/round()/floor/ceil of symbolic values are integer sizes; floats never sizes ----

def _value(expr_text, dim_name="dim"):
    """What cnnlint makes of `expr_text` evaluated with a symbolic `dim` (a parameter without a
    default), as the width of a Linear."""
    source = f"""
import math
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, dim, ratio=4.0):
        super().__init__()
        self.fc = nn.Linear(3, {expr_text})

    def forward(self, x):
        return self.fc(x)
"""
    result = check(source, "Net=2,3", shapes=True)
    (model,) = result.models
    return [r.output for r in model.layers if r.name == "fc"][0][-1]


@pytest.mark.parametrize("text, want", [
    ("int(ratio * dim)", "4*dim"),
    ("int(dim / 2)", "floor(dim/2)"),
    ("int(0.7 * dim)", "floor(7*dim/10)"),
    ("math.floor(dim / 3)", "floor(dim/3)"),
    ("math.ceil(dim / 3)", "ceiling(dim/3)"),
    ("math.ceil(1.5 * dim)", "ceiling(3*dim/2)"),
    ("round(2.0 * dim)", "2*dim"),
    ("int(dim * 2.5) // 2", "floor(5*dim/4)"),
])
def test_integer_conversions_of_symbolic_sizes(text, want):
    got = _value(text)
    assert got is not None and str(dims.sympy().simplify(dims.sympy().sympify(str(got).replace("^", "**")) -
                                                      dims.sympy().sympify(want))) == "0", (text, got)


@pytest.mark.parametrize("text", ["ratio * dim", "dim / 2", "dim ** 0.5"])  # round(): test_coverage_kinds.py
def test_float_sizes_are_unknown(text):
    assert _value(text) is None


def test_conversions_agree_with_python_for_concrete_sizes():
    sp = dims.sympy()
    d = sp.Symbol("dim", positive=True, integer=True)
    for ratio in (4.0, 2.5, 0.7, 1 / 3, 2 / 3, 0.58, 1.5):
        expr = dims.to_int(dims.exact(ratio) * d)
        for v in (1, 3, 10, 64, 100, 768):
            # Python's float product can land just below a whole number: int(0.58 * 100) is 57
            assert int(expr.subs(d, v)) == int(ratio * v) or (ratio, v) == (0.58, 100), (ratio, v)


def test_cat_of_ranks_cnnlint_got_from_a_guess_is_not_an_error():
    source = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        b, n, c = x.shape
        y = self.fc(x)
        z = y.reshape(b, n, c)
        return torch.cat([z, y], dim=-1)
"""
    assert not errors(check(source))
    run_torch(source, "Net()", (2, 3, 8))


# --- kind 4: children() and modules() follow torch's registration, or are unknown --------------

CHILDREN = """
import torch.nn as nn
from elsewhere import make_act, flag

class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        {base_extra}

class Sub(Base):
    def __init__(self):
        super().__init__()
        {sub_extra}
        self.fc = nn.Linear(8, 2)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        parts = list(Sub().{walk}())
        self.last = parts[{index}]

    def forward(self, x):
        return x
"""


@pytest.mark.parametrize("base_extra, sub_extra, walk, index", [
    ("self.act = make_act()", "pass", "children", 2),                     # a module cnnlint cannot build
    ("pass", "if flag:\n            self.extra = nn.ReLU()", "children", 2),  # on a path that may not run
    ("self.attn = nn.MultiheadAttention(8, 2)", "pass", "modules", 4),    # attn.out_proj is not built
])
def test_children_cnnlint_is_not_sure_of_are_unknown(base_extra, sub_extra, walk, index):
    source = CHILDREN.format(base_extra=base_extra, sub_extra=sub_extra, walk=walk, index=index)
    assert not errors(check(source))


def test_children_in_registration_order_with_shared_module_once():
    source = CHILDREN.format(base_extra="self.act = nn.ReLU(); self.same = self.act",
                             sub_extra="self.conv = nn.Conv2d(3, 4, 1)", walk="children", index=2)
    # conv (reassigned, keeps its place), act (shared with `same`: listed once), fc
    assert not errors(check(source))
    assert [d.code for d in errors(check(source.replace("parts[2]", "parts[3]")))] == ["CNN109"]
    torch = pytest.importorskip("torch")
    scope = {}
    exec(compile(textwrap.dedent(source).replace("from elsewhere import make_act, flag", ""), "t.py", "exec"),
         scope)
    assert len(list(scope["Sub"]().children())) == 3


# --- kind 5: a block's own defaults alone are no model anyone builds -----------------------------

def _block_source(backbone_heads):
    import pathlib

    text = (pathlib.Path(__file__).parent.parent / "fixtures" / "block_defaults.py").read_text()
    return text.replace("heads=4, kernels=(7, 5, 3, 3), classes", f"heads={backbone_heads}, kernels=(7, 5, 3, 3), classes")


def test_block_defaults_that_do_not_fit_are_a_warning():
    assert not errors(check(_block_source(4)))  # the factory is the model run: nothing to warn of
    # a registry that names the model makes every class a component: each is run alone
    result = check(_block_source(4) + '\nREGISTRY = {"tiny": backbone_tiny, "base": Backbone}\n')
    assert not errors(result)
    warnings = [d for d in result.diagnostics if d.severity == "warning"]
    assert warnings and all(d.code == "CNN109" and "own default arguments" in d.message for d in warnings)
    run_torch(_block_source(4), "Backbone()", (1, 3, 16, 16))


def test_a_model_that_builds_the_block_so_is_an_error():
    result = check(_block_source(8))  # the top-level model's defaults now pass 8 heads
    assert errors(result) and all(d.code == "CNN109" for d in errors(result))
    with pytest.raises(IndexError):
        run_torch(_block_source(8), "Backbone()", (1, 3, 16, 16))


def test_a_block_the_user_names_keeps_its_errors():
    result = check(_block_source(4), "HeadConvs=1,16,8,8")
    assert errors(result)


def test_shapes_table_shows_the_known_last_size():
    from oracle_util import REPO, run_cnnlint

    p = run_cnnlint(["shapes", "fixtures/linear_3d_input.py"], cwd=REPO)
    assert p.returncode == 0, p.stderr
    rows = {line.split()[0].strip("├─"): line for line in p.stdout.splitlines() if line.startswith("├─")}
    assert "[..., 32]" in rows["embed"] and "[..., 8]" in rows["mix"]


# --- found on the libraries after the merge: never a stale or empty value ------------------------

STAR_SEQUENTIAL = """
import os
import torch.nn as nn

class ConvAct(nn.Sequential):
    def __init__(self, cin, cout):
        layers = [nn.Conv2d(cin, cout, 3, padding=1)] * int(os.environ.get("CNNLINT_TEST_REPEAT", "1"))
        super().__init__(*layers, nn.ReLU())

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvAct(3, 8)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.block(x).mean(dim=(2, 3)))
"""


def test_sequential_subclass_of_modules_cnnlint_cannot_list_is_not_empty():
    """super().__init__(*layers) with layers of unknown length: the block's output is unknown; an
    empty Sequential (the input passed through, 3 channels) would make `head` a false error."""
    result = check(STAR_SEQUENTIAL, "Net=2,3,8,8", shapes=True)
    assert not errors(result) and not internal(result)
    (model,) = result.models
    rows = {r.name: r for r in model.layers}
    assert rows["block"].output is None
    assert tuple(run_torch(STAR_SEQUENTIAL, "Net()", (2, 3, 8, 8)).shape) == (2, 4)


ENUM_FORMAT = """
from enum import Enum
import torch.nn as nn

class Format(BASES):
    NCHW = 'NCHW'
    NHWC = 'NHWC'

def to_format(x, fmt):
    if fmt == Format.NHWC:
        x = x.permute(0, 2, 3, 1)
    return x

class Net(nn.Module):
    def __init__(self, fmt='NHWC'):
        super().__init__()
        self.fmt = Format(fmt)
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(to_format(self.conv(x), self.fmt))
"""


@pytest.mark.parametrize("bases", ["str, Enum", "Enum"])
def test_enum_members_compare_as_python_does(bases):
    source = ENUM_FORMAT.replace("BASES", bases)
    result = check(source, "Net=2,3,12,12", shapes=True)
    assert not errors(result) and not internal(result)
    expected = tuple(run_torch(source, "Net()", (2, 3, 12, 12)).shape)
    (model,) = result.models
    got = model.output
    if bases == "str, Enum":  # the member is its value: followed exactly
        assert tuple(got) == expected
    else:  # an Enum member's identity is not modelled: whatever is claimed agrees with PyTorch
        assert got is None or all(g is None or g == e for g, e in zip(got, expected))


WEIGHTS_ENUM = """
from dataclasses import dataclass
from enum import Enum
import torch.nn as nn

CATEGORIES = [
CATEGORY_LINES
]

@dataclass
class Weights:
    url: str
    meta: dict

class WeightsEnum(Enum):
    @classmethod
    def verify(cls, obj):
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError("not a weight of this model")
        return obj

    @property
    def meta(self):
        return self.value.meta

class NetWeights(WeightsEnum):
    V1 = Weights(url="v1", meta={"categories": CATEGORIES})
    DEFAULT = V1

class Net(nn.Module):
    def __init__(self, weights=NetWeights.DEFAULT, num_classes=7):
        super().__init__()
        weights = NetWeights.verify(weights)
        if weights is not None:
            num_classes = len(weights.meta["categories"])
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        return self.fc(x)
"""


@pytest.mark.parametrize("categories", [3, 1200])
def test_torchvision_style_weights_enum_is_followed(categories):
    """A member of an Enum whose values are dataclasses: isinstance of its class holds, its
    properties read `self.value`, an alias is the same member; a long module-level list of names
    (torchvision's 1,000 ImageNet classes) is read cheaply rather than left unknown."""
    source = WEIGHTS_ENUM.replace("CATEGORY_LINES", "\n".join(f'    "c{i}",' for i in range(categories)))
    result = check(source, "Net=2,4", shapes=True)
    assert not errors(result) and not internal(result)
    expected = tuple(run_torch(source, "Net()", (2, 4)).shape)
    (model,) = result.models
    assert tuple(model.output) == expected == (2, categories)


WINDOWS = """
import torch.nn as nn

def partition(x, ws):
    B, H, W, C = x.shape
    x = x.view(B, H // ws, ws, W // ws, ws, C)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws, ws, C)

def reverse(windows, ws, H, W):
    C = windows.shape[-1]
    x = windows.view(-1, H // ws, W // ws, ws, ws, C)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, H, W, C)

class Net(nn.Module):
    def __init__(self, ws=4, dim=8):
        super().__init__()
        self.ws = ws
        self.embed = nn.Conv2d(3, dim, 2, stride=2)
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, 5)

    def forward(self, x):
        x = self.embed(x).permute(0, 2, 3, 1)
        H, W = x.shape[1], x.shape[2]
        w = self.mix(partition(x, self.ws))
        x = REVERSE
        return self.head(x.mean(dim=(1, 2)))
"""


@pytest.mark.parametrize("restored", [True, False])
def test_windows_folded_into_the_batch_and_back_are_no_warning(restored):
    """Swin's window partition folds windows into the batch (CNN201's pattern) and its window
    reverse restores the batch: the model's output has the input's batch, so nothing is
    mixed. Without the reverse the batch really changes, and the warning stays."""
    source = WINDOWS.replace("REVERSE", "reverse(w, self.ws, H, W)" if restored else "w")
    out = run_torch(source, "Net()", (2, 3, 16, 16))
    assert (out.shape[0] == 2) is restored
    result = check(source, "Net=2,3,16,16", shapes=True)
    assert not errors(result)
    assert any(d.code == "CNN201" for d in result.diagnostics) is not restored
    (model,) = result.models
    assert tuple(model.output) == tuple(out.shape)


DATACLASS_CONFIGS = """
from dataclasses import dataclass, field, replace
import torch.nn as nn

@dataclass
class Cfg:
    width: int = 16
    depth: int = 2
    kernels: tuple = field(default_factory=lambda: (3, 5))

    def __post_init__(self):
        self.hidden = self.width * self.depth

BASE = Cfg()
WIDE = replace(BASE, width=24, kernels=(3, 3))

class Net(nn.Module):
    def __init__(self, cfg=WIDE):
        super().__init__()
        self.conv = nn.Conv2d(3, cfg.width, cfg.kernels[1], padding=cfg.kernels[1] // 2)
        self.fc = nn.Linear(cfg.width, cfg.hidden)

    def forward(self, x):
        return self.fc(self.conv(x).mean(dim=(2, 3)))
"""


def test_dataclass_configs_through_replace_and_post_init():
    """timm's byobnet builds variants with ``dataclasses.replace(cfg, ...)``; the replaced config
    runs ``__post_init__`` again, as Python does."""
    result = check(DATACLASS_CONFIGS, "Net=2,3,8,8", shapes=True)
    assert not errors(result) and not internal(result)
    (model,) = result.models
    assert tuple(model.output) == tuple(run_torch(DATACLASS_CONFIGS, "Net()", (2, 3, 8, 8)).shape) == (2, 48)


# --- timm 1.0.31, seen on the whole tree: a partial's keywords rebound through a dict -----------

PARTIAL_REBOUND = """
import functools
import torch.nn as nn
from elsewhere import more_options


class GroupNormAct(nn.GroupNorm):
    def __init__(self, num_channels, num_groups=32, group_size=None):
        super().__init__(num_channels // group_size if group_size else num_groups, num_channels)


def get_norm_act(norm_layer, extra=False):
    kwargs = {}
    if isinstance(norm_layer, functools.partial):  # timm's get_norm_act_layer
        kwargs.update(norm_layer.keywords)
        norm_layer = norm_layer.func
    if extra:
        kwargs.update(more_options())
    return functools.partial(norm_layer, **kwargs) if kwargs else norm_layer


class Net(nn.Module):
    def __init__(self, extra=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.norm = get_norm_act(functools.partial(GroupNormAct, group_size=8), extra)(16)

    def forward(self, x):
        return self.norm(self.conv(x))
"""


@pytest.mark.parametrize("extra", [False, True])
def test_a_partials_keywords_are_read_and_unknown_keywords_are_not_dropped(extra):
    """`partial.keywords` is the partial's keywords; a `**kwargs` filled by code cnnlint cannot
    run may hold any keyword, so none of the call's defaults is taken for certain."""
    spec = "Net(extra=True)=2,3,8,8" if extra else "Net=2,3,8,8"
    assert not errors(check(PARTIAL_REBOUND, spec))
    if not extra:
        runnable = PARTIAL_REBOUND.replace("from elsewhere import more_options", "more_options = dict")
        assert list(run_torch(runnable, "Net()", (2, 3, 8, 8)).shape) == [2, 16, 8, 8]

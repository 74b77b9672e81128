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

"""Sizes that depend on the input size, compared without an input shape: a mismatch that holds
for every input size is an error, one that only a degenerate size avoids is a warning, and one
that some sizes satisfy is no finding (its sizes go into the accepted input sizes). PyTorch,
run over a range of input sizes, is the judge."""
import importlib.util

import pytest

from cnnlint.api import Settings, check_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"

RESIDUAL_SHRINKS = HEADER + '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Conv2d(8, 8, 4, padding=1)   # H -> H - 1
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = self.stem(x)
        y = F.relu(self.branch(x) + x)
        return self.head(y.mean((2, 3)))
'''

RESIDUAL_SHRINKS_THEN_POOL = HEADER + '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Conv2d(8, 8, 4, padding=1)   # H -> H - 1
        self.pool = nn.AvgPool2d(4)                    # needs H >= 4 after the add
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = self.stem(x)
        y = F.relu(self.branch(x) + x)
        return self.head(self.pool(y).mean((2, 3)))
'''

CONCAT_SHRINKS = HEADER + '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Conv2d(8, 8, 4, padding=1)   # H -> H - 1
        self.fuse = nn.Conv2d(16, 8, 1)

    def forward(self, x):
        x = self.stem(x)
        return self.fuse(torch.cat([x, self.branch(x)], dim=1))
'''

EVEN_ONLY = HEADER + '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.fuse = nn.Conv2d(16, 8, 1)

    def forward(self, x):
        x = self.stem(x)
        return self.fuse(torch.cat([x, self.up(self.down(x))], dim=1))
'''


def _diagnostics(source):
    result = check_source(source, "net.py", Settings())
    return [d for d in result.diagnostics if d.code == "CNN106"]


def _runs(tmp_path, source, sizes):
    torch = pytest.importorskip("torch")
    path = tmp_path / "net.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("net_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    net = mod.Net()
    ok = {}
    for h in sizes:
        try:
            with torch.no_grad():
                net(torch.zeros(1, 3, h, h))
            ok[h] = True
        except RuntimeError:
            ok[h] = False
    return ok


def test_residual_that_fits_only_a_2x2_input_is_a_warning(tmp_path):
    (d,) = _diagnostics(RESIDUAL_SHRINKS)
    assert d.severity == "warning" and "H = 2" in d.message
    ok = _runs(tmp_path, RESIDUAL_SHRINKS, range(2, 40))
    assert ok[2] and not any(ok[h] for h in range(3, 40))


def test_residual_whose_only_fitting_size_later_layers_reject_is_an_error(tmp_path):
    (d,) = _diagnostics(RESIDUAL_SHRINKS_THEN_POOL)
    assert d.severity == "error" and "for any input size" in d.message, d.message
    assert not any(_runs(tmp_path, RESIDUAL_SHRINKS_THEN_POOL, range(2, 40)).values())


def test_concat_that_fits_no_input_is_an_error(tmp_path):
    (d,) = _diagnostics(CONCAT_SHRINKS)
    assert d.severity == "error" and "for any input size" in d.message
    assert not any(_runs(tmp_path, CONCAT_SHRINKS, range(2, 40)).values())


def test_concat_that_fits_even_inputs_is_no_finding(tmp_path):
    assert _diagnostics(EVEN_ONLY) == []
    ok = _runs(tmp_path, EVEN_ONLY, range(2, 40))
    assert all(ok[h] == (h % 2 == 0) for h in ok)
    result = check_source(EVEN_ONLY, "net.py", Settings(shapes=True))
    from cnnlint.analyze import with_input_sizes

    (model,) = result.models
    accepts = " ".join(with_input_sizes(model).accepts)
    assert "H in 2, 4, 6" in accepts, accepts

"""Without `--input-shape` an input's sizes, and its rank, are unknown: an error cnnlint reports
then must hold for every input, so for the oracle's input too. For every fixture model that
PyTorch builds with its default arguments and runs on its `# oracle:` input, `cnnlint check`
without any input shape reports no error for that model."""
import pytest

from oracle_util import all_fixture_specs, cnnlint_check, model_errors, torch_run

CASES = [(f, s) for f, s in all_fixture_specs() if s.ctor == s.name + "()"]


@pytest.fixture(scope="module")
def torch_mod():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("case", CASES, ids=[f"{f.stem}[{s.text}]" for f, s in CASES])
def test_no_error_without_input_shape(case, torch_mod, cnnlint_runs):
    path, spec = case
    _, _, exc = torch_run(path, spec)
    if exc is not None:
        pytest.skip("PyTorch rejects this model: an error is expected")
    diags, _ = cnnlint_check(path)
    errs = model_errors(diags, spec.name)
    assert not errs, f"PyTorch runs {spec.text}, but cnnlint without an input shape reports: {errs}"


CHANNELS_BEFORE_BATCHNORM = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 17, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)

    def forward(self, x):
        return self.bn(self.conv(x))
"""


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (3, 8, 8), (1, 3, 5, 7)])
def test_error_that_every_rank_meets_stands_without_input_shape(shape, torch_mod):
    """A channel mismatch before BatchNorm2d: a batched input fails on the channels, an
    unbatched one on the rank (BatchNorm2d wants 4-D). Failing for both ranks, it is an error
    even though the input's rank is not known."""
    from cnnlint.api import Settings, check_source

    scope = {}
    exec(CHANNELS_BEFORE_BATCHNORM, scope)
    with pytest.raises((RuntimeError, ValueError)):
        scope["Net"]()(torch_mod.zeros(shape))
    result = check_source(CHANNELS_BEFORE_BATCHNORM, "t.py", Settings())
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["CNN101"]

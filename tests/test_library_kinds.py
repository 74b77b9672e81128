"""Kinds of false error first seen in public model libraries (bench/library_errors.py), each as a
fixture of our own: checked without an input shape or constructor arguments, as a folder check
does, cnnlint reports no error; PyTorch builds and runs each fixture's `# oracle:` specs
(tests/test_torch_oracle.py)."""
import pytest

from cnnlint.api import check_file
from oracle_util import FIXTURES

NO_ERROR_ALONE = [
    "starred_unknown_length.py",  # `(*items, ...)` of items that cannot be listed: length unknown
    "view_of_unknown_shape.py",  # `x.view(shape)` of a shape that cannot be listed: rank unknown
    "tensor_from_unknown_data.py",  # `torch.tensor(data)` of data that cannot be followed: rank unknown
]


@pytest.mark.parametrize("name", NO_ERROR_ALONE)
def test_no_error_when_checked_alone(name):
    result = check_file(str(FIXTURES / name))
    errors = [f"{d.span.line}: {d.code} {d.message}" for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors


TENSOR_LITERALS = [
    # (expression in forward, with x of shape [2, 4]), each built by PyTorch too
    "torch.tensor(3)",
    "torch.tensor([1, 2, 3])",
    "torch.tensor([[1, 2], [3, 4], [5, 6]])",
    "torch.tensor([])",
    "torch.tensor([[]])",
    "torch.tensor(x)",
    "torch.tensor([x.sum(), x.mean()])",
    "torch.tensor([float(x.shape[0]), 2.5])",
]


@pytest.mark.parametrize("expr", TENSOR_LITERALS)
def test_torch_tensor_literal_shapes_match_torch(expr, tmp_path):
    torch = pytest.importorskip("torch")
    from cnnlint.api import Settings, check_source
    from cnnlint.inputspec import parse_spec

    source = ("import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
              "    def forward(self, x):\n"
              f"        return {expr}\n")
    result = check_source(source, str(tmp_path / "lit.py"),
                          Settings(input_specs=(parse_spec("Net=2,4"),), shapes=True))
    (model,) = result.models
    namespace = {}
    exec(compile(source, "lit.py", "exec"), namespace)
    want = tuple(namespace["Net"]()(torch.ones(2, 4)).shape)
    assert tuple(model.output) == want
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_module_called_with_unlisted_arguments():
    """Judged by PyTorch on the meta device: the model runs, so cnnlint reports no error."""
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(__file__), "data", "unlisted_module_args.py")
    torch = pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("unlisted_module_args", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with torch.device("meta"):
        out = mod.Decoder()(torch.empty(2, 3, 16, 16))
    assert tuple(out.shape) == (2, 2, 16, 16)
    for shape in (None, "Decoder=2,3,16,16"):
        from cnnlint.api import Settings
        from cnnlint.inputspec import parse_spec

        settings = Settings(input_specs=(parse_spec(shape),)) if shape else Settings()
        result = check_file(path, settings)
        errors = [f"{d.span.line}: {d.code} {d.message}" for d in result.diagnostics if d.severity == "error"]
        assert not errors, (shape, errors)

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

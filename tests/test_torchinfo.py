"""cnnlint's shapes totals equal torchinfo's for the same model and input.

For every fixture spec that PyTorch runs, `torchinfo.summary(model, input_size)` (on the meta
device: nothing is allocated) and cnnlint's summary — computed from the source alone — agree
on total, trainable and non-trainable parameters, total mult-adds, and the memory estimate
(input size, forward/backward pass size, params size, in bytes), and the text table prints
the same megabytes torchinfo prints.

torchinfo is installed with pip when it is missing; the test is skipped if that fails.
"""
import importlib
import subprocess
import sys
import warnings

import pytest

from oracle_util import all_fixture_specs, is_error_fixture, build_model

CASES = [(f, s) for f, s in all_fixture_specs() if not is_error_fixture(f)]


def _id(case):
    f, s = case
    return f"{f.stem}[{s.text}]"


@pytest.fixture(scope="module")
def torchinfo():
    pytest.importorskip("torch")
    try:
        return importlib.import_module("torchinfo")
    except ImportError:
        pass
    try:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "torchinfo"], check=True,
                       capture_output=True, timeout=120)
        importlib.invalidate_caches()
        return importlib.import_module("torchinfo")
    except Exception as e:  # noqa: BLE001 - no network, no pip: nothing to compare with
        pytest.skip(f"torchinfo is not installed and `pip install torchinfo` failed: {e}")


def torchinfo_totals(torchinfo, path, spec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_model(path, spec).to("meta")
        try:
            s = torchinfo.summary(model, input_size=spec.shape, verbose=0, device="meta")
        except Exception as e:  # noqa: BLE001 - the model does not run: nothing to compare
            pytest.skip(f"torchinfo cannot run {spec.text}: {str(e).splitlines()[0][:120]}")
    return s, {
        "params": s.total_params,
        "trainable": s.trainable_params,
        "non_trainable": s.total_params - s.trainable_params,
        "mult_adds": s.total_mult_adds,
        "input_bytes": s.total_input,
        "forward_backward_bytes": s.total_output_bytes,
        "params_bytes": s.total_param_bytes,
    }


def cnnlint_summary(path, spec):
    from cnnlint.api import Settings, check_file
    from cnnlint.inputspec import parse_spec
    from cnnlint.summary import summarize

    result = check_file(str(path), Settings(input_specs=(parse_spec(spec.text),), model=spec.name, shapes=True))
    traces = [t for t in result.models if t.model == spec.name]
    assert traces, f"cnnlint has no trace for {spec.name} in {path.name}"
    errors = [d for d in result.diagnostics if d.severity == "error"]
    return summarize(traces[0]), errors


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_totals_equal_torchinfo(case, torchinfo):
    path, spec = case
    stats, want = torchinfo_totals(torchinfo, path, spec)
    summary, errors = cnnlint_summary(path, spec)
    assert not errors, f"cnnlint reports errors for a model torchinfo runs: {errors}"
    t = summary.totals
    got = {
        "params": t.params,
        "trainable": t.trainable,
        "non_trainable": t.non_trainable,
        "mult_adds": t.macs,
        "input_bytes": t.input_bytes,
        "forward_backward_bytes": t.output_bytes,
        "params_bytes": t.param_bytes,
    }
    diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert not diff, f"{path.name} {spec.text}: (cnnlint, torchinfo) differ: {diff}"
    # and the text table prints the megabytes torchinfo prints
    from cnnlint.reporters.table import memory_lines

    printed = "\n".join(memory_lines(summary))
    for label, value in (("Input size (MB)", stats.total_input),
                         ("Forward/backward pass size (MB)", stats.total_output_bytes),
                         ("Params size (MB)", stats.total_param_bytes),
                         ("Estimated Total Size (MB)",
                          stats.total_input + stats.total_output_bytes + stats.total_param_bytes)):
        assert f"{label}: {stats.to_megabytes(value):0.2f}" in printed

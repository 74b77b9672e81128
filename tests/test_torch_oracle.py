"""Compare cnnlint with PyTorch itself on every fixture and every `# oracle:` spec.

- cnnlint reports an error-severity diagnostic for the model iff PyTorch raises while
  building or running it;
- when PyTorch runs it, every call of a leaf module (no children) has a cnnlint layer of
  the same name with the same output shape (the k-th call of a name against the k-th
  layer entry of that name), and the parameter totals agree.
"""
import pytest

from oracle_util import (all_fixture_specs, cnnlint_check, cnnlint_shapes, model_errors, norm_shape,
                         torch_run)

CASES = all_fixture_specs()


def _id(case):
    f, s = case
    return f"{f.stem}[{s.text}]"


@pytest.fixture(scope="module")
def torch_mod():
    return pytest.importorskip("torch")


def test_there_are_enough_fixtures():
    assert len({f for f, _ in CASES}) >= 50, "want at least 50 fixtures with `# oracle:` lines"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_error_iff_torch_raises(case, torch_mod, cnnlint_runs):
    path, spec = case
    _, _, exc = torch_run(path, spec)
    diags, rc = cnnlint_check(path, spec)
    errs = model_errors(diags, spec.name)
    if exc is not None:
        assert errs, (f"PyTorch raises for {spec.text} ({type(exc).__name__}: {str(exc).splitlines()[0]}) "
                      f"but cnnlint reports no error; diagnostics: {diags}")
        assert rc == 1, f"errors reported but exit status {rc}, want 1"
    else:
        assert not errs, f"PyTorch runs {spec.text}, but cnnlint reports errors: {errs}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_shapes_match_torch(case, torch_mod, cnnlint_runs):
    path, spec = case
    layers, params, exc = torch_run(path, spec)
    if exc is not None:
        pytest.skip(f"PyTorch raises for this spec: {str(exc).splitlines()[0][:120]}")
    entry = cnnlint_shapes(path, spec)

    by_name = {}
    for layer in entry.get("layers", []):
        by_name.setdefault(layer.get("name"), []).append(layer)

    problems = []
    seen = {}
    for tl in layers:
        if not tl.leaf or tl.name == "":
            continue
        k = seen.get(tl.name, 0)
        seen[tl.name] = k + 1
        got = by_name.get(tl.name, [])
        if k >= len(got):
            if tl.builtin:  # fixture-defined leaf modules (Lambda wrappers) may be inlined
                problems.append(f"{tl.name} ({tl.type}) call #{k + 1}: torch gives {tl.output}, "
                                f"cnnlint has {len(got)} entries for that name")
            continue
        have = norm_shape(got[k].get("output"))
        if have != tl.output:
            problems.append(f"{tl.name} ({tl.type}) call #{k + 1}: want {tl.output}, got {have}")
    root = [tl for tl in layers if tl.name == ""]
    if root and root[-1].output is not None and norm_shape(entry.get("output")) != root[-1].output:
        problems.append(f"model output: want {root[-1].output}, got {entry.get('output')!r}")
    if entry.get("params") != params:
        problems.append(f"total params: want {params} (torch), got {entry.get('params')!r}")
    assert not problems, f"{path.name} {spec.text}:\n  " + "\n  ".join(problems)


def test_parse_spec_forms():
    from oracle_util import parse_spec

    s = parse_spec("Net=2,3,32,32")
    assert (s.name, s.ctor, s.shape) == ("Net", "Net()", (2, 3, 32, 32))
    s = parse_spec("VGG('VGG11')=2,3,32,32")
    assert (s.name, s.ctor, s.shape) == ("VGG", "VGG('VGG11')", (2, 3, 32, 32))
    s = parse_spec("Net(in_channels=3, width=4)=2,3,28,28")
    assert (s.name, s.ctor, s.shape) == ("Net", "Net(in_channels=3, width=4)", (2, 3, 28, 28))


def test_every_fixture_has_an_oracle_line():
    from oracle_util import fixture_files, fixture_specs

    missing = [f.name for f in fixture_files() if not fixture_specs(f)]
    assert not missing, f"fixtures without `# oracle:` lines: {missing}"

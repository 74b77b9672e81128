"""Surgery on torchvision and timm models (fixtures/libraries/), judged by PyTorch's verdicts in
bench/data/library_fixtures.json (bench/library_fixtures.py, run in the bench venv):

- cnnlint reports an error exactly where PyTorch raises;
- where PyTorch runs the model, the parameter count and every leaf module's output shape agree;
- each bug is reported at the user's line with the value PyTorch needs, and `--fix` turns the
  buggy fixture into its fixed twin (X_bug.py -> X.py): the same code (the docstrings differ),
  by changing that one line.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import shutil

import pytest

from library_env import library_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "bench", "data", "library_fixtures.json")) as _fh:
    CASES = json.load(_fh)["cases"]
# bugs whose fix is not a number on the reported line (a Flatten is missing)
NOT_A_NUMBER = {"fixtures/libraries/children_slice_bug.py"}


def _code(text: str) -> str:
    """The module without its docstring, as an ast dump."""
    tree = ast.parse(text)
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
        tree.body = tree.body[1:]
    return ast.dump(tree)


@pytest.fixture(scope="module")
def env():
    return library_env()


def run(*args):
    import gc

    from cnnlint.cli import main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(list(args))
    finally:
        gc.enable()
    return code, out.getvalue()


def test_every_library_fixture_has_a_verdict():
    folder = os.path.join(ROOT, "fixtures", "libraries")
    files = {f"fixtures/libraries/{n}" for n in os.listdir(folder) if n.endswith(".py")}
    assert files == {c["file"] for c in CASES}
    assert sum(c["raises"] for c in CASES) >= 5 and sum(not c["raises"] for c in CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=lambda c: os.path.basename(c["file"])[:-3])
def test_error_iff_pytorch_raises(env, case):
    code, out = run("check", os.path.join(ROOT, case["file"]), "--no-cache", "--format", "json",
                    "--python", env, "--input-shape", case["spec"])
    errors = [d for d in json.loads(out) if d["severity"] == "error"]
    if case["raises"]:
        assert errors, f"PyTorch raises ({case['exception']}) but cnnlint reports no error"
    else:
        assert not errors, f"PyTorch runs the model but cnnlint reports {errors}"


@pytest.mark.parametrize("case", [c for c in CASES if not c["raises"]], ids=lambda c: os.path.basename(c["file"])[:-3])
def test_shapes_and_parameters_agree(env, case):
    code, out = run("shapes", os.path.join(ROOT, case["file"]), "--format", "json", "--python", env,
                    "--input-shape", case["spec"], "--depth", "99")
    model = json.loads(out)["models"][0]
    assert model["params"] == case["params"]
    ours = {}
    for row in model["layers"]:
        ours.setdefault(row["name"], []).append(row.get("output"))
    seen = {}
    for name, _type, shape in case["leaves"]:
        k = seen.get(name, 0)
        seen[name] = k + 1
        assert name in ours and k < len(ours[name]), f"no layer {name} in cnnlint's trace"
        assert ours[name][k] == shape, f"{name}: cnnlint {ours[name][k]}, PyTorch {shape}"


@pytest.mark.parametrize("case", [c for c in CASES if c["raises"] and c["file"] not in NOT_A_NUMBER],
                         ids=lambda c: os.path.basename(c["file"])[:-3])
def test_fix_gives_the_fixed_twin(env, case, tmp_path):
    buggy = os.path.join(ROOT, case["file"])
    twin = buggy.replace("_bug.py", ".py")
    work = tmp_path / os.path.basename(buggy)
    shutil.copy(buggy, work)
    code, out = run("check", str(work), "--no-cache", "--fix", "--python", env, "--input-shape", case["spec"])
    fixed = work.read_text(encoding="utf-8")
    with open(twin, encoding="utf-8") as fh:
        assert _code(fixed) == _code(fh.read())
    with open(buggy, encoding="utf-8") as fh:
        changed = [(a, b) for a, b in zip(fh.read().splitlines(), fixed.splitlines()) if a != b]
    assert len(changed) == 1, changed
    twin_case = next(c for c in CASES if c["file"] == case["file"].replace("_bug.py", ".py"))
    assert not twin_case["raises"]  # PyTorch runs what --fix wrote

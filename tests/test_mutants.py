"""Mutation tests: nudge one integer literal inside a layer constructor call (or a
view/reshape call) of a fixture that runs, and check that cnnlint reports an error
exactly when PyTorch raises on the mutant.

Mutants are deterministic: every int literal in those calls gives the mutants n+1 and
(for n >= 2) n-1; a fixed-seed sample of MAX_MUTANTS of them is tested.  They are
marked `slow`: deselect with `-m "not slow"`.
"""
import ast
import random
from dataclasses import dataclass

import pytest

from oracle_util import (cnnlint_check, fixture_files, fixture_specs, is_error_fixture, model_errors,
                         torch_run)

MAX_MUTANTS = 200
SEED = 20240611

LAYER_NAMES = {
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "Linear", "Bilinear",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
    "InstanceNorm3d", "LayerNorm", "Unflatten", "PixelShuffle", "PixelUnshuffle", "Upsample",
    "PReLU",
}
RESHAPE_METHODS = {"view", "reshape"}
# Keyword arguments whose integers are not sizes (flags, dims, probabilities).
SKIP_KEYWORDS = {"bias", "inplace", "affine", "track_running_stats", "ceil_mode", "count_include_pad",
                 "return_indices", "elementwise_affine", "dim", "start_dim", "end_dim", "align_corners",
                 "momentum", "eps"}


@dataclass(frozen=True)
class Mutant:
    fixture: str  # file name under fixtures/
    line: int
    col: int
    end_col: int
    old: int
    new: int
    where: str  # the call it sits in, for the test id

    @property
    def id(self):
        return f"{self.fixture[:-3]}:{self.line}:{self.col}:{self.where}:{self.old}->{self.new}"


def _aliases(tree):
    """Names imported from torch.nn under another name: {'L': 'Linear'}."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            for a in node.names:
                out[a.asname or a.name] = a.name
    return out


def _call_kind(call, aliases):
    f = call.func
    if isinstance(f, ast.Attribute):
        if f.attr in LAYER_NAMES:
            return f.attr
        if f.attr in RESHAPE_METHODS:
            return f.attr
    elif isinstance(f, ast.Name):
        name = aliases.get(f.id, f.id)
        if name in LAYER_NAMES:
            return name
    return None


def _int_literals(node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and type(sub.value) is int and sub.lineno == sub.end_lineno:
            yield sub


def mutants_of(path):
    src = path.read_text(encoding="utf-8")
    tree = ast.parse(src)
    aliases = _aliases(tree)
    found = {}
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        kind = _call_kind(call, aliases)
        if kind is None:
            continue
        targets = list(call.args) + [k.value for k in call.keywords if k.arg not in SKIP_KEYWORDS]
        for t in targets:
            for lit in _int_literals(t):
                n = lit.value
                for new in ([n + 1] + ([n - 1] if n >= 2 else [])):
                    m = Mutant(path.name, lit.lineno, lit.col_offset, lit.end_col_offset, n, new, kind)
                    found[(m.line, m.col, m.new)] = m
    return [found[k] for k in sorted(found)]


def apply(src, m):
    lines = src.splitlines(keepends=True)
    line = lines[m.line - 1]
    # ast offsets are in UTF-8 bytes; the fixtures are ASCII, but be safe.
    b = line.encode("utf-8")
    assert b[m.col:m.end_col].decode() == str(m.old), (m, line)
    lines[m.line - 1] = (b[:m.col] + str(m.new).encode() + b[m.end_col:]).decode("utf-8")
    return "".join(lines)


def all_mutants():
    ms = []
    for f in fixture_files():
        if is_error_fixture(f) or not fixture_specs(f):
            continue
        ms.extend(mutants_of(f))
    if len(ms) > MAX_MUTANTS:
        ms = random.Random(SEED).sample(ms, MAX_MUTANTS)
    return sorted(ms, key=lambda m: (m.fixture, m.line, m.col, m.new))


MUTANTS = all_mutants()


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_error_iff_torch_raises(mutant, tmp_path, cnnlint_runs):
    pytest.importorskip("torch")
    from oracle_util import FIXTURES

    src = (FIXTURES / mutant.fixture).read_text(encoding="utf-8")
    target = tmp_path / mutant.fixture
    target.write_text(apply(src, mutant), encoding="utf-8")
    problems = []
    for spec in fixture_specs(target):
        _, _, exc = torch_run(target, spec)
        diags, _ = cnnlint_check(target, spec)
        errs = model_errors(diags, spec.name)
        if exc is not None and not errs:
            problems.append(f"{spec.text}: PyTorch raises ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:200]}) but cnnlint reports no error")
        elif exc is None and errs:
            problems.append(f"{spec.text}: PyTorch runs, but cnnlint reports errors: "
                            + "; ".join(f"{d.get('line')}: {d.get('message')}" for d in errs))
    line = apply(src, mutant).splitlines()[mutant.line - 1].strip()
    assert not problems, f"mutant `{line}` (line {mutant.line}, {mutant.old}->{mutant.new}):\n  " + \
        "\n  ".join(problems)


def test_mutant_sample_is_deterministic_and_sized():
    assert all_mutants() == MUTANTS
    assert 100 <= len(MUTANTS) <= MAX_MUTANTS

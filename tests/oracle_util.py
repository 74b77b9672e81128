"""Helpers shared by the fixture tests: run a fixture in PyTorch (the oracle) and in cnnlint.

Fixtures declare how to run them with header lines of the form

    # oracle: SPEC

where SPEC is exactly the contract's ``--input-shape`` form: ``Net=2,3,32,32``,
``VGG('VGG11')=2,3,32,32`` or ``get_model(10)=2,1,28,28``.  The shape is what follows the
last ``=``; what precedes it is the model name, optionally with literal constructor
arguments.

cnnlint is only ever driven through its command line (``python -m cnnlint ...``); this
module imports torch lazily so that the cnnlint side works without torch installed.
"""
from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
# CNNLINT_SRC points the tests at another copy of the analyzer (a snapshot of src/).
SRC = Path(os.environ.get("CNNLINT_SRC") or REPO / "src")

ORACLE_RE = re.compile(r"^#\s*oracle:\s*(\S.*?)\s*$")
CLI_TIMEOUT = 120


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Spec:
    text: str  # the spec exactly as written, passed to --input-shape
    name: str  # the model name (class or function), passed to --model
    ctor: str  # a Python expression that builds the model: "Net()", "VGG('VGG11')"
    shape: Tuple[int, ...]


def parse_spec(text: str) -> Spec:
    text = text.strip()
    head, sep, shape_txt = text.rpartition("=")
    if not sep or not head:
        raise ValueError(f"oracle spec needs MODEL=SHAPE: {text!r}")
    head = head.strip()
    m = re.match(r"^([A-Za-z_][A-Za-z_0-9]*)\s*(\(.*\))?$", head, re.S)
    if not m:
        raise ValueError(f"bad model part in oracle spec: {text!r}")
    name = m.group(1)
    ctor = head if m.group(2) else name + "()"
    shape = tuple(int(d) for d in shape_txt.split(","))
    return Spec(text=text, name=name, ctor=ctor, shape=shape)


def fixture_specs(path) -> List[Spec]:
    specs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = ORACLE_RE.match(line.strip())
            if m:
                specs.append(parse_spec(m.group(1)))
    return specs


def fixture_files() -> List[Path]:
    return sorted(FIXTURES.glob("*.py"))


def all_fixture_specs() -> List[Tuple[Path, Spec]]:
    out = []
    for f in fixture_files():
        for s in fixture_specs(f):
            out.append((f, s))
    return out


def is_error_fixture(path) -> bool:
    """Error fixtures are named ``*_bug.py``: their model fails in PyTorch."""
    return Path(path).stem.endswith("_bug")


# --------------------------------------------------------------------------- torch side

_counter = itertools.count()


REQUIRES_RE = re.compile(r"^#\s*requires:\s*(\S.*?)\s*$")


def skip_unless_available(path):
    """A fixture's header line ``# requires: einops`` names third-party libraries its model
    imports (cnnlint never does): the PyTorch side is skipped when one is not installed."""
    import pytest

    with open(path, encoding="utf-8") as fh:
        for line in itertools.islice(fh, 10):
            m = REQUIRES_RE.match(line.strip())
            if m:
                for name in m.group(1).replace(",", " ").split():
                    pytest.importorskip(name)


def load_module(path, tolerant=False):
    """Import a Python file under a fresh module name (no caching between calls). ``tolerant``:
    an exception while running its top level is kept as ``__load_error__`` on the module (a
    script's model is bound before the line that feeds it fails), not raised."""
    skip_unless_available(path)
    name = f"_cnnlint_fixture_{Path(path).stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, str(path))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as e:  # noqa: BLE001
        if not tolerant:
            raise
        mod.__load_error__ = e
    finally:
        sys.modules.pop(name, None)
    return mod


def _fails_feeding(path, name, error) -> bool:
    """Whether the top-level statement that raised ``error`` is one that feeds the model
    (`net(X)`, `for layer in net:`), so the model itself was built whole."""
    import ast

    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "<module>" and tb.tb_frame.f_code.co_filename == str(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None:
        return False
    for stmt in ast.parse(Path(path).read_text(encoding="utf-8")).body:
        if stmt.lineno <= line <= stmt.end_lineno:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                    return True
                if isinstance(node, ast.For) and isinstance(node.iter, ast.Name) and node.iter.id == name:
                    return True
                if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == name for a in node.args) \
                        and "summary" in ast.unparse(node.func):
                    return True
    return False


def is_variable_model(path, name) -> bool:
    """Whether ``name`` is a variable the file's top level assigns (`net = nn.Sequential(...)`):
    a model its code builds, not a class or function to call."""
    import ast

    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
               for node in tree.body)


@dataclass
class TorchLayer:
    name: str
    type: str
    output: Optional[list]  # shape of the (first) tensor output, or None
    leaf: bool
    builtin: bool  # the module class lives in torch.nn (not a fixture-defined class)


def _first_tensor_shape(out):
    import torch

    if isinstance(out, torch.Tensor):
        return list(out.shape)
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        return list(out[0].shape)
    return None


def build_model(path, spec, mod=None):
    """The model of *spec* from the fixture at *path*, built on the meta device (a module-level
    variable's model: the module the file's top-level code built, on the CPU). Raises what
    building it raises."""
    import torch

    if isinstance(spec, str):
        spec = parse_spec(spec)
    variable = is_variable_model(path, spec.name)
    if mod is None:
        mod = load_module(path, tolerant=variable)
    if variable:
        model = vars(mod).get(spec.name)
        error = getattr(mod, "__load_error__", None)
        if error is not None and not _fails_feeding(path, spec.name, error):
            raise error  # the file failed before the model was whole (in a loop that builds it)
        if not isinstance(model, torch.nn.Module):
            raise error or RuntimeError(f"{spec.name} is not a module")
        return model
    try:
        with torch.device("meta"):
            return eval(spec.ctor, vars(mod))
    except NotImplementedError as e:
        if "meta" not in str(e):
            raise
        # __init__ reads a tensor's values (`.tolist()`), which the meta device has not: the
        # model is built on the CPU, as its users build it, then moved
        return eval(spec.ctor, vars(mod))


def torch_run(path, spec, confirm_on_cpu=True):
    """Build the model of *spec* from the fixture at *path* on the meta device and run it.

    If it runs on meta and *confirm_on_cpu* is true it is run once more on the CPU (see
    below).  Returns ``(layers, params, exc)``: the forward-hook records (TorchLayer, in call order),
    the parameter count (None if construction failed) and the exception raised while
    building or running the model, or None.
    """
    import torch

    if isinstance(spec, str):
        spec = parse_spec(spec)
    layers: List[TorchLayer] = []
    params = None
    mod = load_module(path, tolerant=is_variable_model(path, spec.name))
    try:
        model = build_model(path, spec, mod)
        model = model.to("meta")
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        handles = []
        for name, m in model.named_modules():
            leaf = next(iter(m.children()), None) is None
            builtin = type(m).__module__.startswith("torch.")

            def hook(module, inputs, output, _name=name, _leaf=leaf, _builtin=builtin):
                layers.append(TorchLayer(_name, type(module).__name__, _first_tensor_shape(output),
                                         _leaf, _builtin))

            handles.append(m.register_forward_hook(hook))
        try:
            with torch.no_grad():
                model(torch.empty(spec.shape, device="meta"))
        finally:
            for h in handles:
                h.remove()
        if confirm_on_cpu:
            # The meta device skips a few checks (ConvTranspose's input-channel check is
            # one), so a model that runs on meta is run again for real, on uninitialized
            # CPU weights (to_empty: no init cost) and a zero input.
            model = model.to_empty(device="cpu")
            with torch.no_grad():
                model(torch.zeros(spec.shape))
        if "training" in Path(path).read_text(encoding="utf-8"):
            # a module starts in training mode, and is trained before it is evaluated: a model
            # whose code reads `self.training` must run in that mode too (layers recorded above
            # are eval mode's, as torchinfo shows them)
            model.train()
            with torch.no_grad():
                model(torch.zeros(spec.shape, device="cpu" if confirm_on_cpu else "meta"))
    except Exception as e:  # noqa: BLE001 - any failure is the oracle's verdict
        return layers, params, e
    return layers, params, None


# --------------------------------------------------------------------------- cnnlint side


class CnnlintError(AssertionError):
    """cnnlint could not be run, crashed, or printed something that breaks the contract."""


def cli_env():
    env = dict(os.environ)
    # Let the tests run against an uninstalled tree as well as an installed one.
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_cnnlint(args, cwd=None):
    cmd = [sys.executable, "-m", "cnnlint", *[str(a) for a in args]]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT,
                              cwd=str(cwd or REPO), env=cli_env())
    except subprocess.TimeoutExpired as e:
        raise CnnlintError(f"`{' '.join(cmd)}` timed out after {CLI_TIMEOUT}s") from e


def _check_run(p, what):
    if "Traceback (most recent call last)" in p.stdout + p.stderr:
        raise CnnlintError(f"`{what}` crashed (exit {p.returncode}):\n{p.stderr[-2000:]}")
    if p.returncode == 2:
        raise CnnlintError(f"`{what}` could not do its job (exit 2): {p.stderr.strip()[-1000:]}")


def cnnlint_shapes(path, spec):
    """Run ``cnnlint shapes --format json`` for one spec; return the model's entry (a dict)."""
    if isinstance(spec, str):
        spec = parse_spec(spec)
    args = ["shapes", path, "--model", spec.name, "--input-shape", spec.text, "--format", "json"]
    p = run_cnnlint(args)
    what = "cnnlint " + " ".join(map(str, args))
    _check_run(p, what)
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise CnnlintError(f"`{what}` did not print JSON: {p.stdout[:500]!r} {p.stderr[-500:]!r}") from e
    models = [m for m in data.get("models", []) if m.get("model") == spec.name]
    if not models:
        raise CnnlintError(f"`{what}`: no entry for model {spec.name!r} in {str(data)[:500]}")
    return models[0]


def cnnlint_check(path, spec=None, extra_specs=()):
    """Run ``cnnlint check --format json``; return (diagnostics, exit status)."""
    if isinstance(spec, str):
        spec = parse_spec(spec)
    args = ["check", path, "--format", "json"]
    for s in ([spec] if spec else []) + list(extra_specs):
        args += ["--input-shape", s.text if isinstance(s, Spec) else s]
    p = run_cnnlint(args)
    what = "cnnlint " + " ".join(map(str, args))
    _check_run(p, what)
    try:
        diags = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise CnnlintError(f"`{what}` did not print JSON: {p.stdout[:500]!r} {p.stderr[-500:]!r}") from e
    if not isinstance(diags, list):
        raise CnnlintError(f"`{what}` printed {type(diags).__name__}, want a JSON list")
    return diags, p.returncode


def model_errors(diags, model_name):
    """Error-severity diagnostics that belong to *model_name* (or to no model at all)."""
    return [d for d in diags if d.get("severity") == "error" and d.get("model") in (model_name, None)]


def norm_shape(shape):
    if shape is None:
        return None
    return [d if isinstance(d, int) else str(d) for d in shape]


def cnnlint_available():
    """(ok, message): whether ``python -m cnnlint --help`` runs."""
    try:
        p = run_cnnlint(["--help"])
    except CnnlintError as e:
        return False, str(e)
    if p.returncode != 0 or "Traceback" in p.stderr:
        return False, f"`python -m cnnlint --help` exited {p.returncode}: {p.stderr.strip()[-800:]}"
    return True, ""

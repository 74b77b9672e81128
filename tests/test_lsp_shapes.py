"""The language server's shapes, from its handlers' functions (no client needed): hover, inlay
hints and code lens over the acceptance models, each shape checked against PyTorch running the
same model on the meta device (tests/shape_oracle.py: the tensors each line of forward leaves
behind, and forward hooks on every module). Also the settings, the command arguments, bad
input, and that the recording stays off for the command line."""
from __future__ import annotations

import ast
import os
import re

import pytest

from cnnlint.inputspec import SpecError, parse_spec
from cnnlint.interpret import recording
from cnnlint.lsp_analysis import Document, Options, Session, analyse, command_spec, read_options
from cnnlint.lsp_shapes import hint_label, hover_text, lens_title, shapes_table

torch = pytest.importorskip("torch")
from shape_oracle import run as torch_run  # noqa: E402

MODELS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      "shared", "acceptance", "models")
if not os.path.isdir(MODELS):
    MODELS = "/work/shared/acceptance/models"

# file, model, how PyTorch builds it (and cnnlint is told to), input
CASES = [
    ("seed001_mycnn.py", "myCNN", "myCNN()", (2, 3, 32, 32)),
    ("seed001_mycnn_k5_fixed.py", "myCNN", "myCNN()", (2, 3, 32, 32)),
    ("seed002_m.py", "M", "M()", (2, 1, 28, 28)),
    ("seed003_sequential.py", "ConvNet", "ConvNet(10)", (2, 1, 28, 28)),
    ("seed004_simplecnn.py", "SimpleCNN", "SimpleCNN()", (2, 3, 32, 32)),
]
BUGGY = [
    ("seed001_mycnn_k5_bug.py", "myCNN", "myCNN()", (2, 3, 32, 32), "CNN102"),
    ("seed002_m_channel_bug.py", "M", "M()", (2, 1, 28, 28), "CNN101"),
]


def _path(name: str) -> str:
    path = os.path.join(MODELS, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not here")
    return path


def _analysed(name: str, build: str, shape):
    path = _path(name)
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    spec = parse_spec(f"{build}={','.join(map(str, shape))}")
    return source, Document(analyse(source, path, [spec])), torch_run(path, build, shape)


def _shape(text: str):
    """``[2, 16, 15, 15]`` -> (2, 16, 15, 15)."""
    assert re.fullmatch(r"\[[0-9, ]+\]", text), text
    return tuple(int(d) for d in text.strip("[]").split(","))


def _fmt(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _forward_assignments(source: str):
    """(line, column, name) of each plain-name assignment in a forward method."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == "forward":
            for stmt in ast.walk(node):
                if isinstance(stmt, (ast.Assign, ast.AugAssign)):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for t in targets:
                        if isinstance(t, ast.Name):
                            out.append((t.lineno, t.col_offset + 1, t.id))
    return out


@pytest.mark.parametrize("name,model,build,shape", CASES, ids=[c[0] for c in CASES])
def test_hints_and_hover_match_pytorch(name, model, build, shape):
    source, doc, oracle = _analysed(name, build, shape)
    assert oracle.error is None
    index = doc.index
    tensors = [(line, col, var) for line, col, var in _forward_assignments(source) if oracle.after(line, var)]
    assert tensors, "the model's forward assigns tensors"
    hints = {h.line: h for h in index.hints}
    for line, col, var in tensors:
        want = oracle.after(line, var)
        assert len(want) == 1
        want = _fmt(next(iter(want)))
        # an inlay hint after the statement, and a hover on its target, both PyTorch's shape
        assert line in hints, (line, source.splitlines()[line - 1])
        assert hint_label(hints[line]) == want, (line, hint_label(hints[line]), want)
        assert hover_text(index, line, col).splitlines()[0] == f"{var}: {want}"
    # no hint where PyTorch has no tensor assigned (`num_features *= s` holds an int)
    assert set(hints) == {line for line, _, _ in tensors}


@pytest.mark.parametrize("name,model,build,shape", CASES, ids=[c[0] for c in CASES])
def test_hover_on_a_name_read_is_its_shape_before_the_statement(name, model, build, shape):
    source, doc, oracle = _analysed(name, build, shape)
    lines = source.splitlines()
    checked = 0
    done = sorted(oracle.lines)
    for line, _, var in _forward_assignments(source):
        text = lines[line - 1]
        rhs = text.index("=") + 1
        found = re.search(rf"\b{var}\b", text[rhs:])
        before = [k for k in done if k < line and oracle.after(k, var)]
        if found is None or not before:
            continue
        col = rhs + found.start() + 1
        want = _fmt(next(iter(oracle.after(before[-1], var))))
        assert hover_text(doc.index, line, col).splitlines()[0] == f"{var}: {want}", (line, text)
        checked += 1
    assert checked


@pytest.mark.parametrize("name,model,build,shape", CASES, ids=[c[0] for c in CASES])
def test_hover_on_a_layer_attribute(name, model, build, shape):
    source, doc, oracle = _analysed(name, build, shape)
    checked = 0
    done = sorted(oracle.lines)
    for number, text in enumerate(source.splitlines(), 1):
        for found in re.finditer(r"self\.(\w+)(\.forward)?\(", text):
            attr = found.group(1)
            if attr not in oracle.modules:
                continue
            inputs, outputs, params = oracle.modules[attr]
            if found.group(2):  # `self.conv.forward(x)` runs no hook: x before and after the statement
                before = [k for k in done if k < number and oracle.after(k, "x")]
                inputs = oracle.after(before[-1], "x") if before else {shape}
                outputs = oracle.after(number, "x") if "return" not in text else {oracle.output}
            hover = hover_text(doc.index, number, found.start() + len("self.") + 2)
            head, _, rest = hover.partition(" -> ")
            assert head.startswith(f"self.{attr}: ") and head.endswith(_fmt(next(iter(inputs)))), hover
            assert rest == f"{_fmt(next(iter(outputs)))}, {params:,} params", hover
            checked += 1
    assert checked


@pytest.mark.parametrize("name,model,build,shape", CASES, ids=[c[0] for c in CASES])
def test_model_summary_and_code_lens(name, model, build, shape):
    source, doc, oracle = _analysed(name, build, shape)
    (entry,) = [m for m in doc.index.models if m.name == model]
    assert lens_title(entry) == f"shapes: {oracle.params:,} params, {_fmt(oracle.output)}"
    hover = hover_text(doc.index, entry.span.line, entry.span.column + 1)
    assert hover.splitlines()[0] == f"{model}: output {_fmt(oracle.output)}"
    assert f"{oracle.params:,} params" in hover and "mult-adds" in hover
    table = shapes_table(doc.index.models, model)
    assert f"Total params: {oracle.params:,}" in table
    assert all(re.search(rf"\b{re.escape(n.split('.')[-1])}\b", table) for n in oracle.modules), table


@pytest.mark.parametrize("name,model,build,shape,code", BUGGY, ids=[c[0] for c in BUGGY])
def test_buggy_model_marks_the_statement_pytorch_fails_at(name, model, build, shape, code):
    source, doc, oracle = _analysed(name, build, shape)
    assert oracle.error is not None
    hints = {h.line: h for h in doc.index.hints}
    failing = [h for h in doc.index.hints if h.finding]
    assert failing and failing[0].finding == code
    stop = failing[0].line
    assert stop not in oracle.lines or "x" not in oracle.lines[stop]  # PyTorch never finished it
    for line, col, var in _forward_assignments(source):
        if line < stop and oracle.after(line, var):
            assert hint_label(hints[line]) == _fmt(next(iter(oracle.after(line, var))))
    assert hint_label(failing[0]).endswith(f"✗ {code}")
    line = failing[0].line
    col = source.splitlines()[line - 1].index("x") + 1
    assert f"{code}: PyTorch raises" in hover_text(doc.index, line, col)


def test_symbolic_sizes_as_cnnlint_writes_them():
    # no input shape anywhere: SimpleCNN's input is [N, 3, H, W]; the pool gives floor(H/2)
    path = _path("seed004_simplecnn.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    index = Document(analyse(source, path)).index
    line = next(i for i, t in enumerate(source.splitlines(), 1) if "x = self.pool(x)" in t)
    hover = hover_text(index, line, 9)
    assert hover.splitlines()[0] == "x: [N, 18, floor(H/2), floor(W/2)]"
    assert "pool: H: (H + 2*0 - 2) // 2 + 1 = floor(H/2)" in hover  # the --explain arithmetic
    # the symbolic shape agrees with PyTorch once N, H, W are given values
    import sympy

    oracle = torch_run(path, "SimpleCNN()", (2, 3, 32, 32))
    dims = hover.splitlines()[0].split(": ", 1)[1].strip("[]").split(", ")
    names = {n: sympy.Symbol(n) for n in ("N", "H", "W")}
    values = tuple(int(sympy.sympify(d, locals=names).subs({names["N"]: 2, names["H"]: 32, names["W"]: 32}))
                   for d in dims)
    assert {values} == oracle.after(line, "x")
    lens = lens_title(next(m for m in index.models if m.name == "SimpleCNN"))
    assert lens == f"shapes: {oracle.params:,} params, [N, 10]"


def test_unknown_shape_says_so_in_one_line(tmp_path):
    source = ("import torch.nn as nn\nfrom elsewhere import helper\n\n\nclass Net(nn.Module):\n"
              "    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n\n"
              "    def forward(self, x):\n        y = helper(self.conv(x))\n        return y\n")
    path = tmp_path / "net.py"
    path.write_text(source)
    index = Document(analyse(source, str(path), [parse_spec("2,3,8,8")])).index
    hover = hover_text(index, 11, 9)
    assert hover.startswith("y: unknown") and "\n" not in hover
    assert hover_text(index, 11, 31).startswith("self.conv(x): [2, 8, 6, 6]")  # on its closing parenthesis
    assert not [h for h in index.hints if h.line == 11]  # no hint for an unknown value


def test_top_level_script_code_has_hints(tmp_path):
    source = ("import torch\nimport torch.nn as nn\n\n"
              "net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))\n"
              "x = torch.randn(4, 3, 32, 32)\n"
              "y = net(x)\n")
    path = tmp_path / "script.py"
    path.write_text(source)
    index = Document(analyse(source, str(path))).index
    labels = {h.line: hint_label(h) for h in index.hints}
    assert labels.get(5) == "[4, 3, 32, 32]", labels
    assert labels.get(6) == "[4, 10]", labels
    (model,) = index.models
    assert model.name == "net" and lens_title(model) == f"shapes: {8 * 3 * 9 + 8 + 8 * 900 * 10 + 10:,} params, [4, 10]"


def test_settings_and_command_arguments():
    options, problems = read_options({"cnnlint": {"inlayHints": False, "inputShapes": ["Net=1,3,8,8", "bad=("]}})
    assert options.inlay_hints is False and options.hover is True
    assert [s.model for s in options.input_shapes] == ["Net"] and len(problems) == 1
    assert read_options("nonsense") == (Options(), ())
    assert read_options({"codeLens": "no"})[1] == ("codeLens must be true or false",)
    assert command_spec(["Net", "1,3,32,32"]).shape == (1, 3, 32, 32)
    assert command_spec(["file:///a.py", "Net", [1, 3, 32, 32]]).model == "Net"
    assert command_spec([{"model": "Net", "shape": "2,3,8,8"}]).shape == (2, 3, 8, 8)
    assert command_spec(["Net=2,3,8,8"]).model == "Net"
    for bad in ([], ["Net", "x,y,-3"], [1, 2], ["a", "b", "c", "d"], [{"model": 3}]):
        with pytest.raises(SpecError):
            command_spec(bad)


def test_session_input_shape_wins_and_reanalyses(tmp_path):
    path = _path("seed004_simplecnn.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    session = Session()
    doc = session.update("file:///m.py", source, path)
    assert lens_title(doc.index.models[0]) == "shapes: 296,130 params, [N, 10]"
    session.set_input_shape(command_spec(["SimpleCNN", "5,3,32,32"]))
    doc = session.update("file:///m.py", source, path)
    assert lens_title(doc.index.models[0]) == "shapes: 296,130 params, [5, 10]"


def test_recording_is_off_for_the_command_line():
    from cnnlint.api import check_source

    path = _path("seed001_mycnn.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    seen = []
    check_source(source, path, observe=lambda ctx, runs: seen.extend(r.interp for r in runs))
    assert recording.RECORDER is None and seen
    assert all("eval" not in vars(i) for i in seen)  # the plain methods, not the recording ones
    analyse(source, path)
    assert recording.RECORDER is None


def test_bad_documents_give_no_shapes_and_no_traceback(tmp_path):
    for text in ("def (:\n", "", "\x00\x01", "# cnnlint: skip-file\nclass A: pass\n", "x = " + "(" * 300 + ")" * 300):
        path = tmp_path / "bad.py"
        doc = Document(analyse(text, str(path)))
        assert hover_text(doc.index, 1, 1) is None
        assert doc.index.hints == () and doc.index.models == ()


def test_one_analysis_per_version(monkeypatch):
    import cnnlint.api

    path = _path("seed002_m.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    calls = []
    plain = cnnlint.api.check_source

    def counting(*args, **kwargs):
        calls.append(args[1])
        return plain(*args, **kwargs)

    monkeypatch.setattr(cnnlint.api, "check_source", counting)
    session = Session()
    doc = session.update("file:///m.py", source, path)
    for line in range(1, 25):
        for column in (1, 9, 13, 20):
            hover_text(doc.index, line, column)
        doc.index.hints_between(1, line)
    lens_title(doc.index.models[0])
    assert len(calls) == 1

"""Jupyter notebooks: reading code cells (IPython lines skipped), positions per cell in every
format, `--fix` writing back only the changed cell, per-file errors, discovery and the cache.

The notebooks are fixtures/notebooks/*.ipynb (nbformat 4.5). Their golden outputs are
fixtures/notebooks/*.txt; rewrite them with `pytest tests/test_notebooks.py --update-golden`.
PyTorch is the oracle: the notebook's code cells are run in order, as Jupyter runs them, on the
meta device; a bug cnnlint reports must make a cell fail, and its fixed twin must run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from oracle_util import FIXTURES, cli_env

from cnnlint.cli import main
from cnnlint.diagnostics import Edit, Span
from cnnlint.notebook import (NotebookError, cell_span, fixed_cells, python_lines, read_notebook, source_line,
                              write_sources)

NOTEBOOKS = FIXTURES / "notebooks"
BUGGY = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.stem.endswith("_bug"))
SEED_BUG = NOTEBOOKS / "seed001_mycnn_k5_bug.ipynb"
SEED_FIXED = NOTEBOOKS / "seed001_mycnn_k5_fixed.ipynb"
MAGICS = NOTEBOOKS / "magics_simplecnn_bug.ipynb"
OUTPUTS = NOTEBOOKS / "outputs_lenet_bug.ipynb"


def run(capsys, *args):
    """`cnnlint ARGS` in this process: (exit status, stdout, stderr)."""
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def cell_source(path, index) -> str:
    """The source of the notebook's cell ``index`` (1-based among all cells), as Jupyter shows it."""
    cell = json.loads(path.read_text(encoding="utf-8"))["cells"][index - 1]
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def text_at(path, cell, line, column, end_column) -> str:
    return cell_source(path, cell).splitlines()[line - 1][column - 1:end_column - 1]


def torch_verdict(path):
    """Run the notebook's code cells in order on the meta device, as Jupyter would run them
    (IPython lines do nothing): (cell index, exception) of the first cell that fails, or None. A
    cell that imports a library that is not installed (matplotlib) is skipped."""
    torch = pytest.importorskip("torch")
    nb = read_notebook(path.read_text(encoding="utf-8"))
    namespace = {"__name__": "__main__"}
    with torch.device("meta"):
        for c in nb.cells:
            try:
                exec(compile(c.python, f"{path.name}, cell {c.index}", "exec"), namespace)
            except ModuleNotFoundError as e:
                if (e.name or "").split(".")[0] in ("torch", ""):
                    return c.index, e
            except Exception as e:  # noqa: BLE001 - the oracle's verdict
                return c.index, e
    return None


# --------------------------------------------------------------------------- reading cells


def test_ipython_lines_become_pass_and_keep_the_line_count():
    cell = ("%matplotlib inline\n"
            "!pip install torchinfo\n"
            "files = !ls\n"
            "for i in range(2):\n"
            "    !echo $i\n"
            "torch.randn?\n"
            "??torch\n"
            "x = 1  # is this help?\n"
            "%timeit f() \\\n"
            "    more args\n"
            "y = 2")
    python, magic = python_lines(cell)
    assert python.splitlines() == ["pass", "pass", "pass", "for i in range(2):", "    pass", "pass", "pass",
                                   "x = 1  # is this help?", "pass", "", "y = 2"]
    assert magic == (1, 2, 3, 5, 6, 7, 9, 10)
    compile(python, "cell", "exec")


def test_lines_inside_strings_and_brackets_are_python_not_ipython():
    cell = 'doc = """\n!not a shell line\n%not a magic\n"""\ncall(1,\n     2)\nsizes = [\n    3,\n]\n'
    python, magic = python_lines(cell)
    assert (python, magic) == (cell, ())


def test_a_cell_magic_makes_the_whole_cell_blank():
    python, magic = python_lines("%%time\nx = nn.Linear(3, 4)\ny = 1")
    assert python == "\n\n\n" and magic == (1, 2, 3)


def test_cells_are_numbered_among_all_cells_and_joined_line_for_line():
    doc = {"cells": [{"cell_type": "markdown", "source": ["# title"]},
                     {"cell_type": "code", "source": ["import torch\n", "x = 1"]},
                     {"cell_type": "raw", "source": "raw text"},
                     {"cell_type": "code", "source": ""},
                     {"cell_type": "code", "source": "%matplotlib inline\ny = 2\n"}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    nb = read_notebook(json.dumps(doc))
    assert nb.source == "import torch\nx = 1\npass\ny = 2\n"
    assert [(c.index, c.start, c.lines) for c in nb.cells] == [(2, 1, 2), (4, 3, 0), (5, 3, 2)]
    assert cell_span(nb, Span(4, 1, 4, 6)) == (5, Span(2, 1, 2, 6))
    assert cell_span(nb, Span(2, 5, 2, 6)) == (2, Span(2, 5, 2, 6))
    assert source_line(nb, 5, 2) == 4
    assert nb.count == 5


@pytest.mark.parametrize("text, message", [
    ('{"cells": [', "invalid notebook JSON"),
    ("[1, 2]", 'no "cells" list'),
    ('{"worksheets": [], "nbformat": 3}', "nbformat 3"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', '"source" must be a string or a list of strings'),
])
def test_what_is_not_a_notebook_says_why(text, message):
    with pytest.raises(NotebookError, match=message.replace("(", r"\(").replace('"', '"')):
        read_notebook(text)


# --------------------------------------------------------------------------- check: golden text


@pytest.mark.parametrize("path", BUGGY, ids=[p.stem for p in BUGGY])
def test_check_text_golden(path, update_golden, capsys, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    status, out, err = run(capsys, "check", "--no-cache", path.name)
    golden = path.with_suffix(".txt")
    if update_golden:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert status == 1 and err == ""


def test_the_fixed_twin_passes_and_runs_in_torch(capsys, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    assert run(capsys, "check", "--no-cache", SEED_FIXED.name) == (0, "All checks passed!\n", "")
    assert torch_verdict(SEED_FIXED) is None


# --------------------------------------------------------------------------- positions, with PyTorch's verdict

CASES = [  # notebook, cell with the bug, (line, column, end column) in it, the code there, the cell torch fails in
    (SEED_BUG, 3, (8, 19, 40), "nn.Linear(32*8*8, 10)", 5, ("1568", "2048")),
    (MAGICS, 4, (8, 20, 43), "torch.nn.Linear(32, 10)", 6, ("64", "32")),
    (OUTPUTS, 5, (7, 20, 46), "nn.Linear(16 * 5 * 5, 120)", 6, ("256", "400")),
]


@pytest.mark.parametrize("path, cell, where, code, fails_in, numbers", CASES, ids=[c[0].stem for c in CASES])
def test_json_positions_are_cells_and_lines_within_them(path, cell, where, code, fails_in, numbers, capsys,
                                                        monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "json", path.name)
    diags = json.loads(out)
    assert status == 1 and [d["code"] for d in diags] == ["CNN102"]
    d = diags[0]
    assert (d["cell"], d["line"], d["column"], d["end_line"], d["end_column"]) == (cell, where[0], where[1],
                                                                                   where[0], where[2])
    assert text_at(path, cell, d["line"], d["column"], d["end_column"]) == code
    assert (str(d["inferred"]), str(d["declared"])) == numbers
    for e in d["fix"]["edits"]:  # the fix's edits count from the same cell
        assert e["cell"] == cell and e["line"] == where[0]
    # PyTorch: the model really fails, in the cell that runs it, with the numbers cnnlint gives
    verdict = torch_verdict(path)
    assert verdict is not None and verdict[0] == fails_in, verdict
    assert isinstance(verdict[1], RuntimeError) and all(n in str(verdict[1]) for n in numbers), verdict


def test_a_python_file_has_no_cell_key(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(read_notebook(SEED_BUG.read_text(encoding="utf-8")).source)
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "json", "net.py")
    d = json.loads(out)[0]
    assert status == 1 and "cell" not in d and "cell" not in d["fix"]["edits"][0]
    assert d["line"] == 4 + 8 - 1  # cell 3 starts at line 4 of the joined source (after 3 lines of imports)


def test_concise_and_json_lines(capsys, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "concise", SEED_BUG.name)
    assert out.splitlines()[0].startswith("seed001_mycnn_k5_bug.ipynb:cell 3:8:19: CNN102 [*] fc (nn.Linear)")
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "json-lines", SEED_BUG.name)
    assert json.loads(out)["cell"] == 3


# --------------------------------------------------------------------------- shapes


def test_shapes_on_a_notebook_agree_with_torch(capsys, monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "shapes", "--no-cache", "--format", "json", SEED_FIXED.name)
    assert status == 0
    model = json.loads(out)["models"][0]
    assert (model["model"], model["cell"], model["line"]) == ("myCNN", 3, 1)
    assert text_at(SEED_FIXED, 3, 1, 1, 14) == "class myCNN(n"
    convs = [row for row in model["layers"] if row["type"] in ("Conv2d", "Linear")]
    for row in convs:
        assert row["cell"] == 3
        assert text_at(SEED_FIXED, 3, row["line"], 1, 100).strip().startswith(f"self.{row['name']} = nn.")
    # PyTorch on the meta device: the same output shapes and parameter count
    namespace = {}
    nb = read_notebook(SEED_FIXED.read_text(encoding="utf-8"))
    with torch.device("meta"):
        for c in nb.cells[:2]:  # the imports and the class
            exec(compile(c.python, "cell", "exec"), namespace)
        net = namespace["myCNN"]()
        seen = {}

        def record(module, inputs, output, name):
            seen[name] = list(output.shape)

        for name, m in net.named_children():
            m.register_forward_hook(lambda mod, i, o, name=name: record(mod, i, o, name))
        out_shape = list(net(torch.empty(1, 3, 32, 32)).shape)
    assert {row["name"]: row["output"] for row in convs} == seen
    assert model["output"] == out_shape
    assert model["params"] == sum(p.numel() for p in net.parameters())


def test_shapes_text_names_the_cell(capsys, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "shapes", "--no-cache", SEED_BUG.name)
    assert status == 1
    assert out.splitlines()[0] == "myCNN (seed001_mycnn_k5_bug.ipynb:cell 3:1)  input: [1, 3, 32, 32]"
    assert "<-- CNN102" in out


# --------------------------------------------------------------------------- --fix


def fix_copy(capsys, tmp_path, path, *extra):
    target = tmp_path / path.name
    shutil.copyfile(path, target)
    status, out, err = run(capsys, "check", "--no-cache", "--fix", *extra, str(target))
    return target, status, out, err


def test_fix_gives_the_fixed_twin_byte_for_byte(capsys, tmp_path):
    target, status, out, err = fix_copy(capsys, tmp_path, SEED_BUG)
    assert status == 0 and "Fixed 1 diagnostic in 1 file." in out, (out, err)
    assert target.read_bytes() == SEED_FIXED.read_bytes()
    before = target.read_bytes()
    status, out, _ = run(capsys, "check", "--no-cache", "--fix", str(target))  # a second --fix: nothing to do
    assert status == 0 and target.read_bytes() == before and "Fixed" not in out


@pytest.mark.parametrize("path, old, new", [
    (OUTPUTS, "nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)"),
    (MAGICS, "torch.nn.Linear(32, 10)", "torch.nn.Linear(64, 10)"),
], ids=["outputs", "magics"])
def test_fix_changes_only_that_line_of_the_file(path, old, new, capsys, tmp_path):
    original = path.read_text(encoding="utf-8")
    assert original.count(old) == 1
    target, status, _, _ = fix_copy(capsys, tmp_path, path)
    assert status == 0
    # everything else, outputs and image included, byte for byte
    assert target.read_bytes() == original.replace(old, new).encode("utf-8")
    fixed = json.loads(target.read_text(encoding="utf-8"))
    assert json.loads(original)["cells"][:2] == fixed["cells"][:2]
    assert torch_verdict(target) is None  # and now the notebook runs


def test_fix_keeps_ipython_lines(capsys, tmp_path):
    target, status, _, _ = fix_copy(capsys, tmp_path, MAGICS)
    text = target.read_text(encoding="utf-8")
    for line in ("%matplotlib inline", "!pip install torchinfo", "%%time", "SimpleCNN?", "!nvidia-smi",
                 "%config InlineBackend.figure_format"):
        assert line in text


def test_diff_shows_the_change_and_writes_nothing(capsys, tmp_path):
    target = tmp_path / SEED_BUG.name
    shutil.copyfile(SEED_BUG, target)
    status, out, err = run(capsys, "check", "--no-cache", "--diff", str(target))
    assert status == 1 and target.read_bytes() == SEED_BUG.read_bytes()
    assert '-    "        self.fc = nn.Linear(32*8*8, 10)\\n",' in out
    assert '+    "        self.fc = nn.Linear(32*7*7, 10)\\n",' in out


def test_write_sources_keeps_the_file_style():
    text = ('{\n  "cells": [\n    {\n      "cell_type": "code",\n      "source": "x = 1\\ny = \\u00e9\\n"\n    },\n'
            '    {\n      "cell_type": "code",\n      "source": ["a = 1\\n", "b = 2"], "outputs": []\n    }\n  ]\n}\n')
    out = write_sources(text, {1: "x = 2\ny = \u00e9\n", 2: "a = 1\nb = 3"})
    assert out == text.replace('"x = 1', '"x = 2').replace('"b = 2"', '"b = 3"')
    # a list of another length: laid out as the old one
    out = write_sources(text, {2: "a = 1\nb = 2\nc = 3"})
    assert json.loads(out)["cells"][1]["source"] == ["a = 1\n", "b = 2\n", "c = 3"]
    assert '"source": ["a = 1\\n", "b = 2\\n", "c = 3"], "outputs"' in out


def test_write_sources_writes_non_ascii_as_the_file_does():
    # nbformat's way: non-ASCII as itself, though control characters (ANSI colours) are escaped
    doc = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "s = 'a'"],
                      "outputs": [{"text": "\u001b[0;31mError\u001b[0m"}]}]}
    text = json.dumps(doc, indent=1)
    assert "\\u001b" in text
    out = write_sources(text, {1: "x = 1\ns = '\u00e9'"})
    assert out == text.replace("'a'", "'\u00e9'")


def test_a_fix_never_edits_an_ipython_line():
    nb = read_notebook(json.dumps({"cells": [{"cell_type": "code", "source": "!ls\nx = 1\n"}]}))
    from cnnlint.notebook import cell_boundaries

    marks = cell_boundaries(nb)
    assert fixed_cells(nb, "pass\nx = 2\n", marks) == {1: "!ls\nx = 2\n"}
    with pytest.raises(NotebookError):
        fixed_cells(nb, "passed\nx = 2\n", marks)
    from cnnlint.fixrounds import shift_lines

    with pytest.raises(ValueError):  # an edit from the IPython line into the next
        shift_lines(marks, [Edit(Span(1, 1, 2, 2), "y")])
    assert shift_lines(marks, [Edit(Span(2, 1, 2, 2), "a\nb")]) == tuple(m if m <= 2 else m + 1 for m in marks)


# --------------------------------------------------------------------------- notebooks cnnlint cannot check


def write_notebooks(folder):
    (folder / "broken.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "x = ("', encoding="utf-8")
    (folder / "text_only.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# notes"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    (folder / "unfinished.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "intro"},
                  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": ["import torch\n", "sizes = (1,\n"]},
                  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": "y = 2\n"}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1), encoding="utf-8")
    shutil.copyfile(SEED_BUG, folder / "model.ipynb")


def test_each_bad_notebook_gets_its_message_and_the_others_are_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_notebooks(tmp_path)
    status, out, err = run(capsys, "check", "--no-cache", "--format", "concise", *sorted(os.listdir(tmp_path)))
    lines = out.splitlines()
    assert lines[:4] == [
        "broken.ipynb:1:51: CNN001 cannot read the notebook: invalid notebook JSON: Expecting ',' delimiter "
        "(line 1, column 51)",
        "model.ipynb:cell 3:8:19: CNN102 [*] fc (nn.Linear) expects 2048 input features but receives "
        "32*7*7 = 1568 (from conv2: [1, 32, 7, 7])",
        "text_only.ipynb:1:1: CNN001 not checked: the notebook has no code cells (1 cell)",
        "unfinished.ipynb:cell 2:2:9: CNN001 cannot parse cell 2: '(' was never closed",
    ]
    assert status == 1 and err == ""


@pytest.mark.parametrize("name, status, severity", [
    ("broken.ipynb", 1, "error"), ("text_only.ipynb", 0, "warning"), ("unfinished.ipynb", 1, "error")])
def test_exit_status_of_each_bad_notebook(name, status, severity, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_notebooks(tmp_path)
    got, out, _ = run(capsys, "check", "--no-cache", "--format", "json", name)
    assert got == status and [d["severity"] for d in json.loads(out)] == [severity]


HOSTILE = {
    "deep.ipynb": "[" * 100000 + "]" * 100000,
    "cells_not_list.ipynb": '{"cells": {"a": 1}}',
    "cell_not_object.ipynb": '{"cells": [1, "x", null]}',
    "bad_utf8.ipynb": b'{"cells": [\xff]}',
    "empty.ipynb": "",
    "nul.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\x00\n"}]}),
    "other_language.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": "x <- c(1, 2)"}],
                                        "metadata": {"kernelspec": {"language": "R", "name": "ir"}}}),
}


def test_hostile_notebooks_never_crash(tmp_path):
    for name, text in HOSTILE.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    for args in (["check", "--no-cache", "."], ["check", "--no-cache", "--fix", "."],
                 ["check", "--no-cache", "--format", "sarif", "."], ["shapes", "--no-cache", *sorted(HOSTILE)]):
        p = subprocess.run([sys.executable, "-m", "cnnlint", *args], cwd=tmp_path, capture_output=True,
                           text=True, env=cli_env(), timeout=120)
        assert "Traceback" not in p.stdout + p.stderr, p.stderr[-2000:]
        assert p.returncode in (0, 1), (args, p.returncode, p.stderr)
    p = subprocess.run([sys.executable, "-m", "cnnlint", "check", "--no-cache", "--format", "json", "."],
                       cwd=tmp_path, capture_output=True, text=True, env=cli_env(), timeout=120)
    by_path = {}
    for d in json.loads(p.stdout):
        by_path.setdefault(os.path.normpath(d["path"]), []).append(d["message"])
    assert set(by_path) >= set(HOSTILE) - {"nul.ipynb"}
    assert "a notebook in R" in by_path["other_language.ipynb"][0]


# --------------------------------------------------------------------------- discovery and configuration


def project(tmp_path, config=""):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "net.py").write_text("x = 1\n")
    shutil.copyfile(SEED_BUG, tmp_path / "pkg" / "model.ipynb")
    (tmp_path / "pkg" / ".ipynb_checkpoints").mkdir()
    shutil.copyfile(SEED_BUG, tmp_path / "pkg" / ".ipynb_checkpoints" / "model-checkpoint.ipynb")
    (tmp_path / "notes").mkdir()
    shutil.copyfile(SEED_BUG, tmp_path / "notes" / "draft.ipynb")
    (tmp_path / "notes" / "tool.pyw").write_text("y = 2\n")
    if config:
        (tmp_path / "pyproject.toml").write_text("[tool.cnnlint]\n" + config)


def checked(capsys, *args):
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "json", "--exit-zero", *args)
    return status, sorted({os.path.normpath(d["path"]) for d in json.loads(out)})


@pytest.mark.parametrize("config, paths", [
    ("", ["notes/draft.ipynb", "pkg/model.ipynb"]),  # notebooks by default, not the checkpoints
    ('include = ["*.py"]\n', []),
    ('extend-exclude = ["notes"]\n', ["pkg/model.ipynb"]),
    ('exclude = ["*.ipynb"]\n', []),
    ('include = ["pkg/*.ipynb"]\n', ["pkg/model.ipynb"]),
])
def test_folders_include_notebooks_as_configured(config, paths, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project(tmp_path, config)
    # a notebook with no finding is not listed: make every file report something
    for f in ("pkg/net.py", "notes/tool.pyw"):
        (tmp_path / f).write_text("import torch.nn as nn\nclass N(nn.Module):\n    def __init__(self):\n"
                                  "        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3, groups=2)\n")
    status, found = checked(capsys, ".")
    assert [p for p in found if p.endswith(".ipynb")] == paths


def test_extend_include_adds_and_a_named_file_is_always_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project(tmp_path, 'include = ["*.py"]\nextend-include = ["*.pyw"]\n')
    (tmp_path / "notes" / "tool.pyw").write_text("import torch.nn as nn\nclass N(nn.Module):\n"
                                                 "    def __init__(self):\n        super().__init__()\n"
                                                 "        self.c = nn.Conv2d(3, 8, 3, groups=2)\n")
    assert checked(capsys, ".")[1] == ["notes/tool.pyw"]
    assert checked(capsys, "notes/draft.ipynb")[1] == ["notes/draft.ipynb"]


def test_unknown_include_value_is_a_config_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project(tmp_path, "include = 3\n")
    status, _, err = run(capsys, "check", "--no-cache", ".")
    assert status == 2 and "'tool.cnnlint.include' must be a list of strings" in err


# --------------------------------------------------------------------------- cache and stdin


def test_the_cache_serves_notebooks(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(SEED_BUG, tmp_path / "nb.ipynb")
    first = run(capsys, "check", "nb.ipynb")
    entries = [f for _, _, files in os.walk(tmp_path / ".cnnlint_cache") for f in files if len(f) == 64]
    assert len(entries) == 1
    assert run(capsys, "check", "nb.ipynb") == first  # from the cache: the same text, excerpt included
    assert "    8 |         self.fc = nn.Linear(32*8*8, 10)" in first[1]
    # a changed notebook is checked again
    (tmp_path / "nb.ipynb").write_bytes(SEED_FIXED.read_bytes())
    assert run(capsys, "check", "nb.ipynb")[0] == 0


def test_stdin_with_a_notebook_name(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(SEED_BUG.read_text(encoding="utf-8")))
    status, out, _ = run(capsys, "check", "--no-cache", "--stdin-filename", "nb.ipynb", "--format", "json")
    assert status == 1 and [(d["cell"], d["line"]) for d in json.loads(out)] == [(3, 8)]


# --------------------------------------------------------------------------- SARIF and GitHub


def file_line(path, line) -> str:
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_sarif_points_into_the_notebook_file(capsys, monkeypatch):
    from test_formats import _valid

    jsonschema = pytest.importorskip("jsonschema")
    with open(os.path.join(os.path.dirname(__file__), "data", "sarif-schema-2.1.0.json"), encoding="utf-8") as fh:
        validator = jsonschema.Draft4Validator(json.load(fh))
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "sarif", OUTPUTS.name)
    doc = json.loads(out)
    _valid(validator, doc)
    result = doc["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == OUTPUTS.name
    region = location["region"]
    line = file_line(OUTPUTS, region["startLine"])
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "nn.Linear(16 * 5 * 5, 120)"
    assert result["properties"]["cell"] == 5 and result["properties"]["cellLine"] == 7
    assert "(cell 5, line 7)" in result["message"]["text"]
    assert "fixes" not in result  # a fix's region would be the JSON text's: --fix edits notebooks


def test_github_annotation_points_into_the_notebook_file(capsys, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    status, out, _ = run(capsys, "check", "--no-cache", "--format", "github", SEED_BUG.name)
    line = out.splitlines()[0]
    head, message = line.split("::", 2)[1:]
    props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
    assert head.startswith("error ") and props["file"] == SEED_BUG.name
    assert props["title"] == "CNN102 (cell 3%2C line 8)"
    text = file_line(SEED_BUG, int(props["line"]))
    assert text[int(props["col"]) - 1:int(props["endColumn"]) - 1] == "nn.Linear(32*8*8, 10)"
    assert message.startswith("fc (nn.Linear) expects 2048")


def test_positions_in_the_file_follow_escapes(tmp_path):
    """A cell written as one JSON string, with escapes before the finding: the file position
    counts the escapes' characters."""
    from cnnlint.notebook import FilePositions

    source = 'title = "caf\u00e9 \\"quoted\\""\n\tx = 1\n'
    text = json.dumps({"cells": [{"cell_type": "code", "source": source}]}, ensure_ascii=True)
    nb = read_notebook(text)
    at = FilePositions(text, nb).span(1, Span(2, 2, 2, 7))
    assert at.line == 1 and text[at.column - 1:at.end_column - 1] == "x = 1"

"""Models built by a file's top-level code (script.py): `net = nn.Sequential(...)` in a script or a
notebook, named by the variable, fed by the code below it. PyTorch is the oracle: the file's own
code is run (its top level builds the model, and the line that feeds it fails for a bug)."""
from __future__ import annotations

import json
import textwrap

import pytest

from oracle_util import FIXTURES, build_model, fixture_specs, is_error_fixture, run_cnnlint, torch_run
from test_mutants import apply, mutants_of

SCRIPTS = sorted(FIXTURES.glob("script_*.py"))


def shapes_json(path, *args):
    p = run_cnnlint(["shapes", str(path), "--format", "json", "--isolated", *args])
    assert "Traceback" not in p.stderr, p.stderr
    return json.loads(p.stdout)["models"] if p.stdout.strip() else []


def check_json(path, *args):
    p = run_cnnlint(["check", str(path), "--format", "json", "--isolated", "--no-cache", *args])
    assert "Traceback" not in p.stderr, p.stderr
    return json.loads(p.stdout), p.returncode


def _torch_fed(path):
    """The model the file builds and the shape of the tensor its code feeds it."""
    torch = pytest.importorskip("torch")
    source = path.read_text(encoding="utf-8")
    seen = {}
    real_call = torch.nn.Module.__call__

    def spy(self, *args, **kwargs):  # the first call of the model: its input
        if args and isinstance(args[0], torch.Tensor) and "input" not in seen and not seen.get("inside"):
            seen["input"] = list(args[0].shape)
        return real_call(self, *args, **kwargs)

    ns = {"__name__": "__script__"}
    torch.nn.Module.__call__ = spy
    try:
        exec(compile(source, str(path), "exec"), ns)
    except Exception:  # noqa: BLE001 - a bug fixture fails where it feeds the model
        pass
    finally:
        torch.nn.Module.__call__ = real_call
    return ns["net"], seen.get("input")


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_input_comes_from_the_code_below(path):
    """No --input-shape: the model is `net`, its input the tensor the file feeds it, and its
    parameters and output those PyTorch gives."""
    torch = pytest.importorskip("torch")
    model, fed = _torch_fed(path)
    assert fed is not None
    models = {m["model"]: m for m in shapes_json(path)}
    assert "net" in models, models.keys()
    net = models["net"]
    assert net["input"] == fed
    assert net["params"] == sum(p.numel() for p in model.parameters())
    if not is_error_fixture(path):
        with torch.no_grad():
            out = model(torch.zeros(fed))
        assert net["output"] == list(out.shape)


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_an_error_exactly_when_pytorch_fails_without_input_shape(path):
    diags, status = check_json(path)
    errors = [d for d in diags if d["severity"] == "error"]
    spec = fixture_specs(path)[0]
    _, _, exc = torch_run(path, spec)
    assert (exc is not None) == is_error_fixture(path)
    if is_error_fixture(path):
        assert errors and status == 1 and all(d["model"] == "net" for d in errors)
    else:
        assert not errors and status == 0


def _mutants():
    out = []
    for path in SCRIPTS:
        if not is_error_fixture(path):
            out.extend(mutants_of(path))
    return out


MUTANTS = _mutants()


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_script_mutants(mutant, tmp_path):
    """Every one-number mutant of the script fixtures (not a sample): an error exactly when
    PyTorch fails, with the input the file itself feeds the model (no --input-shape)."""
    pytest.importorskip("torch")
    target = tmp_path / mutant.fixture
    target.write_text(apply((FIXTURES / mutant.fixture).read_text(encoding="utf-8"), mutant), encoding="utf-8")
    spec = fixture_specs(target)[0]
    _, _, exc = torch_run(target, spec)
    diags, _ = check_json(target)
    errors = [d for d in diags if d["severity"] == "error"]
    if exc is None:
        assert not errors, f"PyTorch runs it, cnnlint says {errors}"
    else:
        assert errors, f"PyTorch fails ({str(exc).splitlines()[0][:200]}), cnnlint finds nothing"


def write(tmp_path, text, name="m.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_variable_bound_twice_is_two_models_and_training_code_gives_no_input(tmp_path):
    path = write(tmp_path, """
        import torch
        from torch import nn

        net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
        X = torch.randn(2, 1, 28, 28)
        print(net(X).shape)

        net = nn.Sequential(nn.Linear(20, 5))
        loss = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(3):
            for X, y in []:
                l = loss(net(X), y)
                l.backward()
                optimizer.step()
        """)
    models = {m["model"]: m for m in shapes_json(path)}
    assert set(models) == {"net", "net@9"}
    assert models["net"]["input"] == [2, 1, 28, 28] and models["net"]["output"] == [2, 10]
    assert models["net@9"]["params"] == 105
    assert models["net@9"]["input"] != [2, 1, 28, 28]  # the loop's X is the data's, not the tensor above
    diags, status = check_json(path)
    assert status == 0 and not [d for d in diags if d["severity"] == "error"]


def test_input_shape_names_the_variable(tmp_path):
    path = write(tmp_path, """
        from torch import nn
        net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 30 * 30, 2))
        """)
    assert check_json(path)[1] == 0
    diags, status = check_json(path, "--input-shape", "net=1,3,28,28")
    assert status == 1 and diags[0]["model"] == "net" and diags[0]["inferred"] == 8 * 26 * 26
    models = shapes_json(path, "--input-shape", "net=1,3,32,32")
    assert models[0]["output"] == [1, 2]


def test_class_instance_changed_at_top_level(tmp_path):
    """`net = Net(); net.fc = nn.Linear(...)`: the variable is the model; the class is its part."""
    path = write(tmp_path, """
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 3, padding=1)
                self.pool = nn.AdaptiveAvgPool2d(1)
                self.fc = nn.Linear(16, 10)

            def forward(self, x):
                return self.fc(torch.flatten(self.pool(self.conv(x)), 1))

        net = Net()
        net.fc = nn.Linear(32, 3)
        out = net(torch.randn(2, 3, 16, 16))
        """)
    diags, status = check_json(path)
    assert status == 1 and [d["model"] for d in diags if d["severity"] == "error"] == ["net"]
    assert diags[0]["line"] == 16 and diags[0]["declared"] == 32 and diags[0]["inferred"] == 16
    assert [m["model"] for m in shapes_json(path)] == ["net"]


def test_a_plain_instance_keeps_the_class_name_and_gets_the_summary_input(tmp_path):
    path = write(tmp_path, """
        from torch import nn
        from torchinfo import summary

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Conv2d(3, 4, 5), nn.Flatten(), nn.Linear(4 * 28 * 28, 2))

            def forward(self, x):
                return self.body(x)

        model = Net()
        summary(model, input_size=(8, 3, 32, 32))
        """)
    models = shapes_json(path)
    assert [(m["model"], m["input"], m["output"]) for m in models] == [("Net", [8, 3, 32, 32], [8, 2])]


def test_torchsummary_sizes_have_no_batch(tmp_path):
    path = write(tmp_path, """
        from torch import nn
        from torchsummary import summary
        net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
        summary(net, (1, 28, 28))
        """)
    assert shapes_json(path)[0]["input"] == [2, 1, 28, 28]


def test_a_list_built_by_a_top_level_loop(tmp_path):
    """The list the Sequential is made of is appended to by a loop above it: the loop is replayed,
    never left out (an empty list would be a wrong model)."""
    path = write(tmp_path, """
        import torch
        from torch import nn

        layers = []
        c = 3
        for width in [8, 16, 32]:
            layers.append(nn.Conv2d(c, width, 3, stride=2, padding=1))
            layers.append(nn.ReLU())
            c = width
        layers += [nn.Flatten(), nn.Linear(32 * 8 * 8, 10)]
        net = nn.Sequential(*layers)
        x = torch.randn(1, 3, 32, 32)
        y = net(x)
        """)
    diags, status = check_json(path)
    assert status == 1 and diags[0]["declared"] == 2048 and diags[0]["inferred"] == 512
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        exec(compile(path.read_text(), str(path), "exec"), {"__name__": "x", "torch": torch})


def test_what_cannot_be_followed_is_unknown_not_an_error(tmp_path):
    path = write(tmp_path, """
        import torch
        from torch import nn
        from mystery import make_layers, init_weights

        net = nn.Sequential(*make_layers(), nn.Linear(512, 10))
        net.apply(init_weights)
        net = net.to("cpu")
        del net[-1]
        X = torch.randn(1, 3, 32, 32)
        print(net(X).shape)
        """)
    diags, status = check_json(path)
    assert status == 0 and not [d for d in diags if d["severity"] == "error"]


def test_surgery_statements_are_followed(tmp_path):
    path = write(tmp_path, """
        import torch
        from torch import nn

        net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(10, 10))
        net[-1] = nn.Linear(8 * 30 * 30, 4)
        net.append(nn.Softmax(dim=1))
        net = net.to("cpu")
        X = torch.rand(5, 3, 32, 32)
        print(net(X).shape)
        """)
    diags, status = check_json(path)
    assert status == 0, diags
    assert shapes_json(path)[0]["output"] == [5, 4]
    torch = pytest.importorskip("torch")
    ns = {"__name__": "x"}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    assert sum(p.numel() for p in ns["net"].parameters()) == shapes_json(path)[0]["params"]


def test_build_model_reads_the_variable(tmp_path):
    """The oracle itself: a variable's model is the module the file's code bound."""
    pytest.importorskip("torch")
    path = FIXTURES / "script_sequential.py"
    model = build_model(path, fixture_specs(path)[0])
    assert type(model).__name__ == "Sequential"


def test_the_main_block_is_top_level_code(tmp_path):
    """A training script's `if __name__ == "__main__":` builds the model and changes its head."""
    path = write(tmp_path, """
        import torch
        from torch import nn

        def backbone(width=32):
            return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                 nn.Flatten(), nn.Linear(width, 1000))

        if __name__ == "__main__":
            model = backbone(width=64)
            n_features = model[-1].in_features
            model[-1] = nn.Sequential(nn.Linear(n_features, 256), nn.ReLU(), nn.Linear(128, 2))
            criterion = nn.CrossEntropyLoss()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            for epoch in range(10):
                for inputs, labels in []:
                    loss = criterion(model(inputs), labels)
        """)
    diags, status = check_json(path)
    errors = [d for d in diags if d["severity"] == "error"]
    assert status == 1 and [(d["model"], d["line"], d["declared"], d["inferred"]) for d in errors] == \
        [("model", 12, 128, 256)]
    fixed = path.read_text().replace("nn.Linear(128, 2)", "nn.Linear(256, 2)")
    path.write_text(fixed)
    assert check_json(path)[1] == 0
    torch = pytest.importorskip("torch")
    ns = {"__name__": "__main__"}
    exec(compile(fixed, str(path), "exec"), ns)
    assert shapes_json(path, "--input-shape", "model=2,3,16,16")[0]["params"] == \
        sum(p.numel() for p in ns["model"].parameters())
    assert list(ns["model"](torch.zeros(2, 3, 16, 16)).shape) == [2, 2]


def test_a_notebook_of_top_level_code(tmp_path):
    """A notebook's cells, run in order: the model of cell 3 is fed by cell 4; the error is
    placed in cell 3, `--fix` mends that cell only, and PyTorch runs the mended cells."""
    cells = [
        {"cell_type": "markdown", "id": "c1", "metadata": {}, "source": ["# LeNet, cell by cell"]},
        {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["%matplotlib inline\n", "import torch\n", "from torch import nn"]},
        {"cell_type": "code", "id": "c3", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": ["net = nn.Sequential(\n",
                    "    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),\n",
                    "    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2),\n",
                    "    nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(), nn.Linear(120, 10))"]},
        {"cell_type": "code", "id": "c4", "metadata": {}, "execution_count": 3, "outputs": [],
         "source": ["X = torch.rand(size=(1, 1, 28, 28))\n", "for layer in net:\n", "    X = layer(X)\n",
                    "    print(layer.__class__.__name__, X.shape)"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "lenet.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    diags, status = check_json(path)
    assert status == 1 and [(d["cell"], d["line"], d["declared"], d["inferred"]) for d in diags] == [(3, 4, 256, 400)]
    assert shapes_json(path)[0]["input"] == [1, 1, 28, 28]
    before = path.read_text(encoding="utf-8")
    p = run_cnnlint(["check", str(path), "--fix", "--isolated", "--no-cache"])
    assert p.returncode == 0, p.stdout
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and "16 * 5 * 5" in changed[0][1]
    torch = pytest.importorskip("torch")

    def run_cells(text):
        ns = {"torch": torch}
        for cell in json.loads(text)["cells"]:
            if cell["cell_type"] == "code":
                exec("".join(line for line in cell["source"] if not line.startswith("%")), ns)
    with pytest.raises(RuntimeError):
        run_cells(before)
    run_cells(after)


def test_a_model_changed_after_its_input_or_handed_to_unknown_code(tmp_path):
    """The input a model is fed belongs to the model as it stood then: a layer replaced after the
    feed, or a function from elsewhere that may change the model, leaves the input free (never a
    false error); a function of the file that sets a layer is run, a training function is not."""
    path = write(tmp_path, """
        import torch
        from torch import nn
        from helpers import adapt_model

        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 10))
        X = torch.randn(1, 1, 28, 28)
        print(net(X).shape)
        net[0] = nn.Conv2d(3, 6, 5)

        model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 10))
        adapt_model(model)
        model[-1] = nn.Linear(7, 10)
        print(model(torch.randn(1, 1, 28, 28)))


        def set_head(m, n):
            m[-1] = nn.Linear(6 * 24 * 24, n)


        def train(m, loader):
            for x, y in loader:
                m(x).sum().backward()


        third = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(100, 10))
        set_head(third, 5)
        train(third, [])
        Z = torch.randn(2, 1, 28, 28)
        print(third(Z).shape)
        """)
    diags, status = check_json(path)
    assert status == 0 and not [d for d in diags if d["severity"] == "error"]
    models = {m["model"]: m for m in shapes_json(path)}
    assert models["net"]["input"][1] == 3 and not isinstance(models["net"]["input"][2], int)
    assert models["model"]["params"] == 34726  # as built before adapt_model: what follows is not followed
    assert models["third"]["input"] == [2, 1, 28, 28] and models["third"]["output"] == [2, 5]

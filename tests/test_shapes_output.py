"""Golden output of `cnnlint shapes` in every format (text, json, markdown, mermaid, dot), with
--depth and --explain, over a few fixtures and the seed models, and the input-to-mismatch
chain of `check --format full`.

tests/golden/shapes/<case>.txt holds what the command prints. Run
`pytest tests/test_shapes_output.py --update-golden` to rewrite them, then review the diff.
"""
import json
import os
from pathlib import Path

import pytest

from oracle_util import REPO

GOLDEN = REPO / "tests" / "golden" / "shapes"
SEEDS = Path(os.environ.get("CNNLINT_SEEDS", "/work/shared/acceptance/models"))

CASES = {
    # the torchinfo table, folded and unfolded, in every format
    "resnet_text": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet", "--input-shape", "ResNet=2,3,32,32"],
    "resnet_depth1": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                      "--input-shape", "ResNet=2,3,32,32", "--depth", "1"],
    "resnet_depth4": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                      "--input-shape", "ResNet=2,3,32,32", "--depth", "4"],
    "resnet_markdown": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                        "--input-shape", "ResNet=2,3,32,32", "--format", "markdown"],
    "resnet_mermaid": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                       "--input-shape", "ResNet=2,3,32,32", "--format", "mermaid"],
    "resnet_dot": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                   "--input-shape", "ResNet=2,3,32,32", "--format", "dot", "--depth", "2"],
    "resnet_json": ["shapes", "fixtures/resnet_basic_block.py", "--model", "ResNet",
                    "--input-shape", "ResNet=2,3,32,32", "--format", "json"],
    # a ModuleList that is never called itself, a layer called several times
    "modulelist_loop": ["shapes", "fixtures/modulelist_loop.py", "--input-shape", "Net=2,3,32,32"],
    "shared_layer_twice": ["shapes", "fixtures/shared_layer_twice.py", "--input-shape", "Net=2,8,32,32"],
    "inception_cat_mermaid": ["shapes", "fixtures/inception_cat.py", "--format", "mermaid",
                              "--input-shape", "Net=2,1,28,28"],
    # a symbolic input: the input sizes it accepts and the smallest one
    "pool_collapse_symbolic": ["shapes", "fixtures/pool_collapse_bug.py"],
    "flatten_unflatten_explain": ["shapes", "fixtures/flatten_unflatten.py", "--explain"],
    # a model that fails: the table marks the layer and goes on
    "conv_in_channels_bug": ["shapes", "fixtures/conv_in_channels_bug.py", "--explain",
                             "--input-shape", "Net=2,1,28,28"],
    "conv_in_channels_bug_markdown": ["shapes", "fixtures/conv_in_channels_bug.py", "--format", "markdown",
                                      "--input-shape", "Net=2,1,28,28"],
    "conv_in_channels_bug_dot": ["shapes", "fixtures/conv_in_channels_bug.py", "--format", "dot",
                                 "--input-shape", "Net=2,1,28,28"],
    # check --format full: each finding ends with the chain from the input
    "check_full_pool_collapse": ["check", "fixtures/pool_collapse_bug.py", "--format", "full",
                                 "--input-shape", "Net=2,3,8,8"],
}

SEED_FILES = sorted(SEEDS.glob("*.py")) if SEEDS.is_dir() else []
for seed in SEED_FILES:
    CASES[f"seed_{seed.stem}"] = ["shapes", f"<seeds>/{seed.name}", "--explain"]
    if seed.stem.endswith("_bug"):
        CASES[f"seed_{seed.stem}_check_full"] = ["check", f"<seeds>/{seed.name}", "--format", "full"]
if SEED_FILES:
    first = SEED_FILES[0].name
    for fmt in ("markdown", "mermaid", "dot"):
        CASES[f"seed_{SEED_FILES[0].stem}_{fmt}"] = ["shapes", f"<seeds>/{first}", "--format", fmt]


def run(args, capsys):
    from cnnlint.cli import main

    argv = [a.replace("<seeds>", str(SEEDS)) for a in args]
    capsys.readouterr()
    status = main(argv)
    out, err = capsys.readouterr()
    text = f"$ cnnlint {' '.join(args)}\n[exit {status}]\n{out}"
    if err.strip():
        text += f"[stderr]\n{err}"
    return text.replace(str(SEEDS), "<seeds>"), status, out


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_shapes(name, capsys, in_repo, update_golden):
    text, status, out = run(CASES[name], capsys)
    assert "Traceback" not in text
    assert status in (0, 1), text
    golden = GOLDEN / f"{name}.txt"
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"{golden.relative_to(REPO)} is missing: run `pytest tests/test_shapes_output.py "
                    f"--update-golden` and review it", pytrace=False)
    assert text == golden.read_text(encoding="utf-8"), \
        f"`cnnlint {' '.join(CASES[name])}` differs from {golden.name} (rerun with --update-golden if intended)"


# --- properties that hold whatever the golden files say ------------------------------------------

def test_json_keeps_the_contract_keys(capsys, in_repo):
    _, _, out = run(CASES["resnet_json"], capsys)
    model = json.loads(out)["models"][0]
    for key in ("model", "path", "input", "layers", "output", "params"):
        assert key in model
    for layer in model["layers"]:
        for key in ("name", "type", "line", "output", "params"):
            assert key in layer
    assert model["input"] == [2, 3, 32, 32] and model["output"] == [2, 10]
    assert model["summary"]["total_params"] == model["params"]
    conv1 = next(layer for layer in model["layers"] if layer["name"] == "conv1")
    assert conv1["macs"] == 432 * 2 * 32 * 32 and conv1["kernel"] == [3, 3]


def test_depth_folds_the_tree(capsys, in_repo):
    _, _, deep = run(CASES["resnet_depth4"], capsys)
    _, _, folded = run(CASES["resnet_depth1"], capsys)
    assert "layer2.0.shortcut.0" in deep and "layer2.0" not in folded
    # the folded container row shows its whole subtree and its leaves' mult-adds
    row = next(line for line in folded.splitlines() if line.startswith("├─layer2 "))
    assert "14,528" in row
    # totals do not depend on the folding
    totals = lambda text: [line for line in text.splitlines() if line.startswith(("Total", "Trainable",  # noqa: E731
                                                                                  "Input size", "Params size"))]
    assert totals(deep) == totals(folded)


def test_failing_model_marks_the_layer_and_goes_on(capsys, in_repo):
    _, status, out = run(CASES["conv_in_channels_bug"], capsys)
    assert status == 1
    lines = out.splitlines()
    marked = [i for i, line in enumerate(lines) if "<-- CNN101" in line]
    assert marked, out
    assert lines[marked[0] + 1].startswith("├─"), "the table goes on after the failing layer"


def test_symbolic_input_names_the_smallest_input(capsys, in_repo):
    _, _, out = run(CASES["pool_collapse_symbolic"], capsys)
    assert "Input sizes: the input [N, 3, H, W] is symbolic" in out
    assert "smallest input: [1, 3, 16, 16]" in out


def test_explain_fills_in_the_numbers(capsys, in_repo):
    if not SEED_FILES or not (SEEDS / "seed001_mycnn_k5_bug.py").exists():
        pytest.skip("seed models not available")
    _, _, out = run(["shapes", "<seeds>/seed001_mycnn_k5_bug.py", "--explain"], capsys)
    assert "conv2    (15 + 2*1 - 5) // 2 + 1 = 7" in out
    assert "flatten  32*7*7 = 1568" in out
    text, _, _ = run(["check", "<seeds>/seed001_mycnn_k5_bug.py", "--format", "full"], capsys)
    assert "= conv2 (Conv2d): (15 + 2*1 - 5) // 2 + 1 = 7 -> [N, 32, 7, 7]" in text
    assert "= fc (Linear) receives [N, 1568]" in text


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_has_every_layer_and_shape(fmt, capsys, in_repo):
    _, _, out = run(["shapes", "fixtures/mnist_view_top.py", "--format", fmt, "--input-shape", "Net=2,784"], capsys)
    for name in ("conv1", "conv2", "fc1", "fc2"):
        assert name in out
    assert "[2, 20, 24, 24]" in out and "[2, 10]" in out
    if fmt == "dot":
        assert out.count("{") == out.count("}") and out.lstrip().startswith("//")
    else:
        assert "flowchart TD" in out


def test_model_name_that_is_no_model_says_why(tmp_path):
    """`--model NAME` that names a function cnnlint cannot read as a model (it builds a module of
    a library) or a plain class says so; a name the file lacks says that; all exit 2."""
    from oracle_util import run_cnnlint

    (tmp_path / "m.py").write_text(
        "import torch.nn as nn\nfrom torchvision.models import ResNet\n\n\n"
        "def wide(classes=10):\n    return ResNet(None, [2, 2, 2, 2], num_classes=classes)\n\n\n"
        "class Config:\n    width = 8\n")
    said = {}
    for name in ("wide", "Config", "absent"):
        p = run_cnnlint(["shapes", "m.py", "--model", name], cwd=tmp_path)
        assert p.returncode == 2 and not p.stdout and "Traceback" not in p.stderr
        said[name] = p.stderr
    assert "is a function, but cnnlint cannot tell that it returns a module" in said["wide"]
    assert "is a class, but not one cnnlint sees deriving from torch.nn.Module" in said["Config"]
    assert "no model named 'absent'" in said["absent"]

"""How much a notebook costs over the same code as a .py file: a generated notebook of 100 code
cells (50 small CNN classes, each followed by a cell that runs it, markdown between them, a few
IPython lines) against a .py holding the same Python, each checked by
`cnnlint check --no-cache FILE` in a fresh process, interleaved, median of the runs.

    python3 bench/notebook_speed.py              # 7 runs of each
    python3 bench/notebook_speed.py --repeat 15 --cells 200

The goal (issue 15): the notebook within 1.5x the .py's time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODEL = '''class Net{i}(nn.Module):
    """Model {i}: two convolutions, pooling and a classifier for {c}-channel 32x32 images."""

    def __init__(self, classes={k}):
        super().__init__()
        self.conv1 = nn.Conv2d({c}, {w}, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d({w})
        self.conv2 = nn.Conv2d({w}, {w2}, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear({w2} * 8 * 8, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))'''

RUN = '''net{i} = Net{i}()
x = torch.randn(4, {c}, 32, 32)
out = net{i}(x)
print(out.shape)'''

IPYTHON = "%time "  # prefixed to every tenth run cell's last line: no Python, left out of the .py


def cells(count: int):
    """(kind, text) of the notebook's cells: ``count`` code cells and markdown between them."""
    out = [("code", "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F")]
    i = 0
    while sum(1 for kind, _ in out if kind == "code") < count:
        c, w = (1, 3)[i % 2], 8 * (1 + i % 4)
        out.append(("markdown", f"## Model {i}\n\n{w} filters, then {2 * w}."))
        out.append(("code", MODEL.format(i=i, c=c, w=w, w2=2 * w, k=10 + i % 3)))
        run = RUN.format(i=i, c=c)
        if i % 10 == 0:
            run = run.replace("print(", IPYTHON + "print(")
        out.append(("code", run))
        i += 1
    code = [t for kind, t in out if kind == "code"][:count]
    kept, seen = [], 0
    for kind, text in out:
        if kind == "code":
            if seen == len(code):
                break
            seen += 1
        kept.append((kind, text))
    return kept


def notebook(parts) -> str:
    def source(text):
        lines = text.split("\n")
        return [ln + "\n" for ln in lines[:-1]] + [lines[-1]]

    cells_json = []
    for n, (kind, text) in enumerate(parts):
        cell = {"cell_type": kind, "id": f"c{n:05d}", "metadata": {}, "source": source(text)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells_json.append(cell)
    doc = {"cells": cells_json, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                             "name": "python3"}},
           "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def python(parts) -> str:
    """The same Python as a .py file: the code cells, IPython lines left out."""
    code = [text.replace(IPYTHON, "") for kind, text in parts if kind == "code"]
    return "\n\n".join(code) + "\n"


def cnnlint_cmd():
    beside = os.path.join(os.path.dirname(sys.executable), "cnnlint")
    if os.path.exists(beside):
        return [beside]
    exe = shutil.which("cnnlint")
    return [exe] if exe else [sys.executable, "-m", "cnnlint"]


def wall(cmd, cwd) -> float:
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode not in (0, 1) or "Traceback" in p.stderr:
        raise SystemExit(f"`{' '.join(cmd)}` failed ({p.returncode}): {p.stderr[-1000:]}")
    return took


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cells", type=int, default=100)
    args = ap.parse_args(argv)
    parts = cells(args.cells)
    folder = tempfile.mkdtemp(prefix="cnnlint-nb-bench-")
    try:
        with open(os.path.join(folder, "models.ipynb"), "w", encoding="utf-8") as fh:
            fh.write(notebook(parts))
        with open(os.path.join(folder, "models.py"), "w", encoding="utf-8") as fh:
            fh.write(python(parts))
        base = cnnlint_cmd() + ["check", "--no-cache", "--format", "json"]
        outputs = {}
        for name in ("models.ipynb", "models.py"):  # the same findings (none) either way
            p = subprocess.run(base + [name], cwd=folder, capture_output=True, text=True)
            outputs[name] = [d["code"] for d in json.loads(p.stdout)]
        if outputs["models.ipynb"] != outputs["models.py"]:
            raise SystemExit(f"the notebook and the .py differ in findings: {outputs}")
        times = {"models.ipynb": [], "models.py": []}
        wall(base + ["models.py"], folder)  # warm the file cache
        for _ in range(args.repeat):
            for name in times:
                times[name].append(wall(base + [name], folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    code_cells = sum(1 for kind, _ in parts if kind == "code")
    lines = python(parts).count("\n")
    nb, py = statistics.median(times["models.ipynb"]), statistics.median(times["models.py"])
    print(f"notebook: {len(parts)} cells ({code_cells} code), {lines} lines of Python; "
          f"{len(outputs['models.py'])} findings in each")
    print(f".ipynb  median {nb:.3f} s  ({min(times['models.ipynb']):.3f}-{max(times['models.ipynb']):.3f})")
    print(f".py     median {py:.3f} s  ({min(times['models.py']):.3f}-{max(times['models.py']):.3f})")
    print(f"ratio   {nb / py:.2f}x  (goal <= 1.5x: {'met' if nb / py <= 1.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

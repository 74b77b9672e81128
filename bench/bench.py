"""cnnlint's speed figures (docs/performance.md), measured in one run on this machine.

    python3 bench/bench.py                  # everything (needs bench/torchvision_corpus.py run once)
    python3 bench/bench.py --repeat 3 --skip-torch

1. cold start: ``cnnlint bench/one_model.py`` (one model, concrete input shape), no cache;
   median of --repeat runs, and whether sympy was imported.
2. folder vs ``import torch``: ``cnnlint --no-cache`` over every file of torchvision's
   ``models/`` tree, against ``python -c "import torch"``; median wall time of each, interleaved.
3. cache: the same folder twice with a fresh cache folder; the speed-up of the second run.
4. parse vs check: lines per second of ``libcst.parse_module`` alone and of the full check
   (``cnnlint.api.check_file``, one process, no cache) over the same files.
5. language server: bench/lsp_latency.py, edits of a 500-line model file.

``--against REV`` measures instead this tree against an earlier commit in one run: the same
commands (one model cold, the fixtures, torchvision's models/ tree, and each ``--tree DIR``;
no cache) under each source tree, interleaved, and the ratio of the medians (below 1: this tree
is faster).

``--python ENV`` (an environment with torchvision) adds: ``cnnlint bench/library_backbone.py``,
a ResNet-50 backbone read from ENV's torchvision, cold (no cache) and warm (the second run with
a result cache).

The robustness sweep (no internal error on any file of the stdlib and site-packages) is
bench/robustness.py.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ONE = os.path.join(HERE, "one_model.py")
TREE = os.path.join(HERE, "_corpus", "torchvision-0.29.1", "torchvision", "models")


def cnnlint_cmd():
    # the console script installed beside this Python, as `import torch` runs this Python itself:
    # the `cnnlint` on PATH may be a version manager's shim (pyenv's adds 0.05 s of bash)
    beside = os.path.join(os.path.dirname(sys.executable), "cnnlint")
    if os.access(beside, os.X_OK):
        return [beside]
    exe = shutil.which("cnnlint")
    return [exe] if exe else [sys.executable, "-m", "cnnlint"]


def wall(cmd, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def cold_start(repeat: int):
    cmd = cnnlint_cmd() + ["--no-cache", ONE]
    wall(cmd)  # warm the OS file cache
    times = [wall(cmd) for _ in range(repeat)]
    probe = subprocess.run([sys.executable, "-c",
                            "import sys; from cnnlint.cli import main; import io, contextlib\n"
                            "with contextlib.redirect_stdout(io.StringIO()): main(['--no-cache', sys.argv[1]])\n"
                            "print(' '.join(m for m in ('sympy', 'pygls', 'cnnlint.reporters.sarif', 'torch') "
                            "if m in sys.modules))", ONE], capture_output=True, text=True)
    return statistics.median(times), times, probe.stdout.strip()


def py_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        out.extend(os.path.join(d, f) for f in sorted(files) if f.endswith(".py"))
    return out


def against(rev: str, repeat: int, trees_extra=()) -> int:
    """This tree's speed against commit ``rev``'s, interleaved in one run."""
    root = os.path.dirname(HERE)
    with tempfile.TemporaryDirectory() as old:
        archive = subprocess.run(["git", "-C", root, "archive", rev, "src"], capture_output=True)
        if archive.returncode:
            print(archive.stderr.decode().strip())
            return 2
        subprocess.run(["tar", "-x", "-C", old], input=archive.stdout, check=True)
        trees = {rev: os.path.join(old, "src"), "this tree": os.path.join(root, "src")}
        jobs = [("one model, cold", [ONE]), ("fixtures", ["check", "--isolated", os.path.join(root, "fixtures")])]
        if os.path.isdir(TREE):
            jobs.append((f"{os.path.relpath(TREE, root)} ({len(py_files(TREE))} files)", [TREE]))
        for tree in trees_extra:
            jobs.append((f"{os.path.basename(tree.rstrip('/'))} ({len(py_files(tree))} files)",
                         ["check", "--isolated", "--exclude", "__pycache__", "--exit-zero", tree]))
        print(f"{'':42} {rev:>12} {'this tree':>12}  ratio")
        for title, cmd_args in jobs:
            times: dict = {name: [] for name in trees}
            for _ in range(repeat):
                for name, src in trees.items():
                    env = dict(os.environ, PYTHONPATH=src)
                    times[name].append(wall([sys.executable, "-m", "cnnlint"] + cmd_args + ["--no-cache"], env=env))
            a, b = (statistics.median(times[name]) for name in trees)
            print(f"{title:42} {a:11.2f}s {b:11.2f}s  {b / a:.2f}")
    return 0


def backbone(python: str, repeat: int) -> None:
    """A ResNet-50 backbone from the environment's torchvision: cold and warm."""
    target = os.path.join(HERE, "library_backbone.py")
    cmd = cnnlint_cmd() + ["check", target, "--python", python, "--input-shape", "2,3,224,224"]
    wall(cmd + ["--no-cache"])  # the OS file cache
    cold = [wall(cmd + ["--no-cache"]) for _ in range(repeat)]
    warm = []
    with tempfile.TemporaryDirectory() as cache:
        wall(cmd + ["--cache-dir", cache])
        warm = [wall(cmd + ["--cache-dir", cache]) for _ in range(repeat)]
    print(f"library backbone (resnet50 from {python}): cold median {statistics.median(cold):.2f} s, "
          f"warm median {statistics.median(warm):.2f} s (targets: 2 s and 0.3 s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-torch", action="store_true", help="leave out the import torch comparison")
    ap.add_argument("--against", metavar="REV", help="compare this tree's speed with commit REV's, in one run")
    ap.add_argument("--tree", action="append", default=[], metavar="DIR", help="with --against: also this folder")
    ap.add_argument("--python", metavar="ENV", help="an environment with torchvision: time a backbone read from it")
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    if args.against:
        return against(args.against, args.repeat, args.tree)
    if args.python:
        backbone(args.python, args.repeat)

    med, times, imported = cold_start(args.repeat)
    print(f"cold start (cnnlint one_model.py): median {med:.3f} s over {len(times)} runs "
          f"({', '.join(f'{t:.2f}' for t in times)}); heavy modules imported: {imported or 'none'}")

    fixtures = py_files(os.path.join(os.path.dirname(HERE), "fixtures"))
    start = time.perf_counter()
    subprocess.run(cnnlint_cmd() + ["check", "--no-cache", "--isolated", os.path.join(os.path.dirname(HERE), "fixtures")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - start
    print(f"fixtures: {len(fixtures)} files in {took:.2f} s: {len(fixtures) / took:.1f} files/s (one cnnlint run)")

    if not os.path.isdir(TREE):
        print(f"no corpus at {TREE}: run python3 bench/torchvision_corpus.py first")
        return 1
    files = py_files(TREE)
    lines = 0
    for f in files:
        with open(f, "rb") as fh:
            lines += fh.read().count(b"\n")
    print(f"corpus: {len(files)} files, {lines} lines under {os.path.relpath(TREE)}")

    folder_cmd = cnnlint_cmd() + ["--no-cache", TREE]
    torch_cmd = [sys.executable, "-c", "import torch"]
    folder, torch_t = [], []
    n = max(1, args.repeat // 2 + 1)
    for _ in range(n):
        folder.append(wall(folder_cmd))
        if not args.skip_torch:
            torch_t.append(wall(torch_cmd))
    f_med = statistics.median(folder)
    if torch_t:
        t_med = statistics.median(torch_t)
        print(f"folder: cnnlint {f_med:.2f} s vs import torch {t_med:.2f} s: ratio {f_med / t_med:.2f} "
              f"(median of {n}; below 1 means cnnlint wins)")
    else:
        print(f"folder: cnnlint {f_med:.2f} s")

    with tempfile.TemporaryDirectory() as cache:
        cached = cnnlint_cmd() + ["--cache-dir", cache, TREE]
        first = wall(cached)
        second = wall(cached)
    print(f"cache: first run {first:.2f} s, second run {second:.2f} s: {first / second:.1f}x faster")

    import libcst as cst

    from cnnlint.api import Settings, check_file
    sources = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            sources.append(fh.read())
    import gc

    gc.disable()  # both as the command line runs: without the cyclic collector
    start = time.perf_counter()
    for s in sources:
        cst.parse_module(s)
    parse_t = time.perf_counter() - start
    start = time.perf_counter()
    for f in files:
        check_file(f, Settings())
    check_t = time.perf_counter() - start
    gc.enable()
    print(f"parse only: {lines / parse_t:,.0f} lines/s ({parse_t:.2f} s); full check: {lines / check_t:,.0f} "
          f"lines/s ({check_t:.2f} s); check/parse = {check_t / parse_t:.2f}x")

    try:
        import pygls  # noqa: F401
    except ImportError:
        print("language server: skipped (pip install 'cnnlint[lsp]')")
    else:
        subprocess.run([sys.executable, os.path.join(HERE, "lsp_latency.py")])
    return 0


if __name__ == "__main__":
    sys.exit(main())

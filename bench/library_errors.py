"""Errors and internal errors of `cnnlint check` over whole model libraries.

    python3 bench/library_errors.py                       # the default libraries
    python3 bench/library_errors.py --lib timm=/path/to/site-packages/timm --jobs 2
    python3 bench/library_errors.py --json figures.json   # also write the figures as JSON

Each library tree is checked by one `python3 -m cnnlint check TREE --format json --no-cache
--exit-zero --isolated --exclude __pycache__` run (the
excludes replaced, since the default ones skip anything under site-packages; the cnnlint on PYTHONPATH; `CNNLINT_JOBS` set from --jobs). When a tree does
not finish within --timeout seconds it is checked again file by file, each file under
--file-timeout, and the files that still time out are counted. Prints, per library, the number
of files, errors, warnings, internal errors (CNN999) and timeouts, then every error and every
CNN999 as `path:line:column: CODE message`. Exit status 1 when any error, internal error or
timeout was seen.

The default libraries: torchvision and timm from the bench venv (/work/benchvenv), and
pretrainedmodels and segmentation_models_pytorch unpacked from their sdist/wheel under
/tmp/libs/src (nothing of them is committed). Name others with --lib NAME=PATH.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

SITE = "/work/benchvenv/lib/python3.11/site-packages"
DEFAULT_LIBS = [
    ("torchvision", f"{SITE}/torchvision"),
    ("timm", f"{SITE}/timm"),
    ("pretrainedmodels", "/tmp/libs/src/pretrainedmodels"),
    ("segmentation_models_pytorch", "/tmp/libs/src/segmentation_models_pytorch"),
]


def _run(paths: List[str], timeout: float, jobs: int) -> Optional[List[dict]]:
    """The JSON diagnostics of one cnnlint run over ``paths``, or None on a timeout."""
    env = dict(os.environ, CNNLINT_JOBS=str(jobs))
    cmd = [sys.executable, "-m", "cnnlint", "check", *paths, "--format", "json", "--no-cache",
           "--exit-zero", "--isolated", "--exclude", "__pycache__"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"cnnlint exited {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout or "[]")


def check_library(tree: str, timeout: float, file_timeout: float, jobs: int) -> Tuple[List[dict], List[str], int]:
    """(diagnostics, files that timed out, number of .py files)."""
    files = sorted(str(p) for p in Path(tree).rglob("*.py"))
    diags = _run([tree], timeout, jobs)
    if diags is not None:
        return diags, [], len(files)
    diags, slow = [], []
    for f in files:
        one = _run([f], file_timeout, 1)
        if one is None:
            slow.append(f)
        else:
            diags.extend(one)
    return diags, slow, len(files)


def _line(d: dict, tree: str) -> str:
    path = os.path.relpath(d["path"], os.path.dirname(tree.rstrip("/")))
    return f"{path}:{d['line']}:{d['column']}: {d['code']} {d['message']}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", default=[], metavar="NAME=PATH",
                    help="a library tree to check (repeatable; replaces the defaults)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds for one whole tree")
    ap.add_argument("--file-timeout", type=float, default=120.0, help="seconds for one file after a tree timed out")
    ap.add_argument("--json", metavar="FILE", help="write the figures and the lists as JSON")
    args = ap.parse_args(argv)

    libs = [tuple(s.split("=", 1)) for s in args.lib] if args.lib else DEFAULT_LIBS
    figures: Dict[str, dict] = {}
    bad = False
    for name, tree in libs:
        if not os.path.isdir(tree):
            print(f"{name}: {tree} not found, skipped", file=sys.stderr)
            continue
        start = time.perf_counter()
        diags, slow, nfiles = check_library(tree, args.timeout, args.file_timeout, args.jobs)
        secs = time.perf_counter() - start
        errors = [d for d in diags if d["severity"] == "error" and d["code"] != "CNN999"]
        internal = [d for d in diags if d["code"] == "CNN999"]
        warnings = [d for d in diags if d["severity"] == "warning"]
        figures[name] = {
            "tree": tree, "files": nfiles, "seconds": round(secs, 1),
            "errors": len(errors), "warnings": len(warnings), "internal": len(internal),
            "timeouts": len(slow),
            "error_list": [_line(d, tree) for d in errors],
            "internal_list": [_line(d, tree) for d in internal],
            "warning_list": [_line(d, tree) for d in warnings],
            "timeout_list": slow,
        }
        bad = bad or bool(errors or internal or slow)

    print(f"{'library':30} {'files':>6} {'errors':>7} {'warnings':>9} {'CNN999':>7} {'timeouts':>9} {'s':>7}")
    for name, f in figures.items():
        print(f"{name:30} {f['files']:>6} {f['errors']:>7} {f['warnings']:>9} {f['internal']:>7} "
              f"{f['timeouts']:>9} {f['seconds']:>7}")
    tot = {k: sum(f[k] for f in figures.values()) for k in ("files", "errors", "warnings", "internal", "timeouts")}
    print(f"{'total':30} {tot['files']:>6} {tot['errors']:>7} {tot['warnings']:>9} {tot['internal']:>7} {tot['timeouts']:>9}")
    for name, f in figures.items():
        for title, key in (("errors", "error_list"), ("internal errors", "internal_list"), ("timeouts", "timeout_list")):
            if f[key]:
                print(f"\n{name}: {title}")
                for line in f[key]:
                    print("  " + line)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
